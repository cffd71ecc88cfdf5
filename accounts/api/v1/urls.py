from django.urls import path

from accounts.api.v1 import views

urlpatterns = [
    path("account/login", views.LoginView.as_view(), name="account-login"),
    path("account/refresh", views.RefreshView.as_view(), name="account-refresh"),
]
