"""Message generation: one message per targeted recipient, rendered in SQL, resumable."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from messaging import generation, tasks
from messaging.models import Message, Occurrence
from recipients.models import GroupMembership
from tests.messaging.factories import OccurrenceFactory
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory

pytestmark = pytest.mark.django_db

KEY = re.compile(r"[0-9A-F]{30}")


@pytest.fixture
def group(company):
    return RecipientGroupFactory(company=company)


@pytest.fixture
def small_batches(settings):
    settings.MESSAGING_GENERATION_BATCH = 2


def generate(occurrence: Occurrence) -> Occurrence:
    generation.occurrence_generate(occurrence_id=occurrence.pk)
    occurrence.refresh_from_db()
    return occurrence


def messages(occurrence: Occurrence):
    return Message.objects.for_company(occurrence.company).filter(occurrence=occurrence)


def bodies(occurrence: Occurrence) -> dict:
    return dict(messages(occurrence).values_list("recipient_id", "body"))


def render(company, group, template: str, **values) -> str:
    """The body `template` renders to for one recipient with `values`."""
    recipient = RecipientFactory(company=company, group=group, **values)
    occurrence = generate(OccurrenceFactory(company=company, template=template, groups=[group]))
    return messages(occurrence).get(recipient_id=recipient.pk).body


# ---- counts and bodies ---------------------------------------------------------------------------


def test_one_message_per_recipient_of_the_group(company, group, small_batches):
    # given: five recipients in the group (batches of two: three batches)
    people = [
        RecipientFactory(company=company, group=group, first_name=f"Ann{i}", mobile=f"0770000000{i}")
        for i in range(5)
    ]
    occurrence = OccurrenceFactory(company=company, template="Hi {first_name}, code {code}!", groups=[group])

    # when
    occurrence = generate(occurrence)

    # then: one queued message each, rendered, with the occurrence's progress
    rows = list(messages(occurrence).order_by("recipient_id"))
    assert [m.recipient_id for m in rows] == sorted(p.pk for p in people)
    assert {m.recipient_id: m.body for m in rows} == {p.pk: f"Hi {p.first_name}, code !" for p in people}
    assert {m.recipient_id: m.address for m in rows} == {p.pk: p.mobile for p in people}
    for message in rows:
        assert (message.status, message.last_error, message.attempts) == ("queued", "", 0)
        assert (message.channel, message.payload) == ("sms", None)
        assert (message.campaign_id, message.company_id) == (occurrence.campaign_id, company.pk)
        assert KEY.fullmatch(message.message_key)
        assert message.next_attempt_at == message.created_at
    assert len({m.message_key for m in rows}) == 5
    assert (occurrence.status, occurrence.targeted, occurrence.generated, occurrence.without_address) == (
        "generated", 5, 5, 0,
    )  # fmt: skip
    assert occurrence.attempts == 1 and occurrence.started_at and occurrence.finished_at
    assert occurrence.checkpoint_recipient_id == max(p.pk for p in people)


def test_a_batch_is_one_insert_select(company, group, settings):
    # given: more recipients than fit one batch
    settings.MESSAGING_GENERATION_BATCH = 3
    for i in range(7):
        RecipientFactory(company=company, group=group, mobile=f"0770000000{i}")
    occurrence = OccurrenceFactory(company=company, groups=[group])

    # when
    with CaptureQueriesContext(connection) as queries:
        occurrence = generate(occurrence)

    # then: three batches, each one statement inserting into the messages' table (on SQLite two:
    # its failed and its queued messages apart)
    inserts = [q["sql"] for q in queries if "INSERT INTO" in q["sql"]]
    assert len(inserts) == (3 if connection.vendor == "postgresql" else 6)
    assert all("ON CONFLICT" in sql and "SELECT" in sql for sql in inserts)
    assert messages(occurrence).count() == 7 == occurrence.generated


def test_two_groups_are_deduplicated(company, group):
    # given: one recipient in both groups, one in each
    other = RecipientGroupFactory(company=company)
    both = RecipientFactory(company=company, group=group, mobile="07700000001")
    GroupMembership.objects.create(group=other, recipient=both)
    RecipientFactory(company=company, group=group, mobile="07700000002")
    RecipientFactory(company=company, group=other, mobile="07700000003")
    occurrence = OccurrenceFactory(company=company, groups=[group, other])

    # when
    occurrence = generate(occurrence)

    # then
    assert messages(occurrence).count() == 3
    assert messages(occurrence).filter(recipient_id=both.pk).count() == 1
    assert (occurrence.targeted, occurrence.generated) == (3, 3)


def test_another_companys_recipients_are_never_included(company, other_company, group):
    # given: the other company's group, named in the occurrence's targeting, and its recipient
    # also listed in our group
    theirs = RecipientGroupFactory(company=other_company)
    stranger = RecipientFactory(company=other_company, group=theirs, mobile="07700000009")
    GroupMembership.objects.create(group=group, recipient=stranger)
    ours = RecipientFactory(company=company, group=group, mobile="07700000001")
    occurrence = OccurrenceFactory(company=company, groups=[group, theirs])

    # when
    occurrence = generate(occurrence)

    # then
    assert list(Message.unscoped.values_list("recipient_id", flat=True)) == [ours.pk]
    assert occurrence.targeted == 1


def test_the_segmentation_query_narrows_the_target(company, group):
    # given: two recipients, a query that keeps one of them
    ann = RecipientFactory(company=company, group=group, first_name="Ann", mobile="07700000001")
    RecipientFactory(company=company, group=group, first_name="Bob", mobile="07700000002")
    query = {"segmentation": [{"operator": "OR", "rules": [
        {"field": "first_name", "condition": "eq", "value": "ann", "operator": "AND"},
    ]}]}  # fmt: skip

    # when
    occurrence = generate(OccurrenceFactory(company=company, groups=[group], query=query))

    # then
    assert bodies(occurrence) == {ann.pk: "Hello Ann"}
    assert (occurrence.targeted, occurrence.generated) == (1, 1)


def test_a_query_that_cannot_be_read_fails_the_occurrence_with_its_code(company, group):
    RecipientFactory(company=company, group=group, mobile="07700000001")
    occurrence = OccurrenceFactory(company=company, groups=[group], query="{not json")

    occurrence = generate(occurrence)

    assert (occurrence.status, occurrence.failure_reason) == ("failed", "segmentation_invalid_json")
    assert messages(occurrence).count() == 0


def test_an_empty_target_finishes_with_nothing(company, group):
    occurrence = generate(OccurrenceFactory(company=company, groups=[group]))

    assert (occurrence.status, occurrence.targeted, occurrence.generated) == ("generated", 0, 0)
    assert occurrence.checkpoint_recipient_id is None


# ---- rendering -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        ("Hello {first_name} {last_name}", {"first_name": "Ann", "last_name": "Lee"}, "Hello Ann Lee"),
        ("Hi {first_name}{missing}!", {"first_name": "Ann"}, "Hi Ann!"),
        ("Hi {nick}", {"custom_fields": {"nick": "Annie"}}, "Hi Annie"),
        ("Hi {first_name} / {nick}", {"first_name": "{nick}", "custom_fields": {"nick": "{first_name}"}}, "Hi {nick} / {first_name}"),
        ("{ first_name } {} {{first_name}} {first-name} {", {"first_name": "Ann"}, "{ first_name } {} {Ann} {first-name} {"),
        ("Zdravo {first_name} 👋 ünïcode", {"first_name": "Žofie 李"}, "Zdravo Žofie 李 👋 ünïcode"),
        ("{postcode}, {city}; {company_name} {address1}", {"postcode": "sw1a 1aa", "city": "London", "company_name": "Acme", "address1": "1 Way"}, "SW1A 1AA, London; Acme 1 Way"),
        ("100% {first_name} %s %(x)s", {"first_name": "Ann"}, "100% Ann %s %(x)s"),
        ("plain text", {}, "plain text"),
        ("", {}, ""),
        ("{first_name}", {"first_name": "Ann"}, "Ann"),
        ("{first_name}", {"first_name": ""}, ""),
    ],
)  # fmt: skip
def test_text_rendering(company, group, template, values, expected):
    assert render(company, group, template, mobile="07700000001", **values) == expected


def test_a_long_template_renders(company, group):
    template = " ".join(f"{{first_name}}{{v{i}}}" for i in range(200))
    fields = {f"v{i}": str(i) for i in range(200)}

    body = render(company, group, template, mobile="1", first_name="Ann", custom_fields=fields)

    assert body == " ".join(f"Ann{i}" for i in range(200))


def test_a_custom_field_named_like_nothing_the_recipient_has_is_empty(company, group):
    recipient = RecipientFactory(company=company, group=group, mobile="1", custom_fields={})
    occurrence = generate(OccurrenceFactory(company=company, template="[{nick}]", groups=[group]))

    assert bodies(occurrence) == {recipient.pk: "[]"}


EMAIL_TEMPLATE = {
    "subject": "Hello {first_name}",
    "text": "Dear {first_name} {last_name}, {missing}see {first_name}",
    "html": '<p>"Dear" {first_name}</p>\n\\ {nick}',
    "{first_name}": "the key stays",
    "count": 3,
    "ratio": 1.5,
    "flag": True,
    "none": None,
    "literal": "{ no vars }",
    "list": ["{first_name}", 7, {"deep": "x{nick}y"}],
}


def test_a_json_template_is_filled_in_only_inside_string_values(company, group):
    # given: an email recipient whose values need escaping in JSON
    recipient = RecipientFactory(
        company=company, group=group, email="ann@example.com", first_name='A"n\\n',
        last_name="Lée 李", custom_fields={"nick": "{first_name}\n"},
    )  # fmt: skip
    occurrence = OccurrenceFactory(
        company=company, channel="email", template=json.dumps(EMAIL_TEMPLATE), groups=[group]
    )

    # when
    occurrence = generate(occurrence)

    # then: keys, numbers, booleans and null as written; strings filled in
    message = messages(occurrence).get(recipient_id=recipient.pk)
    assert (message.address, message.body, message.status) == ("ann@example.com", "", "queued")
    assert message.payload == {
        "subject": 'Hello A"n\\n',
        "text": 'Dear A"n\\n Lée 李, see A"n\\n',
        "html": '<p>"Dear" A"n\\n</p>\n\\ {first_name}\n',
        "{first_name}": "the key stays",
        "count": 3,
        "ratio": 1.5,
        "flag": True,
        "none": None,
        "literal": "{ no vars }",
        "list": ['A"n\\n', 7, {"deep": "x{first_name}\ny"}],
    }


def test_an_email_template_of_plain_text_renders_the_body(company, group):
    recipient = RecipientFactory(company=company, group=group, email="ann@example.com", first_name="Ann")
    occurrence = generate(
        OccurrenceFactory(company=company, channel="email", template="Hi {first_name}", groups=[group])
    )

    message = messages(occurrence).get(recipient_id=recipient.pk)
    assert (message.body, message.payload, message.address) == ("Hi Ann", None, "ann@example.com")


def test_a_json_array_template_keeps_its_shape(company, group):
    recipient = RecipientFactory(company=company, group=group, mobile="07700000001", first_name="Ann")
    template = json.dumps([{"type": "text", "text": "Hi {first_name}"}, 42])
    occurrence = generate(
        OccurrenceFactory(company=company, channel="whatsapp", template=template, groups=[group])
    )

    message = messages(occurrence).get(recipient_id=recipient.pk)
    assert message.payload == [{"type": "text", "text": "Hi Ann"}, 42]
    assert message.address == "07700000001"


def test_webpush_renders_body_and_payload(company, group):
    # given: a recipient with a push subscription in its custom fields
    recipient = RecipientFactory(
        company=company, group=group, first_name="Ann", custom_fields={"webpush": "sub-1", "shop": "north"}
    )
    content = {
        "webpush_title": "Hi {first_name}", "webpush_body": "", "webpush_target_url": "https://x.test/{shop}",
        "webpush_icon": "https://x.test/i.png", "webpush_image": "",
    }  # fmt: skip
    occurrence = OccurrenceFactory(
        company=company,
        channel="webpush",
        template="Sale for {first_name}",
        groups=[group],
        extra_content=content,
    )

    # when
    occurrence = generate(occurrence)

    # then: the body from the template; the payload's body falls back to it
    message = messages(occurrence).get(recipient_id=recipient.pk)
    assert (message.address, message.body) == ("sub-1", "Sale for Ann")
    assert message.payload == {
        "title": "Hi Ann", "body": "Sale for Ann",
        "target_url": "https://x.test/north", "icon": "https://x.test/i.png", "image": "",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("channel", "values", "address"),
    [
        ("sms", {"mobile": "07700900001", "email": "a@x.test"}, "07700900001"),
        ("viber", {"mobile": "07700900002"}, "07700900002"),
        ("rbm", {"mobile": "07700900003"}, "07700900003"),
        ("whatsapp", {"mobile": "07700900004"}, "07700900004"),
        ("email", {"mobile": "07700900005", "email": "a@x.test"}, "a@x.test"),
        ("telegram", {"mobile": "07700900006", "custom_fields": {"telegram": "@ann"}}, "@ann"),
    ],
)
def test_the_address_comes_from_the_channels_field(company, group, channel, values, address):
    recipient = RecipientFactory(company=company, group=group, **values)
    occurrence = generate(OccurrenceFactory(company=company, channel=channel, template="x", groups=[group]))

    assert messages(occurrence).get(recipient_id=recipient.pk).address == address


@pytest.mark.parametrize(
    ("channel", "values"),
    [
        ("sms", {"email": "a@x.test"}),
        ("email", {"mobile": "07700900001"}),
        ("telegram", {"custom_fields": {"other": "x"}}),
        ("webpush", {"custom_fields": {"webpush": ""}}),
    ],
)
def test_no_address_is_a_failed_message(company, group, channel, values):
    # given: one recipient without an address on the channel, one with
    missing = RecipientFactory(company=company, group=group, **values)
    reachable = RecipientFactory(
        company=company, group=group, mobile="07700900009", email="b@x.test",
        custom_fields={"telegram": "@b", "webpush": "sub"},
    )  # fmt: skip
    occurrence = OccurrenceFactory(company=company, channel=channel, template="x", groups=[group])

    # when
    occurrence = generate(occurrence)

    # then
    failed = messages(occurrence).get(recipient_id=missing.pk)
    assert (failed.status, failed.last_error, failed.address, failed.next_attempt_at) == (
        "failed", "no address", "", None,
    )  # fmt: skip
    assert messages(occurrence).get(recipient_id=reachable.pk).status == "queued"
    assert (occurrence.targeted, occurrence.generated, occurrence.without_address) == (2, 2, 1)


# ---- idempotence and resumption ------------------------------------------------------------------


def test_rerunning_a_finished_occurrence_changes_nothing(company, group, small_batches):
    for i in range(5):
        RecipientFactory(company=company, group=group, mobile=f"0770000000{i}")
    occurrence = generate(OccurrenceFactory(company=company, groups=[group]))
    keys = set(messages(occurrence).values_list("message_key", flat=True))

    again = generate(occurrence)

    assert set(messages(occurrence).values_list("message_key", flat=True)) == keys
    assert (again.targeted, again.generated, again.attempts) == (5, 5, 1)


def test_a_run_interrupted_after_a_batch_resumes_after_its_checkpoint(company, group, small_batches):
    # given: a run that committed its first batch (two recipients) and died: its lease ran out
    people = sorted(
        (RecipientFactory(company=company, group=group, mobile=f"0770000000{i}") for i in range(5)),
        key=lambda r: r.pk,
    )
    occurrence = OccurrenceFactory(company=company, groups=[group])
    generation._take(occurrence)
    occurrence.refresh_from_db()
    generation._commit_batch(occurrence, generation.BatchPlan.of(occurrence))
    Occurrence.unscoped.filter(pk=occurrence.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))

    # when: the task runs again
    tasks.occurrence_generate.delay(occurrence.pk)

    # then: the rest is written, each recipient once, and the counts are exact
    occurrence.refresh_from_db()
    counts = messages(occurrence).values("recipient_id").annotate(n=Count("id"))
    assert {row["recipient_id"]: row["n"] for row in counts} == {p.pk: 1 for p in people}
    assert (occurrence.status, occurrence.targeted, occurrence.generated, occurrence.attempts) == (
        "generated", 5, 5, 2,
    )  # fmt: skip


def test_messages_already_there_are_not_doubled(company, group):
    # given: a generated occurrence whose checkpoint is lost (as if reset)
    for i in range(3):
        RecipientFactory(company=company, group=group, mobile=f"0770000000{i}")
    occurrence = generate(OccurrenceFactory(company=company, groups=[group]))
    Occurrence.unscoped.filter(pk=occurrence.pk).update(
        status="pending", checkpoint_recipient_id=None, targeted=0, generated=0
    )

    # when
    occurrence = generate(occurrence)

    # then: the recipients are gone through again, but nothing is written twice
    assert messages(occurrence).count() == 3
    assert (occurrence.status, occurrence.targeted, occurrence.generated) == ("generated", 3, 0)


def test_a_live_lease_of_another_run_is_left_alone(company, group):
    RecipientFactory(company=company, group=group, mobile="07700000001")
    occurrence = OccurrenceFactory(company=company, groups=[group])
    Occurrence.unscoped.filter(pk=occurrence.pk).update(status="generating", heartbeat_at=timezone.now())

    occurrence = generate(occurrence)

    assert occurrence.status == "generating" and messages(occurrence).count() == 0


def test_a_run_whose_checkpoint_moved_stops(company, group, small_batches):
    # given: a run that holds the occurrence, then another run commits a batch first
    for i in range(4):
        RecipientFactory(company=company, group=group, mobile=f"0770000000{i}")
    occurrence = OccurrenceFactory(company=company, groups=[group])
    generation._take(occurrence)
    occurrence.refresh_from_db()
    plan = generation.BatchPlan.of(occurrence)
    other = Occurrence.unscoped.get(pk=occurrence.pk)
    generation._commit_batch(other, plan)

    # when / then: the first run's next batch is refused, and wrote nothing
    with pytest.raises(generation.GenerationSuperseded):
        generation._commit_batch(occurrence, plan)
    assert messages(occurrence).count() == 2


def test_occurrences_whose_worker_vanished_are_queued_again(
    company, group, django_capture_on_commit_callbacks
):
    # given: a generating occurrence whose lease ran out, and one that was started too often
    RecipientFactory(company=company, group=group, mobile="07700000001")
    stale = OccurrenceFactory(company=company, groups=[group])
    worn = OccurrenceFactory(company=company, groups=[group], scheduled_at=timezone.now() + timedelta(days=1))
    live = OccurrenceFactory(company=company, groups=[group], scheduled_at=timezone.now() + timedelta(days=2))
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Occurrence.unscoped.filter(pk=stale.pk).update(status="generating", attempts=1, heartbeat_at=an_hour_ago)
    Occurrence.unscoped.filter(pk=worn.pk).update(status="generating", attempts=5, heartbeat_at=an_hour_ago)
    Occurrence.unscoped.filter(pk=live.pk).update(
        status="generating", attempts=1, heartbeat_at=timezone.now()
    )

    # when: the sweep runs (its re-queued task runs eagerly on commit)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = tasks.occurrences_resume_stale.delay().get()

    # then
    assert outcome == {"resumed": 1, "failed": 1}
    stale.refresh_from_db()
    worn.refresh_from_db()
    live.refresh_from_db()
    assert (stale.status, stale.generated, stale.attempts) == ("generated", 1, 2)
    assert (worn.status, worn.failure_reason) == ("failed", "generation_interrupted")
    assert live.status == "generating"


def test_an_unexpected_error_fails_the_occurrence_once_retries_are_spent(company, group):
    # given: a snapshot the generation cannot read (a template that is no text)
    RecipientFactory(company=company, group=group, mobile="07700000001")
    occurrence = OccurrenceFactory(company=company, groups=[group], template=12345)

    with pytest.raises(TypeError):
        tasks.occurrence_generate.delay(occurrence.pk)

    occurrence.refresh_from_db()
    assert (occurrence.status, occurrence.failure_reason) == ("failed", "generation_error")


# ---- the one Django internal relied on -----------------------------------------------------------


def test_the_batch_select_is_the_querysets_sql_with_its_parameters(company, group):
    RecipientFactory(company=company, group=group, mobile="07700000001", first_name="Ann")
    occurrence = OccurrenceFactory(company=company, groups=[group])
    plan = generation.BatchPlan.of(occurrence)

    sql, params = generation._batch_select(plan, after=None, size=10)

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        rows = cursor.fetchall()
    assert columns == ["id", *generation.MESSAGE_EXPRESSIONS]
    assert len(rows) == 1 and "Hello Ann" in rows[0]
