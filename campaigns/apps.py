from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self):
        from campaigns import selectors  # noqa: PLC0415 (models are ready only now)
        from recipients import usage  # noqa: PLC0415

        usage.register(
            recipients=selectors.recipients_in_active_campaign, groups=selectors.group_in_active_campaign
        )
