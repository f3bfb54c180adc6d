"""Aggregation speed: a project over a million events, from the teacher's submit to DONE.

What a teacher waits for, measured as a teacher triggers it: the school side's
`projects.services.run_submit` (one `scores` data request with the learners' opaque ids; runs
before 2026-12-06 made two, `sessions` and `scores`), then `run_refresh` (what the project
page's status polling calls; the page itself polls every 500 ms for a run's first 15 s, then
every 2 s) every 50 ms, so that DONE is seen within 50 ms of happening; the page would show it at
its first 500 ms poll after that. A real Celery worker process (Redis broker, production
settings, PostgreSQL) processes the request (it summarises whatever is stale in its scope, then
copies one result row per session from `collector_session`) and the import
(`projects.import_run`: fetch the result rows as tuples, frame them, COPY one RunSession row per
session). The parts come from the rows' own timestamps; afterwards the
import, a request and the summary are taken apart step by step in this process, next to what
each step could cost at least.

The data: learner identities in the school database (their opaque ids are the ones the events
carry), and events COPY-ed into the event store (the API is measured by benchmarks/ingest.py):
1,000 learners x 3 widgets x 10 sessions of 33 or 34 events, 1,000,000 in all, and a class of 30
learners with 10,000 events of their own, by default; each session one that the demo's simulated
learners played (dashboard/demo/simulate.py: valid events of the widget's own types, so the
measures and scoring rules have real work to do). A COPY skips ingestion, which is what creates
session rows, so the script then creates them as ingestion would have left them (counts, times,
out-of-order arrivals, status; measures stale), and times the cold `manage.py
summarise_sessions` that an upgrade runs once over stored data.

    .venv/bin/python benchmarks/aggregate.py            # --help lists the knobs

Results and how to read them: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import time
from pathlib import Path

import benchenv
import psycopg
from benchenv import (
    WIDGETS,
    Ours,
    celery_worker,
    create_school,
    create_sessions,
    descendants,
    event_lines,
    load_events,
    log,
    session_plan,
    session_templates,
    stale_sessions,
    summarise_command,
)

PAGE_POLL = 0.5  # the project page's status poll while a run is young (ProjectRun.poll_every)
DATABASES = ("pathlens_aggregate_bench", "pathlens_aggregate_bench_analytics")
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"  # replay uses 10, explore 11, ingest 12, CI 13 and 14
BARE_QUERY = """
SELECT learner, widget, session, min(time), max(time), count(*)
FROM collector_event GROUP BY learner, widget, session
"""
# What a request now stands for: the result columns of every session, read from its row.
SUMMARY_QUERY = """
SELECT learner, widget, session, first_time, last_time, event_count, score, maximum, active_ms,
    sittings, work_events, status, full_maximum, items_attempted, items_total, items
FROM collector_session
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--learners", type=int, default=1000, help="learner identities")
    parser.add_argument("--sessions", type=int, default=10, help="sessions per learner and widget")
    parser.add_argument("--events", type=int, default=1_000_000, help="events in all")
    parser.add_argument("--class-learners", type=int, default=30,
                        help="the class project's learners (events of their own)")  # fmt: skip
    parser.add_argument("--class-sessions", type=int, default=3,
                        help="sessions per class learner and widget")  # fmt: skip
    parser.add_argument("--class-events", type=int, default=10_000, help="the class's events")
    parser.add_argument("--repeats", type=int, default=3, help="re-runs of each project")
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 2,
                        help="worker pool processes (celery's default: one per core)")  # fmt: skip
    parser.add_argument("--poll", type=float, default=0.05, help="seconds between status checks")
    parser.add_argument("--templates", type=int, default=200,
                        help="simulated sessions per widget and length (reused)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--summary-sample", type=int, default=3000,
                        help="sessions whose summary is timed step by step")  # fmt: skip
    parser.add_argument("--postgres", default=benchenv.DEFAULT_POSTGRES, help="server URL")
    parser.add_argument("--redis", default=DEFAULT_REDIS, help="a Redis db of its own")
    parser.add_argument("--database", default=DATABASES[0],
                        help="the default database; analytics: + _analytics")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    return parser.parse_args()


