from django.apps import AppConfig


class RecipientsConfig(AppConfig):
    name = "recipients"

    def ready(self):
        from accounts import provisioning
        from recipients.services import recipients_setup_company

        provisioning.register(recipients_setup_company)  # every new company gets it
