from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self):
        from accounts import provisioning
        from billing.api.v1 import shapes
        from billing.services import balance_open
        from webhooks.events import register_shape

        provisioning.register(balance_open)  # every new company gets it
        for kind, shape in shapes.WEBHOOK_SHAPES.items():
            register_shape(kind, shape)
