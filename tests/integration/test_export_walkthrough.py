"""The README's messages export walkthrough, for real: examples/export.sh against `make run` in
the embedded default (honcho: gunicorn and a Celery worker with beat, SQLite and the filesystem
broker in a throwaway var/ directory), with the API key, messages api_code and SMS campaign that
`manage.py demo --json` made. The worker writes the pages; the script fetches page 0 in all
three types and downloads the signed URL with curl."""

import re
import subprocess

from tests.integration.conftest import ROOT
from tests.integration.embedded import Honcho, run_script

SCRIPT = ROOT / "examples" / "export.sh"
STEPS = ["login", "campaigns", "publish", "pages", "fetch", "download"]


def _walk(honcho: Honcho, demo: dict, **env: str) -> subprocess.CompletedProcess:
    credentials = {
        "KEY": demo["api_key"], "CODE": demo["messages_api_code"], "CAMPAIGN": demo["messages_campaign_id"],
    }  # fmt: skip
    return run_script(SCRIPT, honcho, credentials, **env)


def test_a_wrong_api_code_fails_the_campaigns_step(served):
    honcho, demo = served

    walked = _walk(honcho, demo, CODE="mac_not-the-code")

    assert walked.returncode == 1, walked.stdout
    assert (
        "FAILED at step 'campaigns': POST /v1/campaign/all answered HTTP 403, expected 200: Unauthorized"
        in (walked.stderr)
    )
    assert "== publish" not in walked.stdout


def test_the_export_walkthrough_runs_every_step_against_make_run(served):
    # given: the demo's campaign, generated for its 50 sample recipients
    honcho, demo = served
    campaign = demo["messages_campaign_id"]

    # when
    walked = _walk(honcho, demo)

    # then: every step in order, the campaign listed Ready to Publish, one page of 50 rows
    output = walked.stdout
    assert walked.returncode == 0, f"{output}\n{walked.stderr}\n{honcho.tail()}"
    assert re.findall(r"^== ([\w-]+):", output, re.M) == STEPS, output
    assert "Every step worked" in output and "FAILED" not in walked.stderr
    assert (
        f"  {campaign} 'Demo SMS offer': sms, stopped, Ready to Publish, 50 messages  <- CAMPAIGN" in output
    )
    assert re.search(r"^Messages export queued\. job [0-9a-f-]{36}: queued$", output, re.M), output
    assert "export done: 1 page(s), 50 rows" in output
    assert re.search(r"^json: 50 rows of page 0 of 1, truncated: false; the first: \{", output, re.M), output
    assert re.search(
        r"^utf8: 51 lines of CSV, beginning:\n  customer_id,message\n  [0-9a-f-]{36},\"Hi ", output, re.M
    ), output
    assert re.search(r"^downloaded \d+ bytes, the same as the utf8 page; content-type: text/csv; charset=utf-8$",
                     output, re.M | re.I), output  # fmt: skip