def worker_memory(worker: subprocess.Popen) -> dict:
    """VmHWM of the worker's main process and of each pool process, and their PSS now (shared
    pages split between the processes that share them: the sum is what they really hold)."""
    pools = benchenv.children(worker.pid)
    return {
        "main": benchenv.peak_rss_mb(worker.pid),
        "pools": [benchenv.peak_rss_mb(pid) for pid in pools],
        "pss": sum(pss_mb(pid) for pid in [worker.pid, *pools]),
    }


def pss_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    return int(text.split("Pss:", 1)[1].split()[0]) * 1024 / 1e6


def describe_memory(memory: dict, idle: dict) -> str:
    pools = " + ".join(f"{mb:.0f}" for mb in memory["pools"])
    idle_pools = ", ".join(f"{mb:.0f}" for mb in idle["pools"])
    return (
        f"worker peak RSS: main process {memory['main']:.0f} MB, pool processes {pools} MB "
        f"(each {idle_pools} MB before its first task); main + the largest pool process "
        f"{memory['main'] + max(memory['pools']):.0f} MB; PSS of all of them now "
        f"{memory['pss']:.0f} MB"
    )


# --- The measurements --------------------------------------------------------------------------


def time_query(dsn: str, query: str, *, parallel: bool = True) -> tuple[float, int]:
    with psycopg.connect(dsn) as connection:
        if not parallel:
            connection.execute("SET max_parallel_workers_per_gather = 0")
        began = time.perf_counter()
        rows = connection.execute(query).fetchall()
        return time.perf_counter() - began, len(rows)


def time_run(project, poll: float) -> dict:
    """One run as the teacher starts it: submit, then a status check every `poll` seconds (each
    one `run_refresh`, what the status fragment the page polls does) until it is DONE."""
    from django.utils import timezone

    from collector.models import DataRequest
    from projects.services import run_refresh, run_submit

    anchor, began = timezone.now(), time.perf_counter()
    run = run_submit(project=project)
    checks = 0
    while run.is_processing:
        time.sleep(poll)
        run = run_refresh(run=run)
        checks += 1
    total = time.perf_counter() - began
    if not run.is_done:
        raise SystemExit(f"run {run.number} ended {run.status}: {run.reason}")
    requests = {
        request.kind: request
        for request in (DataRequest.objects.get(pk=pk) for pk in run.request_ids)
    }

    def at(moment) -> float:
        return (moment - anchor).total_seconds()

    return {
        "total": total,
        # The page polls every 500 ms from when it loaded (at submit): it shows DONE then.
        "page": PAGE_POLL * math.ceil(total / PAGE_POLL),
        "checks": checks,
        "sessions": run.session_count,
        "events": run.event_count,
        "opens": run.opens_count,
        "submitted": max(at(request.created_at) for request in requests.values()),
        "requests": {
            kind: (at(r.created_at), at(r.started_at), at(r.finished_at), r.result_count)
            for kind, r in requests.items()
        },
        "both_done": max(at(request.finished_at) for request in requests.values()),
        "claimed": at(run.import_started_at),
        "done": at(run.finished_at),
        "run": run,
    }


def describe_run(label: str, timing: dict) -> str:
    parts = []
    for kind, (created, started, finished, results) in timing["requests"].items():
        parts.append(
            f"{kind}: queued {started - created:.2f}, worker {finished - started:.2f} "
            f"({results:,} rows)"
        )
    return (
        f"  {label}: DONE seen {timing['total']:.2f} s after submit ({timing['checks']} checks; "
        f"on the page, polling every {PAGE_POLL} s: {timing['page']:.1f} s) | "
        f"requests created by {timing['submitted']:.2f}; {'; '.join(parts)}; DONE at "
        f"{timing['both_done']:.2f} | import claimed at {timing['claimed']:.2f}, DONE at "
        f"{timing['done']:.2f} (import {timing['done'] - timing['claimed']:.2f}) | "
        f"{timing['sessions']:,} sessions with work, {timing['opens']:,} opens, "
        f"{timing['events']:,} events"
    )


