from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and API access"

    def ready(self):
        from accounts.roles import sync_roles

        # Roles are defined in code; after every migrate their groups carry exactly those rights,
        # so an app that adds models (and permissions) later extends the roles automatically.
        post_migrate.connect(sync_roles, dispatch_uid="accounts.sync_roles")
