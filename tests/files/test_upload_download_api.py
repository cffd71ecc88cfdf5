"""Upload (types, magic bytes, size limit, duplicates) and ranged download, through the API, on
local disk and on S3."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from files.models import LibraryEntry
from files.paths import storage_key
from tests.files.factories import (
    GIF,
    JPEG,
    OTF,
    PDF,
    PNG,
    TTF,
    WOFF,
    WOFF2,
    LibraryFileFactory,
    LibraryFolderFactory,
)
from tests.platform_api import assert_envelope

pytestmark = pytest.mark.django_db
UPLOAD = "/api/v1/files/upload"
CONTENT = "/api/v1/files/content"
UPLOAD_FAILED = ["Invalid file, path, or duplicate upload"]


def upload(client, name: str, content: bytes, folder: str | None = "Home", field: str = "File"):
    data = {field: SimpleUploadedFile(name, content)}
    if folder is not None:
        data["FolderPath"] = folder
    return client.post(UPLOAD, data, format="multipart")


def download(client, path: str, **headers):
    response = client.get(CONTENT, {"path": path}, **headers)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


# ---- upload -------------------------------------------------------------------------------------


def test_upload_stores_the_bytes_under_the_company_prefix(authed_client, company, library_storage):
    LibraryFolderFactory(company=company, path="Home/2026")

    body = assert_envelope(
        upload(authed_client, "brochure.pdf", PDF, "Home/2026"), 200, "Uploaded", errors=None
    )

    assert body["data"] == {"FileName": "brochure.pdf", "FolderPath": "/Home/2026"}
    entry = LibraryEntry.objects.for_company(company).get(path="Home/2026/brochure.pdf")
    key = f"companies/{company.pk}/library/Home/2026/brochure.pdf"
    assert entry.storage_key == key and entry.size == len(PDF) and entry.content_type == "application/pdf"
    assert library_storage.all_keys() == {key} and library_storage.read(key) == PDF
    sizes = dict(LibraryEntry.objects.for_company(company).values_list("path", "size"))
    assert sizes["Home"] == sizes["Home/2026"] == len(PDF)


def test_upload_every_allowed_type(authed_client, company, library_storage):
    files = {"a.pdf": PDF, "b.jpg": JPEG, "c.JPEG": JPEG, "d.png": PNG, "e.gif": GIF, "f.ttf": TTF,
             "g.otf": OTF, "h.woff": WOFF, "i.woff2": WOFF2}  # fmt: skip
    for name, content in files.items():
        assert_envelope(upload(authed_client, name, content, folder=None), 200, "Uploaded")
    types = dict(
        LibraryEntry.objects.for_company(company).filter(kind="file").values_list("name", "content_type")
    )
    assert types == {"a.pdf": "application/pdf", "b.jpg": "image/jpeg", "c.JPEG": "image/jpeg", "d.png": "image/png",
                     "e.gif": "image/gif", "f.ttf": "font/ttf", "g.otf": "font/otf", "h.woff": "font/woff",
                     "i.woff2": "font/woff2"}  # fmt: skip
    assert len(library_storage.all_keys()) == len(files)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("fake.pdf", b"MZ\x90\x00 this is an exe"),
        ("fake.png", PDF),
        ("fake.jpg", PNG),
        ("fake.woff2", WOFF),
        ("empty.pdf", b""),
        ("script.exe", b"MZ\x90\x00"),
        ("image.svg", b"<svg/>"),
        ("archive.pdf.zip", PDF),
        ("noextension", PDF),
        (".pdf", PDF),
    ],
)
def test_upload_refuses_wrong_types_and_content(authed_client, company, name, content):
    assert_envelope(upload(authed_client, name, content), 400, "Upload failed", errors=UPLOAD_FAILED)
    assert not LibraryEntry.objects.for_company(company).filter(kind="file").exists()


def test_upload_refuses_duplicates_and_keeps_the_original(authed_client, company, library_storage):
    original = LibraryFileFactory(company=company, path="Home/brochure.pdf", content=PDF)
    assert_envelope(
        upload(authed_client, "brochure.pdf", PDF + b"v2"), 400, "Upload failed", errors=UPLOAD_FAILED
    )
    LibraryFolderFactory(company=company, path="Home/Folder.pdf")
    assert_envelope(upload(authed_client, "Folder.pdf", PDF), 400, "Upload failed")
    assert library_storage.all_keys() == {original.storage_key}
    assert library_storage.read(original.storage_key) == PDF


def test_upload_refuses_missing_file_folder_and_bad_folder_paths(authed_client, company):
    LibraryFileFactory(company=company, path="Home/a.pdf")
    for folder in ("Home/Missing", "Home/a.pdf", "2026", "Home/../x", "Home/x\x00"):
        assert_envelope(
            upload(authed_client, "b.pdf", PDF, folder), 400, "Upload failed", errors=UPLOAD_FAILED
        )
    assert_envelope(upload(authed_client, "b.pdf", PDF, field="Other"), 400, "Upload failed")
    assert_envelope(authed_client.post(UPLOAD, {"FolderPath": "Home"}, format="json"), 400, "Upload failed")
    assert_envelope(upload(authed_client, "b.pdf", PDF, "/etc"), 403, "Unauthorized access.")


def test_upload_field_names_are_case_insensitive_and_big_files_go_through_temp_files(
    authed_client, company, settings, library_storage
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # anything larger is spooled to a temporary file
    content = PDF + os.urandom(300_000)
    data = {"file": SimpleUploadedFile("big.pdf", content), "folderPath": "Home"}
    assert_envelope(authed_client.post(UPLOAD, data, format="multipart"), 200, "Uploaded")
    entry = LibraryEntry.objects.for_company(company).get(path="Home/big.pdf")
    assert entry.size == len(content) and library_storage.read(entry.storage_key) == content


def test_upload_over_the_limit_is_413_by_declared_length(authed_client, company, settings, library_storage):
    settings.FILES_MAX_UPLOAD_BYTES = 1000
    response = upload(authed_client, "big.pdf", PDF + b"x" * 100_000)  # body beyond limit + framing
    assert_envelope(response, 413, "Uploaded payload exceeds allowed limit", errors=["Payload too large"])
    assert library_storage.all_keys() == set()


def test_upload_over_the_limit_is_413_while_streaming(authed_client, company, settings, library_storage):
    settings.FILES_MAX_UPLOAD_BYTES = 1000
    response = upload(authed_client, "big.pdf", PDF + b"x" * 2000)  # within the framing allowance
    assert_envelope(response, 413, "Uploaded payload exceeds allowed limit", errors=["Payload too large"])
    assert library_storage.all_keys() == set()
    assert not LibraryEntry.objects.for_company(company).filter(kind="file").exists()


def test_upload_at_the_limit_is_fine(authed_client, settings):
    settings.FILES_MAX_UPLOAD_BYTES = 1000
    assert_envelope(upload(authed_client, "edge.pdf", PDF + b"x" * (1000 - len(PDF))), 200, "Uploaded")


# ---- download -----------------------------------------------------------------------------------


@pytest.fixture
def big(company, library_storage):
    """A 1 MB PDF in Home/2026 (larger than the streaming chunk)."""
    return PDF + os.urandom(1_000_000)


def test_download_streams_the_whole_file(authed_client, company, library_storage, big):
    LibraryFileFactory(company=company, path="Home/2026/brochure.pdf", content=big)

    response, body = download(authed_client, "Home/2026/brochure.pdf")

    assert response.status_code == 200 and response.streaming
    assert body == big
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="brochure.pdf"'
    assert response["Content-Length"] == str(len(big))
    assert response["Accept-Ranges"] == "bytes"


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-1023", 0, 1023),
        ("bytes=100000-900000", 100000, 900000),
        ("bytes=1000000-", 1000000, None),
        ("bytes=-4", -4, None),
        ("bytes=10-99999999", 10, None),
        ("bytes=-99999999", 0, None),
    ],
)
def test_download_single_ranges(authed_client, company, library_storage, big, header, first, last):
    LibraryFileFactory(company=company, path="Home/brochure.pdf", content=big)
    size = len(big)
    start = first if first >= 0 else size + first
    end = size - 1 if last is None else last

    response, body = download(authed_client, "Home/brochure.pdf", HTTP_RANGE=header)

    assert response.status_code == 206
    assert body == big[start : end + 1]
    assert response["Content-Range"] == f"bytes {start}-{end}/{size}"
    assert response["Content-Length"] == str(end - start + 1)
    assert response["Accept-Ranges"] == "bytes" and response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("header", ["bytes=5-2", "bytes=0-1,4-5", "items=0-5", "bytes=abc", "bytes=-"])
def test_download_ignores_ranges_it_does_not_serve(authed_client, company, header):
    LibraryFileFactory(company=company, path="Home/a.pdf", content=PDF)
    response, body = download(authed_client, "Home/a.pdf", HTTP_RANGE=header)
    assert response.status_code == 200 and body == PDF


@pytest.mark.parametrize("header", [f"bytes={len(PDF)}-", "bytes=999999-1000000", "bytes=-0"])
def test_download_unsatisfiable_range_is_416(authed_client, company, library_storage, header):
    LibraryFileFactory(company=company, path="Home/a.pdf", content=PDF)
    response = authed_client.get(CONTENT, {"path": "Home/a.pdf"}, HTTP_RANGE=header)
    assert_envelope(response, 416, "Requested range not satisfiable.", errors=["Range Not Satisfiable"])
    assert response["Content-Range"] == f"bytes */{len(PDF)}"


def test_download_whatever_the_client_accepts_and_with_a_unicode_name(authed_client, company):
    LibraryFileFactory(company=company, path="Home/Ünïcode brochure.pdf", content=PDF)
    response, body = download(authed_client, "Home/Ünïcode brochure.pdf", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and body == PDF
    assert "filename*=utf-8''%C3%9Cn%C3%AFcode%20brochure.pdf" in response["Content-Disposition"]


def test_download_errors(authed_client, company):
    LibraryFolderFactory(company=company, path="Home/2026")
    assert_envelope(authed_client.get(CONTENT), 400, "Path is required.", errors=["Invalid path"])
    assert_envelope(
        authed_client.get(CONTENT, {"path": " "}), 400, "Path is required.", errors=["Invalid path"]
    )
    assert_envelope(
        authed_client.get(CONTENT, {"path": "Home/a\x00.pdf"}), 400, "Invalid path.", errors=["Invalid path"]
    )
    assert_envelope(
        authed_client.get(CONTENT, {"path": "Home/none.pdf"}), 404, "File not found.", errors=["Not found"]
    )
    assert_envelope(authed_client.get(CONTENT, {"path": "Home/2026"}), 404, "File not found.")
    assert_envelope(
        authed_client.get(CONTENT, {"path": "/etc/passwd"}), 403, "Unauthorized access.", errors=["Forbidden"]
    )


def test_download_of_bytes_missing_from_storage_is_404(authed_client, company, library_storage):
    entry = LibraryFileFactory(company=company, path="Home/a.pdf")
    LibraryEntry.objects.for_company(company).filter(pk=entry.pk).update(
        storage_key=storage_key(company.pk, "Home/vanished.pdf")
    )
    assert_envelope(authed_client.get(CONTENT, {"path": "Home/a.pdf"}), 404, "File not found.")
    response = authed_client.get(CONTENT, {"path": "Home/a.pdf"}, HTTP_RANGE="bytes=0-1")
    assert_envelope(response, 404, "File not found.")
