"""`make run`'s processes (config/run.sh): Ctrl-C stops the web server and the worker within 10 s,
even while the worker is in the middle of a task.

The script is started as a terminal starts it, in a process group of its own, and gets SIGINT as
Ctrl-C sends it: to that group. The worker is busy with a real task when the signal comes:
celery beat's first `collector.summarise_sessions`, over 6,000 sessions nobody has summarised
yet, still running when the signal comes (the test checks it), so that stopping in time means
not waiting for the worker's task.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.support.db import BOTH_DATABASES
from tests.support.worker import ROOT, _database_url

pytestmark = pytest.mark.django_db(transaction=True, databases=BOTH_DATABASES)

STOP_BOUND = 10  # seconds from Ctrl-C until every process is gone


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def process_table() -> list[tuple[int, int, int, str]]:
    """(pid, parent pid, process group, command) of every living process."""
    listing = subprocess.run(
        ["ps", "-eo", "pid=,ppid=,pgid=,stat=,args="], capture_output=True, text=True, check=True
    ).stdout
    table = []
    for line in listing.splitlines():
        pid, ppid, pgid, stat, *args = line.split(maxsplit=4)
        if not stat.startswith("Z"):
            table.append((int(pid), int(ppid), int(pgid), " ".join(args)))
    return table


def process_groups_under(root: int) -> set[int]:
    """The process groups of `root` and all its descendants (the web server's, the worker's)."""
    table = process_table()
    family, grew = {root}, True
    while grew:
        children = {pid for pid, ppid, _, _ in table if ppid in family} - family
        family |= children
        grew = bool(children)
    return {pgid for pid, _, pgid, _ in table if pid in family}


def processes_in(groups: set[int]) -> list[str]:
    return [f"{pid} {command}" for pid, _, pgid, command in process_table() if pgid in groups]


def wait_for(check, *, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.1)
    raise AssertionError(f"not {what} within {timeout} s:\n{log.read_text()}")


def as_a_terminal_starts_it() -> None:
    """Ctrl-C and Ctrl-\\ at their defaults, as in a terminal. A test run started in the background
    by a shell without job control (`make test &` in a script, some CI runners) inherits them
    ignored, and bash cannot trap a signal ignored when it started: run.sh would never hear the
    Ctrl-C this test sends."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


@pytest.mark.worker
def test_ctrl_c_stops_the_web_server_and_a_busy_worker_within_ten_seconds(tmp_path):
    call_command("generate_events", "--learners", "20", "--sessions", "300", "--events", "6")
    port = free_port()
    log = tmp_path / "run.log"

    def read() -> str:
        return log.read_text()

    env = {
        **os.environ,
        # A data folder of its own, as `make run` has: beat's schedule file (config/beat.py) and
        # the results are this run's alone, whatever else the suite runs at the same time.
        "DATA_DIR": str(tmp_path / "data"),
        # Beat's first summary round a second after it starts, not SUMMARY_INTERVAL's 10 s.
        "SUMMARY_INTERVAL": "1",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url("default"),
        "ANALYTICS_DATABASE_URL": _database_url("analytics"),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "PYTHONUNBUFFERED": "1",
    }
    bin_dir = str(Path(sys.executable).parent)
    with open(log, "w") as out:
        script = subprocess.Popen(
            ["bash", "config/run.sh", bin_dir, f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # a terminal's foreground group: Ctrl-C goes to it
            preexec_fn=as_a_terminal_starts_it,
        )  # fmt: skip
    groups = {script.pid}
    try:
        wait_for(
            lambda: answers(f"http://127.0.0.1:{port}/healthz") and "ready." in read(),
            timeout=60,
            what="serving, with the worker ready",
            log=log,
        )
        groups = process_groups_under(script.pid)  # the script's, the web server's, the worker's
        summarising = wait_for(
            lambda: re.search(r"collector\.summarise_sessions\[([-0-9a-f]+)\] received", read()),
            timeout=60,
            what="summarising sessions",
            log=log,
        ).group(1)
        pressed = time.monotonic()
        os.killpg(script.pid, signal.SIGINT)  # Ctrl-C
        # The premise: the worker was busy when Ctrl-C came. (The task may still finish during
        # the few seconds of warm shutdown; what counts is that everything stops in time.)
        busy_at_press = f"summarise_sessions[{summarising}] succeeded" not in read()
        wait_for(
            lambda: script.poll() is not None and not processes_in(groups),
            timeout=STOP_BOUND,
            what="stopped",
            log=log,
        )
        took = time.monotonic() - pressed
    finally:
        if script.poll() is None:
            groups |= process_groups_under(script.pid)
        left = processes_in(groups)
        for pgid in groups:
            if group_alive(pgid):
                os.killpg(pgid, signal.SIGKILL)
        script.wait(timeout=10)
    assert not left, left
    assert busy_at_press, "the task was done before Ctrl-C: make it longer"
    print(f"stopped {took:.1f} s after Ctrl-C")
