"""API rights and the roles that grant them.

The spec speaks of rights such as `Recipient.Read`; each right is a Django permission, and a role
is a Django group holding a set of rights. A view names the right it needs (`required_right`).
"""

from django.contrib.auth.models import Group, Permission

# Right name (as the API documents it) -> Django permission "app_label.codename".
RIGHTS: dict[str, str] = {
    "Balance.Read": "billing.view_balance",
    "Recipient.Read": "recipients.view_recipient",
    "Recipient.Write": "recipients.change_recipient",
    "Recipient.Delete": "recipients.delete_recipient",
    "Recipient.Import": "recipients.add_importjob",
    "Group.Read": "recipients.view_recipientgroup",
    "Group.Write": "recipients.change_recipientgroup",
    "File.Read": "files.view_libraryentry",
    "File.Write": "files.change_libraryentry",
    "File.Delete": "files.delete_libraryentry",
    "Template.Read": "templates.view_printtemplate",
    "Campaign.Read": "campaigns.view_campaign",
    "Campaign.Write": "campaigns.add_campaign",
    "Campaign.Approve": "campaigns.approve_campaign",
    "Campaign.Delete": "campaigns.delete_campaign",
    "Webhook.Read": "webhooks.view_endpoint",
    "Webhook.Write": "webhooks.change_endpoint",
}

INTEGRATOR = "Integrator"
READ_ONLY = "Read only"

ROLES: dict[str, list[str]] = {
    INTEGRATOR: list(RIGHTS),
    READ_ONLY: [right for right in RIGHTS if right.endswith(".Read")],
}


def permission_for(right: str) -> str:
    return RIGHTS[right]


def sync_roles(**kwargs) -> None:
    """Make each role's group hold exactly its rights (runs after every migrate)."""
    wanted = {perm: perm.split(".", 1) for perm in RIGHTS.values()}
    found = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type").filter(
            codename__in=[codename for _, codename in wanted.values()]
        )
    }
    for role, rights in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = [found[RIGHTS[right]] for right in rights if RIGHTS[right] in found]
        group.permissions.set(perms)


# An OAuth2 client of the services API acts for its company with no user, so no role: it holds
# these rights, which the services views name.
MESSAGE_CAMPAIGN_READ = "MessageCampaign.Read"
MESSAGE_CAMPAIGN_WRITE = "MessageCampaign.Write"
OAUTH_CLIENT_RIGHTS = frozenset({MESSAGE_CAMPAIGN_READ, MESSAGE_CAMPAIGN_WRITE})
