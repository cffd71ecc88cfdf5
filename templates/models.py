import re
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.tenancy import CompanyScopedManager
from templates.formats import CODE_MAX_LENGTH, FORMATS, format_by_code


class TemplateScopedManager(CompanyScopedManager):
    """Fails closed like every tenant manager; a company sees its own templates and the shared ones."""

    def for_company(self, company) -> models.QuerySet:
        return models.Manager.get_queryset(self).filter(Q(company=company) | Q(company__isnull=True))

    def owned_by(self, company) -> models.QuerySet:
        return models.Manager.get_queryset(self).filter(company=company)


def template_pdf_key(instance, filename: str) -> str:
    owner = instance.company_id or "shared"
    return f"templates/{owner}/{uuid.uuid4().hex}/design.pdf"


def template_thumbnail_key(instance, filename: str) -> str:
    owner = instance.company_id or "shared"
    return f"templates/{owner}/{uuid.uuid4().hex}/page1.png"


class CompanyOrSharedModel(models.Model):
    """A template owned by a company or, with no company, made by staff and shared with every
    company; read through `objects.for_company(company)` (its own and the shared ones)."""

    objects = TemplateScopedManager()
    unscoped = models.Manager()  # noqa: DJ012 (admin, migrations, tasks)

    class Meta:
        abstract = True
        default_manager_name = "unscoped"
        base_manager_name = "unscoped"

    @property
    def is_shared(self) -> bool:
        return self.company_id is None


class PrintTemplate(CompanyOrSharedModel):
    """A print design: a checked PDF of one supported format, owned by a company or (no company)
    made by staff and shared with every company."""

    id = models.AutoField(primary_key=True)  # the API's integer templateId
    company = models.ForeignKey(
        "accounts.Company",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # (company, format_code) below serves lookups by company
        help_text="Empty: a shared template, offered to every company.",
    )
    name = models.CharField(max_length=200)
    format_code = models.CharField(
        max_length=CODE_MAX_LENGTH, choices=[(f.code, f.code) for f in FORMATS], db_index=False
    )
    pdf = models.FileField(upload_to=template_pdf_key, max_length=300)
    page_count = models.PositiveIntegerField()
    size_bytes = models.PositiveBigIntegerField(default=0)
    thumbnail = models.FileField(upload_to=template_thumbnail_key, max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(CompanyOrSharedModel.Meta):
        ordering = ["id"]
        indexes = [models.Index(fields=["company", "format_code"], name="template_company_format")]

    def __str__(self):
        return f"{self.name} ({self.format_code})"

    @property
    def format(self):
        return format_by_code(self.format_code)


# A message template's variables: {{1}} .. {{n}}, filled from each client's params in order.
TEMPLATE_VARIABLE = re.compile(r"\{\{\s*(\d{1,4})\s*\}\}")


def variables_needed(*texts: str) -> int:
    """How many params the texts need: their highest {{n}} (0 without variables)."""
    return max((int(n) for text in texts if text for n in TEMPLATE_VARIABLE.findall(text)), default=0)


class MessageTemplate(CompanyOrSharedModel):
    """A message template (campaign API v2's TempMsgID): a BODY text with {{1}}..{{n}} variables
    and the JSON message it is sent as (a WhatsApp template message). Owned by a company or, with
    no company, made by staff and shared with every company."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, help_text="The TempMsgID.")
    company = models.ForeignKey(
        "accounts.Company",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Empty: a shared template, offered to every company.",
    )
    name = models.CharField(max_length=200)
    language = models.CharField(max_length=20, help_text="The language code, e.g. en_US.")
    body = models.TextField(blank=True, help_text="The BODY text, with {{1}}..{{n}} variables.")
    json = models.TextField(
        blank=True, help_text="The JSON message (an object); <accountID> becomes each client's number."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(CompanyOrSharedModel.Meta):
        ordering = ["name", "id"]

    def __str__(self):
        return f"{self.name} ({self.language})"

    @property
    def variable_count(self) -> int:
        return variables_needed(self.body, self.json)
