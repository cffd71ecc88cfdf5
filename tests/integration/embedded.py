"""The embedded default as `make run` serves it, for the tests that start it for real: SQLite,
local storage and the filesystem broker in a throwaway var/ directory, with DATABASE_URL,
REDIS_URL and the rest of CI's environment removed, and honcho starting the Procfile; and the
examples/ scripts run against it as a user runs them (`served_with_demo`, `run_script`)."""

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

from tests.integration.conftest import ROOT, wait_until

BIN = Path(sys.executable).parent
# What the embedded processes must not inherit from the test run (CI's services, its key, ...).
NOT_INHERITED = (
    "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "JWT_SIGNING_KEY", "MEDIA_ROOT", "CACHE_KEY_PREFIX",
    "CELERY_TASK_ALWAYS_EAGER", "CELERY_QUEUE_PREFIX", "STORAGE_BACKEND", "POSTROOM_VAR_DIR",
)  # fmt: skip
STARTED = re.compile(r"^\S+ system\s+\| (\w+)\.1 started \(pid=(\d+)\)$", re.M)


def embedded_env(var_dir: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update(
        POSTROOM_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="config.settings",
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        **extra,
    )
    return env


def migrate_with_demo(var_dir: Path) -> dict:
    """Leaves `var_dir` as `make demo` does (migrated SQLite, a demo company); returns the
    demo's JSON (`manage.py demo --json`: api_key, company_id, voucher_codes, ...)."""
    env = embedded_env(var_dir)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        [*manage, "demo", "--json"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Honcho:
    """`honcho start` of the project's Procfile, as `make run` starts it."""

    def __init__(self, var_dir: Path, log_path: Path, port: int, **extra_env: str):
        self.port, self.log_path = port, log_path
        self.base_url = f"http://127.0.0.1:{port}"
        env = embedded_env(
            var_dir, HOST="127.0.0.1", WEB_CONCURRENCY="1", WORKER_CONCURRENCY="1", **extra_env
        )
        command = [sys.executable, "-m", "honcho", "--no-colour", "start", "--port", str(port)]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log_path.open("ab"), stderr=subprocess.STDOUT
        )

    def wait_ready(self) -> None:
        """Until gunicorn answers and the Celery worker says it is ready."""
        wait_until(self.ready, timeout=60, describe=self.tail)
        wait_until(
            lambda: "celery@" in self.log() and " ready." in self.log(), timeout=60, describe=self.tail
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def tail(self) -> str:
        return self.log()[-6000:]

    def pids(self) -> dict[str, int]:
        return {name: int(pid) for name, pid in STARTED.findall(self.log())}

    def request(self, method: str, path: str, body=None, token: str | None = None) -> tuple[int, dict | None]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/json", "Connection": "close"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            return response.status, (json.loads(raw) if raw.startswith(b"{") else None)
        finally:
            conn.close()

    def ready(self) -> bool:
        try:
            return self.request("GET", "/healthz")[0] == 200
        except OSError:
            return False

    def stopped(self, timeout: float = 30) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@contextlib.contextmanager
def served_with_demo(where: Path):
    """`make run` on a fresh var/ directory under `where`, ready: (Honcho, the demo's JSON);
    stopped when the block ends."""
    demo = migrate_with_demo(where / "var")
    honcho = Honcho(where / "var", where / "honcho.log", free_port())
    try:
        honcho.wait_ready()
        yield honcho, demo
    finally:
        honcho.stop()


def run_script(script: Path, honcho: Honcho, env: dict, **overrides: str) -> subprocess.CompletedProcess:
    """An examples/ script against `honcho`, as a user runs it: BASE, PATH, HOME, a UTF-8 locale,
    POLL_SECONDS 60, `env` and then `overrides` (a test's wrong value), nothing else of this
    process's environment."""
    environment = {
        "PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8",
        "BASE": honcho.base_url, "POLL_SECONDS": "60", **env, **overrides,
    }  # fmt: skip
    return subprocess.run(
        [str(script)], env=environment, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
