"""Helpers for back-office tests: the messages a response left, a delete the two ways staff
make one (the object's delete page, or the list's bulk "delete selected" action), and a change
form's POST data as its page shows it."""

from django.contrib.messages import get_messages


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def delete_in_admin(admin_client, changelist: str, pks: list, *, how: str = "single"):
    """Confirmed delete of `pks` from the admin list at `changelist` (e.g. "/admin/app/model/"):
    `single` posts each object's delete page (one pk), `bulk` the list's delete action."""
    if how == "single":
        [pk] = pks
        return admin_client.post(f"{changelist}{pk}/delete/", {"post": "yes"})
    return admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": pks, "post": "yes"}
    )


def change_form_data(response) -> dict:
    """The POST data of an admin change form as the page shows it (fields and inlines)."""
    data = {}

    def put(form):
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                for i, part in enumerate(value):
                    data[f"{key}_{i}"] = "" if part is None else part
            elif value is not None:
                data[key] = value
            del field

    put(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        put(formset.management_form)
        for form in formset.forms:
            put(form)
    return data
