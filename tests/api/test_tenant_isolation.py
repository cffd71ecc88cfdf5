"""The tenant sweep: every /api/v1/ route that names an object (in its path, query or body) is
called with an object of ANOTHER company, and must answer 404 exactly like a missing object.

Adding a route forces a decision here: it either gets a sweep case in FOREIGN_ID_CASES or is
listed in TAKES_NO_OBJECT_ID (and then reads nothing but the caller's own company).
"""

import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from recipients import importing
from tests.campaigns.factories import CampaignFactory
from tests.files.factories import LibraryFileFactory, LibraryFolderFactory
from tests.platform_api import assert_envelope
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory
from tests.templates.factories import PrintTemplateFactory
from tests.webhooks.factories import EndpointFactory


@dataclass(frozen=True)
class ForeignIdCase:
    method: str
    # Creates the object in ANOTHER company (given that company) ...
    make_foreign: Callable[[object], object]
    # ... and builds the request naming it: (path, data).
    request: Callable[[object], tuple[str, dict | None]]
    message: str
    status: int = 404


def _group(company):
    return RecipientGroupFactory(company=company)


def _recipient(company):
    return RecipientFactory(company=company)


def _import_job(company):
    """An import of ANOTHER company, accepted and waiting for a worker."""
    return importing.recipient_import_start(
        company=company, group_name="Their import", file_name="people.csv", file_data=base64.b64encode(b"Street,Post Code\n1 A St,A1 1AA\n").decode(),
        file_url=None, mappings=[{"sourceHeader": "Street", "destinationField": "Address1", "mappingType": "standard"},
                                 {"sourceHeader": "Post Code", "destinationField": "Postcode", "mappingType": "standard"}],
    )  # fmt: skip


def _folder(company):
    return LibraryFolderFactory(company=company, path="Home/Theirs")


def _file(company):
    return LibraryFileFactory(company=company, path="Home/Theirs/secret.pdf")


def _campaign(company):
    return CampaignFactory(company=company, group=RecipientGroupFactory(company=company))


def _template(company):
    return PrintTemplateFactory(company=company)


def _endpoint(company):
    return EndpointFactory(company=company)


def _workspace(company):
    from accounts.selectors import default_workspace

    return default_workspace(company=company)


def _delivery(company):
    """A delivery of ANOTHER company's endpoint (asked for under the caller's own endpoint)."""
    from django.utils import timezone

    from webhooks.models import Delivery, Event

    endpoint = _endpoint(company)
    event = Event.unscoped.create(company=company, type="order.paid", occurred_at=timezone.now(), data={})
    return Delivery.unscoped.create(
        company=company, endpoint=endpoint, event=event, occurred_at=event.occurred_at
    )


def _own_endpoint_path(delivery) -> str:
    from accounts.models import User

    caller = User.objects.exclude(company_id=delivery.company_id).exclude(company=None).latest("pk")
    return f"/api/v1/webhooks/{EndpointFactory(company=caller.company).pk}/deliveries/{delivery.pk}/replay"


def _create_body(**source) -> dict:
    campaign = {"name": "x", "pageSize": "A4 Letter", "pageOrientation": "Portrait", "windowGummedCode": "C5WIN",
                "stockWeightCode": "100UNCOAT", "mailClassCode": "First"}  # fmt: skip
    recipients = source.pop("recipients", None)
    if recipients:
        campaign["recipients"] = recipients
    return {"campaign": campaign, **source}


