"""A real Celery worker process against Redis and the test database (PostgreSQL)."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]

needs_real_worker = pytest.mark.skipif(
    not settings.REDIS_URL or settings.DATABASES["default"]["ENGINE"].endswith(".sqlite3"),
    reason="a real worker needs REDIS_URL and a shared database (DATABASE_URL on PostgreSQL)",
)


def _database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class CeleryProcess:
    """A Celery process of the project (worker or beat) against the test database, Redis and the
    test's storage. Every task it queues (beat's, and those a task queues) goes to the test's
    queues (the project's, named with the test's CELERY_QUEUE_PREFIX), where only the test's
    workers listen."""

    def __init__(self, prefix: str, log_path: Path):
        self.prefix = prefix
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def arguments(self) -> list[str]:
        raise NotImplementedError

    def start(self, **extra_env: str) -> "CeleryProcess":
        env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": settings.REDIS_URL, **extra_env}
        env["CELERY_TASK_ALWAYS_EAGER"] = "0"
        env["CELERY_QUEUE_PREFIX"] = self.prefix
        env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)  # the test's own storage, shared like in production
        env.setdefault("SECRET_KEY", settings.SECRET_KEY)
        command = [sys.executable, "-m", "celery", "-A", "config", *self.arguments(), "--loglevel", "INFO"]
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        return self

    def kill(self) -> None:
        """SIGKILL: the process dies mid-task with no chance to clean up or acknowledge."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


class WorkerProcess(CeleryProcess):
    """A worker serving every queue of the test, or only `queues` (the project's names)."""

    def __init__(self, prefix: str, log_path: Path, queues: tuple[str, ...] = ()):
        super().__init__(prefix, log_path)
        self.queues = queues

    def arguments(self) -> list[str]:
        serves = ["--queues", ",".join(self.prefix + queue for queue in self.queues)] if self.queues else []
        return [
            "worker", "--pool", "solo", *serves,
            "--hostname", f"{self.prefix.rstrip('-')}-{len(self.queues)}@%h",
            "--without-gossip", "--without-mingle",
        ]  # fmt: skip


class BeatProcess(CeleryProcess):
    """`celery beat` with the project's CELERY_BEAT_SCHEDULE; its schedule state lives in a
    throwaway file beside its log (never the working directory's celerybeat-schedule)."""

    def arguments(self) -> list[str]:
        return ["beat", "--schedule", str(self.log_path.with_suffix(".schedule"))]


@pytest.fixture(scope="package")  # stopped after the last test of tests/integration
def served(tmp_path_factory):
    """`make run` on a fresh var/ directory, ready, with the demo made: (Honcho, the demo's JSON).
    One for the walkthroughs of the message surfaces, as a user runs the README's scripts against
    one `make run`."""
    from tests.integration.embedded import served_with_demo  # (embedded imports this module)

    with served_with_demo(tmp_path_factory.mktemp("walkthroughs")) as running:
        yield running


@pytest.fixture
def celery_worker_process(tmp_path, settings):
    """Starts real worker processes on queues of their own (every queue of the project, or those
    named by `queues`); stops them after the test."""
    prefix = f"test-{uuid.uuid4().hex[:10]}-"
    workers: list[WorkerProcess] = []

    def start(queues: tuple[str, ...] = (), **extra_env: str) -> WorkerProcess:
        log_path = tmp_path / f"worker-{len(workers)}.log"
        worker = WorkerProcess(prefix, log_path, queues).start(**extra_env)
        workers.append(worker)
        return worker

    # Tasks queued by the code under test go to this test's queues, where only its workers listen.
    settings.CELERY_QUEUE_PREFIX = prefix  # read by the router (config.celery.route_task)
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = f"{prefix}default"
    start.prefix = prefix
    yield start
    celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
    for worker in workers:
        worker.stop()


@pytest.fixture
def celery_beat_process(celery_worker_process, tmp_path):
    """Starts a real beat sending to the test's queue (where celery_worker_process's workers
    listen); stops it after the test, before the workers."""
    beats: list[BeatProcess] = []

    def start(**extra_env: str) -> BeatProcess:
        beat = BeatProcess(celery_worker_process.prefix, tmp_path / f"beat-{len(beats)}.log")
        beats.append(beat.start(**extra_env))
        return beat

    yield start
    for beat in beats:
        beat.stop()


def terminate(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
    """Ask a process to stop (SIGTERM: a graceful shutdown); SIGKILL it if it has not by `timeout`."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_until(condition, *, timeout: float = 60, interval: float = 0.2, describe=lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s. {describe()}")


needs_shared_services = pytest.mark.skipif(
    not settings.REDIS_URL or settings.DATABASES["default"]["ENGINE"].endswith(".sqlite3"),
    reason="several web processes need REDIS_URL and a shared database (DATABASE_URL on PostgreSQL)",
)


class GunicornProcess:
    """The project served by gunicorn with several worker processes on a free loopback port,
    against the test database and Redis. Its access log names the worker pid of each request."""

    def __init__(self, log_dir: Path, workers: int, extra_env: dict):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.access_log = log_dir / f"access-{self.port}.log"
        self.error_log = log_dir / f"error-{self.port}.log"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "SECRET_KEY": settings.SECRET_KEY,
            "JWT_SIGNING_KEY": settings.SIMPLE_JWT["SIGNING_KEY"],
            "CACHE_KEY_PREFIX": uuid.uuid4().hex,  # counters of this server only
            "CELERY_TASK_ALWAYS_EAGER": "1",
            **extra_env,
        }
        self.command = [
            sys.executable, "-m", "gunicorn", "config.wsgi",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
            "--access-logfile", str(self.access_log), "--access-logformat", "%(p)s %(s)s",
            "--error-logfile", str(self.error_log),
        ]  # fmt: skip
        self.process: subprocess.Popen | None = None

    def start(self) -> "GunicornProcess":
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL)
        wait_until(lambda: self.ready(), timeout=30, describe=self.log)
        return self

    def ready(self) -> bool:
        try:
            return self.request("GET", "/healthz")[0] == 200
        except OSError:
            return False

    def request(
        self, method: str, path: str, *, headers: dict | None = None, body: bytes = b""
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers={"Connection": "close", **(headers or {})})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def served_by(self) -> dict[str, int]:
        """Requests per worker pid so far (from the access log)."""
        counts: dict[str, int] = {}
        if self.access_log.exists():
            for line in self.access_log.read_text().splitlines():
                pid = line.split()[0]
                counts[pid] = counts.get(pid, 0) + 1
        return counts

    def stop(self) -> None:
        """SIGTERM: a graceful shutdown (workers finish and exit normally)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log(self) -> str:
        return self.error_log.read_text(errors="replace")[-4000:] if self.error_log.exists() else ""


@pytest.fixture
def gunicorn_server(tmp_path):
    """Starts gunicorn (`workers` processes, extra environment) and stops it after the test."""
    servers: list[GunicornProcess] = []

    def start(workers: int = 2, **extra_env: str) -> GunicornProcess:
        server = GunicornProcess(tmp_path, workers, extra_env).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
