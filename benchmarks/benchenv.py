"""What both benchmarks share: a production-like environment, databases of their own, numbers.

A benchmark sets the environment below *before* Django is imported, so the script itself (which
mints tokens, loads data, submits requests) runs under exactly the settings of the gunicorn or
Celery processes it starts.
"""

from __future__ import annotations

import contextlib
import os
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
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