FOREIGN_ID_CASES: dict[str, list[ForeignIdCase]] = {
    "v1:campaigns": [
        ForeignIdCase("post", _template, lambda t: ("/api/v1/campaigns", _create_body(templateId=t.pk)), "Template with id={} not found."),
        ForeignIdCase("post", _group, lambda g: ("/api/v1/campaigns", _create_body(templateId=PrintTemplateFactory(company=None).pk, recipients={"type": "group", "id": str(g.pk)})), "Group not found."),
        ForeignIdCase("post", _recipient, lambda r: ("/api/v1/campaigns", _create_body(templateId=PrintTemplateFactory(company=None).pk, recipients={"type": "single", "id": str(r.pk)})), "Recipient not found."),
    ],
    "v1:campaign": [ForeignIdCase("get", _campaign, lambda c: (f"/api/v1/campaigns/{c.pk}", None), "Campaign not found.")],
    "v1:campaign-preview": [
        ForeignIdCase("get", _campaign, lambda c: (f"/api/v1/campaigns/{c.pk}/preview", None), "Preview file not found for this campaign.")
    ],
    "v1:campaign-approve": [
        ForeignIdCase("post", _campaign, lambda c: (f"/api/v1/campaigns/approve?campaignId={c.pk}", None), "Approval failed: the campaign could not be found.")
    ],
    "v1:campaign-status-details": [
        ForeignIdCase("post", _campaign, lambda c: (f"/api/v1/campaigns/statusDetails?campaignId={c.pk}", None), "campaign not found.")
    ],
    "v1:campaign-voucher": [
        ForeignIdCase("post", _campaign, lambda c: (f"/api/v1/campaigns/voucher?campaignId={c.pk}&VoucherAction=remove", None), "campaign not found.")
    ],
    "v1:campaign-cost": [
        ForeignIdCase("post", _campaign, lambda c: (f"/api/v1/campaigns/cost?campaignId={c.pk}", None), "Cost details unavailable — campaign not found.")
    ],
    "v1:campaign-schedule": [
        ForeignIdCase("post", _campaign, lambda c: (f"/api/v1/campaigns/schedule?campaignId={c.pk}&next_available_date=true", None), "Can not schedule campaign. campaign not found.")
    ],
    "v1:campaign-delete": [
        ForeignIdCase("post", _campaign, lambda c: (f"/api/v1/campaigns/delete?campaignId={c.pk}", None), "Cannot delete — campaign not found.")
    ],
    "v1:recipients": [
        ForeignIdCase("get", _group, lambda g: ("/api/v1/recipients", {"groupId": str(g.pk)}), "Group not found."),
        ForeignIdCase(
            "post", _group,
            lambda g: ("/api/v1/recipients", {"address1": "1 A St", "postcode": "A1 1AA", "groupId": str(g.pk)}),
            "Group not found in this company.", status=400,
        ),
    ],
    "v1:recipient": [
        ForeignIdCase(method, _recipient, lambda r: (f"/api/v1/recipients/{r.pk}", {"city": "x"}), "Recipient not found.")
        for method in ("get", "put", "delete")
    ],
    "v1:recipients-import-job": [
        ForeignIdCase("get", _import_job, lambda j: (f"/api/v1/recipients/import/{j.pk}", None), "Import job not found.")
    ],
    "v1:group": [ForeignIdCase("delete", _group, lambda g: (f"/api/v1/groups/{g.pk}", None), "Group not found.")],
    "v1:group-by-name": [
        ForeignIdCase("get", _group, lambda g: ("/api/v1/groups/by-name", {"name": g.name}), "Group not found")
    ],
    "v1:group-remove-recipients": [
        ForeignIdCase(
            "post", _group,
            lambda g: (f"/api/v1/groups/{g.pk}/recipients-remove", {"recipientIds": [str(uuid.uuid4())]}),
            "Group not found.",
        )
    ],
    "v1:group-import-errors": [
        ForeignIdCase("get", _group, lambda g: (f"/api/v1/groups/{g.pk}/import-errors", None), "Group not found.")
    ],
    # The library is addressed by path: another company's paths name nothing in the caller's
    # library, and each endpoint answers as it does for a missing path.
    "v1:files-folder-contents": [
        ForeignIdCase("get", _folder, lambda f: ("/api/v1/files/folders/contents", {"path": f.path}), "Folder not found.")
    ],
    "v1:files-content": [
        ForeignIdCase("get", _file, lambda f: ("/api/v1/files/content", {"path": f.path}), "File not found.")
    ],
    "v1:files": [
        ForeignIdCase("delete", _file, lambda f: (f"/api/v1/files?path={f.path}", None), "Delete failed", status=400),
        ForeignIdCase("delete", _folder, lambda f: (f"/api/v1/files?path={f.path}", None), "Delete failed", status=400),
    ],
    "v1:files-rename": [
        ForeignIdCase(
            "post", _file,
            lambda f: ("/api/v1/files/rename", {"relativePath": f.folder, "oldFileName": f.name, "newFileName": "x.pdf"}),
            "Item not found.",
        )
    ],
    "v1:files-folders": [
        ForeignIdCase(
            "post", _folder, lambda f: ("/api/v1/files/folders", {"name": "x", "parentPath": f.path}),
            "Failed to create folder", status=400,
        )
    ],
    "v1:webhooks": [
        ForeignIdCase("post", _workspace, lambda w: ("/api/v1/webhooks", {"url": "https://example.com/h", "events": ["*"], "workspaceId": str(w.pk)}), "Workspace not found.")
    ],
    "v1:webhook": [
        ForeignIdCase(method, _endpoint, lambda e: (f"/api/v1/webhooks/{e.pk}", {"enabled": False}), "Webhook endpoint not found.")
        for method in ("get", "patch", "delete")
    ],
    "v1:webhook-rotate-secret": [
        ForeignIdCase("post", _endpoint, lambda e: (f"/api/v1/webhooks/{e.pk}/rotate-secret", None), "Webhook endpoint not found.")
    ],
    "v1:webhook-test": [
        ForeignIdCase("post", _endpoint, lambda e: (f"/api/v1/webhooks/{e.pk}/test", None), "Webhook endpoint not found.")
    ],
    "v1:webhook-deliveries": [
        ForeignIdCase("get", _endpoint, lambda e: (f"/api/v1/webhooks/{e.pk}/deliveries", None), "Webhook endpoint not found.")
    ],
    "v1:webhook-delivery-replay": [
        ForeignIdCase("post", _delivery, lambda d: (f"/api/v1/webhooks/{d.endpoint_id}/deliveries/{d.pk}/replay", None), "Webhook endpoint not found."),
        ForeignIdCase("post", _delivery, lambda d: (_own_endpoint_path(d), None), "Webhook delivery not found."),
    ],
}  # fmt: skip

