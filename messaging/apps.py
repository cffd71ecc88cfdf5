from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"

    def ready(self):
        from messaging import selectors
        from recipients import usage

        # A group an active message campaign targets stays (a recipient may go: its messages
        # keep the address they were sent to).
        usage.register(
            recipients=lambda company, recipient_ids: False,
            groups=selectors.group_in_active_message_campaign,
        )
