"""Tenant scoping that fails closed.

Tenant-owned models inherit TenantModel. Their `objects` manager refuses to build a query until a
company is named (`Model.objects.for_company(company)`); `Model.unscoped` is the loudly named
escape hatch for the admin, migrations and housekeeping tasks.

Rows that belong to one workspace of a company inherit WorkspaceModel instead, and are read with
`Model.objects.for_workspace(company, workspace)`: the company still comes from the credential, and
a workspace of another company, or none, finds nothing, exactly as another company finds nothing
through `for_company`. A workspace is never trusted on its own.
"""

from django.db import models


class UnscopedQueryError(RuntimeError):
    pass


def workspace_of_company(company, workspace) -> bool:
    """Whether `workspace` is one of `company`'s workspaces (False when either is missing)."""
    return (
        company is not None
        and workspace is not None
        and company.pk is not None
        and workspace.company_id == company.pk
    )


class CompanyScopedManager(models.Manager):
    def get_queryset(self):
        raise UnscopedQueryError(
            f"{self.model.__name__}.objects needs a company: use .for_company(company) "
            f"(or {self.model.__name__}.unscoped where no company applies)."
        )

    def for_company(self, company) -> models.QuerySet:
        return super().get_queryset().filter(company=company)


class WorkspaceScopedManager(CompanyScopedManager):
    def get_queryset(self):
        raise UnscopedQueryError(
            f"{self.model.__name__}.objects needs a company and a workspace: use "
            f".for_workspace(company, workspace) or .for_company(company) "
            f"(or {self.model.__name__}.unscoped where no company applies)."
        )

    def for_workspace(self, company, workspace) -> models.QuerySet:
        rows = self.for_company(company)
        if not workspace_of_company(company, workspace):
            return rows.none()
        return rows.filter(workspace=workspace)


class TenantModel(models.Model):
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")

    objects = CompanyScopedManager()
    unscoped = models.Manager()  # noqa: DJ012 (ruff takes the custom manager above for a field)

    class Meta:
        abstract = True
        default_manager_name = "unscoped"
        base_manager_name = "unscoped"


class WorkspaceModel(TenantModel):
    """A row of one workspace of its company. The services that write one check the pair with
    `workspace_of_company` (or take the workspace from `get_workspace_for_company`)."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.PROTECT, related_name="+")

    objects = WorkspaceScopedManager()
    unscoped = models.Manager()  # noqa: DJ012 (ruff takes the custom manager above for a field)

    class Meta(TenantModel.Meta):
        abstract = True