TAKES_NO_OBJECT_ID = {
    "v1:account-login",
    "v1:account-refresh",
    "v1:account-balance",
    "v1:recipients-import",
    "v1:groups",
    "v1:files-upload",  # multipart: its foreign-folder case is in tests/files/test_traversal.py
    "v1:files-search",  # searches the caller's library only: tests/files/test_rename_search_api.py
    "v1:not-found",
    "v1:templates",  # lists the caller's own and shared templates only: tests/templates/test_template_api.py
    "v1:campaign-parameters",  # the catalogue, the same for every company
    "v1:campaign-configurations",
    "v1:campaign-available-dates",  # dispatch days: the same for every company
}


def api_v1_route_names(patterns=None, namespace: str = "") -> set[str]:
    names = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if str(entry.pattern).startswith("api/v1/") or namespace:
                names |= api_v1_route_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and namespace.startswith("v1:"):
            assert entry.name, f"every /api/v1/ route needs a name: {entry.pattern}"
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_platform_route_is_classified_for_the_sweep():
    routes = api_v1_route_names()
    assert routes, "the walk found no /api/v1/ routes"
    unclassified = routes - set(FOREIGN_ID_CASES) - TAKES_NO_OBJECT_ID
    assert not unclassified, f"add a tenant-sweep case (or classify) for: {sorted(unclassified)}"
    assert not (set(FOREIGN_ID_CASES) | TAKES_NO_OBJECT_ID) - routes, "stale names in the sweep"


SWEEP = [(route, i) for route, cases in sorted(FOREIGN_ID_CASES.items()) for i in range(len(cases))]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "index"), SWEEP, ids=[f"{r}-{FOREIGN_ID_CASES[r][i].method}" for r, i in SWEEP]
)
def test_another_companys_object_is_refused_like_a_missing_one(route, index, authed_client, other_company):
    # given: an object of another company
    case = FOREIGN_ID_CASES[route][index]
    foreign = case.make_foreign(other_company)

    # when
    path, data = case.request(foreign)
    as_json = {} if case.method in ("get", "delete") else {"format": "json"}
    response = getattr(authed_client, case.method)(path, data, **as_json)

    # then: refused, and the foreign object is still there
    assert_envelope(response, case.status, case.message.format(foreign.pk))
    foreign.refresh_from_db()
