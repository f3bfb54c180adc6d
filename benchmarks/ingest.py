"""Ingestion speed: events per second through POST /api/v1/events, next to a raw COPY ceiling.

The HTTP side is the real thing: gunicorn serving config.wsgi with production settings, both
database aliases on PostgreSQL, the rate limiter on Redis, each client a learner with its own token
and a keep-alive connection. The ceiling is the same rows COPY-ed straight into collector_event
over as many connections, one COPY and one commit per batch: what PostgreSQL absorbs when no
Python stands in between. Each round measures both, each on an emptied table.

    .venv/bin/python benchmarks/ingest.py            # --help lists the knobs

Results and how to read them: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import json
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import benchenv
import psycopg

WIDGETS = ("BLL002", "TEI001", "chernoff_tutorial")
COPY_EVENTS = (
    "COPY collector_event (tenant_id, event_id, learner, session, widget, type, t, time, received,"
    " data, digest) FROM STDIN"
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--events", type=int, default=200_000, help="events sent in each round")
    parser.add_argument("--batch-size", type=int, default=500, help="events per POST")
    parser.add_argument("--clients", type=int, default=4, help="concurrent learners (threads)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--rounds", type=int, default=3, help="ceiling + HTTP measurements")
    parser.add_argument("--postgres", default=benchenv.DEFAULT_POSTGRES, help="server URL")
    parser.add_argument("--redis", default=benchenv.DEFAULT_REDIS, help="a Redis db of its own")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    return parser.parse_args()


# --- The workload ------------------------------------------------------------------------------


@dataclass
class Client:
    """One learner: a token, and its share of the batches, serialised before the clock starts."""

    learner: str
    token: str
    tenant_id: int  # the learner's tenant (the default one), written by the ceiling's COPY too
    batches: list[list[dict]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)


def batch_events(batch_number: int, size: int, base_t: int) -> list[dict]:
    """One session's events. Lifecycle types with empty data are valid for every widget (BLL002
    defines no event types of its own yet), so each batch passes the real validation."""
    widget = WIDGETS[batch_number % len(WIDGETS)]
    session = f"bench-{batch_number}"
    kinds = ["session_resumed"] * size
    kinds[0], kinds[-1] = "session_started", "session_completed"
    return [
        {
            "id": str(uuid.uuid4()),
            "session": session,
            "widget": widget,
            "type": kind,
            "t": base_t + position * 250,
            "data": {},
        }
        for position, kind in enumerate(kinds)
    ]


def make_clients(count: int, total: int, batch_size: int, prefix: str) -> list[Client]:
    """`count` learners sharing `total` events, batch by batch in turn; fresh ids every call."""
    from collector.tenants import tenant_default
    from collector.tokens import learner_token_issue

    clients = []
    tenant_id = tenant_default().pk
    for number in range(count):
        # An opaque id in the form Pathlens issues (32 lowercase hex), fresh for every prefix.
        learner = hashlib.sha256(f"{prefix}{number}".encode()).hexdigest()[:32]
        token = learner_token_issue(tenant_id=tenant_id, learner=learner)
        clients.append(Client(learner=learner, token=token, tenant_id=tenant_id))
    base_t = int(time.time() * 1000) - 3_600_000
    for batch_number, start in enumerate(range(0, total, batch_size)):
        events = batch_events(batch_number, min(batch_size, total - start), base_t)
        client = clients[batch_number % count]
        client.batches.append(events)
        sent_at = int(time.time() * 1000)
        client.bodies.append(json.dumps({"sent_at": sent_at, "events": events}).encode())
    return clients


def copy_text(client: Client) -> list[bytes]:
    """The rows the API stores for the client's batches, as COPY text, one chunk a batch, built
    before the clock starts (the digest is a sha256 like the API's, not the same one)."""
    received = int(time.time() * 1000)
    chunks = []
    for events in client.batches:
        lines = []
        for event in events:
            digest = hashlib.sha256(json.dumps(event).encode()).hexdigest()
            lines.append(
                f"{client.tenant_id}\t{event['id']}\t{client.learner}\t{event['session']}\t{event['widget']}\t"
                f"{event['type']}\t{event['t']}\t{event['t']}\t{received}\t{{}}\t{digest}\n"
            )
        chunks.append("".join(lines).encode())
    return chunks


# --- Running things side by side -------------------------------------------------------------


def run_concurrently(work: list, target: Callable) -> tuple[float, list]:
    """Runs target(item, barrier) in a thread per item; the clock starts when all are ready."""
    start = threading.Barrier(len(work) + 1)
    results: list = [None] * len(work)
    errors: list[BaseException] = []

    def run(index: int, item) -> None:
        try:
            results[index] = target(item, start)
        except BaseException as error:
            errors.append(error)
            start.abort()

    threads = [threading.Thread(target=run, args=(i, item)) for i, item in enumerate(work)]
    for thread in threads:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise errors[0]
    return elapsed, results


def cpu_now(web_pids: list[int], database_pids: list[int]) -> dict:
    """CPU seconds used so far: by each web process and each database backend serving them,
    by this script (the clients), and by the whole machine."""
    return {
        "web": {pid: benchenv.cpu_seconds(pid) for pid in web_pids},
        "database": {pid: benchenv.cpu_seconds(pid) for pid in database_pids},
        "client": time.process_time(),
        "machine": benchenv.busy_cpu_seconds(),
    }


def cpu_measured(dsn: str, server: subprocess.Popen, run: Callable) -> tuple[float, list, dict]:
    """What `run` answers (its seconds, its threads' results) and the CPU seconds spent
    meanwhile by the web processes, by the database backends serving them and by this script's
    clients (cpu_spent). The workers' connections stay open between requests (CONN_MAX_AGE); one
    opened during the run is found afterwards."""
    web_pids = [server.pid, *benchenv.children(server.pid)]
    before = cpu_now(web_pids, backend_pids(dsn))
    seconds, results = run()
    return seconds, results, cpu_spent(before, cpu_now(web_pids, backend_pids(dsn)))


def cpu_spent(before: dict, after: dict) -> dict[str, float]:
    spent = {name: after[name] - before[name] for name in ("client", "machine")}
    for name in ("web", "database"):
        # A process that started during the round counts from 0.
        spent[name] = sum(cpu - before[name].get(pid, 0.0) for pid, cpu in after[name].items())
    # Whatever the machine did besides us: other people's processes may share these cores.
    spent["other"] = spent["machine"] - spent["web"] - spent["database"] - spent["client"]
    return spent


# --- The HTTP side -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], args: argparse.Namespace, log: Path) -> Iterator[tuple]:
    """gunicorn with the gthread worker: the sync worker closes the connection after every
    request, and the browser logger (like these clients) keeps its connection alive."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(args.workers),
        "--worker-class", "gthread", "--threads", str(args.threads),
        "--keep-alive", "30", "--log-level", "warning",
    ]  # fmt: skip
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            command, cwd=benchenv.ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    try:
        wait_until_serving(port, process)
        yield process, port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_serving(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see its log")
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/v1/openapi.json")
            if connection.getresponse().status == 200:
                return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 60 s")


def post_batches(port: int, client: Client, start: threading.Barrier) -> list[float]:
    """Sends the client's bodies one after another on one keep-alive connection; returns the
    latency of each, from the first byte sent to the last byte of the answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {client.token}", "Content-Type": "application/json"}
    latencies = []
    start.wait()
    for body, events in zip(client.bodies, client.batches, strict=True):
        began = time.perf_counter()
        connection.request("POST", "/api/v1/events", body, headers)
        response = connection.getresponse()
        answer = response.read()
        latencies.append(time.perf_counter() - began)
        if response.status != 202 or json.loads(answer)["accepted"] != len(events):
            raise RuntimeError(f"HTTP {response.status}: {answer[:300]!r}")
    connection.close()
    return latencies


def http_round(port: int, clients: list[Client]) -> tuple[float, list[float]]:
    elapsed, per_client = run_concurrently(
        clients, lambda client, start: post_batches(port, client, start)
    )
    return elapsed, [latency for latencies in per_client for latency in latencies]


def warm_up(port: int, args: argparse.Namespace) -> None:
    """A few batches per client before any clock runs, so that every worker thread has imported
    its modules, compiled its validators and opened its database connection."""
    warm = make_clients(args.clients, args.clients * 4 * args.batch_size, args.batch_size, "w")
    http_round(port, warm)


# --- The raw ceiling ---------------------------------------------------------------------------


def copy_batches(dsn: str, chunks: list[bytes], start: threading.Barrier) -> float:
    """COPYs the chunks, a transaction each as the API commits each batch; returns the CPU
    seconds its backend spent (read before the connection closes and the process goes)."""
    with psycopg.connect(dsn) as connection:
        backend = connection.info.backend_pid
        start.wait()
        cpu_before = benchenv.cpu_seconds(backend)
        for chunk in chunks:
            with connection.cursor() as cursor, cursor.copy(COPY_EVENTS) as copy:
                copy.write(chunk)
            connection.commit()
        return benchenv.cpu_seconds(backend) - cpu_before


# --- The database ------------------------------------------------------------------------------


def empty_tables(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("TRUNCATE collector_event, collector_session")
        connection.execute("VACUUM ANALYZE collector_event")


def stored_counts(dsn: str) -> tuple[int, int]:
    """Events stored, and events counted in their sessions."""
    with psycopg.connect(dsn) as connection:
        events = connection.execute("SELECT count(*) FROM collector_event").fetchone()[0]
        counted = connection.execute(
            "SELECT coalesce(sum(event_count), 0) FROM collector_session"
        ).fetchone()[0]
    return events, counted


def backend_pids(dsn: str) -> list[int]:
    """The client backends serving the analytics database (not autovacuum), but for this query."""
    with psycopg.connect(dsn) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        ).fetchall()
    return [pid for (pid,) in rows]


# --- One round, and the report -----------------------------------------------------------------


def measure_round(
    dsn: str, port: int, server: subprocess.Popen, args: argparse.Namespace, number: int
) -> dict:
    clients = make_clients(args.clients, args.events, args.batch_size, f"r{number}-")
    work = [copy_text(client) for client in clients]

    empty_tables(dsn)
    before = cpu_now([], [])
    copy_s, backend_cpu = run_concurrently(
        work, lambda chunks, start: copy_batches(dsn, chunks, start)
    )
    after = cpu_now([], [])
    after["database"] = dict(enumerate(backend_cpu))  # each backend's own, measured in-thread
    copy_cpu = cpu_spent(before, after)
    assert stored_counts(dsn)[0] == args.events

    empty_tables(dsn)
    http_s, latencies, http_cpu = cpu_measured(dsn, server, lambda: http_round(port, clients))
    # Every event stored once and counted once in its session, or the figure means nothing.
    assert stored_counts(dsn) == (args.events, args.events), stored_counts(dsn)
    return {
        "ceiling": args.events / copy_s,
        "http": args.events / http_s,
        "p50": benchenv.percentile(latencies, 0.50) * 1000,
        "p99": benchenv.percentile(latencies, 0.99) * 1000,
        "copy_cpu": copy_cpu,
        "http_cpu": http_cpu,
        "copy_s": copy_s,
        "http_s": http_s,
    }


def per_event_us(cpu: dict[str, float], events: int) -> str:
    names = [name for name in ("web", "database", "client") if cpu[name]]
    return ", ".join(f"{name} {cpu[name] / events * 1e6:.1f}" for name in names)


def print_round(number: int, result: dict, events: int) -> None:
    http_cpu, copy_cpu = result["http_cpu"], result["copy_cpu"]
    print(
        f"round {number}: ceiling {result['ceiling']:,.0f} events/s ({result['copy_s']:.2f} s), "
        f"HTTP {result['http']:,.0f} events/s ({result['http_s']:.2f} s), "
        f"ratio {result['http'] / result['ceiling']:.0%}, "
        f"batch p50 {result['p50']:.0f} ms p99 {result['p99']:.0f} ms\n"
        f"         CPU µs/event: HTTP [{per_event_us(http_cpu, events)}], "
        f"COPY [{per_event_us(copy_cpu, events)}]; "
        f"other processes used {http_cpu['other'] / result['http_s']:.2f} cores during HTTP, "
        f"{copy_cpu['other'] / result['copy_s']:.2f} during COPY",
        flush=True,
    )


def print_summary(rounds: list[dict]) -> None:
    def med(key: str) -> float:
        return benchenv.median([r[key] for r in rounds])

    ratios = [r["http"] / r["ceiling"] for r in rounds]
    # CPU per event, ours only: what the ratio would be with both sides CPU-bound and the machine
    # to ourselves. Steadier than the wall-clock ratio when other processes share the cores.
    cpu_ratios = [
        sum(r["copy_cpu"][k] for k in ("database", "client"))
        / sum(r["http_cpu"][k] for k in ("web", "database", "client"))
        for r in rounds
    ]
    print(f"\nmedian of {len(rounds)} rounds:")
    print(f"  COPY ceiling        {med('ceiling'):>10,.0f} events/s")
    print(f"  POST /api/v1/events {med('http'):>10,.0f} events/s")
    print(f"  ratio               {benchenv.median(ratios):>10.0%}   (target: at least 60%)")
    print(f"  ratio of CPU/event  {benchenv.median(cpu_ratios):>10.0%}   (COPY's over the API's)")
    print(f"  batch latency p50   {med('p50'):>10.0f} ms")
    print(f"  batch latency p99   {med('p99'):>10.0f} ms")


def main() -> None:
    args = parse_args()
    print("machine:", benchenv.machine(args.postgres))
    print(
        f"{args.events:,} events a round in batches of {args.batch_size}, {args.clients} clients, "
        f"gunicorn {args.workers} workers x {args.threads} threads (gthread), {args.rounds} rounds"
    )
    setup = benchenv.prepared(postgres=args.postgres, redis_url=args.redis, keep=args.keep)
    with setup as (env, data_dir):
        dsn = env["ANALYTICS_DATABASE_URL"]
        rounds = []
        with gunicorn(env, args, data_dir / "gunicorn.log") as (server, port):
            warm_up(port, args)
            for number in range(1, args.rounds + 1):
                rounds.append(measure_round(dsn, port, server, args, number))
                print_round(number, rounds[-1], args.events)
        print_summary(rounds)


if __name__ == "__main__":
    main()
