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
    path("campaigns/voucher", views.CampaignVoucherView.as_view(), name="campaign-voucher"),
    path("campaigns/cost", views.CampaignCostView.as_view(), name="campaign-cost"),
    path(
        "campaigns/availableDates",
        views.CampaignAvailableDatesView.as_view(),
        name="campaign-available-dates",
    ),
    path("campaigns/schedule", views.CampaignScheduleView.as_view(), name="campaign-schedule"),
    path("campaigns/delete", views.CampaignDeleteView.as_view(), name="campaign-delete"),
    path("campaigns/<str:campaign_id>", views.CampaignView.as_view(), name="campaign"),
    path("campaigns/<str:campaign_id>/preview", views.CampaignPreviewView.as_view(), name="campaign-preview"),
]
