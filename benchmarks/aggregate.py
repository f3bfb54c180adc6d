"""Aggregation speed: a `sessions` data request over a million events, submit to DONE.

A real Celery worker process (Redis broker, production settings, PostgreSQL) processes the
request; next to it, in the same run and on the same table, the bare SQL it stands for:
SELECT learner, widget, session, min(time), max(time), count(*) … GROUP BY learner, widget,
session, fetched whole. The worker's peak memory is read from /proc (VmHWM) of the worker and its
pool process before it stops. A `scores` request is timed too, for information: it streams every
event through the widgets' scoring rules in Python.

The events are COPY-ed in (the API is measured by benchmarks/ingest.py): 1,000 learners x 3
widgets x 10 sessions, 33 or 34 events each, 1,000,000 in all by default.

    .venv/bin/python benchmarks/aggregate.py            # --help lists the knobs

Results and how to read them: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import benchenv
import psycopg

WIDGETS = ("BLL002", "TEI001", "chernoff_tutorial")
DAY_MS = 86_400_000
BARE_QUERY = """
SELECT learner, widget, session, min(time), max(time), count(*)
FROM collector_event GROUP BY learner, widget, session
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--learners", type=int, default=1000, help="opaque learner ids")
    parser.add_argument("--sessions", type=int, default=10, help="sessions per learner and widget")
    parser.add_argument("--events", type=int, default=1_000_000, help="events in all")
    parser.add_argument("--repeats", type=int, default=3, help="times each query is measured")
    parser.add_argument("--no-scores", action="store_true", help="skip the `scores` request")
    parser.add_argument("--postgres", default=benchenv.DEFAULT_POSTGRES, help="server URL")
    parser.add_argument("--redis", default=benchenv.DEFAULT_REDIS, help="a Redis db of its own")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    return parser.parse_args()


# --- The data ----------------------------------------------------------------------------------


def learner_ids(count: int) -> list[str]:
    """Opaque ids as the school side makes them: 32 hex characters."""
    return [hashlib.sha256(f"learner-{n}".encode()).hexdigest()[:32] for n in range(count)]


def event_rows(args: argparse.Namespace, learners: list[str]) -> Iterator[str]:
    """COPY text, one line per event: every session of every learner in every widget, with the
    events spread evenly so that the total is exactly --events."""
    sessions = [(learner, widget, n) for learner in learners for widget in WIDGETS
                for n in range(args.sessions)]  # fmt: skip
    base, extra = divmod(args.events, len(sessions))
    start_ms = int(time.time() * 1000) - 60 * DAY_MS
    for index, (learner, widget, n) in enumerate(sessions):
        size = base + (1 if index < extra else 0)
        session = f"{widget.lower()}-{n:02d}-{index:06d}"
        t0 = start_ms + n * 5 * DAY_MS + index % 1000 * 60_000
        for position in range(size):
            kind = (
                "session_started" if position == 0
                else "session_completed" if position == size - 1
                else "session_resumed"
            )  # fmt: skip
            t = t0 + position * 4_000
            digest = hashlib.sha256(f"{index}:{position}".encode()).hexdigest()
            yield (
                f"{uuid.uuid4()}\t{learner}\t{session}\t{widget}\t{kind}\t{t}\t{t}\t{t + 500}"
                f"\t{{}}\t{digest}\n"
            )


def load_events(dsn: str, args: argparse.Namespace, learners: list[str]) -> float:
    began = time.perf_counter()
    with psycopg.connect(dsn) as connection:
        with (
            connection.cursor() as cursor,
            cursor.copy(
                "COPY collector_event (event_id, learner, session, widget, type, t, time, received,"
                " data, digest) FROM STDIN"
            ) as copy,
        ):
            lines: list[str] = []
            for line in event_rows(args, learners):
                lines.append(line)
                if len(lines) == 10_000:
                    copy.write("".join(lines))
                    lines = []
            copy.write("".join(lines))
        connection.commit()
    with psycopg.connect(dsn, autocommit=True) as connection:
        # What autovacuum would have done by the time anyone asks: statistics and a visibility map.
        connection.execute("VACUUM ANALYZE collector_event")
    return time.perf_counter() - began


# --- The worker --------------------------------------------------------------------------------


@contextlib.contextmanager
def celery_worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """`celery -A config worker` as production runs it, one pool process (prefork)."""
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--pool", "prefork", "--concurrency", "1", "--loglevel", "WARNING",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            command, cwd=benchenv.ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
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


def pool_rss_mb(worker: subprocess.Popen) -> float:
    """The pool process's resident memory now: before any task, what imports alone cost."""
    return max((benchenv.rss_mb(pid) for pid in benchenv.children(worker.pid)), default=0.0)


def peak_memory_mb(worker: subprocess.Popen, idle_pool: float) -> dict[str, float]:
    """VmHWM of the worker's main process and of its pool process. Pages the pool process shares
    with its parent since the fork count in both, so the sum is an upper bound."""
    main = benchenv.peak_rss_mb(worker.pid)
    pool = max((benchenv.peak_rss_mb(pid) for pid in benchenv.children(worker.pid)), default=0.0)
    return {"main": main, "pool": pool, "sum": main + pool, "idle_pool": idle_pool}


