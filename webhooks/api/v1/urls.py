from django.urls import path

from webhooks.api.v1 import views

urlpatterns = [
    path("webhooks", views.WebhooksView.as_view(), name="webhooks"),
    path("webhooks/<str:endpoint_id>", views.WebhookView.as_view(), name="webhook"),
    path(
        "webhooks/<str:endpoint_id>/rotate-secret",
        views.WebhookRotateSecretView.as_view(),
        name="webhook-rotate-secret",
    ),
    path("webhooks/<str:endpoint_id>/test", views.WebhookTestView.as_view(), name="webhook-test"),
    path(
        "webhooks/<str:endpoint_id>/deliveries",
        views.WebhookDeliveriesView.as_view(),
        name="webhook-deliveries",
    ),
    path(
        "webhooks/<str:endpoint_id>/deliveries/<str:delivery_id>/replay",
        views.WebhookDeliveryReplayView.as_view(),
        name="webhook-delivery-replay",
    ),
]
