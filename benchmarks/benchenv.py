"""What the benchmarks share: a production-like environment, databases of their own, numbers,
and (below) the data and processes of the project-run benchmarks (aggregate.py, home.py).

A benchmark sets the environment below *before* Django is imported, so the script itself (which
mints tokens, loads data, submits requests) runs under exactly the settings of the gunicorn or
Celery processes it starts.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432"
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"
DATABASE_NAMES = ("pathlens_bench", "pathlens_bench_analytics")


def database_url(server: str, name: str) -> str:
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def production_environment(
    *, postgres: str, redis_url: str, data_dir: Path, names: tuple[str, str] = DATABASE_NAMES
) -> dict[str, str]:
    """The settings of a production deployment, pointed at the benchmark's own services."""
    default, analytics = names
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # No TLS terminator in front of the benchmark: plain HTTP must not be redirected.
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        # One token sends hundreds of batches a minute here; the limit is not what is measured.
        "INGEST_RATE_LIMIT": "100000000",
        "DATABASE_URL": database_url(postgres, default),
        "ANALYTICS_DATABASE_URL": database_url(postgres, analytics),
        "CACHE_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "DATA_DIR": str(data_dir),
        "STATIC_ROOT": str(data_dir / "static"),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def _admin_connection(server: str) -> psycopg.Connection:
    return psycopg.connect(database_url(server, "postgres"), autocommit=True)


def recreate_databases(server: str, names: tuple[str, str] = DATABASE_NAMES) -> None:
    with _admin_connection(server) as admin:
        for name in names:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {name}")


def drop_databases(server: str, names: tuple[str, str] = DATABASE_NAMES) -> None:
    with _admin_connection(server) as admin:
        for name in names:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def migrate(env: dict[str, str]) -> None:
    for database in ("default", "analytics"):
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "--database", database],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@contextlib.contextmanager
def prepared(
    *, postgres: str, redis_url: str, keep: bool, names: tuple[str, str] = DATABASE_NAMES
) -> Iterator[tuple[dict, Path]]:
    """Fresh databases (`names`: default, analytics), migrated; an empty Redis db; Django set up
    in this process. Yields the environment and a data folder for logs. Afterwards the databases
    and the folder go (unless `keep`); if something failed the folder stays, for its logs."""
    data_dir = Path(tempfile.mkdtemp(prefix="pathlens-bench-"))
    env = production_environment(
        postgres=postgres, redis_url=redis_url, data_dir=data_dir, names=names
    )
    recreate_databases(postgres, names)
    flush_redis(redis_url)
    succeeded = False
    try:
        migrate(env)
        setup_django(env)
        yield env, data_dir
        succeeded = True
    finally:
        flush_redis(redis_url)
        if not keep:
            drop_databases(postgres, names)
        if succeeded and not keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            print(f"logs and settings kept in {data_dir}", file=sys.stderr)


def flush_redis(url: str) -> None:
    """Empties the benchmark's own Redis database (rate-limit counters, broker queues)."""
    redis.Redis.from_url(url).flushdb()


def machine(postgres: str) -> dict[str, str]:
    meminfo = Path("/proc/meminfo").read_text()
    total_kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
    with _admin_connection(postgres) as admin:
        pg_version = admin.execute("SHOW server_version").fetchone()[0]
    return {
        "cpus": str(os.cpu_count()),
        "memory": f"{total_kib / 1024 / 1024:.1f} GiB",
        "postgresql": pg_version,
        "python": platform.python_version(),
    }


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the value below which `fraction` of the samples fall."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values: list[float]) -> float:
    return statistics.median(values)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy (any process, any core) since boot."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(child) for child in text.split()]


def peak_rss_mb(pid: int) -> float:
    """The high-water mark of a process's resident memory (VmHWM), in MB (10^6 bytes)."""
    return _status_kib(pid, "VmHWM") * 1024 / 1e6


def rss_mb(pid: int) -> float:
    """A process's resident memory now (VmRSS), in MB."""
    return _status_kib(pid, "VmRSS") * 1024 / 1e6


def _status_kib(pid: int, field: str) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1))


