"""Every domain error code has a wording on /api/v1/ (config/errors_text.py), every wording a code,
and domain code raises codes, never sentences."""

import ast
import importlib
import inspect
from enum import StrEnum
from pathlib import Path

import pytest

from config import errors as domain
from config import errors_text
from config.api.v1.errors import v1_wording

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "recipients", "files", "templates", "billing", "campaigns", "messaging", "webhooks")
ERROR_MODULES = ("config.errors", *(f"{app}.errors" for app in APPS))
# Where the domain raises: services, selectors and tasks (modules or packages), and the app's
# other modules below its interfaces.
INTERFACES = ("api", "admin", "management", "migrations", "tests")


def _error_modules():
    for name in ERROR_MODULES:
        try:
            yield importlib.import_module(name)
        except ModuleNotFoundError:
            continue  # an app without errors of its own


def error_code_enums() -> list[type[StrEnum]]:
    return [
        value
        for module in _error_modules()
        for value in vars(module).values()
        if inspect.isclass(value)
        and issubclass(value, StrEnum)
        and value.__name__.endswith("ErrorCode")
        and value.__module__ == module.__name__
    ]


def all_codes() -> dict[str, str]:
    """code -> the enum that defines it."""
    codes = {}
    for enum in error_code_enums():
        for member in enum:
            assert member.value not in codes, (
                f"{member.value!r} is defined by {codes[member.value]} and {enum}"
            )
            codes[member.value] = enum.__name__
    return codes


# Enums of the message half, which /api/v1/ never serves: the services surface words the first,
# campaign API v2 the second, the messages export API (/v1/) the third.
SERVICES_ENUMS = {"MessagingErrorCode"}
V2_ENUMS = {"ClientCampaignErrorCode"}
EXPORT_ENUMS = {"ExportErrorCode"}
MESSAGE_ENUMS = SERVICES_ENUMS | V2_ENUMS | EXPORT_ENUMS


def test_every_domain_code_has_a_v1_wording():
    unworded = sorted(
        code
        for code, enum in all_codes().items()
        if enum not in MESSAGE_ENUMS and code not in errors_text.WORDING
    )
    assert not unworded, f"codes without a v1 wording in config/errors_text.py: {unworded}"


def test_every_messaging_code_has_a_services_wording():
    from config.api.services.errors import ITEM_TEXT

    codes = all_codes()
    unworded = sorted(
        code for code, enum in codes.items() if enum in SERVICES_ENUMS and code not in ITEM_TEXT
    )
    assert not unworded, f"codes without a services wording in config/api/services/errors.py: {unworded}"
    stale = sorted(set(ITEM_TEXT) - set(codes))
    assert not stale, f"services wordings for codes no enum defines: {stale}"


def test_every_client_campaign_code_has_a_v2_wording():
    from config.api.v2.errors import TEXT

    codes = all_codes()
    # field_invalid is worded by its field: `invalid request: <field>`.
    unworded = sorted(
        code
        for code, enum in codes.items()
        if enum in V2_ENUMS and code not in TEXT and code != "field_invalid"
    )
    assert not unworded, f"codes without a v2 wording in config/api/v2/errors.py: {unworded}"
    stale = sorted(set(TEXT) - set(codes))
    assert not stale, f"v2 wordings for codes no enum defines: {stale}"


def test_every_export_code_has_an_export_wording():
    from config.api.export.errors import TEXT

    codes = all_codes()
    unworded = sorted(code for code, enum in codes.items() if enum in EXPORT_ENUMS and code not in TEXT)
    assert not unworded, f"codes without an export wording in config/api/export/errors.py: {unworded}"
    stale = sorted(set(TEXT) - set(codes))
    assert not stale, f"export wordings for codes no enum defines: {stale}"


def test_every_v1_wording_has_a_code():
    codes = all_codes()
    stale = sorted(code for code in errors_text.WORDING if code not in codes or codes[code] in MESSAGE_ENUMS)
    assert not stale, f"wordings in config/errors_text.py for codes no enum defines: {stale}"


def test_codes_are_lower_snake_case_and_unique_across_apps():
    for code in all_codes():
        assert code == code.lower() and code.replace("_", "").isalnum(), code
    assert sum(1 for sections in errors_text.SECTIONS for _ in sections) == len(errors_text.WORDING)


def test_every_specific_error_class_has_a_code():
    for module in _error_modules():
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, domain.DomainError)
                and value.__module__ == module.__name__
            ):
                if value.__module__ == "config.errors" or value.__dict__.get("code") is None:
                    continue  # a kind (or a family such as InvalidPdf): the raiser names the code
                assert value.code in all_codes(), value


def test_a_kind_needs_a_code():
    with pytest.raises(TypeError):
        domain.RuleViolation()


def test_an_unknown_code_answers_the_kind_and_warns(caplog):
    status, message, errors = v1_wording(domain.Conflict("no_such_code"))
    assert (status, message, errors) == (409, "The request could not be completed.", None)
    assert "no_such_code" in caplog.text


def _domain_modules() -> list[Path]:
    files = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT / app).parts
            if parts[0].removesuffix(".py") in INTERFACES:
                continue
            files.append(path)
    return files


def _domain_error_names() -> set[str]:
    return {
        name
        for module in _error_modules()
        for name, value in vars(module).items()
        if inspect.isclass(value) and issubclass(value, domain.DomainError)
    }


def test_domain_code_passes_no_sentence_to_a_domain_error():
    """A DomainError (sub)class called with a string literal as its code, or with `message=`,
    is a sentence where a code belongs."""
    names = _domain_error_names()
    offences = []
    for path in _domain_modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            callee = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if callee not in names:
                continue
            literal = any(isinstance(arg, ast.Constant | ast.JoinedStr) for arg in node.args[:1])
            if literal or any(keyword.arg == "message" for keyword in node.keywords):
                offences.append(f"{path.relative_to(ROOT)}:{node.lineno} {callee}")
    assert not offences, f"pass a code (and params), not a sentence: {offences}"
