"""The README's import mapping table says what the code accepts: every standard destination
(any case), the mapping types, the required fields; and nothing the code would refuse."""

import re
from pathlib import Path

import pytest

from recipients import importing
from recipients.errors import InvalidMappings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _row(mapping_type: str) -> str:
    match = re.search(rf"^\| `{mapping_type}` \|(.*)\|$", README, re.M)
    assert match, f"no README row for mappingType {mapping_type}"
    return match.group(1)


def test_the_readme_lists_exactly_the_standard_destinations_the_import_accepts():
    named = set(re.findall(r"`([^`]+)`", _row("standard")))
    assert {name.lower() for name in named} == set(importing.STANDARD_FIELDS)
    for name in named:  # each, as written, is accepted
        mappings = [{"sourceHeader": "a", "destinationField": name, "mappingType": "standard"},
                    {"sourceHeader": "b", "destinationField": "Address1", "mappingType": "standard"},
                    {"sourceHeader": "c", "destinationField": "Postcode", "mappingType": "standard"}]  # fmt: skip
        assert importing.parse_mappings(mappings)[0].destination == importing.STANDARD_FIELDS[name.lower()]


def test_the_readme_lists_exactly_the_mapping_types():
    listed = re.findall(r"^\| `(\w+)` \|", README, re.M)
    assert tuple(listed) == ("mappingType", *importing.MAPPING_TYPES)  # the header, then the rows


@pytest.mark.parametrize("required", ["Address1", "Postcode"])
def test_the_fields_the_readme_calls_required_are(required):
    assert " and ".join(f"`{label}`" for label in importing.REQUIRED.values()) + " must be mapped" in README
    mappings = [{"sourceHeader": f, "destinationField": f, "mappingType": "standard"}
                for f in importing.REQUIRED.values() if f != required]  # fmt: skip
    with pytest.raises(InvalidMappings):
        importing.parse_mappings(mappings)


@pytest.mark.parametrize(
    ("heading", "script", "integration_test"),
    [
        ("Message campaigns", "messages.sh", "test_messages_walkthrough.py"),
        ("Messages export API", "export.sh", "test_export_walkthrough.py"),
    ],
)
def test_a_walkthrough_section_lists_its_scripts_steps_in_order(heading, script, integration_test):
    steps = re.findall(
        r"^step ([\w-]+) ", (Path(__file__).resolve().parents[1] / "examples" / script).read_text(), re.M
    )
    section = README.split(f"\n## {heading}\n")[1].split("\n## ")[0]

    assert re.findall(r"^\| ([\w-]+) \|", section, re.M) == ["step", *steps]
    assert f"examples/{script}" in section and f"tests/integration/{integration_test}" in section


def test_the_idempotency_example_shows_what_the_api_answers():
    from config.api import idempotency
    from tests.api.test_idempotency import PAID

    section = README.split("\n### Retrying safely: `Idempotency-Key`\n")[1].split("\n### ")[0]

    assert f'-H "{idempotency.HEADER}: ' in section
    assert f'"{idempotency.REPLAYED_HEADER}: true"' in section
    assert f'"message":"{PAID}"' in section
    assert "/api/v1/campaigns/schedule?" in section and "use_balance=true" in section
