"""The schedule beat: recurring firings over time (time-machine), across DST, COUNT exhausted ->
finished, missed firings not replayed after a stop, and two beats at once firing once."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings

from campaigns.models import Campaign
from messaging.models import Occurrence
from messaging.services import firing, message_campaign_set_status
from tests.accounts.factories import CompanyFactory
from tests.concurrency import released_together
from tests.messaging.factories import message_campaign
from tests.recipients.factories import RecipientGroupFactory

pytestmark = pytest.mark.django_db

START = datetime(2030, 3, 28, 6, 0, tzinfo=UTC)  # a Thursday before Europe's spring change


def fired_times(campaign) -> list[datetime]:
    return list(
        Occurrence.unscoped.filter(campaign=campaign)
        .order_by("scheduled_at")
        .values_list("scheduled_at", flat=True)
    )


def run_beat_at(moment):
    with time_machine.travel(moment, tick=False):
        return firing.campaigns_fire_due()


@pytest.fixture
def company_and_group(db):
    company = CompanyFactory()
    return company, RecipientGroupFactory(company=company)


def make(company_and_group, **extra):
    company, group = company_and_group
    with time_machine.travel(START, tick=False):
        return message_campaign(company=company, group=group, status="active", **extra)


def test_a_daily_rule_keeps_local_time_across_dst_and_finishes_after_count(company_and_group):
    campaign = make(
        company_and_group,
        schedule_type="scheduled",
        schedule_rrule="DTSTART;TZID=Europe/Zurich:20300328T090000\nRRULE:FREQ=DAILY;COUNT=4",
    )

    for day in range(5):
        run_beat_at(START + timedelta(days=day, hours=3, minutes=1))

    # 09:00 in Zurich: 08:00 UTC before the change (Sunday 31 March), 07:00 UTC after it.
    assert [t.strftime("%m-%d %H:%M") for t in fired_times(campaign)] == [
        "03-28 08:00", "03-29 08:00", "03-30 08:00", "03-31 07:00",
    ]  # fmt: skip
    campaign.refresh_from_db()
    assert campaign.status == "finished"
    assert campaign.message_settings.next_at is None


def test_a_beat_that_was_down_does_not_replay_missed_firings(company_and_group):
    campaign = make(company_and_group, schedule_type="scheduled", schedule_rrule="FREQ=HOURLY")

    run_beat_at(START + timedelta(minutes=1))
    run_beat_at(START + timedelta(hours=5, minutes=30))

    assert len(fired_times(campaign)) == 2
    campaign.refresh_from_db()
    assert campaign.message_settings.next_at == START + timedelta(hours=6)


def test_resume_after_a_stop_fires_from_now_on(company_and_group):
    campaign = make(company_and_group, schedule_type="scheduled", schedule_rrule="FREQ=HOURLY")
    company, _ = company_and_group
    run_beat_at(START + timedelta(minutes=1))
    with time_machine.travel(START + timedelta(minutes=5), tick=False):
        message_campaign_set_status(
            company=company, workspace=campaign.workspace, campaign_id=campaign.pk, status="stopped"
        )

    assert run_beat_at(START + timedelta(hours=3)).occurrences == []

    with time_machine.travel(START + timedelta(hours=3, minutes=10), tick=False):
        message_campaign_set_status(
            company=company, workspace=campaign.workspace, campaign_id=campaign.pk, status="active"
        )
    campaign.refresh_from_db()
    assert campaign.message_settings.next_at == START + timedelta(hours=4)


def test_a_once_campaign_in_the_past_fires_at_once_then_finishes(company_and_group):
    campaign = make(company_and_group, schedule_type="once", schedule_rrule="2030-03-01 10:00:00")

    fired = run_beat_at(START + timedelta(seconds=1))

    assert len(fired.occurrences) == 1 and fired.finished == 1
    assert fired_times(campaign) == [datetime(2030, 3, 1, 10, 0, tzinfo=UTC)]
    assert Campaign.unscoped.get(pk=campaign.pk).status == "finished"


def test_an_occurrence_snapshots_content_and_targeting(company_and_group):
    campaign = make(company_and_group, schedule_type="now", template="Hi {first_name}")

    run_beat_at(START + timedelta(seconds=1))

    occurrence = Occurrence.unscoped.get(campaign=campaign)
    assert occurrence.content["template"] == "Hi {first_name}"
    assert occurrence.content["sender"] == "+41587000000"
    assert occurrence.targeting == {
        "recipient_lists": campaign.message_settings.recipient_lists,
        "query": None,
    }


@pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"].endswith(".sqlite3"),
    reason="needs PostgreSQL: SKIP LOCKED and row locks",
)
@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_fire_each_campaign_once():
    company = CompanyFactory()
    group = RecipientGroupFactory(company=company)
    with time_machine.travel(START, tick=False):
        # Due in half an hour: made now, they are not fired at once by the nudge of activation.
        campaigns = [
            message_campaign(
                company=company,
                group=group,
                status="active",
                schedule_type="once",
                schedule_rrule="2030-03-28 06:30:00",
            )
            for _ in range(20)
        ]

    results = released_together(lambda i: firing.campaigns_fire_due(now=START + timedelta(minutes=31)), 4)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(len(r.occurrences) for r in results) == 20
    for campaign in campaigns:
        assert len(fired_times(campaign)) == 1
