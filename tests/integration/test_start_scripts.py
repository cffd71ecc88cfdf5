"""docker/'s start scripts run outside docker, as the image runs them (entrypoint.sh, then the
role's script), against the test database and Redis: web answers /healthz and /readyz, the worker
runs a task sent to it, beat stays up and sends the periodic tasks to their queues."""

import json
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from accounts.models import ApiSession, IssuedRefreshToken
from accounts.tasks import purge_expired_refresh_tokens
from tests.integration.conftest import ROOT, _database_url, needs_real_worker, terminate, wait_until
from tests.integration.embedded import free_port

pytestmark = [pytest.mark.worker, needs_real_worker, pytest.mark.django_db(transaction=True)]


class StartScript:
    """`docker/entrypoint.sh docker/start-<role>.sh` with a production environment of its own."""

    def __init__(self, role: str, tmp_path: Path, prefix: str, **extra_env: str):
        self.log_path = tmp_path / f"{role}.log"
        self.env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "SECRET_KEY": f"start-script-test-{uuid.uuid4().hex}{uuid.uuid4().hex}",
            "JWT_SIGNING_KEY": settings.SIMPLE_JWT["SIGNING_KEY"],
            "ALLOWED_HOSTS": "127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": "http://127.0.0.1",
            "TRUSTED_PROXY_COUNT": "0",
            "STORAGE_BACKEND": "local",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "EMAIL_URL": "consolemail://",
            "POSTROOM_VAR_DIR": str(tmp_path / "var"),
            "CACHE_KEY_PREFIX": prefix,
            "CELERY_QUEUE_PREFIX": prefix,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            **extra_env,
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)  # as in the image: config's own default
        command = ["sh", "docker/entrypoint.sh", f"docker/start-{role}.sh"]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        terminate(self.process)


@pytest.fixture
def start_script(tmp_path, celery_worker_process):
    """Starts start scripts on the queues of celery_worker_process's prefix (where the tasks this
    test sends go); stops them after the test."""
    started: list[StartScript] = []

    def start(role: str, **extra_env: str) -> StartScript:
        script = StartScript(role, tmp_path, celery_worker_process.prefix, **extra_env)
        started.append(script)
        return script

    start.prefix = celery_worker_process.prefix
    yield start
    for script in started:
        script.stop()


def _get(port: int, path: str) -> tuple[int, bytes]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _answers(port: int) -> bool:
    try:
        return _get(port, "/healthz")[0] == 200
    except OSError:
        return False


def test_the_web_script_migrates_then_serves_health_and_readiness(start_script):
    port = free_port()
    web = start_script("web", HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY="1")

    wait_until(lambda: _answers(port), timeout=90, describe=web.log)

    status, body = _get(port, "/readyz")
    assert status == 200, body
    assert json.loads(body)["checks"] == {"database": "ok", "cache": "ok", "storage": "ok", "redis": "ok"}
    assert "No migrations to apply." in web.log()  # the entrypoint's preflight, before gunicorn
    assert "Booting worker" in web.log()


def test_the_worker_script_runs_a_task_sent_to_it(start_script, api_user, api_key, tokens):
    # given: an expired refresh token, and the worker started as the image starts it
    session = ApiSession.objects.get(user=api_user)
    IssuedRefreshToken.objects.create(
        jti="expired", session=session, expires_at=timezone.now() - timedelta(days=1)
    )
    worker = start_script("worker", WORKER_CONCURRENCY="1")

    # when: the housekeeping task goes through Redis
    purge_expired_refresh_tokens.delay()

    # then: the worker ran it
    wait_until(
        lambda: not IssuedRefreshToken.objects.filter(jti="expired").exists(), timeout=60, describe=worker.log
    )
    assert f"{start_script.prefix}imports" in worker.log()  # it serves every queue


def test_the_beat_script_stays_up_and_sends_periodic_tasks_to_their_queue(start_script, tmp_path):
    beat = start_script("beat", BEAT_SCHEDULE_FILE=str(tmp_path / "schedule"), MESSAGING_BEAT_SECONDS="1")
    broker = redis.Redis.from_url(settings.REDIS_URL)
    messages_queue = f"{start_script.prefix}messages"

    wait_until(lambda: broker.llen(messages_queue) >= 2, timeout=60, describe=beat.log)
    time.sleep(3)
    assert beat.process.poll() is None, beat.log()
    assert "beat: Starting..." in beat.log()
    broker.delete(messages_queue)
