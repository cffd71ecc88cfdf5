from django.urls import path

from messaging.api.export import views

urlpatterns = [
    path("campaign/all", views.CampaignAllView.as_view(), name="campaign-all"),
    path("messages/publish", views.PublishView.as_view(), name="messages-publish"),
    path("messages/pages", views.PagesView.as_view(), name="messages-pages"),
    path("messages/fetch", views.FetchView.as_view(), name="messages-fetch"),
    path("messages/download/<str:token>", views.DownloadView.as_view(), name="messages-download"),
]
