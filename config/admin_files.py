"""Stored files for staff: the admin's one door to the bytes in storage.

Nothing in storage is public: MEDIA_URL is never served. Staff open a stored file (a template's
PDF or thumbnail, a campaign's preview, a print file, ...) through an admin view, behind the
admin's login (`admin_site.admin_view`: active staff only) and the model admin's view permission.
The view never takes a path from the URL: it looks the object up by model, primary key and field
(one that the model's admin lists in `stored_file_fields`) and serves the storage key that field
holds. On local disk the bytes stream from the process (FileResponse); on S3 the browser is sent
to a presigned URL that lives ADMIN_FILE_URL_SECONDS, so a large file never passes through a web
worker. `stored_file_url(obj, field)` builds the link; `stored_file_response(key, ...)` serves
a key that an admin view has found some other way (a print run's files).
"""

import mimetypes
import posixpath

from django.apps import apps
from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.exceptions import NotRegistered
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation, ValidationError
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.text import get_valid_filename
from storages.backends.s3 import S3Storage

URL_NAME = "stored_file"
# Types a browser may show in the admin's tab; any other type is a download, so a stored HTML or
# SVG file never runs in the admin's origin.
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"})


def stored_file_url(obj, field: str) -> str:
    """The admin's link to the file that `obj.<field>` holds (a FileField or a storage key)."""
    opts = obj._meta
    return reverse(
        f"admin:{URL_NAME}",
        kwargs={"app_label": opts.app_label, "model_name": opts.model_name, "pk": obj.pk, "field": field},
    )


def safe_file_name(name: str, default: str = "file") -> str:
    """A file name for Content-Disposition: the last part of `name`, with only letters, digits,
    dashes, underscores and dots left."""
    try:
        cleaned = get_valid_filename(posixpath.basename(name.replace("\\", "/")))
    except SuspiciousFileOperation:  # nothing usable left ("..", "")
        cleaned = ""
    return cleaned.lstrip(".") or default


def stored_file_response(key: str, *, filename: str, as_attachment: bool | None = None) -> HttpResponse:
    """The file at `key` in the default storage for a staff member's browser: streamed from local
    disk, or a redirect to a short-lived presigned URL on S3. Inline when a browser can show its
    type safely (PDF, images), else a download; `as_attachment` decides otherwise."""
    filename = safe_file_name(filename)
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if as_attachment is None:
        as_attachment = content_type not in INLINE_TYPES
    storage = default_storage
    if isinstance(storage, S3Storage):
        url = storage.url(
            key,
            parameters={
                "ResponseContentType": content_type,
                "ResponseContentDisposition": content_disposition_header(as_attachment, filename),
            },
            expire=settings.ADMIN_FILE_URL_SECONDS,
        )
        return HttpResponseRedirect(url)
    try:
        handle = storage.open(key, "rb")
    except (OSError, SuspiciousFileOperation) as exc:
        raise Http404("The file is not in storage.") from exc
    return FileResponse(handle, content_type=content_type, as_attachment=as_attachment, filename=filename)


def stored_file_view(request, app_label: str, model_name: str, pk: str, field: str, *, site: AdminSite):
    try:
        model = apps.get_model(app_label, model_name)
        model_admin = site.get_model_admin(model)
    except (LookupError, NotRegistered) as exc:
        raise Http404("No such model.") from exc
    if field not in getattr(model_admin, "stored_file_fields", ()):
        raise Http404("No such file field.")
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    try:
        obj = model_admin.get_queryset(request).filter(pk=model._meta.pk.to_python(pk)).first()
    except (ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such object.") from exc
    if obj is None or not model_admin.has_view_or_change_permission(request, obj):
        raise Http404("No such object.")
    value = getattr(obj, field)
    key = value.name if isinstance(value, FieldFile) else value
    if not key:
        raise Http404("No file.")
    filename = f"{model_name}-{obj.pk}-{safe_file_name(key)}"
    return stored_file_response(key, filename=filename)


def site_urls(site: AdminSite):
    """The admin site's URLs (what `site.urls` gives) with the stored-file view among them, so it
    is reversed as `admin:stored_file` and reached only through `site.admin_view`."""

    def view(request, **kwargs):
        return stored_file_view(request, site=site, **kwargs)

    stored = path(
        "stored-files/<slug:app_label>/<slug:model_name>/<str:pk>/<slug:field>/",
        site.admin_view(view),
        name=URL_NAME,
    )
    return [stored, *site.get_urls()], "admin", site.name
