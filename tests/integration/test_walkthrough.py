"""The README's walkthrough, for real: examples/walkthrough.sh against `make run` in the embedded
default (honcho: gunicorn and a Celery worker with beat, SQLite and the filesystem broker in a
throwaway var/ directory, whatever DATABASE_URL/REDIS_URL the test run has), with a key that
`manage.py demo --json` made. It must end 0 after every step, and name the step that fails."""

import re
import subprocess
import time

import pytest

from tests.integration.conftest import ROOT
from tests.integration.embedded import Honcho, run_script, served_with_demo

SCRIPT = ROOT / "examples" / "walkthrough.sh"
STEPS = [
    "login", "balance", "recipient", "import", "import-status", "library", "templates", "campaign",
    "preview", "approve", "cost", "voucher", "available-dates", "schedule", "status",
]  # fmt: skip


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`make run` on a fresh var/ directory, shared by this module's tests; its demo's JSON. Not the
    message walkthroughs' one: this walkthrough adds recipients to the demo's default group, which
    the messages walkthrough counts."""
    with served_with_demo(tmp_path_factory.mktemp("walkthrough")) as running:
        yield running


def _walk(honcho: Honcho, key: str, **env: str) -> subprocess.CompletedProcess:
    return run_script(SCRIPT, honcho, {"KEY": key, "POLL_SECONDS": "40"}, **env)


def test_the_walkthrough_runs_every_step_against_make_run(served):
    # given
    honcho, demo = served

    # when
    started = time.monotonic()
    walked = _walk(honcho, demo["api_key"])
    took = time.monotonic() - started

    # then: every step in order, and the end
    output = walked.stdout
    assert walked.returncode == 0, f"{output}\n{walked.stderr}\n{honcho.tail()}"
    assert re.findall(r"^== ([\w-]+):", output, re.M) == STEPS, output
    assert "Every step worked." in output and "FAILED" not in walked.stderr
    # the import: the worker ran it, one row left out, the unmapped column warned of
    assert re.search(r"^  ready: 5 rows read, 4 imported, 1 left out, 100%$", output, re.M), output
    assert 'warning: Column 7 ("Phone") was not imported: no mapping names it.' in output
    assert re.search(r"^    row 5,The Postcode field is required\.$", output, re.M), output
    # the voucher took 20% off, the campaign was paid and scheduled, and what follows is said
    assert re.search(r"^  4 letters x \S+ = (\S+), discount \S+, VAT", output, re.M), output
    assert "Campaign scheduled successfully!" in output and "  Scheduled" in output
    campaign = re.search(r"^campaign (\S+) created", output, re.M).group(1)
    assert f"/admin/campaigns/campaign/{campaign}/change/" in output
    assert f"campaigns/{campaign}/print/<attempt>/" in output
    print(f"walkthrough took {took:.1f}s")


def test_the_walkthrough_names_the_step_that_failed(served):
    # given: a key the platform does not know
    honcho, _ = served

    # when
    walked = _walk(honcho, "sk_live_not_a_key")

    # then
    assert walked.returncode == 1, walked.stdout
    assert (
        "FAILED at step 'login': POST /api/v1/account/login answered HTTP 401, expected 200" in walked.stderr
    )
    assert '"success":false' in walked.stderr.replace(" ", "")  # the response is shown
    assert "== balance" not in walked.stdout


def test_a_refusal_with_data_null_fails_its_step(served):
    # given: a voucher code nobody issued (the API answers 200, a message and data null)
    honcho, demo = served

    # when
    walked = _walk(honcho, demo["api_key"], VOUCHER="NO-SUCH-CODE")

    # then: everything before the voucher worked, the voucher step failed and nothing after ran
    assert walked.returncode == 1, walked.stdout
    assert "FAILED at step 'voucher': POST /api/v1/campaigns/voucher" in walked.stderr, walked.stderr
    assert "== cost:" in walked.stdout and "== schedule" not in walked.stdout
