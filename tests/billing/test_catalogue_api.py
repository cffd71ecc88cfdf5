"""The product catalogue and the two endpoints read from it: parameters and configurations."""

from decimal import Decimal

import pytest

from billing.models import Product
from templates.formats import FORMATS
from tests.platform_api import assert_envelope

pytestmark = pytest.mark.django_db


def test_the_seeded_catalogue_covers_every_format_with_prices():
    assert {p.format_code for p in Product.objects.all()} == {f.code for f in FORMATS}
    letters = Product.objects.filter(format_code__startswith="A4_LETTER")
    assert set(letters.values_list("stock_weight", flat=True)) == {"100UNCOAT", "120UNCOAT"}
    cards = Product.objects.exclude(format_code__startswith="A4_LETTER")
    assert set(cards.values_list("stock_weight", flat=True)) == {
        "250SILK",
        "300GLOSS",
        "350SILK",
        "350UNCOAT",
    }
    assert all(p.unit_price > Decimal("0") for p in Product.objects.all())
    assert Product.objects.get(product_code="A4LC5W-100UNCOAT-F-S").unit_price == Decimal("0.95")


def test_parameters_are_derived_from_the_catalogue(authed_client):
    body = assert_envelope(
        authed_client.get("/api/v1/campaigns/parameters"), 200, "Campaign parameters fetched successfully."
    )
    data = body["data"]
    assert data["pageOrientations"] == ["Landscape", "Portrait"]
    assert "A4 Letter" in data["pageSizes"] and len(data["pageSizes"]) == 7
    assert data["outerCodes"] == ["C4WIN", "C5NONWINDOW", "C5WIN"]
    assert data["mailClasses"] == ["First", "Second"]
    assert data["stockWeights"] == ["100UNCOAT", "120UNCOAT", "250SILK", "300GLOSS", "350SILK", "350UNCOAT"]
    assert data["recipientFields"][:3] == ["Title", "FirstName", "LastName"]


def test_parameters_follow_catalogue_edits(authed_client):
    Product.objects.filter(mail_class="Second").update(is_active=False)
    data = assert_envelope(authed_client.get("/api/v1/campaigns/parameters"), 200)["data"]
    assert data["mailClasses"] == ["First"]


def test_configurations_filtered(authed_client):
    response = authed_client.get(
        "/api/v1/campaigns/configurations", {"pageSize": "A4 Letter", "orientation": "Portrait"}
    )
    data = assert_envelope(response, 200, "Campaign configurations fetched successfully.")["data"]
    assert [c["name"] for c in data] == [
        "A4 Letter Portrait C4WIN",
        "A4 Letter Portrait C5NONWINDOW",
        "A4 Letter Portrait C5WIN",
    ]
    combo = data[2]["validCombinations"][0]
    assert set(combo) >= {"stockWeightCode", "isDuplex", "mailClassCode", "isAdmail", "isConfidential"}
    assert len(data[2]["validCombinations"]) == 32


def test_configurations_all_formats(authed_client):
    data = assert_envelope(authed_client.get("/api/v1/campaigns/configurations"), 200)["data"]
    assert len(data) == 10
    postcard = next(c for c in data if c["name"] == "A6 Postcard Landscape")
    assert postcard["windowGummedCode"] is None
    assert not any(c["isConfidential"] for c in postcard["validCombinations"])


@pytest.mark.parametrize("query", [{"pageSize": "A0"}, {"orientation": "Sideways"}])
def test_configurations_refuse_unknown_values(authed_client, query):
    response = authed_client.get("/api/v1/campaigns/configurations", query)
    assert_envelope(response, 400, "Invalid pageSize or orientation value.", errors=None)


def test_unauthenticated(api_client):
    assert_envelope(api_client.get("/api/v1/campaigns/parameters"), 401, "Claim missing or invalid.")
    assert_envelope(api_client.get("/api/v1/campaigns/configurations"), 401, "Claim missing or invalid.")
