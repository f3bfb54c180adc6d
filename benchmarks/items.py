"""Item analysis speed: a class's Items page, and a 1,000-learner run analysed in the background.

The data are aggregate.py's (benchmarks/benchenv.py): 1,000 learners x 3 widgets x 10 sessions,
1,000,000 events, and a class of 30 learners x 3 widgets x 3 sessions with 10,000 events of its
own; each session one that the demo's simulated learners played, so the widgets' rules find real
wrong answers and misconceptions. Events are COPY-ed in, their sessions summarised
(`manage.py summarise_sessions`), and each project is run in this process as the worker would:
`run_submit`, the collector's `data_request_process`, `run_import`.

Then, with production settings (PostgreSQL, Redis cache):

- **the class**: the project's Items page (`GET /projects/<id>/items/`) through Django's test
  client in this process, with the cache emptied first (what a teacher waits for the first time:
  the session rows read, the analysis, the page), then warm (from the cache); server time, median of
  `--rounds`;
- **the 1,000-learner run**: `projects.items.run_items_load`, what the Celery task
  `projects.analyse_items` runs, median of `--big-rounds`; and its parts one by one: the session
  rows read (their `items` hold the widgets' readings, kept by the collector when it summarised
  each session), the readings taken out of them, the analysis.

    .venv/bin/python benchmarks/items.py            # --help lists the knobs

Results: benchmarks/README.md, "Item analysis".
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import benchenv
from benchenv import (
    WIDGETS,
    Ours,
    create_school,
    create_sessions,
    event_lines,
    load_events,
    log,
    session_plan,
    session_templates,
    summarise_command,
)

DATABASES = ("pathlens_items_bench", "pathlens_items_bench_analytics")
DEFAULT_REDIS = "redis://127.0.0.1:6379/5"
CLASS_TARGET_MS = 300
BIG_TARGET_S = 3.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--sessions", type=int, default=10, help="per learner and widget")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--class-learners", type=int, default=30)
    parser.add_argument("--class-sessions", type=int, default=3, help="per learner and widget")
    parser.add_argument("--class-events", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7, help="page requests, cold and warm")
    parser.add_argument("--big-rounds", type=int, default=3)
    parser.add_argument("--templates", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", default=benchenv.DEFAULT_POSTGRES)
    parser.add_argument("--redis", default=DEFAULT_REDIS, help="a Redis db of its own")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    return parser.parse_args()


def finished_run(teacher, learners, name: str):
    """A project over `learners` and every widget, run as the worker would run it."""
    from collector.datarequests import data_request_process
    from projects.models import Project, ProjectRun
    from projects.services import run_import, run_submit

    project = Project.objects.create(owner=teacher, name=name, widgets=list(WIDGETS))
    project.learners.set(learners)
    run = run_submit(project=project)
    data_request_process(request_id=run.scores_request_id)
    run_import(run_id=run.pk)
    run = ProjectRun.objects.get(pk=run.pk)
    assert run.is_done, run.reason
    return project, run


def page_times(teacher, project, run, rounds: int) -> tuple[list, list, list, int]:
    """Server time of the Items page, cold (cache emptied) and warm, in ms; this process's CPU
    time of each cold one (less moved by other people's load); the page's size."""
    from django.core.cache import cache
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")  # production settings allow this host only
    client.force_login(teacher)
    url = f"/projects/{project.pk}/items/?run={run.number}"
    cold, warm, cpu = [], [], []
    size = 0
    for _ in range(rounds):
        cache.clear()
        began, cpu_began = time.perf_counter(), time.process_time()
        response = client.get(url)
        cold.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - cpu_began) * 1000)
        assert response.status_code == 200 and b"Recurring wrong answers" in response.content
        began = time.perf_counter()
        response = client.get(url)
        warm.append((time.perf_counter() - began) * 1000)
        size = len(response.content)
    return cold, warm, cpu, size


def big_parts(run) -> str:
    """The background analysis taken apart: the session rows read (with their per-item results
    and readings), the readings taken out of them, the analysis (each timed once)."""
    from projects.items import SessionInput, analyse, session_rows
    from widgets.responses import stored_reading

    began = time.perf_counter()
    rows = session_rows(run)
    rows_s = time.perf_counter() - began
    began = time.perf_counter()
    readings = [stored_reading(items) for *_, items in rows]
    readings_s = time.perf_counter() - began
    assert all(reading is not None for reading in readings), "sessions without a kept reading"
    began = time.perf_counter()
    analysis = analyse(
        SessionInput(pk, learner, widget, start, items, reading)
        for (pk, learner, widget, start, items), reading in zip(rows, readings, strict=True)
    )
    analyse_s = time.perf_counter() - began
    found = sum(len(m.learners) for w in analysis.widgets for m in w.misconceptions)
    return (
        f"{len(rows):,} session rows with their items and readings {rows_s:.2f} s; the readings "
        f"taken out of them {readings_s:.2f} s; the analysis {analyse_s:.2f} s "
        f"({found:,} learner-misconception pairs)"
    )


def load_data(args, env, data_dir, ours):
    # Production settings keep static files in a manifest: the page names its scripts by it.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=benchenv.ROOT, env=env, check=True,
    )  # fmt: skip
    from dashboard.models import WhitelistEntry

    identities, teacher = create_school(args.learners + args.class_learners)
    WhitelistEntry.objects.create(value=teacher.email)  # teacher pages need it
    everyone, pupils = identities[: args.learners], identities[args.learners :]
    plan = session_plan([i.opaque_id for i in everyone], args.sessions, args.events)
    plan += session_plan([i.opaque_id for i in pupils], args.class_sessions, args.class_events)
    templates = session_templates({size for *_, size in plan}, args.templates, args.seed)
    dsn = env["ANALYTICS_DATABASE_URL"]
    load_s = load_events(dsn, event_lines(plan, templates))
    log(f"loaded {args.events + args.class_events:,} events in {load_s:.1f} s")
    sessions_s, count = create_sessions(dsn)
    log(f"created {count:,} session rows in {sessions_s:.1f} s")
    cold = summarise_command(env, data_dir / "summarise.log", ours)
    log(f"summarised them in {cold['seconds']:.1f} s")
    return teacher, everyone, pupils


def main() -> None:
    args = parse_args()
    print("machine:", benchenv.machine(args.postgres))
    log(f"load average at the start: {Path('/proc/loadavg').read_text().strip()}")
    setup = benchenv.prepared(
        postgres=args.postgres, redis_url=args.redis, keep=args.keep, names=DATABASES
    )
    with setup as (env, data_dir):
        ours = Ours(args.postgres, DATABASES)
        teacher, everyone, pupils = load_data(args, env, data_dir, ours)
        small, small_run = finished_run(teacher, pupils, "A class")
        _, big_run = finished_run(teacher, everyone, "Everyone")
        log(f"runs imported: the class {small_run.event_count:,} events, "
            f"everyone {big_run.event_count:,}")  # fmt: skip

        from projects.items import run_items_load

        with benchenv.Load(ours) as load:
            cold, warm, cpu, size = page_times(teacher, small, small_run, args.rounds)
        print(
            f"  class Items page, cold: median {benchenv.median(cold):.0f} ms "
            f"({', '.join(f'{v:.0f}' for v in cold)}), of it {benchenv.median(cpu):.0f} ms CPU "
            f"in this process; warm: median {benchenv.median(warm):.0f} ms; {size:,} bytes | "
            f"{load.describe()}",
            flush=True,
        )
        big_times, big_cpu = [], []
        with benchenv.Load(ours) as big_load:
            for _ in range(args.big_rounds):
                began, cpu_began = time.perf_counter(), time.process_time()
                run_items_load(run=big_run)
                big_times.append(time.perf_counter() - began)
                big_cpu.append(time.process_time() - cpu_began)
        print(
            f"  1,000-learner run, run_items_load: median {benchenv.median(big_times):.2f} s "
            f"({', '.join(f'{v:.2f}' for v in big_times)}), of it "
            f"{benchenv.median(big_cpu):.2f} s CPU in this process | {big_load.describe()}",
            flush=True,
        )
        print(f"    its parts: {big_parts(big_run)}", flush=True)
        print("summary:")
        verdict = "met" if benchenv.median(cold) <= CLASS_TARGET_MS else "NOT met"
        print(f"  class page, cold: {benchenv.median(cold):.0f} ms; target ≤ {CLASS_TARGET_MS} "
              f"ms: {verdict}")  # fmt: skip
        verdict = "met" if benchenv.median(big_times) <= BIG_TARGET_S else "NOT met"
        print(f"  1,000-learner run: {benchenv.median(big_times):.2f} s; target ≤ "
              f"{BIG_TARGET_S} s: {verdict}")  # fmt: skip
        log(f"load average at the end: {Path('/proc/loadavg').read_text().strip()}")


if __name__ == "__main__":
    main()