class Laps:
    """Seconds per named step, added up over repeats of the step."""

    def __init__(self) -> None:
        self.parts: dict[str, float] = {}
        self.note = ""
        self._clock = time.perf_counter()

    def start(self) -> None:
        self._clock = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.parts[name] = self.parts.get(name, 0.0) + now - self._clock
        self._clock = now

    def describe(self) -> str:
        listed = ", ".join(f"{name} {seconds:.2f}" for name, seconds in self.parts.items())
        note = f"; {self.note}" if self.note else ""
        return f"{listed} (sum {sum(self.parts.values()):.2f} s{note})"


RUN_SESSION_COLUMNS = (
    "run_id", "learner_id", "widget", "session", "start", "duration", "events", "active",
    "sittings", "work_events", "outcome", "score", "maximum", "full_maximum", "items_attempted",
    "items_total", "items",
)  # fmt: skip


def import_parts(run) -> tuple[Laps, Laps]:
    """`run_import`'s steps one by one (projects/services.py), in this process, for a run that
    is DONE: where its time goes. Then, for comparison: the results read with one plain cursor,
    the old way (a dict per row, `.values()` pages of 5,000), and the previous run's rows copied
    with one INSERT … SELECT. Rows are written in transactions that are rolled back."""
    import pandas as pd
    from django.db import connections, transaction

    from collector.client import get_client
    from dashboard.identities import identities_by_opaque
    from projects import paths
    from projects.services import _session_values, _store_sessions

    lap = Laps()
    client = get_client()
    [request_id] = run.request_ids
    table = client.results_table(request_id)
    lap("fetch the results (tuples, one query)")
    results = paths.results_frame(table.columns, table.rows)
    lap("frame them")
    learner_of = identities_by_opaque(results["learner"].unique().tolist())
    results["learner_pk"] = results["learner"].map(learner_of)
    known = results[results["learner_pk"].notna()]
    lap("translate ids")
    with transaction.atomic():
        _session_values(run, known)
        lap("the frame to rows (measured alone)")
        _store_sessions(run, known)
        lap("rows + COPY RunSession rows")
        transaction.set_rollback(True)

    least = Laps()
    analytics = connections["analytics"]
    with analytics.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM collector_datarequestresult WHERE request_id = %s ORDER BY id",
            [request_id],
        )
        names = [column.name for column in cursor.description]
        pd.DataFrame.from_records(cursor.fetchall(), columns=names)
        least("read the results (one plain cursor)")
    list(client.iter_results(request_id))
    least("read them as dicts, as before (iter_results)")
    with transaction.atomic(), connections["default"].cursor() as cursor:
        columns = ", ".join(f'"{name}"' for name in RUN_SESSION_COLUMNS)
        # What a re-run with nothing new could do instead: copy the previous run's rows.
        rest = ", ".join(f'"{name}"' for name in RUN_SESSION_COLUMNS[1:])
        cursor.execute(
            f"INSERT INTO projects_runsession ({columns}) SELECT %s, {rest} "
            "FROM projects_runsession WHERE run_id = %s",
            [run.pk, run.pk],
        )
        least("or copy a run's rows with INSERT … SELECT")
        transaction.set_rollback(True)
    return lap, least


def own_cpu() -> tuple[float, float]:
    """CPU seconds so far of this process and of the PostgreSQL backends of its two
    connections: what a step costs whatever else the machine is doing."""
    from django.db import connections

    backends = 0.0
    for alias in ("default", "analytics"):
        connections[alias].ensure_connection()
        backends += benchenv.cpu_seconds(connections[alias].connection.info.backend_pid)
    return time.process_time(), backends


