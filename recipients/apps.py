from django.apps import AppConfig


class RecipientsConfig(AppConfig):
    name = "recipients"

    def ready(self):
        from accounts import provisioning
        from recipients.api.v1 import serializers
        from recipients.services import recipients_setup_company
        from webhooks.events import register_shape

        provisioning.register(recipients_setup_company)  # every new company gets it
        for kind, shape in serializers.WEBHOOK_SHAPES.items():
            register_shape(kind, shape)
