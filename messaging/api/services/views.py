"""/services/{serviceUuid}/campaigns: list, create or clone, fetch, update, stop/resume, delete."""

from rest_framework import serializers
from rest_framework.response import Response

from config.api.services.pagination import page_from, pagination_meta
from config.api.services.views import ServicesAPIView
from messaging import selectors, services
from messaging.api.services import schema as docs
from messaging.api.services.serializers import (
    CampaignCreateSerializer,
    CampaignListQuerySerializer,
    CampaignStatusSerializer,
    CampaignWriteSerializer,
    campaign_json,
)

OPTIONAL_FIELDS = ("tasks", "messages")
DEFAULT_SORT = [("created_dt", True)]
MAX_SORT_KEYS = 5


def _listed(query, name: str) -> list[str]:
    """A list parameter, repeated or comma-separated (`fields=tasks,messages`)."""
    return [item.strip() for raw in query.getlist(name) for item in raw.split(",") if item.strip()]


def optional_fields(query) -> set[str]:
    wanted = _listed(query, "fields")
    unknown = [name for name in wanted if name not in OPTIONAL_FIELDS]
    if unknown:
        raise serializers.ValidationError(
            {"fields": [f"Unknown field {unknown[0][:50]!r}: use tasks or messages."]}
        )
    return set(wanted)


def sort_order(query) -> list[tuple[str, bool]]:
    """`-created_dt` or `created_dt:desc` (`created_dt`, `created_dt:asc` ascending)."""
    order = []
    for item in _listed(query, "sort")[: MAX_SORT_KEYS + 1]:
        key, _, direction = item.partition(":")
        descending = key.startswith("-")
        key = key.removeprefix("-")
        if direction.lower() not in ("", "asc", "desc") or (descending and direction):
            raise serializers.ValidationError(
                {"sort": [f"Invalid sort {item[:50]!r}: use -name or name:desc."]}
            )
        order.append((key, descending or direction.lower() == "desc"))
    if len(order) > MAX_SORT_KEYS:
        raise serializers.ValidationError({"sort": [f"At most {MAX_SORT_KEYS} sort keys."]})
    return order or DEFAULT_SORT


class CampaignsView(ServicesAPIView):
    @docs.campaigns_list
    def get(self, request, serviceUuid):
        filters = CampaignListQuerySerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = optional_fields(request.query_params)
        page = page_from(request.query_params)
        found = selectors.message_campaign_page(
            company=self.company,
            workspace=self.workspace,
            order=sort_order(request.query_params),
            offset=page.offset,
            limit=page.size,
            **filters.validated_data,
        )
        data = shaped(found.campaigns, wanted)
        meta = pagination_meta(request, page, total=found.total, count=len(data))
        return Response({"data": data, "meta": meta})

    @docs.campaigns_create
    def post(self, request, serviceUuid):
        payload = CampaignCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        campaign = services.message_campaign_create(
            company=self.company,
            workspace=self.workspace,
            data=payload.campaign_fields(),
            clone_uuid=payload.validated_data.get("clone_uuid"),
            template_vars=payload.validated_data.get("template_vars"),
        )
        return Response({"data": campaign_json(self._fresh(campaign))}, status=201)

    def _fresh(self, campaign):
        return selectors.get_message_campaign(
            company=self.company, workspace=self.workspace, campaign_id=campaign.pk
        )


class CampaignView(ServicesAPIView):
    @docs.campaigns_retrieve
    def get(self, request, serviceUuid, campaignUuid):
        wanted = optional_fields(request.query_params)
        campaign = self._campaign(campaignUuid)
        return Response({"data": shaped([campaign], wanted)[0]})

    @docs.campaigns_update
    def put(self, request, serviceUuid, campaignUuid):
        self._campaign(campaignUuid)  # 404 before 400: another workspace's campaign is not there
        payload = CampaignWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.message_campaign_update(
            company=self.company,
            workspace=self.workspace,
            campaign_id=campaignUuid,
            data=payload.campaign_fields(),
        )
        return Response({"data": campaign_json(self._campaign(campaignUuid))})

    @docs.campaigns_status
    def patch(self, request, serviceUuid, campaignUuid):
        self._campaign(campaignUuid)
        payload = CampaignStatusSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.message_campaign_set_status(
            company=self.company,
            workspace=self.workspace,
            campaign_id=campaignUuid,
            status=payload.validated_data["status"],
        )
        return Response({"data": campaign_json(self._campaign(campaignUuid))})

    @docs.campaigns_destroy
    def delete(self, request, serviceUuid, campaignUuid):
        services.message_campaign_delete(
            company=self.company, workspace=self.workspace, campaign_id=campaignUuid
        )
        return Response(status=204)

    def _campaign(self, campaign_uuid):
        return selectors.get_message_campaign(
            company=self.company, workspace=self.workspace, campaign_id=campaign_uuid
        )


def shaped(campaigns, wanted: set[str]) -> list[dict]:
    ids = [campaign.pk for campaign in campaigns]
    tasks = selectors.recent_occurrences(ids) if "tasks" in wanted else {}
    counts = selectors.message_counts(ids) if "messages" in wanted else {}
    return [
        campaign_json(
            campaign,
            tasks=tasks.get(campaign.pk) if "tasks" in wanted else None,
            messages=counts.get(campaign.pk) if "messages" in wanted else None,
        )
        for campaign in campaigns
    ]
