"""`import.finished` and `import.failed`: written with the import's last status, showing the job as
GET /api/v1/recipients/import/{jobId} shows it; none when that transaction rolls back."""

import pytest

from recipients import importing
from tests.platform_api import assert_envelope
from tests.recipients.test_import_status_api import MAPPINGS, _start
from tests.webhooks.events_support import delivered_types, events_of, one_event, rolled_back
from tests.webhooks.factories import EndpointFactory

pytestmark = pytest.mark.django_db


def _status(client, job_id) -> dict:
    return assert_envelope(client.get(f"/api/v1/recipients/import/{job_id}"), 200)["data"]


def test_a_finished_import_records_its_job_as_the_api_shows_it(authed_client, company):
    # given
    endpoint = EndpointFactory(company=company)
    job_id = _start(authed_client)
    assert events_of(company) == []  # a start is no event

    # when: the worker runs it
    importing.recipient_import_run(job_id=job_id)

    # then
    event = one_event(company, "import.finished")
    assert event.data == {"import_job": _status(authed_client, job_id)}
    assert event.data["import_job"]["status"] == "ready" and event.workspace_id is None
    assert delivered_types(endpoint) == ["import.finished"]


def test_a_failed_import_records_why(authed_client, company):
    # given: a mapping names a column the file does not have
    mappings = [*MAPPINGS, {"sourceHeader": "Town", "destinationField": "City", "mappingType": "standard"}]
    job_id = _start(authed_client, mappings=mappings)

    # when
    importing.recipient_import_run(job_id=job_id)

    # then
    event = one_event(company, "import.failed")
    assert event.data == {"import_job": _status(authed_client, job_id)}
    assert event.data["import_job"]["failureReason"] == "The file has no column named: Town."
    assert events_of(company, "import.finished") == []


def test_a_job_failed_twice_has_one_event(authed_client, company):
    job_id = _start(authed_client)

    importing.recipient_import_give_up(job_id=job_id, reason="first")
    importing.recipient_import_give_up(job_id=job_id, reason="again")

    assert one_event(company, "import.failed").data["import_job"]["failureReason"] == "first"


@pytest.mark.parametrize("reason", [None, "gave up"])
def test_no_event_when_the_import_is_rolled_back(authed_client, company, reason):
    job_id = _start(authed_client)

    if reason is None:
        rolled_back(lambda: importing.recipient_import_run(job_id=job_id))
    else:
        rolled_back(lambda: importing.recipient_import_give_up(job_id=job_id, reason=reason))

    assert events_of(company) == []
    assert _status(authed_client, job_id)["status"] == "queued"
