"""Approving a campaign, which freezes its recipient list (the snapshot)."""

from django.db import connection, transaction
from django.utils import timezone

from campaigns import status as machine
from campaigns.errors import CampaignHasNoRecipients, InvalidStatusTransition
from campaigns.models import SNAPSHOT_FIELDS, Campaign, CampaignRecipient, Status
from campaigns.selectors import get_campaign_for_company, recipient_count
from recipients.models import GroupMembership, Recipient


@transaction.atomic
def campaign_approve(*, company, campaign_id, by=None) -> Campaign:
    """Approve the campaign and freeze its recipient list: one INSERT ... SELECT copies each
    recipient's address into CampaignRecipient, in the selection's order."""
    campaign = get_campaign_for_company(company=company, campaign_id=campaign_id, for_update=True)
    machine.require_writable(campaign)
    if recipient_count(campaign) == 0:
        raise CampaignHasNoRecipients()
    if not machine.can_move(campaign, Status.APPROVED):
        raise InvalidStatusTransition()
    frozen = _snapshot_recipients(campaign)
    if frozen == 0:  # the group emptied between the count and the copy
        raise CampaignHasNoRecipients()
    campaign.recipient_count = frozen
    campaign.approved_at = timezone.now()
    campaign.save(update_fields=["recipient_count", "approved_at", "updated_at"])
    machine.transition(campaign, Status.APPROVED, by=by)
    return campaign


def _snapshot_recipients(campaign: Campaign) -> int:
    """Copy the selection's recipients into the snapshot table, set-based; the rows copied."""
    snapshot = CampaignRecipient._meta.db_table
    recipients = Recipient._meta.db_table
    memberships = GroupMembership._meta.db_table
    columns = ", ".join(SNAPSHOT_FIELDS)
    selected = ", ".join(f"r.{name}" for name in SNAPSHOT_FIELDS)
    campaign_key = Campaign._meta.pk.get_db_prep_value(campaign.pk, connection)
    company_key = Campaign._meta.pk.get_db_prep_value(campaign.company_id, connection)
    CampaignRecipient.objects.filter(campaign=campaign).delete()  # a retried approval starts clean
    with connection.cursor() as cursor:
        if campaign.selection == Campaign.Selection.GROUP:
            group_key = Campaign._meta.pk.get_db_prep_value(campaign.recipient_group_id, connection)
            cursor.execute(
                f"INSERT INTO {snapshot} (campaign_id, sequence, recipient_id, {columns}) "  # noqa: S608 (names from _meta)
                f"SELECT %s, ROW_NUMBER() OVER (ORDER BY m.id), r.id, {selected} "
                f"FROM {memberships} m JOIN {recipients} r ON r.id = m.recipient_id "
                "WHERE m.group_id = %s AND r.company_id = %s",
                [campaign_key, group_key, company_key],
            )
        else:
            recipient_key = Campaign._meta.pk.get_db_prep_value(campaign.recipient_id, connection)
            cursor.execute(
                f"INSERT INTO {snapshot} (campaign_id, sequence, recipient_id, {columns}) "  # noqa: S608
                f"SELECT %s, 1, r.id, {selected} FROM {recipients} r WHERE r.id = %s AND r.company_id = %s",
                [campaign_key, recipient_key, company_key],
            )
        return cursor.rowcount
