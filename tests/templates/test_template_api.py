"""GET /api/v1/template: defaults, the limit rule, filters and their 400, own + shared templates."""

import pytest

from tests.accounts.factories import UserFactory
from tests.platform_api import assert_envelope, bearer, login
from tests.templates.factories import PrintTemplateFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/template"


def test_lists_own_and_shared_templates_not_other_companies(authed_client, company, other_company):
    own = PrintTemplateFactory(company=company, name="Spring Offer Template")
    shared = PrintTemplateFactory(company=None, format_code="A6_POSTCARD")
    PrintTemplateFactory(company=other_company)

    body = assert_envelope(authed_client.get(URL), 200, "Templates fetched successfully.", errors=None)

    data = body["data"]
    assert (data["total"], data["offset"], data["limit"], data["hasMore"], data["nextOffset"]) == (
        2,
        0,
        50,
        False,
        None,
    )
    assert [i["id"] for i in data["items"]] == [own.pk, shared.pk]
    item = data["items"][0]
    assert {k: item[k] for k in ("id", "pageOrientation", "pageSize", "windowGummedCode", "name")} == {
        "id": own.pk, "pageOrientation": "Portrait", "pageSize": "A4 Letter", "windowGummedCode": "C5WIN",
        "name": "Spring Offer Template",
    }  # fmt: skip
    assert item["createdDate"].endswith("Z") and item["updatedDate"].endswith("Z")
    assert data["items"][1]["windowGummedCode"] is None


@pytest.mark.parametrize(
    ("limit", "expected"), [(None, 50), ("0", 100), ("-1", 100), ("201", 100), ("200", 200), ("1", 1)]
)
def test_the_limit_rule(authed_client, limit, expected):
    query = {} if limit is None else {"limit": limit}
    assert assert_envelope(authed_client.get(URL, query), 200)["data"]["limit"] == expected


def test_paging(authed_client, company):
    templates = [PrintTemplateFactory(company=company) for _ in range(3)]
    data = assert_envelope(authed_client.get(URL, {"offset": 1, "limit": 1}), 200)["data"]
    assert [i["id"] for i in data["items"]] == [templates[1].pk]
    assert (data["hasMore"], data["nextOffset"]) == (True, 2)


def test_filters(authed_client, company):
    c5 = PrintTemplateFactory(company=company, format_code="A4_LETTER_C5WIN")
    c4 = PrintTemplateFactory(company=company, format_code="A4_LETTER_C4WIN")
    card = PrintTemplateFactory(company=company, format_code="A6_POSTCARD")

    def ids(**query):
        return [i["id"] for i in assert_envelope(authed_client.get(URL, query), 200)["data"]["items"]]

    assert ids(pageOrientation="Portrait", pageSize="A4%20Letter".replace("%20", " ")) == [c5.pk, c4.pk]
    assert ids(windowGummedCode="C5") == [c5.pk]  # the spec's alias of C5WIN
    assert ids(windowGummedCode="c4win") == [c4.pk]
    assert ids(pageOrientation="landscape") == [card.pk]


@pytest.mark.parametrize(
    ("query", "error", "valid_key", "valid"),
    [
        ({"pageSize": "A0"}, "Invalid pageSize: 'A0'.", "validPageSizes",
         ["A5 Tabbed Greeting Card", "A5 Postcard", "A5 Enveloped Postcard", "A4 Letter", "A5 Enveloped Greeting Card",
          "A6 Postcard", "DL Postcard"]),
        ({"pageOrientation": "Diagonal"}, "Invalid pageOrientation: 'Diagonal'.", "validPageOrientations", ["Portrait", "Landscape"]),
        ({"windowGummedCode": "DL"}, "Invalid windowGummedCode: 'DL'.", "validWindowGummedCodes", ["C4WIN", "C5NONWINDOW", "C5WIN"]),
    ],
)  # fmt: skip
def test_an_invalid_filter_is_400_with_the_allowed_values(authed_client, query, error, valid_key, valid):
    response = authed_client.get(URL, query)
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": "One or more filter values are invalid.",
        "data": {"error": error, valid_key: valid},
        "errors": None,
    }


def test_401_and_403(api_client, company):
    assert_envelope(
        api_client.get(URL), 401, "Missing or invalid authentication token", errors=["Unauthorized"]
    )
    from accounts import services as account_services

    user = UserFactory(company=company, roles=())
    client = bearer(api_client, login(api_client, account_services.api_key_issue(user=user).secret)["token"])
    assert_envelope(
        client.get(URL), 403, "Authenticated token is valid, but permission is denied", errors=["Forbidden"]
    )
