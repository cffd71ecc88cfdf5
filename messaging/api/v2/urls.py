from django.urls import path

from messaging.api.v2 import views

urlpatterns = [
    path("create", views.CreateView.as_view(), name="create"),
    path("getAll", views.GetAllView.as_view(), name="get-all"),
    path("getCampMsgs", views.CampaignMessagesView.as_view(), name="campaign-messages"),
    path("resendMsg", views.ResendView.as_view(), name="resend"),
    path("update", views.UpdateView.as_view(), name="update"),
    path("delete", views.DeleteView.as_view(), name="delete"),
]
