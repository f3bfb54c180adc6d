"""Starts a real Celery worker process for tests whose subject is asynchrony itself."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connections

ROOT = Path(__file__).resolve().parents[2]


def _database_url(alias: str) -> str:
    """The URL of the database this test run really uses (the test database, not the named one)."""
    db = connections[alias].settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}{port}/{db['NAME']}"


@contextlib.contextmanager
def running_worker(
    *, concurrency: int = 1, beat: bool = False, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen]:
    """A worker on this test run's databases and broker; with `beat`, celery beat inside it."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url("default"),
        "ANALYTICS_DATABASE_URL": _database_url("analytics"),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    name = f"worker-{os.getpid()}-{time.monotonic_ns()}"
    log_path = Path(settings.DATA_DIR) / f"{name}.log"
    # A fresh schedule file, so beat's memory of earlier runs does not delay the first tick.
    with_beat = ["--beat", "--schedule", str(Path(settings.DATA_DIR) / f"{name}.beat")]
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "config", "worker",
                "--loglevel", "INFO", "--pool", "prefork", "--concurrency", str(concurrency),
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                *(with_beat if beat else []),
            ],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            # A process group of its own (pid = group id): a test can kill the whole worker
            # (os.killpg) as the OOM killer would, and never the test run with it.
            start_new_session=True,
        )  # fmt: skip
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.returncode not in (0, -signal.SIGTERM, -signal.SIGKILL):
            print(log_path.read_text())
