"""Two publishes racing for the last of a company's monthly rows, on PostgreSQL with a real
connection each: they take turns on the month's usage row, so the second counts the first's
reservation and is refused (429 Usage limit exceeded.), with one export made."""

import json
import threading

import pytest
from django.db import connection, connections, transaction
from django.test import TestCase

from accounts import services as account_services
from messaging import exporting
from messaging.models import MessageExport
from tests.export_api import BASE, answer, export_client
from tests.messaging.exports import campaign_with_messages

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between real connections"),
]


def publish_in_thread(token, api_code, campaign, answers: list) -> threading.Thread:
    def run():
        try:
            client = export_client(token, api_code)
            body = json.dumps({"campaign_id": str(campaign.pk)})
            answers.append(
                answer(client.post(BASE + "messages/publish", body, content_type="application/json"))
            )
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_two_racing_publishes_take_turns_and_the_second_is_refused(company, tokens):
    # given: two campaigns of 4 messages, a limit of 6 rows a month, this month's usage row
    api_code = account_services.messages_api_code_rotate(company=company)
    company.messages_monthly_row_limit = 6
    company.save(update_fields=["messages_monthly_row_limit"])
    capture = TestCase.captureOnCommitCallbacks
    campaigns = [
        campaign_with_messages(company, names, capture=capture)
        for names in (["Ada", "Bob", "Cy", "Dan"], ["Eve", "Fay", "Gus", "Hal"])
    ]
    exporting.usage_add(company_id=company.pk)
    answers: list = []

    # when: both publish while the usage row is held, then it is let go
    with transaction.atomic():
        exporting.usage_locked(company_id=company.pk)
        threads = [publish_in_thread(tokens["token"], api_code, c, answers) for c in campaigns]
        for thread in threads:
            thread.join(timeout=1.5)
        waiting = [thread.is_alive() for thread in threads]
    for thread in threads:
        thread.join(timeout=30)

    # then: both waited for the row; one export, and the other publish refused
    assert waiting == [True, True] and answers and len(answers) == 2
    assert sorted(status for status, _ in answers) == [202, 429]
    assert (429, {"message": "Usage limit exceeded."}) in answers
    assert MessageExport.objects.for_company(company).count() == 1
