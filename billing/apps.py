from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self):
        from accounts import provisioning
        from billing.services import balance_open

        provisioning.register(balance_open)  # every new company gets it
