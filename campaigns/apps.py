from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self):
        from campaigns import selectors
        from campaigns.api.v1 import shapes
        from recipients import usage
        from webhooks.events import register_shape

        usage.register(
            recipients=selectors.recipients_in_active_campaign, groups=selectors.group_in_active_campaign
        )
        for kind, shape in shapes.WEBHOOK_SHAPES.items():
            register_shape(kind, shape)
