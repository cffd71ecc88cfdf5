"""`make run` in the embedded default, for real: honcho starts the Procfile (gunicorn, and a
Celery worker with beat) on SQLite and the embedded filesystem broker in a throwaway var/
directory, with DATABASE_URL and REDIS_URL removed from the environment (CI sets them for the
rest of the suite). An import sent to the web process is run by the worker process, beat's
schedule fires there, and honcho stops every process when one exits or on Ctrl-C."""

import base64
import os
import re
import shutil
import signal
from pathlib import Path

import pytest

from tests.integration.conftest import wait_until
from tests.integration.embedded import Honcho, free_port, migrate_with_demo

MAPPINGS = [
    {"sourceHeader": "Name", "destinationField": "FirstName", "mappingType": "standard"},
    {"sourceHeader": "Street", "destinationField": "Address1", "mappingType": "standard"},
    {"sourceHeader": "Post Code", "destinationField": "Postcode", "mappingType": "standard"},
]
ROWS = 2000  # every 100th without a postcode


@pytest.fixture(scope="module")
def migrated_var(tmp_path_factory) -> tuple[Path, dict]:
    """A var/ directory as `make demo` leaves it (migrated SQLite, a demo company), made once."""
    var_dir = tmp_path_factory.mktemp("embedded") / "var"
    return var_dir, migrate_with_demo(var_dir)


def _gone(pid: int) -> bool:
    """The process group honcho started for one Procfile entry has no process left."""
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def make_run(migrated_var, tmp_path):
    """Starts honcho on a copy of the migrated var/ directory and a free port; stops it after."""
    started: list[Honcho] = []

    def start(**extra_env: str) -> Honcho:
        var_dir = tmp_path / f"var-{len(started)}"
        shutil.copytree(migrated_var[0], var_dir)
        honcho = Honcho(var_dir, tmp_path / f"honcho-{len(started)}.log", free_port(), **extra_env)
        started.append(honcho)
        honcho.wait_ready()
        return honcho

    start.demo = migrated_var[1]
    yield start
    for honcho in started:
        honcho.stop()


def _csv() -> bytes:
    lines = ["Name,Street,Post Code"]
    lines += [f"Person {i},{i} Road,{'' if i % 100 == 0 else f'AB{i % 90 + 10} 1CD'}" for i in range(ROWS)]
    return ("\n".join(lines) + "\n").encode()


def test_make_run_imports_in_its_worker_and_runs_the_schedule(make_run):
    # given: the embedded default as `make run` serves it; beat's import sweep every second
    honcho = make_run(IMPORT_SWEEP_SECONDS="1")
    status, login = honcho.request("POST", "/api/v1/account/login", {"ApiKey": make_run.demo["api_key"]})
    assert status == 200, login
    token = login["data"]["token"]

    # when: a file is imported through the API
    body = {"groupName": "Embedded", "fileName": "people.csv", "fileData": base64.b64encode(_csv()).decode(), "mappings": MAPPINGS}  # fmt: skip
    status, accepted = honcho.request("POST", "/api/v1/recipients/import", body, token)
    assert status == 202, accepted

    # then: the worker process runs it, and the group ends ready with exact counts
    def group() -> dict:
        return honcho.request("GET", "/api/v1/groups/by-name?name=Embedded", token=token)[1]["data"]

    wait_until(lambda: group()["status"] != "importing", timeout=90, describe=honcho.tail)
    data = group()
    assert (data["status"], data["recipientCount"], data["failedRecords"], data["totalRecords"]) == (
        "ready", ROWS - ROWS // 100, ROWS // 100, ROWS,
    )  # fmt: skip
    log = honcho.log()
    ran = re.findall(r"^\S+ (\w+)\.1\s+\| .*recipients\.tasks\.run_import\[[^\]]+\] succeeded", log, re.M)
    assert ran == ["worker"], honcho.tail()

    # and: beat fires the periodic schedule in the same worker
    swept = re.compile(
        r"^\S+ worker\.1\s+\| .*recipients\.tasks\.resume_stale_imports\[[^\]]+\] succeeded", re.M
    )
    wait_until(lambda: len(swept.findall(honcho.log())) >= 2, timeout=30, describe=honcho.tail)


def test_make_run_stops_every_process_when_one_exits_or_on_ctrl_c(make_run):
    # given
    first, second = make_run(), make_run()
    first_pids, second_pids = first.pids(), second.pids()
    assert set(first_pids) == set(second_pids) == {"web", "worker"}

    # when: the web server of one dies, and the other gets Ctrl-C
    os.kill(first_pids["web"], signal.SIGKILL)
    second.process.send_signal(signal.SIGINT)

    # then: each stops all its processes (the groups: gunicorn's workers, Celery's pool) and exits
    first.stopped()
    second.stopped()
    for pid in (*first_pids.values(), *second_pids.values()):
        wait_until(lambda pid=pid: _gone(pid), timeout=15, describe=lambda: first.tail() + second.tail())
    assert not first.ready() and not second.ready()