def loadavg() -> float:
    """The machine's 1-minute load average (runnable processes, ours included)."""
    return float(Path("/proc/loadavg").read_text().split()[0])


class Load:
    """What the rest of the machine did while a phase ran: the 1-minute load average sampled
    every half second, and the CPU that processes other than ours used (cores, on average).

    Ours are the pids `ours()` returns (this process, the worker and its pool, the PostgreSQL
    backends of our databases), asked at the start, every half second and at the end; a process
    of ours counts with the CPU it had when last seen. What one of ours used after its last
    sighting (at most half a second's worth), or in a life shorter than that, counts as "other",
    so that figure is an upper bound.
    """

    def __init__(self, ours: Callable[[], list[int]]) -> None:
        self._ours = ours
        self._samples: list[float] = []
        self._seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self._samples.append(loadavg())
            self._look()
            self._stop.wait(0.5)

    def _look(self) -> None:
        for pid in self._ours():
            spent = cpu_seconds(pid)
            if spent:  # 0: gone meanwhile
                self._seen[pid] = max(spent, self._seen.get(pid, 0.0))

    def __enter__(self) -> Load:
        self._began = time.perf_counter()
        self._busy = busy_cpu_seconds()
        self._cpu = {pid: cpu_seconds(pid) for pid in self._ours()}
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.wall = time.perf_counter() - self._began
        busy = busy_cpu_seconds() - self._busy
        self._look()
        ours = sum(max(0.0, spent - self._cpu.get(pid, 0.0)) for pid, spent in self._seen.items())
        self.ours_cores = ours / max(self.wall, 1e-9)
        self.other_cores = max(0.0, busy - ours) / max(self.wall, 1e-9)
        self._samples.append(loadavg())

    def describe(self) -> str:
        low, high = min(self._samples), max(self._samples)
        span = f"{low:.2f}" if low == high else f"{low:.2f}–{high:.2f}"
        return (
            f"load average {span}; other processes used {self.other_cores:.2f} cores, "
            f"ours {self.ours_cores:.2f} ({self.ours_cores * self.wall:.1f} CPU-seconds)"
        )


# --- Shared by aggregate.py and home.py: simulated events, session rows, a worker -----------

WIDGETS = ("BLL002", "TEI001", "chernoff_tutorial")
DAY_MS = 86_400_000

# The session rows ingestion would have left: one per learner x widget x session with its
# counts and times (collector/ingest.py, SESSION_UPSERT), an event counted out of order when its
# t is below that of an event that arrived before it (arrival order: seq), the status of the
# lifecycle event with the largest t (ties: the later arrival), and measures not yet worked out
# (summarised_count 0). No event was delivered twice, so no duplicates.
SESSIONS_FROM_EVENTS = """
INSERT INTO collector_session (tenant_id, learner, widget, session, first_time, last_time, max_t,
    event_count, duplicates, out_of_order, status, status_t, updated_at, summarised_count,
    active_ms, sittings, work_events, score, maximum, full_maximum, items_attempted, items_total,
    items)
SELECT e.tenant_id, e.learner, e.widget, e.session, min(e.time), max(e.time), max(e.t), count(*), 0,
    count(*) FILTER (WHERE e.t < e.earlier_max), coalesce(lifecycle.status, 'started'),
    lifecycle.t, now(), 0, 0, 0, 0, NULL, NULL, NULL, 0, 0, '[]'::jsonb
FROM (
    SELECT tenant_id, learner, widget, session, t, time, max(t) OVER (
        PARTITION BY learner, widget, session ORDER BY seq
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ) AS earlier_max
    FROM collector_event
) AS e
LEFT JOIN (
    SELECT DISTINCT ON (learner, widget, session) learner, widget, session, t,
        CASE type WHEN 'session_started' THEN 'started' WHEN 'session_resumed' THEN 'resumed'
            ELSE 'completed' END AS status
    FROM collector_event
    WHERE type IN ('session_started', 'session_resumed', 'session_completed')
    ORDER BY learner, widget, session, t DESC, seq DESC
) AS lifecycle
    ON lifecycle.learner = e.learner AND lifecycle.widget = e.widget
    AND lifecycle.session = e.session
GROUP BY e.tenant_id, e.learner, e.widget, e.session, lifecycle.status, lifecycle.t
"""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- The data ----------------------------------------------------------------------------------


