import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts import services
from accounts.models import ApiLogEntry, Company, OAuthApplication, User, Workspace
from accounts.roles import INTEGRATOR


class TenantModelFactory(DjangoModelFactory):
    """Rows are made through the model's `unscoped` manager (each is given its company)."""

    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class):
        return model_class.unscoped


class CompanyFactory(DjangoModelFactory):
    """Companies are made by the service, so each comes with its balance like a real one."""

    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    currency = "GBP"
    is_active = True

    @classmethod
    def _create(cls, model_class, *, name, currency, is_active):
        company = services.company_create(name=name, currency=currency)
        if not is_active:
            company.is_active = False
            company.save(update_fields=["is_active"])
        return company


class WorkspaceFactory(DjangoModelFactory):
    """A further (non-default) workspace of a company, made by the service."""

    class Meta:
        model = Workspace

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Workspace {n}")

    @classmethod
    def _create(cls, model_class, *, company, name):
        return services.workspace_create(company=company, name=name)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User

    company = factory.SubFactory(CompanyFactory)
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    api_access_enabled = True
    roles = (INTEGRATOR,)

    @classmethod
    def _create(cls, model_class, *, company, email, api_access_enabled, roles, **extra):
        user = services.user_create(
            company=company, email=email, roles=tuple(roles), api_access_enabled=api_access_enabled
        )
        for field, value in extra.items():
            setattr(user, field, value)
        if extra:
            user.save()
        return user


class StaffUserFactory(DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"staff{n}@postroom.example")

    @classmethod
    def _create(cls, model_class, *, email):
        return model_class.objects.create_superuser(email, "staff-password")


class ApiLogEntryFactory(DjangoModelFactory):
    class Meta:
        model = ApiLogEntry

    company = factory.SubFactory(CompanyFactory)
    requested_at = factory.LazyFunction(timezone.now)
    duration_ms = 12.5
    method = "POST"
    path = "/api/v1/account/balance"
    route = "v1:account-balance"
    status_code = 200
    request_id = factory.Sequence(lambda n: f"req-{n:08d}")
    request_headers = factory.LazyFunction(lambda: {"Content-Type": "application/json"})
    response_headers = factory.LazyFunction(lambda: {"Content-Type": "application/json"})
    response_body = '{"success": true}'
    response_body_size = 17

    @classmethod
    def _get_manager(cls, model_class):
        return model_class.unscoped


class OAuthApplicationFactory(DjangoModelFactory):
    """A client credentials application made by the service; `.plain_secret` holds the secret
    shown once."""

    class Meta:
        model = OAuthApplication

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"App {n}")
    workspace = None
    allowed_ips = ""

    @classmethod
    def _create(cls, model_class, *, company, name, workspace, allowed_ips):
        made = services.oauth_application_create(
            company=company, name=name, workspace=workspace, allowed_ips=allowed_ips
        )
        made.application.plain_secret = made.client_secret
        return made.application
