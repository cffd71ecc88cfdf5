"""Whether recipients or groups are in use by an active campaign.

The recipients app cannot know about campaigns (campaigns depend on recipients, not the other
way round), so apps that use recipients register a check here from their AppConfig.ready().
Every rule that asks "is this in use?" calls these two functions, and nothing else.
"""

from collections.abc import Callable, Iterable

RecipientCheck = Callable[[object, list], bool]  # (company, recipient ids) -> any in active use?
GroupCheck = Callable[[object, object], bool]  # (company, group id) -> in active use?

_recipient_checks: list[RecipientCheck] = []
_group_checks: list[GroupCheck] = []


def register(*, recipients: RecipientCheck, groups: GroupCheck) -> None:
    _recipient_checks.append(recipients)
    _group_checks.append(groups)


def recipients_in_active_use(company, recipient_ids: Iterable) -> bool:
    ids = list(recipient_ids)
    return any(check(company, ids) for check in _recipient_checks)


def group_in_active_use(company, group_id) -> bool:
    return any(check(company, group_id) for check in _group_checks)
