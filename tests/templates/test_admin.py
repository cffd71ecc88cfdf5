"""Template deletes in the back office go through templates.services: a template a campaign prints
with stays, with the reason; an unused one goes, its files with it."""

import pytest

from templates.models import PrintTemplate
from tests.admin_support import delete_in_admin, messages_of
from tests.campaigns.factories import CampaignFactory
from tests.templates.factories import PrintTemplateFactory

pytestmark = pytest.mark.django_db

TEMPLATES = "/admin/templates/printtemplate/"
IN_USE = "A campaign uses this template: it stays while that campaign exists."


def test_an_unused_template_is_deleted_with_its_files(admin_client, django_capture_on_commit_callbacks):
    template = PrintTemplateFactory(name="Old design")
    storage, pdf = template.pdf.storage, template.pdf.name
    assert storage.exists(pdf)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"{TEMPLATES}{template.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not PrintTemplate.unscoped.filter(pk=template.pk).exists()
    assert not storage.exists(pdf)


@pytest.mark.parametrize("how", ["single", "bulk"])
def test_a_template_in_use_is_refused_with_the_reason(admin_client, company, how):
    template = CampaignFactory(company=company).print_options.template

    response = delete_in_admin(admin_client, TEMPLATES, [template.pk], how=how)

    assert messages_of(response) == [f"{template}: {IN_USE}"]
    assert PrintTemplate.unscoped.filter(pk=template.pk).exists()
    assert template.pdf.storage.exists(template.pdf.name)