def import_again(run) -> str:
    """`run_import` itself, in this process, on a new PROCESSING run that points at the same two
    DONE requests: the worker's import without the worker (nor the queue) around it, with the
    CPU it costs in Python and in PostgreSQL."""
    from projects.models import ProjectRun
    from projects.services import run_import

    again = ProjectRun.objects.create(
        project=run.project,
        number=run.number + 100,
        sessions_request_id=run.sessions_request_id,
        scores_request_id=run.scores_request_id,
        parameters=run.parameters,
    )
    (python, database), began = own_cpu(), time.perf_counter()
    run_import(run_id=again.pk)
    took = time.perf_counter() - began
    python_after, database_after = own_cpu()
    again.refresh_from_db()
    assert again.is_done, again.status
    return (
        f"{took:.2f} s; CPU {python_after - python:.2f} s in Python, "
        f"{database_after - database:.2f} s in PostgreSQL"
    )


def request_parts(run) -> Laps:
    """The run's request's processing (collector/datarequests.py, `_materialise`) step by
    step, in this process, for a new request with the run's parameters, rolled back."""
    from django.db import connections, transaction

    from collector import datarequests
    from collector.apikeys import internal_api_key
    from collector.models import DataRequest
    from collector.summaries import sessions_summarise

    done = DataRequest.objects.get(pk=run.scores_request_id)
    lap = Laps()
    python, database = own_cpu()
    with transaction.atomic(using="analytics"):
        request = DataRequest.objects.using("analytics").create(
            api_key=internal_api_key(),
            tenant_id=done.tenant_id,
            kind=done.kind,
            learners=done.learners,
            widgets=done.widgets,
        )
        lap.start()
        sessions_summarise(
            sessions=datarequests._sessions_in_scope(request), progress=lambda done, total: None
        )
        lap("find stale sessions (none)")
        count = datarequests._materialise(request)
        lap("materialise (all of it)")
        datarequests._mark_abandoned(request)
        lap("mark abandoned (again, alone)")
        with connections["analytics"].cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        lap(f"foreign-key checks of {count:,} rows (deferred to commit)")
        transaction.set_rollback(True, using="analytics")
    python_after, database_after = own_cpu()
    lap.note = (
        f"CPU {python_after - python:.2f} s in Python, {database_after - database:.2f} s in "
        "PostgreSQL"
    )
    return lap


def summarise_parts(sample: int) -> tuple[Laps, Laps]:
    """`sessions_summarise`'s steps (collector/summaries.py) one by one, in this process, over
    the first `sample` sessions made stale again, chunk by chunk as it works (the write: COPY
    into a temporary table and one UPDATE … FROM on PostgreSQL); then the same new values
    written again, for comparison, with bulk_update as before."""

    from collector.models import Session
    from collector.summaries import (
        MEASURE_FIELDS,
        SUMMARY_CHUNK,
        _write_measures,
        event_streams,
        session_values,
    )
    from core.measures import measure_rules

    stored = Session.objects.using("analytics")
    ids = list(stored.order_by("pk").values_list("pk", flat=True)[:sample])
    stored.filter(pk__in=ids).update(summarised_count=0)
    rules = measure_rules()
    lap = Laps()
    python, database = own_cpu()
    measured = []
    for start in range(0, len(ids), SUMMARY_CHUNK):
        lap.start()
        rows = list(
            stored.filter(pk__in=ids[start : start + SUMMARY_CHUNK])
            .order_by("pk")
            .only("pk", "tenant_id", "learner", "widget", "session", "event_count")
        )
        lap("select sessions")
        # Keyed by tenant too, as collector/summaries.py `sessions_summarise` does.
        streams = event_streams(
            (row.tenant_id, row.learner, row.widget, row.session) for row in rows
        )
        lap("read events")
        for row in rows:
            stream = streams.get((row.tenant_id, row.learner, row.widget, row.session), [])
            for name, value in session_values(row.widget, stream, rules).items():
                setattr(row, name, value)
            row.summarised_count = len(stream)
        lap("measure and read (Python)")
        _write_measures(rows, chunk=SUMMARY_CHUNK)
        lap("write (COPY + UPDATE … FROM)")
        measured += rows
    python_after, database_after = own_cpu()
    lap.note = (
        f"CPU {python_after - python:.2f} s in Python, {database_after - database:.2f} s in "
        "PostgreSQL"
    )

    least = Laps()
    # As before: Django's bulk_update, one CASE WHEN id = … per field over each batch.
    stored.bulk_update(measured, MEASURE_FIELDS, batch_size=SUMMARY_CHUNK)
    least("bulk_update (batches of 500), as before")
    return lap, least


