"""Helpers for back-office tests: the messages a response left, and a delete the two ways staff
make one (the object's delete page, or the list's bulk "delete selected" action)."""

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
