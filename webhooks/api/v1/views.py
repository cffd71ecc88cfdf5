"""/api/v1/webhooks: a company's webhook endpoints, their secrets, test events and delivery log."""

from config.api.v1.pagination import paged, paging_params
from config.api.v1.responses import ApiResponse
from config.api.v1.views import PlatformAPIView
from webhooks import selectors, services
from webhooks.api.v1 import schema as docs
from webhooks.api.v1 import serializers as s

READ, WRITE = "Webhook.Read", "Webhook.Write"


class WebhookAPIView(PlatformAPIView):
    def get_required_right(self):
        return READ if self.request.method == "GET" else WRITE


class WebhooksView(WebhookAPIView):
    @docs.webhooks_list
    def get(self, request):
        offset, limit = paging_params(request.query_params)
        page = selectors.endpoint_page(company=self.company, offset=offset, limit=limit)
        return ApiResponse(paged(page, [s.endpoint_data(e) for e in page.items]), message="Webhook endpoints")

    @docs.webhooks_create
    def post(self, request):
        endpoint = services.endpoint_create(company=self.company, **s.create_values(request.data))
        return ApiResponse(
            s.endpoint_data(endpoint, secret=endpoint.secret), message="Webhook endpoint created", status=201
        )


class WebhookView(WebhookAPIView):
    @docs.webhooks_details
    def get(self, request, endpoint_id):
        endpoint = selectors.get_endpoint_for_company(company=self.company, endpoint_id=endpoint_id)
        return ApiResponse(s.endpoint_data(endpoint), message="Webhook endpoint details")

    @docs.webhooks_update
    def patch(self, request, endpoint_id):
        endpoint = services.endpoint_update(
            company=self.company, endpoint_id=endpoint_id, changes=s.update_changes(request.data)
        )
        return ApiResponse(s.endpoint_data(endpoint), message="Webhook endpoint updated")

    @docs.webhooks_delete
    def delete(self, request, endpoint_id):
        services.endpoint_delete(company=self.company, endpoint_id=endpoint_id)
        return ApiResponse({"id": str(endpoint_id)}, message="Webhook endpoint deleted")


class WebhookRotateSecretView(WebhookAPIView):
    @docs.webhooks_rotate_secret
    def post(self, request, endpoint_id):
        endpoint = services.endpoint_rotate_secret(company=self.company, endpoint_id=endpoint_id)
        return ApiResponse(
            s.endpoint_data(endpoint, secret=endpoint.secret), message="Webhook secret rotated"
        )


class WebhookTestView(WebhookAPIView):
    @docs.webhooks_test
    def post(self, request, endpoint_id):
        delivery = services.endpoint_send_test(company=self.company, endpoint_id=endpoint_id)
        body = {"deliveryId": str(delivery.pk), "eventId": delivery.event_id}
        return ApiResponse(body, message="Test event queued", status=202)


class WebhookDeliveriesView(WebhookAPIView):
    @docs.webhooks_deliveries
    def get(self, request, endpoint_id):
        offset, limit = paging_params(request.query_params)
        endpoint = selectors.get_endpoint_for_company(company=self.company, endpoint_id=endpoint_id)
        page = selectors.delivery_page(company=self.company, endpoint=endpoint, offset=offset, limit=limit)
        return ApiResponse(
            paged(page, [s.delivery_data(d) for d in page.items]), message="Webhook deliveries"
        )


class WebhookDeliveryReplayView(WebhookAPIView):
    @docs.webhooks_replay
    def post(self, request, endpoint_id, delivery_id):
        delivery = services.delivery_replay(
            company=self.company, endpoint_id=endpoint_id, delivery_id=delivery_id
        )
        body = {"deliveryId": str(delivery.pk), "eventId": delivery.event_id}
        return ApiResponse(body, message="Delivery queued again", status=202)
