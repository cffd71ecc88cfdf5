from django.urls import path

from billing.api.v1 import views

urlpatterns = [
    path("account/balance", views.BalanceView.as_view(), name="account-balance"),
]
