import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from config.admin import KeySearch, ServiceAdmin
from config.admin_files import stored_file_url
from config.errors import InvalidInput
from config.errors_text import staff_text
from templates import services
from templates.formats import FORMATS, format_by_code
from templates.models import MessageTemplate, PrintTemplate


class TemplateUploadForm(forms.ModelForm):
    """Staff upload a PDF for one format; the service checks it and renders the thumbnail."""

    upload = forms.FileField(label="PDF", help_text="Checked against the format: size, pages, encryption.")

    class Meta:
        model = PrintTemplate
        fields = ["name", "company", "format_code"]
        help_texts = {"company": "Leave empty to share the template with every company."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format_code"].choices = [
            (f.code, f"{f.page_size} / {f.orientation} / {f.envelope_label}") for f in FORMATS
        ]


class TemplateRenameForm(forms.ModelForm):
    class Meta:
        model = PrintTemplate
        fields = ["name"]


@admin.display(description="owner")
def owner(obj):
    return obj.company or "shared (all companies)"


@admin.register(PrintTemplate)
class PrintTemplateAdmin(ServiceAdmin):
    list_display = ["name", "format_code", "page_count", owner, "id", "thumbnail_tag", "updated_at"]
    list_filter = ["format_code", ("company", admin.EmptyFieldListFilter)]
    search_fields = ["name", "company__name"]
    list_select_related = ["company"]
    raw_id_fields = ["company"]
    readonly_fields = [
        "company", "format_code", "page_count", "size_bytes", "pdf_link", "thumbnail_tag", "created_by",
        "created_at", "updated_at",
    ]  # fmt: skip
    stored_file_fields = ["pdf", "thumbnail"]  # opened through config.admin_files

    @admin.display(description="page 1")
    def thumbnail_tag(self, obj):
        if not obj or not obj.thumbnail:
            return "no thumbnail (pypdfium2 not installed)" if obj and obj.pk else "-"
        url = stored_file_url(obj, "thumbnail")
        return format_html(
            '<a href="{}"><img src="{}" style="max-width:160px;border:1px solid #ccc"></a>', url, url
        )

    @admin.display(description="PDF")
    def pdf_link(self, obj):
        return format_html('<a href="{}">design PDF</a>', stored_file_url(obj, "pdf")) if obj.pdf else "-"

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = TemplateRenameForm if obj is not None else TemplateUploadForm
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "company", "format_code", "upload"]
        return ["name", *self.readonly_fields]

    def delete_through_service(self, request, obj):
        services.template_delete(template=obj)

    def save_model(self, request, obj, form, change):
        if change:
            services.template_rename(template=obj, name=form.cleaned_data["name"])
            return
        upload = form.cleaned_data["upload"]
        with tempfile.TemporaryDirectory() as workdir:
            path = Path(workdir) / "upload.pdf"
            with open(path, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            with self.refusals():  # the service checks the PDF: its reason shows on the form
                created = services.template_create(
                    company=form.cleaned_data.get("company"),
                    name=form.cleaned_data["name"],
                    fmt=format_by_code(form.cleaned_data["format_code"]),
                    source=path,
                    file_name=upload.name or "design.pdf",
                    by=request.user,
                )
        obj.pk = created.pk
        obj.__dict__.update(created.__dict__)
        if not created.thumbnail:
            messages.info(request, "Stored without a thumbnail: pypdfium2 is not installed.")


# ---- message templates --------------------------------------------------------------------------


class MessageTemplateForm(forms.ModelForm):
    """The template's words, checked by templates.services.message_template_check: its refusal
    shows on the field at fault (the JSON message, or the BODY when both are empty)."""

    class Meta:
        model = MessageTemplate
        fields = ["name", "company", "language", "body", "json"]
        labels = {"body": "BODY", "json": "JSON message"}
        help_texts = {"company": "Leave empty to share the template with every company."}
        widgets = {
            "body": forms.Textarea(attrs={"rows": 4, "cols": 80}),
            "json": forms.Textarea(attrs={"rows": 12, "cols": 80, "style": "font-family: monospace"}),
        }

    def clean(self):
        cleaned = super().clean()
        try:
            services.message_template_check(body=cleaned.get("body", ""), json_text=cleaned.get("json", ""))
        except InvalidInput as refused:
            self.add_error(refused.field if refused.field in self.fields else None, staff_text(refused))
        return cleaned


class SharedOrOwnedFilter(admin.SimpleListFilter):
    title = "shared or owned"
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        return [("shared", "shared (all companies)"), ("owned", "owned by a company")]

    def queryset(self, request, queryset):
        if self.value() == "shared":
            return queryset.filter(company__isnull=True)
        if self.value() == "owned":
            return queryset.filter(company__isnull=False)
        return queryset


@admin.register(MessageTemplate)
class MessageTemplateAdmin(KeySearch, ServiceAdmin):
    """Message templates (campaign API v2's TempMsgID): staff make, change and delete them here,
    each through templates.services."""

    form = MessageTemplateForm
    list_display = ["name", "language", owner, "variables", "id", "updated_at"]
    list_filter = [SharedOrOwnedFilter, ("company", admin.RelatedOnlyFieldListFilter), "language"]
    search_fields = ["name", "company__name"]
    search_help_text = "Part of a name or a company's name, or a template's UUID (the TempMsgID)."
    list_select_related = ["company"]
    raw_id_fields = ["company"]

    def get_fields(self, request, obj=None):
        fields = ["name", "company", "language", "body", "json"]
        return fields if obj is None else ["id", *fields, "variables", "created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # Whose a template is stays as it was made: a campaign API key may already use it.
        return [] if obj is None else ["id", "company", "variables", "created_at", "updated_at"]

    @admin.display(description="variables")
    def variables(self, obj):
        return obj.variable_count

    def save_model(self, request, obj, form, change):
        values = {
            "name": form.cleaned_data["name"],
            "language": form.cleaned_data["language"],
            "body": form.cleaned_data["body"],
            "json_text": form.cleaned_data["json"],
        }
        with self.refusals():
            if change:
                services.message_template_update(template=obj, **values)
                return
            created = services.message_template_create(company=form.cleaned_data.get("company"), **values)
        obj.pk = created.pk
        obj.__dict__.update(created.__dict__)

    def delete_through_service(self, request, obj):
        services.message_template_delete(template=obj)
