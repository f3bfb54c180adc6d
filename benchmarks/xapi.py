"""xAPI ingestion speed: statements per second through POST /xapi/statements, next to events per
second through POST /api/v1/events, on the same server in the same run.

The same events are sent both ways: as event batches, and as the xAPI statements they map onto
(collector/xapi/mapping.py), each statement then stored as a statement and as its event. A third
measurement sends statements about content that is not one of our widgets (stored as statements
only). Everything else is ingest.py's set-up: gunicorn with production settings, both database
aliases on PostgreSQL, Redis, one learner token and one keep-alive connection per client.

    .venv/bin/python benchmarks/xapi.py            # --help lists the knobs

Results and how to read them: benchmarks/README.md, "xAPI".
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import threading
import time

import benchenv
import ingest
import psycopg

OTHER_ACTIVITY = "https://content.example/h5p/quiz-7"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--events", type=int, default=50_000, help="events (statements) a round")
    parser.add_argument("--batch-size", type=int, default=500, help="events or statements a POST")
    parser.add_argument("--clients", type=int, default=4, help="concurrent learners (threads)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each kind")
    parser.add_argument("--postgres", default=benchenv.DEFAULT_POSTGRES, help="server URL")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/8", help="a Redis db of its own")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    return parser.parse_args()


def statement_bodies(client: ingest.Client, *, widgets: bool) -> list[bytes]:
    """The client's event batches as lists of statements: the statements they map onto, or
    (widgets=False) the same statements about another activity, which stay statements only."""
    from collector.xapi.mapping import event_statement

    bodies = []
    for events in client.batches:
        statements = [event_statement(event, learner=client.learner) for event in events]
        if not widgets:
            for statement in statements:
                statement["object"]["id"] = OTHER_ACTIVITY
        bodies.append(json.dumps(statements).encode())
    return bodies


def post_statements(port: int, token: str, bodies: list[bytes], start: threading.Barrier) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "X-Experience-API-Version": "1.0.3",
    }
    start.wait()
    sent = 0
    for body in bodies:
        connection.request("POST", "/xapi/statements", body, headers)
        response = connection.getresponse()
        answer = response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {answer[:300]!r}")
        sent += len(json.loads(answer))
    connection.close()
    return sent


def empty_tables(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("TRUNCATE collector_event, collector_session, collector_statement")
        connection.execute("VACUUM ANALYZE collector_event")
        connection.execute("VACUUM ANALYZE collector_statement")


def count(dsn: str, table: str) -> int:
    with psycopg.connect(dsn) as connection:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def measure_round(
    dsn: str, port: int, server, args: argparse.Namespace, number: int
) -> dict[str, dict[str, float]]:
    """Each kind's rate (/s) and CPU per item (µs: web, database, both)."""
    clients = ingest.make_clients(args.clients, args.events, args.batch_size, f"x{number}-")
    widget_bodies = [statement_bodies(client, widgets=True) for client in clients]
    other_bodies = [statement_bodies(client, widgets=False) for client in clients]
    result = {}

    def record(name: str, seconds: float, cpu: dict[str, float]) -> None:
        web, database = (cpu[part] / args.events * 1e6 for part in ("web", "database"))
        result[name] = {
            "rate": args.events / seconds, "web": web, "database": database, "cpu": web + database
        }  # fmt: skip

    empty_tables(dsn)
    seconds, _, cpu = ingest.cpu_measured(dsn, server, lambda: ingest.http_round(port, clients))
    assert count(dsn, "collector_event") == args.events
    record("events", seconds, cpu)

    for name, bodies in (("widget statements", widget_bodies), ("other statements", other_bodies)):
        empty_tables(dsn)
        work = list(zip(clients, bodies, strict=True))
        seconds, sent, cpu = ingest.cpu_measured(
            dsn,
            server,
            lambda work=work: ingest.run_concurrently(
                work, lambda item, start: post_statements(port, item[0].token, item[1], start)
            ),
        )
        assert sum(sent) == count(dsn, "collector_statement") == args.events
        expected_events = args.events if name == "widget statements" else 0
        assert count(dsn, "collector_event") == expected_events
        record(name, seconds, cpu)
    return result


def print_round(number: int, result: dict, seconds: float) -> None:
    figures = "; ".join(
        f"{name} {kind['rate']:,.0f}/s, {kind['cpu']:.1f} µs CPU "
        f"(web {kind['web']:.1f}, db {kind['database']:.1f})"
        for name, kind in result.items()
    )
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    events, widget = result["events"], result["widget statements"]
    print(
        f"round {number}: {figures}; widget statements/events: rate "
        f"{widget['rate'] / events['rate']:.0%}, CPU {events['cpu'] / widget['cpu']:.0%} "
        f"({seconds:.0f} s, load {load})",
        flush=True,
    )


def print_summary(rounds: list[dict]) -> None:
    print(f"\nmedian of {len(rounds)} rounds:")
    for name in rounds[0]:
        rate = benchenv.median([r[name]["rate"] for r in rounds])
        cpu = benchenv.median([r[name]["cpu"] for r in rounds])
        print(f"  {name:<18} {rate:>10,.0f} /s   {cpu:6.1f} µs CPU an item (web + database)")
    for name in ("widget statements", "other statements"):
        rates = [r[name]["rate"] / r["events"]["rate"] for r in rounds]
        cpus = [r["events"]["cpu"] / r[name]["cpu"] for r in rounds]
        print(
            f"  {name} / events: rate {benchenv.median(rates):.0%}, "
            f"CPU {benchenv.median(cpus):.0%}   (target: at least 50%)"
        )


def main() -> None:
    args = parse_args()
    print("machine:", benchenv.machine(args.postgres))
    print(
        f"{args.events:,} a round in POSTs of {args.batch_size}, {args.clients} clients, "
        f"gunicorn {args.workers} workers x {args.threads} threads, {args.rounds} rounds"
    )
    rounds = []
    setup = benchenv.prepared(
        postgres=args.postgres,
        redis_url=args.redis,
        keep=args.keep,
        names=("pathlens_xapi_bench", "pathlens_xapi_bench_analytics"),
    )
    with setup as (env, data_dir):
        dsn = env["ANALYTICS_DATABASE_URL"]
        with ingest.gunicorn(env, args, data_dir / "gunicorn.log") as (server, port):
            ingest.warm_up(port, args)
            for number in range(1, args.rounds + 1):
                started = time.monotonic()
                rounds.append(measure_round(dsn, port, server, args, number))
                print_round(number, rounds[-1], time.monotonic() - started)
    print_summary(rounds)


if __name__ == "__main__":
    main()
