from django.urls import path

from files.api.v1 import views

urlpatterns = [
    path("files", views.EntryDeleteView.as_view(), name="files"),
    path("files/folders", views.FolderCreateView.as_view(), name="files-folders"),
    path("files/folders/contents", views.FolderContentsView.as_view(), name="files-folder-contents"),
    path("files/upload", views.FileUploadView.as_view(), name="files-upload"),
    path("files/content", views.FileContentView.as_view(), name="files-content"),
    path("files/search", views.FileSearchView.as_view(), name="files-search"),
    path("files/rename", views.EntryRenameView.as_view(), name="files-rename"),
]
