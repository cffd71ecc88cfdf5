import ast
import random
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from billing.models import Voucher
from billing.pricing import Cost, cost_breakdown, estimated_delivery, money


def _voucher(kind: str, amount: str, code: str = "SAVE20") -> Voucher:
    return Voucher(code=code, kind=kind, amount=Decimal(amount))


def test_the_spec_example_with_save20():
    cost = cost_breakdown(unit_price=Decimal("0.55"), recipients=150, voucher=_voucher("percent", "20"))

    assert cost == Cost(
        unit_price=Decimal("0.55"),
        quantity=150,
        subtotal=Decimal("82.50"),
        discount=Decimal("16.50"),
        vat_rate=Decimal("0.20"),
        vat=Decimal("13.20"),
        total=Decimal("79.20"),
        voucher_code="SAVE20",
    )
    assert str(cost.subtotal) == "82.50" and str(cost.total) == "79.20"


def test_the_spec_example_without_a_voucher():
    cost = cost_breakdown(unit_price=Decimal("0.55"), recipients=150, voucher=None)

    assert (cost.subtotal, cost.discount, cost.vat, cost.total) == (
        Decimal("82.50"),
        Decimal("0.00"),
        Decimal("16.50"),
        Decimal("99.00"),
    )
    assert cost.voucher_code == ""


def test_every_amount_is_a_decimal_in_pence():
    cost = cost_breakdown(unit_price=Decimal("0.37"), recipients=7, voucher=_voucher("percent", "12.5"))

    for name in ("subtotal", "discount", "vat", "total"):
        value = getattr(cost, name)
        assert type(value) is Decimal
        assert value.as_tuple().exponent == -2, name


def test_half_pennies_round_up():
    # 0.05 x 1 = 0.05; 15% off = 0.0075 -> 0.01; VAT 20% of 0.04 = 0.008 -> 0.01
    cost = cost_breakdown(unit_price=Decimal("0.05"), recipients=1, voucher=_voucher("percent", "15"))
    assert (cost.discount, cost.vat, cost.total) == (Decimal("0.01"), Decimal("0.01"), Decimal("0.05"))
    # 0.125 rounds up to 0.13 (banker's rounding would give 0.12)
    assert money(Decimal("0.125")) == Decimal("0.13")
    assert money("2.675") == Decimal("2.68")


def test_a_fixed_voucher_never_takes_more_than_the_subtotal():
    cost = cost_breakdown(unit_price=Decimal("0.55"), recipients=10, voucher=_voucher("fixed", "25.00"))
    assert (cost.subtotal, cost.discount, cost.vat, cost.total) == (
        Decimal("5.50"),
        Decimal("5.50"),
        Decimal("0.00"),
        Decimal("0.00"),
    )


def test_a_fixed_voucher_below_the_subtotal():
    cost = cost_breakdown(unit_price=Decimal("0.55"), recipients=150, voucher=_voucher("fixed", "10"))
    assert (cost.discount, cost.vat, cost.total) == (Decimal("10.00"), Decimal("14.50"), Decimal("87.00"))


def test_the_vat_rate_comes_from_the_settings_at_call_time(settings):
    settings.VAT_RATE = Decimal("0.175")
    cost = cost_breakdown(unit_price=Decimal("1.00"), recipients=3)
    assert (cost.vat_rate, cost.vat, cost.total) == (Decimal("0.175"), Decimal("0.53"), Decimal("3.53"))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"unit_price": 0.55, "recipients": 150},
        {"unit_price": Decimal("0.55"), "recipients": 150, "vat_rate": 0.2},
    ],
)
def test_a_float_is_refused(kwargs):
    with pytest.raises(TypeError):
        cost_breakdown(**kwargs)


def test_money_refuses_a_float():
    with pytest.raises(TypeError):
        money(0.1)


@pytest.mark.parametrize("recipients", [-1, 1.5, True, "3"])
def test_recipients_is_a_whole_number(recipients):
    with pytest.raises(ValueError):
        cost_breakdown(unit_price=Decimal("0.55"), recipients=recipients)


def _half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def _expected_in_pence(unit_pence: int, n: int, kind: str | None, hundredths: int, vat_percent: int):
    """The same rules computed independently, in whole pence with integer arithmetic only."""
    subtotal = unit_pence * n
    if kind == "percent":
        discount = _half_up(subtotal * hundredths, 100 * 100)  # hundredths of a percent
    elif kind == "fixed":
        discount = min(hundredths, subtotal)  # hundredths of a pound are pence
    else:
        discount = 0
    vat = _half_up((subtotal - discount) * vat_percent, 100)
    return subtotal, discount, vat, subtotal - discount + vat


def _pence(amount: Decimal) -> int:
    assert amount == amount.quantize(Decimal("0.01"))
    return int(amount * 100)


def test_randomized_costs_match_an_integer_pence_computation():
    rng = random.Random(20260415)
    for _ in range(2000):
        unit_pence = rng.randint(0, 500)
        n = rng.choice([0, 1, 2, 3, 7, 150, rng.randint(1, 1_000_000)])
        kind = rng.choice([None, "percent", "fixed"])
        hundredths = rng.randint(1, 10000) if kind == "percent" else rng.randint(1, 5_000_000)
        vat_percent = rng.choice([0, 5, 20])
        voucher = None
        if kind:
            voucher = _voucher(kind, str(Decimal(hundredths) / 100))

        cost = cost_breakdown(
            unit_price=Decimal(unit_pence) / 100,
            recipients=n,
            voucher=voucher,
            vat_rate=Decimal(vat_percent) / 100,
        )

        assert (_pence(cost.subtotal), _pence(cost.discount), _pence(cost.vat), _pence(cost.total)) == (
            _expected_in_pence(unit_pence, n, kind, hundredths, vat_percent)
        ), (unit_pence, n, kind, hundredths, vat_percent)


BILLING = Path(__file__).resolve().parents[2] / "billing"


@pytest.mark.parametrize("module", ["pricing.py", "services.py", "dates.py", "models.py", "admin.py"])
def test_billing_code_never_makes_a_float(module):
    tree = ast.parse((BILLING / module).read_text())
    floats = [
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.Constant) and isinstance(node.value, float))
        or (isinstance(node, ast.Name) and node.id == "float")
        or (isinstance(node, ast.Attribute) and node.attr == "FloatField")
    ]
    # pricing.py names `float` only to refuse it (isinstance checks)
    allowed = _isinstance_float_lines(tree)
    assert [line for line in floats if line not in allowed] == []


def _isinstance_float_lines(tree) -> set[int]:
    return {
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "isinstance"
    }


@pytest.mark.parametrize(
    ("send_date", "mail_class", "expected"),
    [
        (date(2026, 4, 15), "First", date(2026, 4, 17)),  # the spec's example (Wed -> Fri)
        (date(2026, 4, 15), "Second", date(2026, 4, 20)),  # Wed -> Mon
        (date(2026, 4, 16), "first", date(2026, 4, 20)),  # Thu -> Mon, any case
        (date(2026, 12, 24), "First", date(2026, 12, 30)),  # Christmas, Boxing Day (observed 28th)
        (date(2026, 4, 2), "First", date(2026, 4, 8)),  # Good Friday and Easter Monday
    ],
)
def test_estimated_delivery_in_working_days(send_date, mail_class, expected):
    assert estimated_delivery(send_date=send_date, mail_class=mail_class) == expected


def test_estimated_delivery_of_an_unknown_mail_class():
    with pytest.raises(ValueError):
        estimated_delivery(send_date=date(2026, 4, 15), mail_class="Pigeon")
