"""The campaign preview rendered by a real worker: enqueued after the create commits, written to
the shared storage, then served by GET .../preview."""

import pytest

from campaigns.models import Campaign
from tests.integration.conftest import needs_real_worker, wait_until
from tests.platform_api import assert_envelope
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory
from tests.templates.factories import PrintTemplateFactory

pytestmark = [pytest.mark.worker, needs_real_worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_renders_the_preview(celery_worker_process, catalogue, authed_client, company):
    # given
    worker = celery_worker_process()
    group = RecipientGroupFactory(company=company)
    RecipientFactory(
        company=company, group=group, first_name="Grace", last_name="Hopper", postcode="EC1A 1BB"
    )
    template = PrintTemplateFactory(company=company)
    body = {
        "campaign": {"name": "Worker", "pageSize": "A4 Letter", "pageOrientation": "Portrait", "windowGummedCode": "C5WIN",
                     "stockWeightCode": "100UNCOAT", "mailClassCode": "First", "recipients": {"type": "group", "id": str(group.pk)}},
        "templateId": template.pk,
    }  # fmt: skip

    # when
    campaign_id = assert_envelope(authed_client.post("/api/v1/campaigns", body, format="json"), 200)["data"][
        "campaignId"
    ]

    # then
    wait_until(lambda: Campaign.unscoped.get(pk=campaign_id).preview_file, timeout=60, describe=worker.log)
    response = authed_client.get(f"/api/v1/campaigns/{campaign_id}/preview")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