def worker_cpu(worker: subprocess.Popen) -> float:
    return sum(benchenv.cpu_seconds(pid) for pid in [worker.pid, *descendants(worker.pid)])


def measure_project(label: str, project, runs: int, poll: float, ours: Ours, worker) -> list:
    timings = []
    for number in range(1, runs + 1):
        stale = stale_sessions()
        cpu_before, own_before = worker_cpu(worker), time.process_time()
        with benchenv.Load(ours) as load:
            timing = time_run(project, poll)
        timing["load"] = load
        timing["worker_cpu"] = worker_cpu(worker) - cpu_before
        timings.append(timing)
        name = f"{label} run {number}" + (" (first)" if number == 1 else " (re-run)")
        print(describe_run(name, timing), flush=True)
        print(
            f"    CPU: the worker {timing['worker_cpu']:.2f} s, this process (submit and status "
            f"checks) {time.process_time() - own_before:.2f} s | {load.describe()} | "
            f"stale sessions before: {stale}",
            flush=True,
        )
    return timings


def summary_line(name: str, values: list[float], target: float) -> str:
    verdict = "met" if benchenv.median(values) <= target else "NOT met"
    listed = ", ".join(f"{value:.2f}" for value in values)
    return (
        f"  {name}: median {benchenv.median(values):.2f} s ({listed}); "
        f"target ≤ {target} s: {verdict}"
    )


