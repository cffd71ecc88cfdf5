import functools
import io
import tempfile
import zlib
from pathlib import Path

import factory
import pikepdf
from pikepdf import Name

from campaigns.pdf import sample_template
from templates import services
from templates.formats import format_by_code
from templates.models import MessageTemplate, PrintTemplate


@functools.cache
def sample_pdf(format_code: str = "A4_LETTER_C5WIN", pages: int = 1) -> bytes:
    """A valid design PDF of the format (reportlab), cached per (format, pages)."""
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "sample.pdf"
        sample_template(fmt=format_by_code(format_code), out=path, pages=pages)
        return path.read_bytes()


@functools.cache
def flate_bomb_pdf(inflated_bytes: int, format_code: str = "A4_LETTER_C5WIN", *, streams: int = 1) -> bytes:
    """A valid one-page design PDF of the format whose page content is `streams` Flate streams
    of `inflated_bytes` spaces each: a few KB on disk per 10 MB inflated (a decompression bomb)."""
    data = spaces_flate(inflated_bytes)
    fmt = format_by_code(format_code)
    with pikepdf.new() as pdf:
        page = pdf.add_blank_page(page_size=(fmt.width_mm * 72 / 25.4, fmt.height_mm * 72 / 25.4))
        contents = []
        for _ in range(streams):
            stream = pikepdf.Stream(pdf, data)
            stream.Filter = Name.FlateDecode
            contents.append(pdf.make_indirect(stream))
        page.obj.Contents = pikepdf.Array(contents)
        out = io.BytesIO()
        pdf.save(out, compress_streams=False)
        return out.getvalue()


def spaces_flate(count: int) -> bytes:
    """zlib data that inflates to `count` spaces, built from one compressed MiB repeated (each
    block ends in a full flush, so it stands alone), without compressing `count` bytes."""
    block = 1 << 20
    whole, rest = divmod(count, block)

    def segment(size: int) -> bytes:  # deflate blocks for `size` spaces, no header, not final
        squeezer = zlib.compressobj(9)
        return (squeezer.compress(b" " * size) + squeezer.flush(zlib.Z_FULL_FLUSH))[2:]

    final = zlib.compressobj(9).flush()[2:-4]  # an empty final block
    checksum = 1
    for _ in range(whole):
        checksum = zlib.adler32(b" " * block, checksum)
    checksum = zlib.adler32(b" " * rest, checksum)
    return b"".join(
        (
            b"\x78\xda",
            segment(block) * whole,
            segment(rest) if rest else b"",
            final,
            checksum.to_bytes(4, "big"),
        )
    )


class PrintTemplateFactory(factory.django.DjangoModelFactory):
    """A template made by the service from a sample PDF, or the PDF bytes given as `pdf`
    (checked, stored, thumbnail)."""

    class Meta:
        model = PrintTemplate

    company = None  # shared unless given
    name = factory.Sequence(lambda n: f"Template {n}")
    format_code = "A4_LETTER_C5WIN"
    pages = 1
    pdf = None

    @classmethod
    def _create(cls, model_class, *, company, name, format_code, pages, pdf):
        with tempfile.TemporaryDirectory() as workdir:
            path = Path(workdir) / "design.pdf"
            path.write_bytes(pdf if pdf is not None else sample_pdf(format_code, pages))
            return services.template_create(
                company=company, name=name, fmt=format_by_code(format_code), source=path
            )


WHATSAPP_JSON = (
    '{"to": "<accountID>", "type": "template", "template": {"namespace": "ns", "language": '
    '{"policy": "deterministic", "code": "en_US"}, "name": "order_confirmation", "components": []}}'
)


class MessageTemplateFactory(factory.django.DjangoModelFactory):
    """A WhatsApp template with two BODY variables."""

    class Meta:
        model = MessageTemplate

    company = None
    name = "order_confirmation"
    language = "en_US"
    body = "Hello {{1}}, your order {{2}} is confirmed."
    json = WHATSAPP_JSON

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.unscoped.create(*args, **kwargs)
