from django.urls import path

from messaging.api.services import views

# The path parameters carry the spec's names, which the OpenAPI schema shows.
urlpatterns = [
    path("<str:serviceUuid>/campaigns", views.CampaignsView.as_view(), name="campaigns"),
    path("<str:serviceUuid>/campaigns/<str:campaignUuid>", views.CampaignView.as_view(), name="campaign"),
]
