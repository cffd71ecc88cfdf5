"""OpenAPI wording and shapes of the template list, in the spec's words."""

from rest_framework import serializers

from config.api.v1.schema import OFFSET, blank_or, error, example, ok, operation, paged, query
from templates.selectors import ENVELOPE_ALIASES, FILTERS


class TemplateSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="the templateId campaign creation takes")
    pageOrientation = serializers.CharField()
    pageSize = serializers.CharField()
    windowGummedCode = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    createdDate = serializers.DateTimeField()
    updatedDate = serializers.DateTimeField(allow_null=True)
    pageCount = serializers.IntegerField(allow_null=True, help_text="beyond the spec")
    isShared = serializers.BooleanField(help_text="beyond the spec: a template every company may use")


def _filter(name: str) -> dict:
    valid = list(FILTERS[name][1])
    if name == "windowGummedCode":
        valid += [alias.upper() for alias in ENVELOPE_ALIASES]
    return query(
        name,
        {"type": "string", "enum": [*valid, ""]},
        f"Filter by {name} (any casing; blank means no filter). An invalid value returns HTTP 400 with "
        "the allowed values.",
    )


LIMIT = query(
    "limit",
    blank_or({"type": "integer", "default": 50}),
    "Maximum records to return. Default is 50 when omitted. If set to 0, a negative number, or a "
    "value greater than 200, the API uses 100. Not a whole number: 400.",
)
TEMPLATE = {
    "id": 101,
    "pageOrientation": "Portrait",
    "pageSize": "A4 Letter",
    "windowGummedCode": "C5WIN",
    "name": "Spring Offer Template",
    "createdDate": "2026-01-15T09:30:00Z",
    "updatedDate": "2026-02-01T11:45:00Z",
    "pageCount": 1,
    "isShared": False,
}

templates_list = operation(
    operation_id="templates_list",
    tag="templates",
    summary="List templates",
    description=(
        "Returns a paginated list of templates available to the authenticated account. Use this "
        "endpoint when building template pickers, filtering template options by format, or loading "
        "template lists page by page, and to retrieve a valid `templateId` for campaign creation. "
        "Right: Template.Read."
    ),
    parameters=[OFFSET, LIMIT, _filter("pageOrientation"), _filter("pageSize"), _filter("windowGummedCode")],
    responses={
        200: ok(
            "TemplateListEnvelope",
            paged("TemplateListData", TemplateSerializer, key="items"),
            example(
                "Templates",
                "Templates fetched successfully.",
                {
                    "total": 1,
                    "offset": 0,
                    "limit": 50,
                    "hasMore": False,
                    "nextOffset": None,
                    "items": [TEMPLATE],
                },
            ),
            description="Template list returned successfully.",
        ),
        400: error(
            "One or more filter values are invalid (`data` names the invalid value and the allowed "
            "ones), or offset is not a whole number of 0 or more.",
            ("One or more filter values are invalid.", None),
            ("offset must be 0 or more.", ["Validation failed"]),
        ),
    },
)
