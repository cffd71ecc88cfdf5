from django.urls import path

from campaigns.api.v1 import views

urlpatterns = [
    path("campaigns", views.CampaignsView.as_view(), name="campaigns"),
    path("campaigns/parameters", views.CampaignParametersView.as_view(), name="campaign-parameters"),
    path(
        "campaigns/configurations", views.CampaignConfigurationsView.as_view(), name="campaign-configurations"
    ),
    path("campaigns/approve", views.CampaignApproveView.as_view(), name="campaign-approve"),
    path(
        "campaigns/statusDetails", views.CampaignStatusDetailsView.as_view(), name="campaign-status-details"
    ),
    path("campaigns/delete", views.CampaignDeleteView.as_view(), name="campaign-delete"),
    path("campaigns/<str:campaign_id>", views.CampaignView.as_view(), name="campaign"),
    path("campaigns/<str:campaign_id>/preview", views.CampaignPreviewView.as_view(), name="campaign-preview"),
]
