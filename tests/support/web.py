"""Starts the real web server (gunicorn, with the production settings file) for tests whose
subject is what only a real server does: chunked bodies, raw HTTP."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from tests.support.worker import ROOT, _database_url


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_web(env: dict[str, str] | None = None, *, port: int | None = None) -> Iterator[str]:
    """gunicorn on this test run's databases (or those `env` names), one worker; yields its base
    URL. A `port` lets a test start it again where a client expects it."""
    port = port or _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url("default"),
        "ANALYTICS_DATABASE_URL": _database_url("analytics"),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "ACCESS_LOG": "false",
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    log_path = Path(settings.DATA_DIR) / f"web-{os.getpid()}-{time.monotonic_ns()}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=2).close()  # noqa: S310 (http:// only)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start:\n{log_path.read_text()}") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
