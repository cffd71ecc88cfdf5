from django.urls import path

from recipients.api.v1 import views

urlpatterns = [
    path("recipients", views.RecipientsView.as_view(), name="recipients"),
    path("recipients/import", views.RecipientImportView.as_view(), name="recipients-import"),
    path(
        "recipients/import/<str:job_id>", views.RecipientImportJobView.as_view(), name="recipients-import-job"
    ),
    path("recipients/<str:recipient_id>", views.RecipientView.as_view(), name="recipient"),
    path("groups", views.GroupsView.as_view(), name="groups"),
    path("groups/by-name", views.GroupByNameView.as_view(), name="group-by-name"),
    path("groups/<str:group_id>", views.GroupView.as_view(), name="group"),
    path(
        "groups/<str:group_id>/recipients-remove",
        views.GroupRemoveRecipientsView.as_view(),
        name="group-remove-recipients",
    ),
    path(
        "groups/<str:group_id>/import-errors",
        views.GroupImportErrorsView.as_view(),
        name="group-import-errors",
    ),
]
