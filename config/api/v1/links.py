"""OpenAPI links of the platform API: from each operation that creates an object to the
operations that take its id, so a reader (and a stateful client or fuzzer) can follow the id
from one answer into the next request. A drf-spectacular postprocessing hook, with the whole
table here."""

from typing import NamedTuple


class Creates(NamedTuple):
    status: str  # the answer that carries the id
    value: str  # a runtime expression: where the id is
    targets: dict[str, str]  # operationId -> the parameter that takes the id
    what: str


GROUP_PATH = "group_id"
CAMPAIGN_ID = "$response.body#/data/campaignId"

LINKS = {
    "groups_create": Creates(
        "200",
        "$response.body#/data/id",
        {
            "groups_delete": GROUP_PATH,
            "groups_remove_recipients": GROUP_PATH,
            "groups_import_errors": GROUP_PATH,
            "recipients_list": "groupId",
        },
        "the new group's id",
    ),
    "recipients_create": Creates(
        "200",
        "$response.body#/data/recipientId",
        {
            "recipients_details": "recipient_id",
            "recipients_update": "recipient_id",
            "recipients_delete": "recipient_id",
        },
        "the new recipient's id",
    ),
    "recipients_import": Creates(
        "202", "$response.body#/data/jobId", {"recipients_import_status": "job_id"}, "the import job's id"
    ),
    "files_folder_create": Creates(
        "200",
        "$response.body#/data/Path",
        {"files_folder_contents": "path", "files_delete": "path"},
        "the new folder's path",
    ),
    "files_upload": Creates(
        "200",
        "{$response.body#/data/FolderPath}/{$response.body#/data/FileName}",
        {"files_content": "path", "files_delete": "path"},
        "the uploaded file's path",
    ),
    "campaigns_create": Creates(
        "200",
        CAMPAIGN_ID,
        {
            "campaigns_details": "campaign_id",
            "campaigns_preview": "campaign_id",
            "campaigns_approve": "campaignId",
            "campaigns_voucher": "campaignId",
            "campaigns_cost": "campaignId",
            "campaigns_schedule": "campaignId",
            "campaigns_status_details": "campaignId",
            "campaigns_delete": "campaignId",
        },
        "the new campaign's id",
    ),
    "webhooks_create": Creates(
        "201",
        "$response.body#/data/id",
        {
            "webhooks_details": "endpoint_id",
            "webhooks_update": "endpoint_id",
            "webhooks_delete": "endpoint_id",
            "webhooks_rotate_secret": "endpoint_id",
            "webhooks_test": "endpoint_id",
            "webhooks_deliveries": "endpoint_id",
            "webhooks_replay": "endpoint_id",
        },
        "the new endpoint's id",
    ),
    "campaigns_voucher": Creates(
        "200",
        "$request.query.campaignId",
        {"campaigns_cost": "campaignId", "campaigns_schedule": "campaignId"},
        "the campaign the voucher now prices",
    ),
}


def _link_name(operation_id: str) -> str:
    return "".join(part.capitalize() for part in operation_id.split("_"))


def add_links(result, generator, request, public):
    operations = {
        op["operationId"]: op
        for item in result.get("paths", {}).values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    for source, creates in LINKS.items():
        response = operations.get(source, {}).get("responses", {}).get(creates.status)
        if response is None:
            continue
        links = response.setdefault("links", {})
        for target, parameter in creates.targets.items():
            if target in operations:
                links[_link_name(target)] = {
                    "operationId": target,
                    "parameters": {parameter: creates.value},
                    "description": f"`{parameter}` of {target} is {creates.what}.",
                }
    return result
