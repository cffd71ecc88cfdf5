import uuid

from django.db import models
from django.db.models import Q

from accounts.tenancy import TenantModel


class LibraryEntry(TenantModel):
    """One file or folder of a company's library, `Home` included.

    `path` is the clean path (files.paths) from `Home`; `folder` is the path of the folder that
    holds it (empty for Home). A file's bytes live in the default storage at `storage_key`.
    A folder's `size` is the sum of every file below it, kept by the services.
    """

    class Kind(models.TextChoices):
        FILE = "file"
        FOLDER = "folder"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The (company, ...) indexes below lead with company: no separate one.
    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=255)
    path = models.CharField(max_length=1000)
    folder = models.CharField(max_length=1000, blank=True)
    size = models.BigIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    storage_key = models.CharField(max_length=1024, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta(TenantModel.Meta):
        verbose_name = "library entry"
        verbose_name_plural = "library entries"
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["company", "path"], name="library_path_unique_per_company"),
            models.CheckConstraint(
                condition=Q(kind="file") | Q(kind="folder"),
                name="library_entry_kind_valid",
                violation_error_message="A library entry is a file or a folder.",
            ),
            models.CheckConstraint(
                condition=Q(size__gte=0),
                name="library_entry_size_not_negative",
                violation_error_message="A size cannot be negative.",
            ),
        ]
        indexes = [models.Index(fields=["company", "folder", "name"], name="library_company_folder")]

    def __str__(self):
        return self.path

    @property
    def is_folder(self) -> bool:
        return self.kind == self.Kind.FOLDER
