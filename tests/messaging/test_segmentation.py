"""Segmentation: a SegmentationQuery selects recipients in one SQL query, on SQLite and PostgreSQL."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine

from config.errors import InvalidInput
from messaging import segmentation
from messaging.errors import MessagingErrorCode as Code
from messaging.segmentation import parse_query, recipient_filter, targeted_recipients
from recipients.models import Recipient
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory

LONDON = ZoneInfo("Europe/London")


def rule(field="first_name", condition="eq", value="Anna", operator="AND", **extra):
    return {"field": field, "condition": condition, "value": value, "operator": operator, **extra}


def group(*rules, operator="OR"):
    return {"operator": operator, "rules": list(rules)}


def query(*groups):
    return {"segmentation": list(groups)}


def one_rule(**fields):
    return query(group(rule(**fields)))


@pytest.fixture
def members(company):
    return RecipientGroupFactory(company=company)


@pytest.fixture
def add(company, members):
    """add(name, **fields): a recipient of `members`, known by its first name."""

    def make(name, **fields):
        return RecipientFactory(company=company, group=members, first_name=name, **fields)

    return make


@pytest.fixture
def selected(company, members):
    """selected(query): the first names of the members the query targets."""

    def names(raw):
        rows = targeted_recipients(company=company, group_ids=[members.pk], query=raw)
        return set(rows.values_list("first_name", flat=True))

    return names


def refusal(raw) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_query(raw)
    assert caught.value.field == "query"
    return caught.value


# ---- conditions -------------------------------------------------------------------------------


@pytest.fixture
def towns(add):
    """The same towns in a column (city) and in a custom field (column_1)."""
    add("A", city="London", custom_fields={"column_1": "London"})
    add("B", city="leeds", custom_fields={"column_1": "leeds"})
    add("C", city="", custom_fields={})  # no key at all
    add("D", city="", custom_fields={"column_1": ""})
    add("E", city="50% off_", custom_fields={"column_1": "50% off_"})


@pytest.mark.parametrize("field", ["city", "column_1"])
@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        ("eq", "london", {"A"}),
        ("eq", "LONDON", {"A"}),
        ("neq", "LONDON", {"B", "C", "D", "E"}),
        ("isnull", "", {"C", "D"}),
        ("isnotnull", "", {"A", "B", "E"}),
        ("in", ["LONDON", "Leeds"], {"A", "B"}),
        ("in", "leeds", {"B"}),
        ("in", ["London, Leeds"], set()),  # a string is one value, never split at commas
        ("notin", ["london"], {"B", "C", "D", "E"}),
        ("startswith", "LON", {"A"}),
        ("endswith", "EDS", {"B"}),
        ("contains", "ND", {"A"}),
        ("contains", "%", {"E"}),  # LIKE wildcards are plain characters
        ("contains", "_", {"E"}),
        ("startswith", "%", set()),
        ("lt", "london", {"B", "E"}),  # as text; empty values never compare
        ("gte", "LEEDS", {"A", "B"}),
        ("gt", "london", set()),
        ("lte", "london", {"A", "B", "E"}),
    ],
)
def test_each_condition_on_a_column_and_on_a_custom_field(towns, selected, field, condition, value, expected):
    assert selected(one_rule(field=field, condition=condition, value=value)) == expected


@pytest.mark.parametrize("field", ["mobile", "column_2"])
@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        ("gt", "9", {"ten"}),  # numerically: as text "9" > "10"
        ("gte", "9", {"nine", "ten"}),
        ("lt", "10", {"nine", "minus"}),
        ("lte", "9.5", {"nine", "minus"}),
        ("lt", "-1", {"minus"}),
        ("gt", "-1.5", {"nine", "ten", "minus"}),
    ],
)
def test_numbers_compare_as_numbers_and_other_text_never_matches(
    add, selected, field, condition, value, expected
):
    for name, number in [("nine", "9"), ("ten", "10"), ("minus", "-1.25"), ("word", "abc"), ("blank", "")]:
        add(name, mobile=number, custom_fields={"column_2": number})
    add("none")

    assert selected(one_rule(field=field, condition=condition, value=value)) == expected


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        ("lt", "2000-01-01", {"ninety"}),
        ("gte", "2001-12-31", {"millennium"}),
        ("gt", "1990-05-01", {"millennium"}),
        ("lte", "2001-12-31", {"ninety", "millennium"}),
    ],
)
def test_iso_dates_compare_as_dates_and_other_text_never_matches(add, selected, condition, value, expected):
    add("ninety", custom_fields={"birthday": "1990-05-01"})
    add("millennium", custom_fields={"birthday": "2001-12-31"})
    add("word", custom_fields={"birthday": "not a date"})
    add("number", custom_fields={"birthday": "3000"})
    add("none")

    assert selected(one_rule(field="birthday", condition=condition, value=value)) == expected


def test_spec_fields_map_to_recipient_columns(add, selected):
    add(
        "Anna", last_name="Smith", title="Dr", email="anna@example.com", mobile="+447700900123",
        address1="1 High St", postcode="SW1A 1AA", city="London", county="Kent", country="UK",
        company_name="Acme",
    )  # fmt: skip
    add("Bob", postcode="E1 6AN")  # not the factory's: its sequence may give SW1A 1AA too
    columns = {
        "first_name": "anna", "last_name": "smith", "title": "dr", "email": "ANNA@example.com",
        "mobile": "+447700900123", "address": "1 high st", "zip": "sw1a 1aa", "city": "london",
        "region": "kent", "country": "uk", "b_company": "acme",
    }  # fmt: skip

    for field, value in columns.items():
        assert selected(one_rule(field=field, value=value)) == {"Anna"}, field


def test_other_fields_read_custom_fields_of_the_same_name(add, selected):
    add("Anna", custom_fields={field: f"{field}!" for field in segmentation.FIELDS})
    add("Bob")

    for field in set(segmentation.FIELDS) - set(segmentation.FIELD_COLUMNS):
        assert selected(one_rule(field=field, value=f"{field.upper()}!")) == {"Anna"}, field


def test_case_of_keywords_and_keys_does_not_matter(add, selected):
    add("Anna", city="London")
    add("Bob", city="London")
    raw = {"Segmentation": [{"OPERATOR": "or", "Rules": [
        {"Field": "FIRST_NAME", "Condition": "EQ", "Value": "aNNA", "Operator": "and"},
        {"field": "City", "condition": "StartsWith", "value": "lON", "operator": " And "},
    ]}]}  # fmt: skip

    assert selected(raw) == {"Anna"}
    assert parse_query(raw).as_json()["segmentation"][0]["rules"][1] == rule("city", "startswith", "lON")


# ---- rules and groups -------------------------------------------------------------------------


@pytest.fixture
def four(add):
    add("Anna", city="London")
    add("Anna", city="Leeds", last_name="2")
    add("Bob", city="London")
    add("Bob", city="Leeds")


def pairs(company, members, raw) -> set:
    rows = targeted_recipients(company=company, group_ids=[members.pk], query=raw)
    return set(rows.values_list("first_name", "city"))


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("OR", {("Anna", "London"), ("Anna", "Leeds"), ("Bob", "London")}),
        ("AND", {("Anna", "London")}),
        ("AND NOT", {("Anna", "Leeds")}),
        ("OR NOT", {("Anna", "London"), ("Anna", "Leeds"), ("Bob", "Leeds")}),
    ],
)
def test_each_group_operator_connects_a_group_to_the_previous(company, members, four, operator, expected):
    raw = query(
        group(rule("first_name", value="Anna")), group(rule("city", value="London"), operator=operator)
    )

    assert pairs(company, members, raw) == expected


def test_groups_combine_left_to_right(company, members, four):
    # ((Anna OR Bob) AND NOT London) OR (Bob AND London)
    raw = query(
        group(rule(value="Anna", operator="OR"), rule(value="Bob", operator="OR")),
        group(rule("city", value="London"), operator="AND NOT"),
        group(rule(value="Bob"), rule("city", value="London"), operator="OR"),
    )

    assert pairs(company, members, raw) == {("Anna", "Leeds"), ("Bob", "Leeds"), ("Bob", "London")}


@pytest.mark.parametrize("first", ["AND NOT", "OR NOT", "AND", "OR", "", "whatever", None, 7])
def test_the_first_groups_operator_is_ignored(company, members, four, first):
    raw = query(group(rule(value="Anna")), group(rule("city", value="London"), operator="AND"))
    if first is None:
        del raw["segmentation"][0]["operator"]
    else:
        raw["segmentation"][0]["operator"] = first

    assert pairs(company, members, raw) == {("Anna", "London")}


def test_a_negated_group_keeps_recipients_without_the_field(add, selected):
    add("vip", custom_fields={"column_1": "vip"})
    add("other", custom_fields={"column_1": "basic"})
    add("unset")
    raw = query(
        group(rule("first_name", "isnotnull")), group(rule("column_1", value="vip"), operator="AND NOT")
    )

    assert selected(raw) == {"other", "unset"}


@pytest.mark.parametrize("condition", ["gt", "lt"])
@pytest.mark.parametrize("value", ["5", "2000-01-01"])
def test_a_negated_comparison_keeps_values_of_another_kind(add, selected, condition, value):
    add("word", custom_fields={"column_2": "abc"})
    add("blank", custom_fields={"column_2": ""})
    add("unset")
    raw = query(
        group(rule("first_name", "isnotnull")), group(rule("column_2", condition, value), operator="AND NOT")
    )

    assert selected(raw) == {"word", "blank", "unset"}


@pytest.mark.parametrize(("operator", "expected"), [("AND", {"Anna"}), ("OR", {"Anna", "Bob", "Cara"})])
def test_rules_of_a_group_are_joined_by_their_operator(add, selected, operator, expected):
    add("Anna", city="London")
    add("Bob", city="Leeds")
    add("Cara", city="London")
    add("Dan", city="York")
    rules = [rule(value="Anna", operator=operator), rule("city", value="London", operator=operator)]
    rules.append(rule(value="Bob", operator=operator) if operator == "OR" else rule("last_name", "isnotnull"))

    assert selected(query(group(*rules))) == expected


def test_mixed_rule_operators_in_a_group_are_refused():
    error = refusal(query(group(rule(operator="AND"), rule("city", value="x", operator="OR"))))

    assert (error.code, error.params["at"]) == (Code.SEGMENTATION_OPERATORS_MIXED, "segmentation[0].rules")


RULE = "segmentation[0].rules[0]"


@pytest.mark.parametrize(
    ("raw", "code", "at"),
    [
        (one_rule(field="shoe_size"), Code.SEGMENTATION_FIELD_UNKNOWN, f"{RULE}.field"),
        (one_rule(field="custom_fields"), Code.SEGMENTATION_FIELD_UNKNOWN, f"{RULE}.field"),
        (one_rule(condition="like"), Code.SEGMENTATION_CONDITION_UNKNOWN, f"{RULE}.condition"),
        (one_rule(operator="XOR"), Code.SEGMENTATION_OPERATOR_UNKNOWN, f"{RULE}.operator"),
        (
            query(group(rule()), group(rule(), operator="NOT")),
            Code.SEGMENTATION_OPERATOR_UNKNOWN,
            "segmentation[1].operator",
        ),
        (
            query(group(rule()), {"rules": [rule()]}),
            Code.SEGMENTATION_MEMBER_MISSING,
            "segmentation[1].operator",
        ),
        ({"segmentation": []}, Code.SEGMENTATION_EMPTY, "segmentation"),
        (query(group()), Code.SEGMENTATION_EMPTY, "segmentation[0].rules"),
        ({}, Code.SEGMENTATION_MEMBER_MISSING, "segmentation"),
        (query({"operator": "OR"}), Code.SEGMENTATION_MEMBER_MISSING, "segmentation[0].rules"),
        (
            query(group({"field": "city", "condition": "eq", "operator": "AND"})),
            Code.SEGMENTATION_MEMBER_MISSING,
            f"{RULE}.value",
        ),
        (
            query(group({"field": "city", "condition": "eq", "value": "x"})),
            Code.SEGMENTATION_MEMBER_MISSING,
            f"{RULE}.operator",
        ),
        ({"segmentation": [], "SEGMENTATION": []}, Code.SEGMENTATION_MALFORMED, "segmentation"),
        (one_rule(value=["a", "b"]), Code.SEGMENTATION_VALUE_INVALID, f"{RULE}.value"),
        (one_rule(condition="in", value=[]), Code.SEGMENTATION_VALUE_INVALID, f"{RULE}.value"),
        (one_rule(condition="in", value=["a", 1]), Code.SEGMENTATION_VALUE_INVALID, f"{RULE}.value[1]"),
        (one_rule(condition="ann_in_days", value="367"), Code.SEGMENTATION_DAYS_INVALID, f"{RULE}.value"),
        (one_rule(condition="ann_in_days", value="-1"), Code.SEGMENTATION_DAYS_INVALID, f"{RULE}.value"),
        (one_rule(condition="ann_in_days", value="1.5"), Code.SEGMENTATION_DAYS_INVALID, f"{RULE}.value"),
        (one_rule(condition="ann_in_days", value="\u0663"), Code.SEGMENTATION_DAYS_INVALID, f"{RULE}.value"),
        (one_rule(condition="ann_in_days", value=7), Code.SEGMENTATION_VALUE_INVALID, f"{RULE}.value"),
    ],
)
def test_what_is_refused_and_where(raw, code, at):
    error = refusal(raw)

    assert (error.code, error.params["at"]) == (code, at)


def test_isnull_ignores_its_value_whatever_it_is(add, selected):
    add("Anna", custom_fields={"gender": "f"})
    add("Bob")
    deep = []
    for _ in range(1000):
        deep = [deep]

    assert selected(one_rule(field="gender", condition="isnull", value=deep)) == {"Bob"}
    assert selected(query(group({"field": "gender", "condition": "isnotnull", "operator": "OR"}))) == {"Anna"}


# ---- anniversaries ---------------------------------------------------------------------------


@pytest.fixture
def birthdays(add):
    """Recipients named by their birthday (stored in custom_fields, as imports keep it)."""

    def make(*days):
        for day in days:
            add(day, custom_fields={"birthday": day})

    return make


def travel(day: str):
    return time_machine.travel(
        datetime.datetime.fromisoformat(f"{day}T12:00").replace(tzinfo=LONDON), tick=False
    )


def soon(days) -> dict:
    return one_rule(field="birthday", condition="ann_in_days", value=str(days))


def test_anniversaries_within_the_next_days(birthdays, selected, add):
    birthdays("1980-06-09", "1980-06-10", "1999-06-15", "2001-06-20", "1970-06-21", "1970-07-01")
    add("no birthday")
    add("garbage", custom_fields={"birthday": "06-12"})

    with travel("2025-06-10"):
        assert selected(soon(10)) == {"1980-06-10", "1999-06-15", "2001-06-20"}
        assert selected(soon(0)) == {"1980-06-10"}
        assert selected(soon(" 11 ")) == {"1980-06-10", "1999-06-15", "2001-06-20", "1970-06-21"}


def test_anniversaries_across_the_years_end(birthdays, selected):
    birthdays(
        "1980-12-24", "1980-12-25", "1990-12-31", "1991-01-01", "2000-01-03", "2000-01-04", "1970-06-01"
    )

    with travel("2025-12-25"):
        assert selected(soon(9)) == {"1980-12-25", "1990-12-31", "1991-01-01", "2000-01-03"}
    with travel("2025-12-31"):
        assert selected(soon(1)) == {"1990-12-31", "1991-01-01"}


def test_a_leap_day_has_its_anniversary_on_feb_28_without_a_feb_29(birthdays, selected):
    birthdays("2000-02-29", "1999-02-28", "1999-03-01", "1999-02-27")

    with travel("2025-02-20"):  # 2025 has no Feb 29
        assert selected(soon(8)) == {"2000-02-29", "1999-02-28", "1999-02-27"}
        assert selected(soon(7)) == {"1999-02-27"}
    with travel("2025-02-28"):
        assert selected(soon(0)) == {"2000-02-29", "1999-02-28"}
    with travel("2025-03-01"):
        assert selected(soon(0)) == {"1999-03-01"}
    with travel("2028-02-20"):  # 2028 has one
        assert selected(soon(8)) == {"1999-02-28", "1999-02-27"}
        assert selected(soon(9)) == {"2000-02-29", "1999-02-28", "1999-02-27"}
    with travel("2027-12-01"):  # the window ends on Feb 28 of a leap year
        assert selected(soon(89)) == {"1999-02-27", "1999-02-28"}
    with travel("2026-12-01"):  # ... and of a year without Feb 29
        assert selected(soon(89)) == {"1999-02-27", "1999-02-28", "2000-02-29"}


def test_a_window_of_a_year_or_more_holds_every_valid_date(birthdays, selected, add):
    birthdays("2000-02-29", "1999-03-01", "1999-01-01", "1999-12-31")
    add("impossible month", custom_fields={"birthday": "1999-13-01"})

    with travel("2025-06-10"):
        assert selected(soon(366)) == {"2000-02-29", "1999-03-01", "1999-01-01", "1999-12-31"}
        assert selected(soon(365)) == {"2000-02-29", "1999-03-01", "1999-01-01", "1999-12-31"}
        assert selected(soon(364)) == {"2000-02-29", "1999-03-01", "1999-01-01", "1999-12-31"}
    with travel("2024-12-31"):  # 366 days on is two years' ends away
        assert selected(soon(366)) == {"2000-02-29", "1999-03-01", "1999-01-01", "1999-12-31"}
        assert selected(soon(1)) == {"1999-12-31", "1999-01-01"}


def test_today_is_the_configured_time_zones(birthdays, selected):
    birthdays("1990-06-11")

    # 00:30 on June 11 in London (summer time) is still June 10 in UTC.
    with time_machine.travel(datetime.datetime(2025, 6, 10, 23, 30, tzinfo=LONDON), tick=False):
        assert selected(soon(0)) == set()
    with time_machine.travel(datetime.datetime(2025, 6, 11, 0, 30, tzinfo=LONDON), tick=False):
        assert selected(soon(0)) == {"1990-06-11"}


def test_the_caller_may_name_today(company, members, birthdays):
    birthdays("1990-06-11", "1990-07-01")

    with travel("2025-06-11"):
        rows = targeted_recipients(
            company=company, group_ids=[members.pk], query=soon(0), today=datetime.date(2025, 7, 1)
        )
        assert [row.first_name for row in rows] == ["1990-07-01"]


# ---- targeting --------------------------------------------------------------------------------


def test_a_recipient_in_two_groups_is_targeted_once(company, members):
    second = RecipientGroupFactory(company=company)
    both = RecipientFactory(company=company, group=members, first_name="both")
    second.memberships.create(recipient=both)
    only_second = RecipientFactory(company=company, group=second, first_name="second")
    RecipientFactory(company=company, first_name="default group only")

    rows = list(targeted_recipients(company=company, group_ids=[members.pk, str(second.pk)]))

    assert rows == sorted([both, only_second], key=lambda row: row.pk)


def test_another_companys_group_targets_nothing(company, other_company, members, add):
    add("mine")
    theirs = RecipientGroupFactory(company=other_company)
    RecipientFactory(company=other_company, group=theirs, first_name="theirs")

    assert not targeted_recipients(company=company, group_ids=[theirs.pk]).exists()
    assert not targeted_recipients(company=other_company, group_ids=[members.pk]).exists()
    mixed = targeted_recipients(company=company, group_ids=[members.pk, theirs.pk, "not a uuid", None])
    assert [row.first_name for row in mixed] == ["mine"]
    assert not targeted_recipients(company=company, group_ids=[]).exists()


def test_targeting_is_one_query(company, members, add, django_assert_num_queries):
    for name in ("Anna", "Bob", "Cara"):
        add(name, custom_fields={"birthday": "1990-01-01", "column_2": "5"})
    raw = query(
        group(rule(condition="in", value=["anna", "bob"], operator="OR"), rule("column_2", "gt", "4", "OR")),
        group(rule("birthday", "ann_in_days", "30"), rule("city", "isnull"), operator="AND NOT"),
        group(rule("zip", "startswith", "sw1a"), operator="OR NOT"),
    )
    parsed = parse_query(json.dumps(raw))

    with django_assert_num_queries(1):
        rows = list(targeted_recipients(company=company, group_ids=[members.pk], query=parsed))

    assert {row.first_name for row in rows} == {"Anna", "Bob", "Cara"}
    assert [row.pk for row in rows] == sorted(row.pk for row in rows)


def test_no_query_targets_every_member(company, members, add, selected):
    add("Anna")
    add("Bob")

    assert selected(None) == selected("") == selected("  ") == {"Anna", "Bob"}
    assert parse_query(None) is None
    assert recipient_filter(None).children == []


def test_a_json_string_and_its_dict_select_alike_and_round_trip(add, selected):
    add("Anna", city="London")
    add("Bob", city="Leeds")
    raw = query(
        group(
            rule(value="anna", operator="or"), rule("city", "in", "leeds", operator="OR"), operator="and not"
        ),
        group(rule("birthday", "ann_in_days", "007"), operator="or  not"),
    )
    parsed = parse_query(json.dumps(raw))

    assert parsed == parse_query(raw) == parse_query(parsed.as_json())
    assert parse_query(json.dumps(raw).encode()) == parsed
    assert parsed.as_json() == query(
        group(
            rule(value="anna", operator="OR"),
            rule("city", "in", ["leeds"], operator="OR"),
            operator="AND NOT",
        ),
        group(rule("birthday", "ann_in_days", "7"), operator="OR NOT"),
    )
    assert json.loads(json.dumps(parsed.as_json())) == parsed.as_json()
    assert selected(json.dumps(raw)) == selected(raw) == {"Anna", "Bob"}


def test_recipient_filter_is_a_q_for_recipient_rows(company, add):
    anna = add("Anna")
    add("Bob")
    rows = Recipient.objects.for_company(company).filter(
        recipient_filter(parse_query(one_rule(value="ANNA")))
    )

    assert list(rows) == [anna]


# ---- hostile input ----------------------------------------------------------------------------


def nested(depth: int) -> list:
    value = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("depth", [1000, 50_000])
def test_deep_nesting_in_a_json_string_is_refused(depth):
    deep_arrays = "[" * depth + "]" * depth
    deep_objects = '{"segmentation":' * depth + "1" + "}" * depth

    for raw in (deep_arrays, deep_objects, '{"segmentation": ' + deep_arrays + "}"):
        assert refusal(raw).code in {Code.SEGMENTATION_TOO_DEEP, Code.SEGMENTATION_MALFORMED}


def test_deep_nesting_as_a_dict_is_refused_without_recursing():
    error = refusal({"segmentation": nested(1000)})

    assert (error.code, error.params["at"]) == (Code.SEGMENTATION_MALFORMED, "segmentation[0]")
    deep_objects = {"segmentation": []}
    for _ in range(1000):
        deep_objects = {"segmentation": [deep_objects]}
    assert refusal(deep_objects).params["at"] == "segmentation[0].rules"
    assert refusal(one_rule(value=nested(1000))).code == Code.SEGMENTATION_VALUE_INVALID
    as_text = json.dumps(one_rule(value="?")).replace('"?"', "[" * 1000 + "]" * 1000)
    assert refusal(as_text).code in {Code.SEGMENTATION_VALUE_INVALID, Code.SEGMENTATION_TOO_DEEP}


def test_ten_thousand_rules_are_refused_at_the_cap():
    rules = [rule(value=str(index), operator="OR") for index in range(10_000)]

    for raw in (query(group(*rules)), json.dumps(query(group(*rules)))):
        error = refusal(raw)
        assert (error.code, error.params["limit"]) == (Code.SEGMENTATION_TOO_LARGE, "rules")
    spread = query(*(group(*rules[:100]) for _ in range(100)))
    assert refusal(spread).params["limit"] == "groups"
    across_groups = query(*(group(*rules[:50]) for _ in range(5)))
    assert (refusal(across_groups).params["limit"], refusal(across_groups).params["at"]) == (
        "rules",
        "segmentation[4].rules",
    )


def test_the_caps_themselves_are_accepted(company, members, add):
    add("Anna")
    values = [f"name {index}" for index in range(segmentation.MAX_VALUE_ITEMS - segmentation.MAX_RULES + 1)]
    other_groups = segmentation.MAX_GROUPS - 1
    rules = [rule(condition="in", value=values, operator="OR")]
    rules += [rule(value="x" * segmentation.MAX_VALUE_LENGTH, operator="OR")] * (
        segmentation.MAX_RULES - other_groups - 2
    )
    rules.append(rule(value="Anna", operator="OR"))
    raw = query(group(*rules), *[group(rule(value="Anna"))] * other_groups)
    parsed = parse_query(json.dumps(raw))

    assert len(parsed.groups) == segmentation.MAX_GROUPS
    # The whole query at its limits still runs (within every database's parameter limit).
    assert targeted_recipients(company=company, group_ids=[members.pk], query=parsed).count() == 1


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{not json", Code.SEGMENTATION_INVALID_JSON),
        ("{'segmentation': []}", Code.SEGMENTATION_INVALID_JSON),
        ('{"segmentation": [1e999999999]}', Code.SEGMENTATION_MALFORMED),
        ('{"segmentation": ' + "9" * 5000 + "}", Code.SEGMENTATION_INVALID_JSON),  # past int's digits
        (b"\xff\xfe", Code.SEGMENTATION_INVALID_JSON),
        ("null", Code.SEGMENTATION_MALFORMED),
        ("[]", Code.SEGMENTATION_MALFORMED),
        ('"text"', Code.SEGMENTATION_MALFORMED),
        (["segmentation"], Code.SEGMENTATION_MALFORMED),
        (42, Code.SEGMENTATION_MALFORMED),
        ({"segmentation": "all"}, Code.SEGMENTATION_MALFORMED),
        ({"segmentation": {"0": {}}}, Code.SEGMENTATION_MALFORMED),
        (query("group"), Code.SEGMENTATION_MALFORMED),
        (query({"operator": "OR", "rules": {"field": "city"}}), Code.SEGMENTATION_MALFORMED),
        (query(group("rule")), Code.SEGMENTATION_MALFORMED),
        (query(group(None)), Code.SEGMENTATION_MALFORMED),
        (one_rule(field=["first_name"]), Code.SEGMENTATION_MALFORMED),
        (one_rule(field=None), Code.SEGMENTATION_MALFORMED),
        (one_rule(condition={"eq": 1}), Code.SEGMENTATION_MALFORMED),
        (query(group(rule()), group(rule(), operator=True)), Code.SEGMENTATION_MALFORMED),
        (one_rule(operator=1), Code.SEGMENTATION_MALFORMED),
        (one_rule(value=None), Code.SEGMENTATION_VALUE_INVALID),
        (one_rule(value=12), Code.SEGMENTATION_VALUE_INVALID),
        (one_rule(value=True), Code.SEGMENTATION_VALUE_INVALID),
        (one_rule(value=1.5), Code.SEGMENTATION_VALUE_INVALID),
        (one_rule(value={"$gt": ""}), Code.SEGMENTATION_VALUE_INVALID),
        (one_rule(condition="in", value=[["a"]]), Code.SEGMENTATION_VALUE_INVALID),
        (one_rule(condition="in", value={"a": 1}), Code.SEGMENTATION_VALUE_INVALID),
        (one_rule(value="x" * 501), Code.SEGMENTATION_VALUE_TOO_LONG),
        (one_rule(value="x" * 10_000_000), Code.SEGMENTATION_VALUE_TOO_LONG),
        (one_rule(value="Anna\x00"), Code.SEGMENTATION_VALUE_UNSAFE),
        (one_rule(condition="in", value=["ok", "\x00"]), Code.SEGMENTATION_VALUE_UNSAFE),
        (json.dumps(one_rule(value="\ud800")), Code.SEGMENTATION_VALUE_UNSAFE),
        (one_rule(field="first_name\x00"), Code.SEGMENTATION_FIELD_UNKNOWN),
        ({"segmentation": [group(rule())] * 51}, Code.SEGMENTATION_TOO_LARGE),
        (one_rule(condition="in", value=["v"] * 1001), Code.SEGMENTATION_TOO_LARGE),
        ("x" * 1_000_001, Code.SEGMENTATION_TOO_LARGE),
        ({1: "segmentation", None: [], ("a",): []}, Code.SEGMENTATION_MEMBER_MISSING),
    ],
)
def test_hostile_input_is_a_clean_domain_error(raw, code):
    assert refusal(raw).code == code


def test_values_across_rules_share_one_cap():
    half = ["v"] * 600

    error = refusal(
        query(group(rule(condition="in", value=half)), group(rule(condition="notin", value=half)))
    )

    assert (error.code, error.params["limit"], error.params["at"]) == (
        Code.SEGMENTATION_TOO_LARGE,
        "values",
        "segmentation[1].rules[0].value",
    )


def test_unsafe_looking_text_is_only_ever_a_value(add, selected):
    add("Robert'); DROP TABLE recipients_recipient;--")
    add("Anna", custom_fields={"column_1": "x' OR '1'='1"})

    assert selected(one_rule(value="robert'); drop table recipients_recipient;--")) == {
        "Robert'); DROP TABLE recipients_recipient;--"
    }
    assert selected(one_rule(field="column_1", condition="in", value=["X' OR '1'='1"])) == {"Anna"}
    assert selected(one_rule(field="column_1", condition="lt", value="' OR 1=1 --")) == set()
