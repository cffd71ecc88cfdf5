"""/v2/campaign/: create, list, messages, resend, update and delete client campaigns."""

import gc
from contextlib import contextmanager

from rest_framework.response import Response

from config.api.v2.views import V2APIView
from messaging import selectors
from messaging.api.v2 import requests
from messaging.api.v2 import schema as docs
from messaging.api.v2.responses import campaign_response, message_item
from messaging.services import clients as client_campaigns

# The largest create: 100,000 clients with their params.
MAX_CREATE_BYTES = 64 * 1024 * 1024


class CreateView(V2APIView):
    max_body_bytes = MAX_CREATE_BYTES

    @docs.campaign_create
    def post(self, request):
        with cyclic_collector_paused():
            data = requests.create_fields(request.data)
            created = client_campaigns.client_campaign_create(
                company=self.company, user=request.user, data=data
            )
            return written_response(created, company=self.company)


@contextmanager
def cyclic_collector_paused():
    """A create of 100,000 clients makes about five objects per client (parsed, read, written,
    answered), all alive until the answer: the cyclic garbage collector's passes over them, set
    off by their number alone, can free none of them. Reference counting still frees the rest."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def written_response(written, *, company) -> Response:
    """A campaign as a write left it, read again (its firing may have begun since)."""
    client_campaign = selectors.get_client_campaign(company=company, number=written.client_campaign.pk)
    return Response(
        campaign_response(
            client_campaign,
            selectors.client_campaign_with_state(client_campaign),
            company=company,
            clients=written.clients,
        )
    )


class GetAllView(V2APIView):
    @docs.campaign_get_all
    def get(self, request):
        limit = requests.result_size_of(request.query_params)
        rows, total = selectors.client_campaign_page(company=self.company, limit=limit)
        return Response(
            {
                "Campaigns": [campaign_response(row, state, company=self.company) for row, state in rows],
                "Total": total,
            }
        )


class CampaignMessagesView(V2APIView):
    @docs.campaign_messages
    def get(self, request):
        query = request.query_params
        number = requests.campaign_id_of(query.get("campaignID"), "campaignID")
        limit = requests.result_size_of(query)
        client_campaign, messages, total = selectors.client_campaign_messages(
            company=self.company, number=number, limit=limit
        )
        return Response(
            {
                "CampaignID": client_campaign.pk,
                "Messages": [message_item(m) for m in messages],
                "Total": total,
            }
        )


class ResendView(V2APIView):
    @docs.campaign_resend
    def post(self, request):
        message = client_campaigns.message_resend(
            company=self.company, message_key=requests.message_key_of(request.data)
        )
        return Response({"MessageKey": message.message_key, "Status": message.status})


class UpdateView(V2APIView):
    @docs.campaign_update
    def put(self, request):
        data = requests.body_of(request.data)
        number = requests.body_id(data)
        updated = client_campaigns.client_campaign_update(
            company=self.company,
            campaign_number=number,
            name=requests.text(data, "name"),
            send_at=requests.send_at_of(data),
        )
        return written_response(updated, company=self.company)


class DeleteView(V2APIView):
    @docs.campaign_delete
    def delete(self, request):
        raw = request.query_params.get("id")
        number = requests.campaign_id_of(raw, "id") if raw is not None else requests.body_id(request.data)
        deleted = client_campaigns.client_campaign_delete(company=self.company, campaign_number=number)
        return Response(
            campaign_response(
                deleted.client_campaign, deleted.state, company=self.company, clients=deleted.clients
            )
        )
