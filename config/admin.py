"""The back office's shared plumbing: writes go through the app's services, a refusal is shown
with its reason (the service's coded error in the admin's words, config.errors_text.staff_text),
and what is never deleted is not offered, with the reason on the object's page.

Every app's admin that writes uses `ServiceAdmin`:
- the single delete and the bulk "delete selected" action both call its `delete_through_service`,
  one object at a time in its own transaction; a refused object stays, with an error message;
- a `save_model` that calls a service inside `with self.refusals():` turns the service's refusal
  into an error on the form: the whole save is rolled back and the form shown again with the
  staff's input and the reason, never "changed successfully"."""

import uuid
from contextlib import contextmanager

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import model_ngettext, quote, unquote
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html

from config.errors import DomainError
from config.errors_text import staff_text


def refusal_text(refusal: DomainError | str | None) -> str | None:
    """A refusal in staff words: a domain error through the v1 table, a sentence as it is."""
    if refusal is None or isinstance(refusal, str):
        return refusal
    return staff_text(refusal)


def shortened(text: str, limit: int):
    """`text` cut to `limit` characters for a list column, the whole of it on hover."""
    if len(text) <= limit:
        return text
    return format_html('<span title="{}">{}…</span>', text, text[: limit - 1])


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])


class ReadOnly:
    """For a model admin or inline of rows the platform computes: shown, never added, changed or
    deleted in the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AtLeast(int):
    """A count that stopped at its cap: it reads "10000+"."""

    def __str__(self) -> str:
        return f"{int(self)}+"


class CappedCountPaginator(Paginator):
    """For admin lists of tables of millions of rows: counts at most `cap` rows (the list's own
    COUNT would read every row matching its filters, on every page). Past the cap the total
    reads "10000+" and the later pages are not offered: staff filter or search instead."""

    cap = 10_000

    @cached_property
    def count(self) -> int:
        counted = self.object_list[: self.cap + 1].count()
        return AtLeast(self.cap) if counted > self.cap else counted


class KeySearch:
    """An admin whose search box takes an object's whole key too: a term that `search_key` reads
    as one (a UUID unless the admin says otherwise) finds that object by its primary key, through
    its index; anything else searches `search_fields` as usual."""

    def search_key(self, term: str):
        try:
            return uuid.UUID(term)
        except ValueError:
            return None

    def get_search_results(self, request, queryset, search_term):
        key = self.search_key(search_term.strip())
        if key is None:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(pk=key), False


class _Refused(Exception):
    """A service refused a write the admin was making: the reason in staff words."""

    def __init__(self, text: str, obj=None):
        super().__init__(text)
        self.text = text
        self.obj = obj

    def __str__(self) -> str:
        return f"{self.obj}: {self.text}" if self.obj is not None else self.text


class ServiceAdmin(admin.ModelAdmin):
    """A ModelAdmin whose writes go through the app's services. Subclasses define
    `delete_through_service` (raise the service's DomainError to refuse) and, for objects that
    are never deleted, `never_deletable` (the reason, or None); a `save_model` calls its service
    inside `with self.refusals():`."""

    # The reason no object of this admin is ever deleted here (None: deletes go to the service).
    never_deleted_because: str | None = None

    def delete_through_service(self, request, obj) -> None:
        raise NotImplementedError(f"{type(self).__name__} deletes through which service?")

    def never_deletable(self, obj) -> DomainError | str | None:
        """Why `obj` can never be deleted (a domain error from the rule's own function, or a
        sentence), or None. The admin then offers no delete and says why on the change page."""
        return self.never_deleted_because

    def has_delete_permission(self, request, obj=None):
        if self.never_deleted_because is not None:
            return False
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self.never_deletable(obj) is None)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET" and admin.ModelAdmin.has_delete_permission(self, request):
            obj = self.get_object(request, unquote(object_id))
            why = refusal_text(self.never_deletable(obj)) if obj is not None else None
            if why:
                self.message_user(
                    request, f"This {self.opts.verbose_name} cannot be deleted: {why}", messages.INFO
                )
        return super().change_view(request, object_id, form_url, extra_context)

    @contextmanager
    def refusals(self, obj=None):
        """A service's refusal (a DomainError) inside becomes the admin's: the view's transaction
        is rolled back and the reason shown (on the form for a save, as a message for a delete)."""
        try:
            yield
        except DomainError as exc:
            raise _Refused(staff_text(exc), obj) from exc

    # -- saves: a refusal shows the form again with the reason -------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as refused:  # the view's transaction is rolled back: nothing was saved
            request.admin_refusal = refused.text
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "admin_refusal", None)
        if refusal is None:
            return form

        class RefusedForm(form):
            def clean(self):
                super().clean()
                raise forms.ValidationError(refusal)

        return RefusedForm

    # -- the single delete: the service decides; a refusal rolls the whole view back ----------------

    def delete_model(self, request, obj):
        with self.refusals(obj):
            self.delete_through_service(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except _Refused as refused:
            self.message_user(request, str(refused), messages.ERROR)
            obj = self.get_object(request, unquote(object_id))
            return redirect(change_url(obj) if obj is not None else self._changelist_url())

    def _changelist_url(self) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")

    def get_deleted_objects(self, objs, request):
        """The objects themselves: what goes with them is the delete service's business (it may
        be millions of rows), and whether they may go is its decision, told after the confirmation."""
        objs = list(objs)
        names = [f"{self.opts.verbose_name.capitalize()}: {obj}" for obj in objs]
        return names, {self.opts.verbose_name_plural: len(objs)}, set(), []

    # -- the bulk delete: each object through the service, each refusal told -----------------------

    def delete_queryset(self, request, queryset):
        deleted = 0
        for obj in queryset:
            try:
                with transaction.atomic():
                    self.log_deletions(request, [obj])
                    self.delete_model(request, obj)
            except _Refused as refused:
                self.message_user(request, str(refused), messages.ERROR)
            else:
                deleted += 1
        return deleted

    @admin.action(permissions=["delete"], description="Delete selected %(verbose_name_plural)s")
    def delete_selected_through_service(self, request, queryset):
        if not request.POST.get("post"):
            return delete_selected(self, request, queryset)  # the confirmation page
        deleted = self.delete_queryset(request, queryset)
        if deleted:
            self.message_user(
                request, f"Deleted {deleted} {model_ngettext(self.opts, deleted)}.", messages.SUCCESS
            )
        return None

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _func, name, description = actions["delete_selected"]
            actions[name] = (type(self).delete_selected_through_service, name, description)
        return actions
