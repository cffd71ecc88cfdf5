"""Shared plumbing for the benchmarks: an isolated environment, a gunicorn server on loopback,
and a bounded HTTP load generator (fixed duration, 127.0.0.1 only)."""

import contextlib
import json
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def bench_env(**extra) -> dict:
    """The environment the benchmarked processes run with: the caller's DATABASE_URL/REDIS_URL if
    set (PostgreSQL/Redis), else the embedded defaults in a throwaway var/ directory."""
    env = dict(os.environ)
    env.setdefault("POSTROOM_VAR_DIR", tempfile.mkdtemp(prefix="postroom-bench-"))
    env.setdefault("SECRET_KEY", "bench-" + "k" * 40)
    env["DJANGO_SETTINGS_MODULE"] = "tests.benchmarks.settings"
    env.update(extra)
    return env


def drop_var_dir(env: dict) -> None:
    """Delete the throwaway var/ directory bench_env() made (never one the caller chose)."""
    if "POSTROOM_VAR_DIR" not in os.environ:
        shutil.rmtree(env["POSTROOM_VAR_DIR"], ignore_errors=True)


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def demo_company(env: dict) -> dict:
    manage(env, "migrate", "--noinput", "-v", "0")
    return json.loads(manage(env, "demo", "--json").strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving the project (plus the bench-only routes) on 127.0.0.1."""

    def __init__(self, env: dict, workers: int = 2 * (os.cpu_count() or 1) + 1):
        self.env, self.workers, self.port = env, workers, free_port()
        self.process: subprocess.Popen | None = None
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the server)

    def __enter__(self) -> "Server":
        command = [PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--workers", str(self.workers)]
        command += ["--log-level", "warning"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=self.log
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if request("127.0.0.1", self.port, http_request("GET", "/healthz")).startswith(
                    b"HTTP/1.1 200"
                ):
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        self.log.seek(0)
        raise RuntimeError(f"gunicorn did not start: {self.log.read()[-3000:].decode(errors='replace')}")

    def __exit__(self, *exc):
        stop(self.process)

    def pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return [self.process.pid, *map(int, out.split())]


def stop(process: subprocess.Popen, grace: float = 20) -> None:
    """Terminate a child process, and kill it if it has not exited after `grace` seconds."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=grace)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, with that of its children it has waited for
    (the import's reader child)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(map(int, fields[11:15])) / os.sysconf("SC_CLK_TCK")


class Worker:
    """One real Celery worker (solo pool, default queue) for the length of a with-block."""

    def __init__(self, env: dict):
        self.env = env
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the worker)

    def __enter__(self) -> "Worker":
        command = [PYTHON, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--concurrency", "1"]
        command += ["-n", f"bench-{uuid.uuid4().hex[:8]}@%h", "--loglevel", "INFO"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            self.log.seek(0)
            if b" ready." in self.log.read():
                return self
            time.sleep(0.2)
        self.__exit__()
        self.log.seek(0)
        raise RuntimeError(f"celery worker did not start: {self.log.read()[-3000:].decode(errors='replace')}")

    def __exit__(self, *exc):
        stop(self.process)

    def pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return [self.process.pid, *map(int, out.split())]

    def reset_peak_rss(self) -> None:
        for pid in self.pids():
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS


def http_request(method: str, path: str, headers: dict | None = None, body: bytes = b"") -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        "Connection: close",
        f"Content-Length: {len(body)}",
    ]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def request(host: str, port: int, raw: bytes, timeout: float = 10) -> bytes:
    with socket.create_connection((host, port), timeout=timeout) as conn:
        # The server may answer before reading the whole body (a 413, say): read its answer then.
        with contextlib.suppress(BrokenPipeError):
            conn.sendall(raw)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _load_worker(port: int, raw, seconds: float, threads: int, expect: bytes, out) -> None:
    counts = [0] * threads
    errors = [0] * threads

    def loop(i: int) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                ok = request("127.0.0.1", port, raw() if callable(raw) else raw).startswith(expect)
            except OSError:
                ok = False
            counts[i] += ok
            errors[i] += not ok

    pool = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put((sum(counts), sum(errors)))


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    round_rps: tuple[float, ...] = ()  # each round's requests/s, when summed from rounds

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def load(
    port: int,
    raw: bytes | Callable[[], bytes],
    *,
    seconds: float = 5.0,
    processes: int = 2,
    threads: int = 4,
    expect: bytes = b"HTTP/1.1 200",
) -> LoadResult:
    """Closed-loop load for a fixed time from `processes` x `threads` connections on loopback.
    `raw`: the request, or a function making each one (a request that must differ every time)."""
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    workers = [
        ctx.Process(target=_load_worker, args=(port, raw, seconds, threads, expect, out))
        for _ in range(processes)
    ]
    started = time.monotonic()
    for w in workers:
        w.start()
    results = [out.get(timeout=seconds + 60) for _ in workers]
    for w in workers:
        w.join()
    return LoadResult(sum(r[0] for r in results), sum(r[1] for r in results), time.monotonic() - started)


def against_bare(
    port: int,
    method: str,
    path: str,
    token: str,
    seconds: float,
    round_seconds: float = 1.5,
    bare_path: str = "/bench/bare",
    headers: dict | None = None,
    body: bytes = b"",
) -> tuple[LoadResult, LoadResult]:
    """Load results of the bare DRF endpoint (`bare_path`) and of `method path` with the bearer
    token (or `headers` instead, for a surface with other credentials), on one server: each warmed up for a second (imports, connections, caches), then measured
    in turn, `seconds` in all for each, in rounds of about `round_seconds` (at least three). Taking turns
    spreads the machine's swings (other tenants of the host, the kernel's own work) over both,
    where one long stretch of each could give one of them all of a slow spell; on these machines
    one round's ratio alone varied by 0.33-0.69, so the ratio is taken over many rounds. `headers`
    and `body` go with the endpoint's requests (a JSON body, headers beyond the token)."""
    bare = http_request(method, bare_path)
    credentials = {"Authorization": f"Bearer {token}"} if token else {}
    endpoint = http_request(method, path, {**credentials, **(headers or {})}, body)
    load(port, bare, seconds=1)
    load(port, endpoint, seconds=1)
    rounds = max(3, round(seconds / round_seconds))
    results: tuple[list[LoadResult], list[LoadResult]] = ([], [])
    for _ in range(rounds):
        results[0].append(load(port, bare, seconds=seconds / rounds))
        results[1].append(load(port, endpoint, seconds=seconds / rounds))
    return _summed(results[0]), _summed(results[1])


def _summed(results: list[LoadResult]) -> LoadResult:
    return LoadResult(
        sum(r.requests for r in results),
        sum(r.errors for r in results),
        sum(r.seconds for r in results),
        tuple(r.rps for r in results),
    )


def rows_against_bare(
    name: str, bare: LoadResult, endpoint: LoadResult, target: float, bare_name: str = "bare DRF endpoint"
) -> list["Row"]:
    """The two table rows of an endpoint measured against bare: its requests/s and the ratio, with
    the range of the rounds' own ratios (how much the machine swung during the run)."""
    assert bare.errors == 0 and endpoint.errors == 0, (bare, endpoint)
    round_ratios = sorted(e / b for b, e in zip(bare.round_rps, endpoint.round_rps, strict=True))
    return [
        Row(bare_name, bare.rps, "req/s"),
        Row(
            name,
            endpoint.rps,
            "req/s",
            baseline_name=bare_name,
            baseline=bare.rps,
            target=f">= {target:.0%} of bare",
            passed=endpoint.rps / bare.rps >= target,
            note=f"(rounds {round_ratios[0]:.2f}-{round_ratios[-1]:.2f}x)" if round_ratios else "",
        ),
    ]


@dataclass
class TakingTurns:
    """Two sides measured in turns, round by round (as many rounds each), on one server."""

    baseline: list[LoadResult]
    other: list[LoadResult]

    def __post_init__(self):
        for result in self.baseline + self.other:
            assert result.errors == 0, result

    def rows(self, baseline_name: str, other_name: str, ratio_name: str, target: float) -> list["Row"]:
        """Each side's requests/s, and the verdict on the median of the rounds' own ratios (which
        a burst of outside load in one phase cannot swing), with their range."""
        baseline, other = _rps_of(self.baseline), _rps_of(self.other)
        ratios = sorted(o.rps / b.rps for b, o in zip(self.baseline, self.other, strict=True))
        median = statistics.median(ratios)
        return [
            Row(baseline_name, baseline, "req/s"),
            Row(other_name, other, "req/s", baseline_name=baseline_name, baseline=baseline),
            Row(
                f"{ratio_name}, median of {len(ratios)} rounds",
                median * 100,
                "%",
                target=f">= {target:.0%}",
                passed=median >= target,
                note=f"(rounds {ratios[0]:.0%}-{ratios[-1]:.0%})",
            ),
        ]


def _rps_of(results: list[LoadResult]) -> float:
    return sum(r.requests for r in results) / sum(r.seconds for r in results)


def call(
    port: int,
    method: str,
    path: str,
    *,
    token: str = "",
    body: bytes = b"",
    timeout: float = 10,
    headers: dict | None = None,
) -> tuple[int, dict]:
    """One JSON API request: (status code, parsed body). `headers`: more to send (credentials)."""
    headers = {**({"Content-Type": "application/json"} if body else {}), **(headers or {})}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    raw = request("127.0.0.1", port, http_request(method, path, headers, body), timeout)
    if not raw:
        raise ConnectionError(f"no response to {method} {path}")
    head, _, payload = raw.partition(b"\r\n\r\n")
    status = int(head.split(None, 2)[1])
    if not payload.startswith(b"{"):
        return status, {"body": payload[:500].decode(errors="replace")}
    return status, json.loads(payload)


def login(port: int, api_key: str) -> str:
    """An access token for the demo company's API key."""
    status, reply = call(port, "POST", "/api/v1/account/login", body=json.dumps({"ApiKey": api_key}).encode())
    assert status == 200, reply
    return reply["data"]["token"]


def postgres_url() -> str | None:
    """The caller's DATABASE_URL as a libpq URL (for psql/psycopg) if it is PostgreSQL, else None."""
    scheme, sep, rest = os.environ.get("DATABASE_URL", "").partition("://")
    return f"postgresql://{rest}" if sep and scheme in ("postgres", "postgresql", "pgsql") else None


def vacuum(url: str, *tables: str) -> None:
    """VACUUM ANALYZE after a benchmark deleted its rows, or before it starts: without it the dead
    rows of earlier runs slow every later one down (and some machines run with autovacuum off)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        for table in tables:
            db.execute(f"VACUUM ANALYZE {table}")


def quiet_disk(db) -> None:
    """Write out what earlier steps left dirty, so no measurement pays for another's writeback
    (`db`: a psycopg connection or a Django cursor, on PostgreSQL)."""
    db.execute("CHECKPOINT")
    os.sync()


def skipped(name: str, why: str) -> "Row":
    return Row(f"{name}: skipped ({why})", 0, "")


def rss_mb(pids: list[int], field: str = "VmRSS") -> float:
    """Summed memory of `pids` from /proc: VmRSS (now) or VmHWM (peak)."""
    return _proc_sum_mb(pids, "status", field)


def pss_mb(pids: list[int]) -> float:
    """Summed proportional set size of `pids` now (pages shared by a fork split between them)."""
    return _proc_sum_mb(pids, "smaps_rollup", "Pss")


def _proc_sum_mb(pids: list[int], name: str, field: str) -> float:
    """The sum over `pids` of the kB value of `field` in /proc/<pid>/<name>, in MB."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
                if line.startswith(f"{field}:"):
                    total += int(line.split()[1])
        except OSError:
            pass  # the process has exited
    return total / 1024


@dataclass
class Row:
    name: str
    value: float
    unit: str
    baseline_name: str = ""
    baseline: float | None = None
    target: str = ""
    passed: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None
