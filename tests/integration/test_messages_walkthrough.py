"""The README's message campaign walkthrough, for real: examples/messages.sh against `make run` in
the embedded default (honcho: gunicorn and a Celery worker with beat, SQLite and the filesystem
broker in a throwaway var/ directory), with the OAuth client, workspace and group that
`manage.py demo --json` made. The campaign fires, its messages are generated and sent to the
console backend, whose lines in the worker's log carry each message."""

import re
import subprocess

from tests.integration.conftest import ROOT
from tests.integration.embedded import Honcho, run_script

SCRIPT = ROOT / "examples" / "messages.sh"
STEPS = ["token", "campaign", "watch"]


def _walk(honcho: Honcho, demo: dict, **env: str) -> subprocess.CompletedProcess:
    credentials = {
        "CLIENT_ID": demo["oauth_client_id"], "CLIENT_SECRET": demo["oauth_client_secret"],
        "SERVICE": demo["service_uuid"], "GROUP": demo["default_group_id"],
    }  # fmt: skip
    return run_script(SCRIPT, honcho, credentials, **env)


def test_the_messages_walkthrough_runs_every_step_against_make_run(served):
    # given
    honcho, demo = served

    # when
    walked = _walk(honcho, demo)

    # then: every step in order, all 50 demo recipients sent to, and where they went is said
    output = walked.stdout
    assert walked.returncode == 0, f"{output}\n{walked.stderr}\n{honcho.tail()}"
    assert re.findall(r"^== ([\w-]+):", output, re.M) == STEPS, output
    assert "Every step worked" in output and "FAILED" not in walked.stderr
    assert re.search(
        r"^  campaign finished; firing generated: 50 targeted, 50 generated; messages: 0 queued, 50 sent,"
        r" 0 delivered, 0 failed$",
        output,
        re.M,
    ), output
    campaign = re.search(r"^campaign (\S+): active", output, re.M).group(1)
    assert f"/admin/messaging/message/?campaign_id={campaign}" in output
    # and: the console backend logged each message, its text in the worker's log
    sent = re.findall(
        r"^\S+ worker\.1\s+\| .*message sent to the console: [0-9A-F]{30} sms from Postroom to (\+44\d+): "
        r"Hello (\w+), our spring sale starts today\.$",
        honcho.log(),
        re.M,
    )
    assert len(sent) == 50 and len({address for address, _ in sent}) == 50, honcho.tail()


def test_a_wrong_secret_fails_the_token_step(served):
    honcho, demo = served

    walked = _walk(honcho, demo, CLIENT_SECRET="not-the-secret")

    assert walked.returncode == 1, walked.stdout
    assert "FAILED at step 'token': POST /oauth/token/ answered HTTP 401, expected 200" in walked.stderr
    assert "invalid_client" in walked.stderr
    assert "== campaign" not in walked.stdout


def test_an_unknown_group_fails_the_campaign_step_with_the_reason(served):
    honcho, demo = served

    walked = _walk(honcho, demo, GROUP="00000000-0000-0000-0000-000000000000")

    assert walked.returncode == 1, walked.stdout
    assert "FAILED at step 'campaign'" in walked.stderr and "answered HTTP 400, expected 201" in walked.stderr
    assert "recipient_lists" in walked.stderr
