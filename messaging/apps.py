from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"

    def ready(self):
        from messaging import selectors
        from messaging.api.export import responses as export_api
        from messaging.api.services import serializers as services_api
        from messaging.api.v2 import responses as v2_api
        from recipients import usage
        from webhooks.events import register_shape

        # A group an active message campaign targets stays (a recipient may go: its messages
        # keep the address they were sent to).
        usage.register(
            recipients=lambda company, recipient_ids: False,
            groups=selectors.group_in_active_message_campaign,
        )
        # Webhook events show each object as the surface that serves it does.
        for surface in (services_api, v2_api, export_api):
            for kind, shape in surface.WEBHOOK_SHAPES.items():
                register_shape(kind, shape)
