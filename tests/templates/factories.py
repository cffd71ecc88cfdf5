import functools
import tempfile
from pathlib import Path

import factory

from campaigns.pdf import sample_template
from templates import services
from templates.formats import format_by_code
from templates.models import PrintTemplate


@functools.cache
def sample_pdf(format_code: str = "A4_LETTER_C5WIN", pages: int = 1) -> bytes:
    """A valid design PDF of the format (reportlab), cached per (format, pages)."""
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "sample.pdf"
        sample_template(fmt=format_by_code(format_code), out=path, pages=pages)
        return path.read_bytes()


class PrintTemplateFactory(factory.django.DjangoModelFactory):
    """A template made by the service from a sample PDF (checked, stored, thumbnail)."""

    class Meta:
        model = PrintTemplate

    company = None  # shared unless given
    name = factory.Sequence(lambda n: f"Template {n}")
    format_code = "A4_LETTER_C5WIN"
    pages = 1

    @classmethod
    def _create(cls, model_class, *, company, name, format_code, pages):
        with tempfile.TemporaryDirectory() as workdir:
            path = Path(workdir) / "design.pdf"
            path.write_bytes(sample_pdf(format_code, pages))
            return services.template_create(
                company=company, name=name, fmt=format_by_code(format_code), source=path
            )
