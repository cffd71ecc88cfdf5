"""What a new company gets from the apps above accounts (a balance, a default group, a Home
folder ...).

accounts cannot know those apps (they depend on it, not the other way round), so each registers
its setup here from its AppConfig.ready(); `company_create` runs them all in its transaction.
"""

from collections.abc import Callable

CompanySetup = Callable[..., object]  # called as setup(company=company)

_setups: list[CompanySetup] = []


def register(setup: CompanySetup) -> None:
    if setup not in _setups:
        _setups.append(setup)


def unregister(setup: CompanySetup) -> None:
    if setup in _setups:
        _setups.remove(setup)


def provision(company) -> None:
    for setup in _setups:
        setup(company=company)