def describe_memory(memory: dict[str, float]) -> str:
    return (
        f"worker peak RSS {memory['sum']:.0f} MB at most "
        f"(main process {memory['main']:.0f} MB + pool process {memory['pool']:.0f} MB; "
        f"the pool process held {memory['idle_pool']:.0f} MB before its first task)"
    )


# --- The measurements --------------------------------------------------------------------------


def time_bare_query(dsn: str, *, parallel: bool) -> tuple[float, int]:
    """The bare query, fetched whole. PostgreSQL plans it in parallel by default (a sort per
    worker, which spills here); without parallel workers it takes one hash aggregate, which on
    this data is faster. Both are measured, so the request is compared with the faster one too."""
    with psycopg.connect(dsn) as connection:
        if not parallel:
            connection.execute("SET max_parallel_workers_per_gather = 0")
        began = time.perf_counter()
        rows = connection.execute(BARE_QUERY).fetchall()
        return time.perf_counter() - began, len(rows)


def time_request(kind: str, learners: list[str]) -> dict:
    """Submits a request as the school side does and polls until it is DONE: the time from submit
    to DONE, the worker's share of it (started_at to finished_at), and the result count."""
    from django.utils import timezone

    from collector.client import get_client
    from collector.models import DataRequest, DataRequestStatus

    began, submitted = time.perf_counter(), timezone.now()
    created = get_client().create_data_request(kind=kind, learners=learners, widgets=list(WIDGETS))
    rows = DataRequest.objects.filter(pk=created.id)
    while (status := rows.values_list("status", flat=True).get()) == DataRequestStatus.PROCESSING:
        time.sleep(0.01)
    elapsed, seen = time.perf_counter() - began, timezone.now()
    done = rows.get()
    if status != DataRequestStatus.DONE:
        raise SystemExit(f"the {kind} request ended {status}: {done.reason}")
    return {
        "total": elapsed,
        # Where the time went, by the request's own timestamps (one machine, one clock).
        "submit": (done.created_at - submitted).total_seconds(),
        "queued": (done.started_at - done.created_at).total_seconds(),
        "worker": (done.finished_at - done.started_at).total_seconds(),
        "after": (seen - done.finished_at).total_seconds(),
        "results": done.result_count,
    }


def breakdown(timing: dict) -> str:
    parts = ("submit", "queued", "worker", "after")
    return "(" + ", ".join(f"{part} {timing[part]:.2f}" for part in parts) + ")"


def measure_sessions(dsn: str, args: argparse.Namespace, learners: list[str], worker) -> dict:
    """Bare query and request alternately, so that both meet the same cache and the same noise."""
    idle_pool = pool_rss_mb(worker)
    bare, serial, request = [], [], []
    for repeat in range(1, args.repeats + 1):
        bare_s, groups = time_bare_query(dsn, parallel=True)
        serial_s, _ = time_bare_query(dsn, parallel=False)
        timing = time_request("sessions", learners)
        assert timing["results"] == groups, (timing["results"], groups)
        bare.append(bare_s)
        serial.append(serial_s)
        request.append(timing["total"])
        print(
            f"  repeat {repeat}: bare GROUP BY {bare_s:.2f} s (serial plan {serial_s:.2f} s), "
            f"{groups:,} groups | sessions request {timing['total']:.2f} s submit to DONE "
            f"{breakdown(timing)} | ratio {timing['total'] / bare_s:.2f} "
            f"(to the serial plan {timing['total'] / serial_s:.2f})",
            flush=True,
        )
    return {
        "bare": bare,
        "serial": serial,
        "request": request,
        "memory": peak_memory_mb(worker, idle_pool),
    }


def main() -> None:
    args = parse_args()
    print("machine:", benchenv.machine(args.postgres))
    setup = benchenv.prepared(postgres=args.postgres, redis_url=args.redis, keep=args.keep)
    with setup as (env, data_dir):
        dsn = env["ANALYTICS_DATABASE_URL"]
        learners = learner_ids(args.learners)
        load_s = load_events(dsn, args, learners)
        print(f"loaded {args.events:,} events with COPY in {load_s:.1f} s (with VACUUM ANALYZE)")

        print("sessions request (1 worker, prefork pool of 1):")
        with celery_worker(env, data_dir / "worker-sessions.log") as worker:
            sessions = measure_sessions(dsn, args, learners, worker)
        bare, serial, request = (
            benchenv.median(sessions[key]) for key in ("bare", "serial", "request")
        )
        print(
            f"  median: bare {bare:.2f} s (serial plan {serial:.2f} s), request {request:.2f} s,"
            f" ratio {request / bare:.2f} (to the serial plan {request / serial:.2f}; "
            f"target: at most 1.5)\n"
            f"  {describe_memory(sessions['memory'])} (target: under 300 MB)"
        )

        if not args.no_scores:
            print("scores request (a fresh worker, so that its memory is its own):")
            with celery_worker(env, data_dir / "worker-scores.log") as worker:
                idle_pool = pool_rss_mb(worker)
                timing = time_request("scores", learners)
                memory = peak_memory_mb(worker, idle_pool)
            print(
                f"  {timing['total']:.1f} s submit to DONE {breakdown(timing)}, "
                f"{timing['results']:,} sessions scored\n"
                f"  {describe_memory(memory)}"
            )


if __name__ == "__main__":
    main()