def create_school(count: int):
    """`count` learner identities (each with its random opaque id) and a teacher."""
    from dashboard.models import LearnerIdentity, User, real_id_key

    LearnerIdentity.objects.bulk_create(
        [
            LearnerIdentity(
                real_id=f"S-{100000 + n}",
                real_id_key=real_id_key(f"S-{100000 + n}"),
                display_name=f"Learner {n:04d}",
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    teacher = User.objects.create(username="bench-teacher", email="bench@school.example")
    return list(LearnerIdentity.objects.order_by("pk")), teacher


Template = list[tuple[str, int, str]]  # (type, t after the session's first event, COPY-ready data)


def copy_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def session_templates(sizes: set[int], per_size: int, seed: int) -> dict[tuple[str, int], list]:
    """Sessions played by the demo's simulated learners (strategies in the demo class's mix),
    `per_size` per widget and length: the events a widget's view would send, in order."""
    from dashboard.demo.classroom import CLASS_MIX
    from dashboard.demo.simulate import simulate_session
    from dashboard.demo.strategies import STRATEGIES

    mix = [name for name, n in CLASS_MIX.items() for _ in range(n)]
    templates: dict[tuple[str, int], list[Template]] = {}
    for widget in WIDGETS:
        for size in sorted(sizes):
            rng = random.Random(f"aggregate:{seed}:{widget}:{size}")
            pool = templates[(widget, size)] = []
            for _ in range(per_size):
                strategy = STRATEGIES[rng.choice(mix)]
                skill = 0.0 if strategy.accuracy <= 0 else min(0.95, strategy.accuracy)
                played = simulate_session(
                    rng, widget, strategy, skill, session="x", start_ms=0, events=size
                )
                first = played.events[0]["t"]
                pool.append(
                    [
                        (event["type"], event["t"] - first, copy_text(json.dumps(event["data"])))
                        for event in played.events
                    ]
                )
    return templates


def session_plan(opaque_ids: list[str], sessions: int, events: int) -> list[tuple]:
    """(learner, widget, n, events) for every session, so that the total is exactly `events`."""
    keys = [(learner, widget, n) for learner in opaque_ids for widget in WIDGETS
            for n in range(sessions)]  # fmt: skip
    base, extra = divmod(events, len(keys))
    return [(*key, base + (1 if index < extra else 0)) for index, key in enumerate(keys)]


def event_lines(plan, templates, *, gap_ms: int = 5 * DAY_MS) -> Iterator[str]:
    """COPY text, one line per event. A learner's sessions of a widget `gap_ms` apart (5 days)
    from 60 days ago; each a template's events at its own start, with fresh event and session
    ids. Keep sessions x gap within 60 days, or the last sessions lie in the future."""
    start_ms = int(time.time() * 1000) - 60 * DAY_MS
    for index, (learner, widget, n, size) in enumerate(plan):
        pool = templates[(widget, size)]
        events = pool[index % len(pool)]
        session = uuid.UUID(int=index + 1).hex
        t0 = start_ms + n * gap_ms + index % 1000 * 60_000
        for position, (kind, offset, data) in enumerate(events):
            t = t0 + offset
            digest = hashlib.sha256(f"{index}:{position}".encode()).hexdigest()
            yield (
                f"{uuid.uuid4()}\t{learner}\t{session}\t{widget}\t{kind}\t{t}\t{t}\t{t + 500}"
                f"\t{data}\t{digest}\n"
            )


def load_events(dsn: str, lines: Iterator[str]) -> float:
    """COPYs the events in, all in the default tenant (the embedded set-up's, which the
    school side's in-process client and learner tokens issued in this process use)."""
    from collector.tenants import tenant_default

    tenant = tenant_default().pk
    began = time.perf_counter()
    with psycopg.connect(dsn) as connection:
        with (
            connection.cursor() as cursor,
            cursor.copy(
                "COPY collector_event (tenant_id, event_id, learner, session, widget, type, t,"
                " time, received, data, digest) FROM STDIN"
            ) as copy,
        ):
            chunk: list[str] = []
            for line in lines:
                chunk.append(f"{tenant}\t{line}")
                if len(chunk) == 10_000:
                    copy.write("".join(chunk))
                    chunk = []
            copy.write("".join(chunk))
        connection.commit()
    with psycopg.connect(dsn, autocommit=True) as connection:
        # What autovacuum would have done by the time anyone asks: statistics and a visibility map.
        connection.execute("VACUUM ANALYZE collector_event")
    return time.perf_counter() - began


def create_sessions(dsn: str) -> tuple[float, int]:
    began = time.perf_counter()
    with psycopg.connect(dsn) as connection:
        count = connection.execute(SESSIONS_FROM_EVENTS).rowcount
        connection.commit()
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE collector_session")
    return time.perf_counter() - began, count


# --- Processes and load ------------------------------------------------------------------------


class Ours:
    """The pids whose CPU is ours: this process, the worker and its pool, a command we run, and
    the PostgreSQL backends of our two databases."""

    def __init__(self, server: str, databases: tuple[str, str]) -> None:
        self.databases = list(databases)
        self.processes: list[int] = [os.getpid()]
        self._admin = psycopg.connect(database_url(server, "postgres"), autocommit=True)

    def __call__(self) -> list[int]:
        backends = self._admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = ANY(%s)", [self.databases]
        ).fetchall()
        pids = [pid for process in self.processes for pid in (process, *descendants(process))]
        return pids + [pid for (pid,) in backends]


def descendants(pid: int) -> list[int]:
    found = []
    for child in children(pid):
        found += [child, *descendants(child)]
    return found


def summarise_command(env: dict[str, str], log_path: Path, ours: Ours) -> dict:
    """`manage.py summarise_sessions` as the upgrade step runs it: wall time, its peak RSS."""
    with open(log_path, "w") as log_file:
        began = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "manage.py", "summarise_sessions"],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        ours.processes.append(process.pid)
        with Load(ours) as load:
            _, status, usage = os.wait4(process.pid, 0)
        took = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        ours.processes.remove(process.pid)
    if process.returncode:
        raise SystemExit(f"summarise_sessions exited with {process.returncode}; see {log_path}")
    return {
        "seconds": took,
        "peak_mb": usage.ru_maxrss * 1024 / 1e6,
        "cpu": usage.ru_utime + usage.ru_stime,
        "output": log_path.read_text().strip().splitlines()[-1],
        "load": load,
    }


@contextlib.contextmanager
def celery_worker(env: dict[str, str], log: Path, concurrency: int) -> Iterator[subprocess.Popen]:
    """`celery -A config worker` as production runs it (prefork; one process per core)."""
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--pool", "prefork", "--concurrency", str(concurrency), "--loglevel", "WARNING",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    try:
        wait_until_consuming(process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_consuming(process: subprocess.Popen) -> None:
    from config.celery import app

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the Celery worker exited with {process.returncode}; see its log")
        if app.control.ping(timeout=1.0):
            return
    raise SystemExit("the Celery worker did not answer a ping within 90 s")


def stale_sessions() -> int:
    from django.db.models import F

    from collector.models import Session

    return Session.objects.using("analytics").exclude(summarised_count=F("event_count")).count()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def session_cookie(user) -> str:
    """A signed-in session for `user`, as the sign-in leaves it: the `sessionid` cookie value."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


@contextlib.contextmanager
def gunicorn(env: dict[str, str], log: Path, port: int, workers: int) -> Iterator[subprocess.Popen]:
    """`gunicorn config.wsgi` with `workers` sync workers on 127.0.0.1:`port`, once it answers."""
    import requests

    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}",
        "-w", str(workers), "--timeout", "120",
    ]  # fmt: skip
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {process.returncode}; see {log}")
            with contextlib.suppress(requests.RequestException):  # not up yet, or busy
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=15).ok:
                    break
            time.sleep(0.3)
        else:
            raise SystemExit(f"gunicorn did not answer within 90 s; see {log}")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
