"""Deleting a campaign that is not read-only."""

from django.core.files.storage import default_storage
from django.db import transaction

from campaigns import printing
from campaigns import status as machine
from campaigns.models import PrintRun
from campaigns.selectors import get_campaign_for_company


@transaction.atomic
def campaign_delete(*, company, campaign_id) -> None:
    """Delete a campaign that is not read-only (its snapshot, history and print run go with it;
    its template stays, reusable). The preview and print files are removed once the delete is
    committed."""
    campaign = get_campaign_for_company(company=company, campaign_id=campaign_id, for_update=True)
    machine.require_writable(campaign)
    preview = campaign.preview_file
    print_root = (
        printing.print_root(campaign) if PrintRun.unscoped.filter(campaign=campaign).exists() else None
    )
    campaign.delete()
    if preview:
        transaction.on_commit(lambda: default_storage.delete(preview))
    if print_root:
        transaction.on_commit(lambda: printing.print_files_remove(print_root))
