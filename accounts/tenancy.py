"""Tenant scoping that fails closed.

Tenant-owned models inherit TenantModel. Their `objects` manager refuses to build a query until a
company is named (`Model.objects.for_company(company)`); `Model.unscoped` is the loudly named
escape hatch for the admin, migrations and housekeeping tasks.
"""

from django.db import models


class UnscopedQueryError(RuntimeError):
    pass


class CompanyScopedManager(models.Manager):
    def get_queryset(self):
        raise UnscopedQueryError(
            f"{self.model.__name__}.objects needs a company: use .for_company(company) "
            f"(or {self.model.__name__}.unscoped where no company applies)."
        )

    def for_company(self, company) -> models.QuerySet:
        return super().get_queryset().filter(company=company)


class TenantModel(models.Model):
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")

    objects = CompanyScopedManager()
    unscoped = models.Manager()  # noqa: DJ012 (ruff takes the custom manager above for a field)

    class Meta:
        abstract = True
        default_manager_name = "unscoped"
        base_manager_name = "unscoped"
