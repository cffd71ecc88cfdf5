"""The README's campaign API v2 walkthrough, for real: examples/campaign-v2.sh against `make run`
in the embedded default (honcho: gunicorn and a Celery worker with beat, SQLite and the
filesystem broker in a throwaway var/ directory), with the API key and message template that
`manage.py demo --json` made. The campaign fires, one message per client is generated from the
template and sent to the console backend, whose lines in the worker's log carry each message."""

import json
import re
import subprocess

from tests.integration.conftest import ROOT
from tests.integration.embedded import Honcho, run_script

SCRIPT = ROOT / "examples" / "campaign-v2.sh"
STEPS = ["create", "watch", "schedule", "delete"]


def _walk(honcho: Honcho, demo: dict, **env: str) -> subprocess.CompletedProcess:
    return run_script(SCRIPT, honcho, {"KEY": demo["api_key"], "TEMPLATE": demo["v2_template_id"]}, **env)


def test_the_campaign_v2_walkthrough_runs_every_step_against_make_run(served):
    honcho, demo = served

    walked = _walk(honcho, demo)

    output = walked.stdout
    assert walked.returncode == 0, f"{output}\n{walked.stderr}\n{honcho.tail()}"
    assert re.findall(r"^== ([\w-]+):", output, re.M) == STEPS, output
    assert "Every step worked" in output and "FAILED" not in walked.stderr
    assert re.search(r"^campaign \d+: completed; sent 2, failed 0 of 2$", output, re.M), output
    assert re.search(r"^campaign \d+: Reminders \(moved\), scheduled, sends at \S+Z$", output, re.M), output
    assert re.search(r"^campaign \d+: deleted$", output, re.M), output
    # and: the console backend logged each client's JSON message, its params in a body component
    sent = re.findall(
        r"^\S+ worker\.1\s+\| .*message sent to the console: [0-9A-F]{30} whatsapp from  to (\+4477009001\d\d): (.*)$",
        honcho.log(),
        re.M,
    )
    payloads = {address: json.loads(payload) for address, payload in sent}
    assert sorted(payloads) == ["+447700900101", "+447700900102"], honcho.tail()
    olivia = payloads["+447700900101"]
    assert olivia["to"] == "+447700900101"
    assert [p["text"] for p in olivia["template"]["components"][0]["parameters"]] == ["Olivia", "ORD-1001"]


def test_a_wrong_key_fails_the_create_step(served):
    honcho, demo = served

    walked = _walk(honcho, demo, KEY="sk_live_not-a-key")

    assert walked.returncode == 1 and "FAILED at step 'create'" in walked.stderr, walked.stdout
