"""Message templates in the back office: listed with their owner and variable count, searched and
filtered by owner; the form checks a template through templates.services (a JSON message that is not
an object, or a template with neither BODY nor JSON, is refused on the field at fault); deleted
through the service."""

import json

import pytest

from templates import services
from templates.models import MessageTemplate
from tests.accounts.factories import CompanyFactory
from tests.admin_support import delete_in_admin

pytestmark = pytest.mark.django_db

TEMPLATES = "/admin/templates/messagetemplate/"
WHATSAPP = json.dumps(
    {"to": "<accountID>", "type": "template", "template": {"name": "order_{{3}}", "components": []}}
)
NOT_AN_OBJECT = "The JSON message must be a JSON object."
EMPTY = "A message template needs a BODY text, a JSON message or both."


def message_template(
    company=None, *, name="order_confirmation", body="Hello {{1}}, order {{2}}", json_text=""
):
    return services.message_template_create(
        company=company, name=name, language="en_US", body=body, json_text=json_text
    )


def form(company=None, **values) -> dict:
    return {
        "name": "order_confirmation",
        "company": company.pk if company else "",
        "language": "en_US",
        "body": "Hello {{1}}",
        "json": WHATSAPP,
        **values,
    }


def listed(response) -> list:
    return list(response.context["cl"].result_list)


def test_the_list_shows_owner_and_variable_count(admin_client, company):
    owned = message_template(company, json_text=WHATSAPP)
    message_template(name="shared_hello", body="Hi {{1}}")

    response = admin_client.get(TEMPLATES)

    assert response.status_code == 200
    page = response.text
    rows = {t.name: t for t in listed(response)}
    assert set(rows) == {"order_confirmation", "shared_hello"}
    assert owned.variable_count == 3  # {{1}}, {{2}} in BODY, {{3}} in the JSON
    assert '<td class="field-variables">3</td>' in page and '<td class="field-variables">1</td>' in page
    assert "shared (all companies)" in page and company.name in page


def test_the_list_searches_and_filters_by_owner(admin_client, company):
    owned = message_template(company, name="owned_one")
    shared = message_template(name="shared_one")
    other = message_template(CompanyFactory(name="Elsewhere Ltd"), name="elsewhere_one")

    def names(**query) -> set[str]:
        response = admin_client.get(TEMPLATES, query)
        assert response.status_code == 200
        return {t.name for t in listed(response)}

    assert names(owner="shared") == {shared.name}
    assert names(owner="owned") == {owned.name, other.name}
    assert names(company__id__exact=company.pk) == {owned.name}
    assert names(q="Elsewhere") == {other.name}
    assert names(q="shared_") == {shared.name}
    assert names(q=str(owned.pk)) == {owned.name}


def test_staff_add_a_template_through_the_form(admin_client, company):
    response = admin_client.post(f"{TEMPLATES}add/", form(company))

    assert response.status_code == 302
    template = MessageTemplate.unscoped.get()
    assert (template.company, template.name, template.language) == (company, "order_confirmation", "en_US")
    assert json.loads(template.json)["type"] == "template" and template.variable_count == 3
    assert admin_client.get(f"{TEMPLATES}{template.pk}/change/").status_code == 200


def test_a_shared_template_has_no_company(admin_client):
    assert admin_client.post(f"{TEMPLATES}add/", form()).status_code == 302

    assert MessageTemplate.unscoped.get().is_shared


@pytest.mark.parametrize("bad_json", ["{not json", "[1, 2]", '"text"'])
def test_json_that_is_not_an_object_is_refused_on_its_field(admin_client, bad_json):
    response = admin_client.post(f"{TEMPLATES}add/", form(json=bad_json))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"json": [NOT_AN_OBJECT]}
    assert not MessageTemplate.unscoped.exists()


def test_neither_body_nor_json_is_refused(admin_client):
    response = admin_client.post(f"{TEMPLATES}add/", form(body="  ", json=""))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"body": [EMPTY]}
    assert not MessageTemplate.unscoped.exists()


def test_a_change_is_checked_too_and_keeps_the_owner(admin_client, company):
    template = message_template(company)
    url = f"{TEMPLATES}{template.pk}/change/"

    refused = admin_client.post(url, form(json="[]", name="renamed"))
    changed = admin_client.post(url, form(name="renamed", body="Hi {{1}} {{2}} {{3}} {{4}}", json=""))

    assert refused.context["adminform"].form.errors == {"json": [NOT_AN_OBJECT]}
    assert changed.status_code == 302
    template.refresh_from_db()
    assert (template.name, template.company, template.variable_count, template.json) == (
        "renamed",
        company,
        4,
        "",
    )


@pytest.mark.parametrize("how", ["single", "bulk"])
def test_a_template_is_deleted(admin_client, company, how):
    template = message_template(company)

    response = delete_in_admin(admin_client, TEMPLATES, [template.pk], how=how)

    assert response.status_code == 302
    assert not MessageTemplate.unscoped.exists()
