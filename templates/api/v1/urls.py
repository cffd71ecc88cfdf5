from django.urls import path

from templates.api.v1 import views

urlpatterns = [
    path("template", views.TemplatesView.as_view(), name="templates"),
]
