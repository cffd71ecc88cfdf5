from django.urls import path

from messaging.api.services import views

urlpatterns = [
    path("<str:service_uuid>/campaigns", views.CampaignsView.as_view(), name="campaigns"),
    path("<str:service_uuid>/campaigns/<str:campaign_uuid>", views.CampaignView.as_view(), name="campaign"),
]
