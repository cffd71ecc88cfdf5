"""Library entries made by the services, so storage, keys and folder sizes are real."""

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from files import services
from files.models import LibraryEntry

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
GIF = b"GIF89a" + b"\x00" * 16
TTF = b"\x00\x01\x00\x00" + b"\x00" * 16
OTF = b"OTTO" + b"\x00" * 16
WOFF = b"wOFF" + b"\x00" * 16
WOFF2 = b"wOF2" + b"\x00" * 16


def make_folder(company, path: str):
    """The folder at `path` (e.g. "Home/2026/Invoices"), with its missing parents."""
    parts = path.split("/")
    entry = None
    for i in range(2, len(parts) + 1):
        parent, name = "/".join(parts[: i - 1]), parts[i - 1]
        existing = LibraryEntry.objects.for_company(company).filter(path=f"{parent}/{name}").first()
        entry = existing or services.folder_create(company=company, parent_path=parent, name=name)
    return entry


def make_file(company, path: str, content: bytes = PDF):
    """The file at `path` (e.g. "Home/2026/brochure.pdf"), with its folders."""
    folder, _, name = path.rpartition("/")
    if folder != "Home":
        make_folder(company, folder)
    return services.file_upload(company=company, folder_path=folder, file=SimpleUploadedFile(name, content))


class LibraryFolderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LibraryEntry

    path = factory.Sequence(lambda n: f"Home/Folder {n}")

    @classmethod
    def _create(cls, model_class, *, company, path):
        return make_folder(company, path)


class LibraryFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LibraryEntry

    path = factory.Sequence(lambda n: f"Home/file-{n}.pdf")
    content = PDF

    @classmethod
    def _create(cls, model_class, *, company, path, content):
        return make_file(company, path, content)
