from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self):
        from campaigns import selectors
        from recipients import usage

        usage.register(
            recipients=selectors.recipients_in_active_campaign, groups=selectors.group_in_active_campaign
        )
