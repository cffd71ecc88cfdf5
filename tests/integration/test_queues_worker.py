"""Named queues on real workers: a worker serving only `imports` runs an import while PDF work
waits on its own queue for a worker of its own, so heavy PDF work never starves an import."""

import base64
import uuid

import pytest
import redis
from django.conf import settings

from campaigns.tasks import render_campaign_preview
from recipients import importing
from recipients.models import ImportJob
from tests.integration.conftest import needs_real_worker, wait_until

pytestmark = [pytest.mark.worker, needs_real_worker, pytest.mark.django_db(transaction=True)]

CSV = b"Street,Post Code\n1 Main Street,SW1A 1AA\n2 High Street,EC1A 1BB\n"
MAPPINGS = [
    {"sourceHeader": "Street", "destinationField": "Address1", "mappingType": "standard"},
    {"sourceHeader": "Post Code", "destinationField": "Postcode", "mappingType": "standard"},
]


def test_an_imports_worker_runs_imports_while_pdf_work_waits_for_its_own(celery_worker_process, company):
    # given: PDF work queued first, and a worker serving the imports queue only
    broker = redis.Redis.from_url(settings.REDIS_URL)
    pdf_queue = f"{celery_worker_process.prefix}pdf"
    render_campaign_preview.delay(str(uuid.uuid4()))
    assert broker.llen(pdf_queue) == 1
    worker = celery_worker_process(queues=("imports",))

    # when: an import is started
    job = importing.recipient_import_start(
        company=company, group_name="Queued", file_name="people.csv",
        file_data=base64.b64encode(CSV).decode(), file_url=None, mappings=MAPPINGS,
    )  # fmt: skip

    # then: it runs to the end, and the PDF task is still waiting, untouched
    wait_until(lambda: ImportJob.unscoped.get(pk=job.pk).status == ImportJob.Status.DONE, describe=worker.log)
    assert broker.llen(pdf_queue) == 1
    assert "Task campaigns.tasks.render_campaign_preview[" not in worker.log()  # never received
    assert "Task recipients.tasks.run_import[" in worker.log()
    broker.delete(pdf_queue)