def main() -> None:
    args = parse_args()
    names = (args.database, f"{args.database}_analytics")
    print("machine:", benchenv.machine(args.postgres))
    log(f"load average at the start: {Path('/proc/loadavg').read_text().strip()}")
    setup = benchenv.prepared(
        postgres=args.postgres, redis_url=args.redis, keep=args.keep, names=names
    )
    with setup as (env, data_dir):
        from collector.models import Session
        from projects.models import Project

        ours = Ours(args.postgres, names)
        dsn = env["ANALYTICS_DATABASE_URL"]
        identities, teacher = create_school(args.learners + args.class_learners)
        everyone, pupils = identities[: args.learners], identities[args.learners :]
        plan = session_plan([i.opaque_id for i in everyone], args.sessions, args.events)
        plan += session_plan([i.opaque_id for i in pupils], args.class_sessions, args.class_events)
        total_events = args.events + args.class_events
        began = time.perf_counter()
        templates = session_templates({size for *_, size in plan}, args.templates, args.seed)
        log(
            f"simulated {len(templates) * args.templates:,} template sessions in "
            f"{time.perf_counter() - began:.1f} s"
        )
        load_s = load_events(dsn, event_lines(plan, templates))
        log(
            f"loaded {total_events:,} events ({len(plan):,} sessions: {args.learners:,} learners "
            f"with {args.events:,} events, a class of {args.class_learners} with "
            f"{args.class_events:,}) with COPY in {load_s:.1f} s (with VACUUM ANALYZE)"
        )
        sessions_s, count = create_sessions(dsn)
        assert count == len(plan), (count, len(plan))
        log(f"created {count:,} session rows as ingestion leaves them in {sessions_s:.1f} s")

        log("cold summary (`manage.py summarise_sessions`, the upgrade step):")
        cold = summarise_command(env, data_dir / "summarise.log", ours)
        assert stale_sessions() == 0
        print(
            f"  {cold['seconds']:.1f} s for {count:,} sessions / {total_events:,} events "
            f"({cold['cpu']:.1f} s CPU in the command); peak RSS {cold['peak_mb']:.0f} MB\n"
            f"  it said: {cold['output']}\n  {cold['load'].describe()}",
            flush=True,
        )
        stored = Session.objects.using("analytics")
        print(
            f"  sessions with work: {stored.filter(work_events__gt=0).count():,}; completed: "
            f"{stored.filter(status='completed').count():,}; scored: "
            f"{stored.filter(score__isnull=False).count():,}; more than one sitting: "
            f"{stored.filter(sittings__gt=1).count():,}",
            flush=True,
        )

        bare_s, groups = time_query(dsn, BARE_QUERY)
        serial_s, _ = time_query(dsn, BARE_QUERY, parallel=False)
        summary_s, rows = time_query(dsn, SUMMARY_QUERY)
        print(
            f"for reference: the bare GROUP BY over events, fetched whole, {bare_s:.2f} s "
            f"(serial plan {serial_s:.2f} s, {groups:,} groups); every session's row from "
            f"collector_session, fetched whole, {summary_s:.2f} s ({rows:,} rows)",
            flush=True,
        )

        big = Project.objects.create(
            owner=teacher, name="Everyone", widgets=list(WIDGETS), time_from=None, time_to=None
        )
        big.learners.set(everyone)
        small = Project.objects.create(
            owner=teacher, name="A class", widgets=list(WIDGETS), time_from=None, time_to=None
        )
        small.learners.set(pupils)

        log(f"project runs (a Celery worker with {args.concurrency} pool processes):")
        with celery_worker(env, data_dir / "worker.log", args.concurrency) as worker:
            ours.processes.append(worker.pid)
            idle = worker_memory(worker)
            big_runs = measure_project(
                f"{args.learners:,} learners", big, 1 + args.repeats, args.poll, ours, worker
            )
            class_runs = measure_project(
                f"{args.class_learners} learners", small, args.repeats, args.poll, ours, worker
            )
            memory = worker_memory(worker)

        log("where the time goes (the steps again, one by one, in this process):")
        for name, timing in (("everyone", big_runs[-1]), ("class", class_runs[-1])):
            steps, least = import_parts(timing["run"])
            print(f"  import, {name}: {steps.describe()}", flush=True)
            print(f"    for comparison: {least.describe()}", flush=True)
            print(f"    run_import itself, in this process: {import_again(timing['run'])}")
            print(f"  the request, {name}: {request_parts(timing['run']).describe()}")
        steps, least = summarise_parts(args.summary_sample)
        print(
            f"  cold summary, first {args.summary_sample:,} sessions: {steps.describe()}\n"
            f"    for comparison, the same values: {least.describe()}",
            flush=True,
        )
        assert stale_sessions() == 0

        print("summary:")
        print(
            f"  cold summary of {count:,} sessions: {cold['seconds']:.1f} s, peak RSS "
            f"{cold['peak_mb']:.0f} MB"
        )
        print(
            summary_line(
                f"A: {args.learners:,} learners, {args.events:,} events, first run",
                [big_runs[0]["total"]],
                5,
            )
        )
        print(summary_line("B: its re-runs, no new events", [t["total"] for t in big_runs[1:]], 1))
        print(
            summary_line(
                f"C: {args.class_learners} learners, {args.class_events:,} events, DONE",
                [t["total"] for t in class_runs],
                1.5,
            )
        )
        print(
            summary_line(
                f"C on the page (polling every {PAGE_POLL} s)",
                [t["page"] for t in class_runs],
                1.5,
            )
        )
        print(f"  {describe_memory(memory, idle)} (target: under 300 MB)")
        log(f"load average at the end: {Path('/proc/loadavg').read_text().strip()}")


if __name__ == "__main__":
    main()
