"""The teacher's home page: 5 classes of 30 learners, 100,000 events per class.

What a teacher opening Pathlens before a lesson waits for (issue 13, "Speed": server time
≤ 150 ms, median, warm; a real browser's draw time; live-now refresh ≤ 20 ms server time).

The data: learner identities in the school database, five classes of them owned by one
whitelisted teacher, and each class's events COPY-ed into the event store (the API is measured by
benchmarks/ingest.py): 30 learners x 3 widgets x SESSIONS sessions, 100,000 events per class,
each session one that the demo's simulated learners played, spread over the last 60 days. The
session rows are then created as ingestion leaves them and summarised by
`manage.py summarise_sessions`, as in benchmarks/aggregate.py (shared code: benchenv.py). A few
learners of the first class then work "now": a session each sent through the real ingestion API.

Then, with a real Celery worker (prefork, Redis broker) and gunicorn (sync workers), production
settings and PostgreSQL for both databases:

1. each class's overview (projects/feeds.py: `feed_refresh`, then `run_refresh` as the page's
   polling does) runs to DONE: two data requests and the import, per class;
2. the home page, GET /teacher/ over loopback with a signed-in teacher's cookie: warm-up
   requests (every gunicorn worker answers a few), then REPEAT timed ones: median and p95 of
   the time until the whole answer is in (loopback, so this is the server's time);
3. a real browser (Debian's Chromium, headless, Playwright, a fresh profile per round): from
   navigation start until all five progress grids are laid out (a requestAnimationFrame check
   installed before the page loads), the first visit and later ones;
4. the live-now fragment, GET /teacher/classes/<id>/live/ with `HX-Request: true` as the
   card's polling sends it, through gunicorn: warm-up, then --live-views timed ones, with the
   collector in-process (the default, `COLLECTOR_URL` unset) and then through a second gunicorn
   whose `COLLECTOR_URL` points at the first (`HttpCollector`: POST /api/v1/learners/live with
   an API key), with that API call timed alone too;
5. the live-now query underneath, on its own connection: `collector_session` rows of a class's
   30 opaque ids with `last_time` in the last 2 minutes, through the index
   session_learner_last, on PostgreSQL;
6. with --profile N: N home page requests and 3N live-now fragments in this process (Django's
   test client, the collector in-process) under pyinstrument, to say where the server's time
   goes.

    .venv/bin/python benchmarks/home.py            # --help lists the knobs

Results and how to read them: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import benchenv
import psycopg
import requests
from benchenv import (
    DAY_MS,
    WIDGETS,
    Ours,
    celery_worker,
    create_school,
    create_sessions,
    event_lines,
    load_events,
    log,
    percentile,
    session_plan,
    session_templates,
    stale_sessions,
    summarise_command,
)

DATABASES = ("pathlens_home_bench", "pathlens_home_bench_analytics")
# aggregate uses 9, replay 10, explore 11, ingest 12, CI 13 and 14
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
LIVE_WINDOW_MS = 2 * 60_000  # "in progress": an event in the last 2 minutes (issue 13)
LIVE_QUERY = """
SELECT learner, widget, session, last_time, status
FROM collector_session
WHERE learner IN ({ids}) AND last_time >= %s
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--classes", type=int, default=5, help="the teacher's classes")
    parser.add_argument("--learners", type=int, default=30, help="learners per class")
    parser.add_argument("--events", type=int, default=100_000, help="events per class")
    parser.add_argument("--sessions", type=int, default=20,
                        help="sessions per learner and widget")  # fmt: skip
    parser.add_argument("--live", type=int, default=8,
                        help="learners of class 1 working now (through the API)")  # fmt: skip
    parser.add_argument("--templates", type=int, default=100,
                        help="simulated sessions per widget and length (reused)")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=30, help="timed home page requests")
    parser.add_argument("--warmup", type=int, default=6, help="untimed requests first")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--concurrency", type=int, default=2, help="Celery pool processes")
    parser.add_argument("--browser-rounds", type=int, default=3,
                        help="fresh browser profiles, each visiting the page 3 times")  # fmt: skip
    parser.add_argument("--live-repeat", type=int, default=200, help="timed live-now queries")
    parser.add_argument("--live-views", type=int, default=30,
                        help="timed live-now fragment requests (per collector mode)")  # fmt: skip
    parser.add_argument("--profile", type=int, default=10,
                        help="home pages profiled in-process; 3x live-now (0: none)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", default=benchenv.DEFAULT_POSTGRES, help="server URL")
    parser.add_argument("--redis", default=DEFAULT_REDIS, help="a Redis db of its own")
    parser.add_argument("--database", default=DATABASES[0],
                        help="the default database; analytics: + _analytics")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    return parser.parse_args()


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


# --- The school -----------------------------------------------------------------------------------


def create_classes(teacher, identities, count: int, size: int) -> list:
    """`count` classes of `size` learners each, owned by the teacher, who is whitelisted."""
    from dashboard.classes import class_add_learners, class_create
    from dashboard.models import WhitelistEntry

    WhitelistEntry.objects.create(value=teacher.email)
    classes = []
    for number in range(count):
        school_class = class_create(owner=teacher, name=f"Class {number + 1}", year="Year 8")
        class_add_learners(
            school_class=school_class, learners=identities[number * size : (number + 1) * size]
        )
        classes.append(school_class)
    return classes


def send_live_sessions(base: str, learners, seed: int) -> int:
    """One session per learner, on the widgets in turn, through POST /api/v1/events with the
    learner's own token, its last event a few seconds ago: learners working now."""
    from collector.tenants import tenant_default
    from collector.tokens import learner_token_issue
    from dashboard.demo.simulate import simulate_session
    from dashboard.demo.strategies import STRATEGIES

    rng = random.Random(f"home:{seed}:live")
    now_ms = int(time.time() * 1000)
    sent, tenant_id = 0, tenant_default().pk
    for index, learner in enumerate(learners):
        widget = WIDGETS[index % len(WIDGETS)]
        strategy, session = STRATEGIES["systematic"], uuid.uuid4().hex
        played = simulate_session(
            rng, widget, strategy, 0.8, session=session, start_ms=0, events=30
        )
        shift = now_ms - 5_000 - played.events[-1]["t"]
        events = [{**event, "t": event["t"] + shift} for event in played.events]
        token = learner_token_issue(tenant_id=tenant_id, learner=learner.opaque_id)
        response = requests.post(
            f"{base}/api/v1/events",
            json={"events": events},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        if response.status_code != 202:
            raise SystemExit(f"ingestion answered {response.status_code}: {response.text[:500]}")
        sent += len(events)
    return sent


def run_overviews(classes, timeout: float = 900) -> float:
    """Every class's overview submitted (`feed_refresh`) and moved along as the page's polling
    does (`run_refresh` on the processing run) until each has a DONE run; seconds taken."""
    from projects import feeds, services

    began = time.perf_counter()
    for school_class in classes:
        if feeds.feed_refresh(school_class=school_class, force=True) is None:
            raise SystemExit(f"{school_class}: no overview run was submitted")
    while True:
        pending = 0
        for school_class in classes:
            state = feeds.feed_state(school_class=school_class)
            if state.refreshing:
                latest = state.feed.runs.order_by("-number").first()
                latest = services.run_refresh(run=latest)
                pending += latest.is_processing
            elif state.run is None:
                latest = state.feed.runs.order_by("-number").first()
                raise SystemExit(f"{school_class}: overview run ended {latest.status}")
        if not pending:
            return time.perf_counter() - began
        if time.perf_counter() - began > timeout:
            raise SystemExit(f"the class overviews took more than {timeout:.0f} s")
        time.sleep(0.2)


# --- The measurements -----------------------------------------------------------------------------


def timed_get(http: requests.Session, url: str) -> tuple[float, int, int, bytes]:
    """(seconds until the whole answer is in, status, bytes as sent, decoded body)."""
    began = time.perf_counter()
    response = http.get(url, headers={"Accept-Encoding": "gzip"}, stream=True)
    raw = response.raw.read(decode_content=False)
    took = time.perf_counter() - began
    body = gzip.decompress(raw) if response.headers.get("Content-Encoding") == "gzip" else raw
    return took, response.status_code, len(raw), body


def check_page(body: bytes, classes: int, learners: int) -> dict:
    """What the page shows: one grid per class, one row per learner, and its flags."""
    html = body.decode()
    grids = html.count('class="table progress-grid"')
    rows = html.count('<th scope="row">')
    if grids != classes or rows != classes * learners:
        raise SystemExit(f"the home page shows {grids} grids and {rows} rows; see the HTML")
    return {"grids": grids, "rows": rows, "flags": html.count('<li class="flag flag--')}


def measure_server(http: requests.Session, url: str, args, ours: Ours) -> dict:
    for _ in range(args.warmup):
        timed_get(http, url)
    samples = []
    with benchenv.Load(ours) as load:
        for _ in range(args.repeat):
            samples.append(timed_get(http, url))
    if any(status != 200 for _, status, _, _ in samples):
        raise SystemExit(f"the home page answered {[s[1] for s in samples]}")
    times = [took for took, *_ in samples]
    return {
        "times": times,
        "median": benchenv.median(times),
        "p95": percentile(times, 0.95),
        "min": min(times),
        "max": max(times),
        "sent": samples[0][2],
        "html": len(samples[0][3]),
        "page": check_page(samples[0][3], args.classes, args.learners),
        "load": load,
    }


# Installed before the page's own code: on every animation frame until it holds, whether every
# class's grid is in the document and laid out (a box with a height), and when that first held.
GRIDS_VISIBLE = """(() => {
  const want = %d;
  const check = () => {
    const grids = document.querySelectorAll("table.progress-grid");
    if (grids.length >= want && [...grids].every((g) => g.getBoundingClientRect().height > 0)) {
      window.__gridsVisible = performance.now();
    } else {
      requestAnimationFrame(check);
    }
  };
  requestAnimationFrame(check);
})();"""

PHASES = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  return {
    visible: window.__gridsVisible,
    response_start: nav.responseStart,
    response_end: nav.responseEnd,
    dom_content_loaded: nav.domContentLoadedEventEnd,
    first_contentful_paint: paint ? paint.startTime : null,
    load: nav.loadEventEnd,
  };
}"""


def measure_browser(base: str, cookie: str, classes: int, rounds: int) -> list[list[dict]]:
    """Milliseconds from navigation start, per visit: a fresh profile (nothing cached) for the
    first visit of each round, then two more visits with its cache."""
    from playwright.sync_api import sync_playwright

    visits: list[list[dict]] = [[], [], []]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
        )
        for _ in range(rounds):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
            context.add_init_script(GRIDS_VISIBLE % classes)
            page = context.new_page()
            for visit in visits:
                page.goto(f"{base}/teacher/")
                page.wait_for_function("() => window.__gridsVisible !== undefined")
                page.wait_for_load_state("load")
                visit.append(page.evaluate(PHASES))
            context.close()
        browser.close()
    return visits


def describe_visits(name: str, samples: list[dict]) -> str:
    def med(key: str) -> str:
        values = [s[key] for s in samples if s[key] is not None]
        return f"{statistics.median(values):.0f}" if values else "–"

    visible = [s["visible"] for s in samples]
    return (
        f"  {name} ({len(samples)}): grids visible median {statistics.median(visible):.0f} ms "
        f"(max {max(visible):.0f}); first byte {med('response_start')}, HTML in "
        f"{med('response_end')}, DOMContentLoaded {med('dom_content_loaded')}, first paint "
        f"{med('first_contentful_paint')}, load {med('load')} ms"
    )


def live_listed(body: bytes) -> int:
    """How many learners the live-now fragment lists as working now (one row each)."""
    html = body.decode()
    return html.count("<li>") if 'class="live-list"' in html else 0


def measure_live(send, args, ours: Ours) -> dict:
    """`send()` (one request, as the card's polling makes it) after `--warmup` untimed ones,
    `--live-views` times: each must answer 200."""

    def once() -> tuple[float, int, bytes]:
        began = time.perf_counter()
        response = send()
        return time.perf_counter() - began, response.status_code, response.content

    for _ in range(args.warmup):
        once()
    samples = []
    with benchenv.Load(ours) as load:
        for _ in range(args.live_views):
            samples.append(once())
    if any(status != 200 for _, status, _ in samples):
        raise SystemExit(f"live now answered {[s[1] for s in samples]}: {samples[0][2][:500]}")
    times = [took for took, *_ in samples]
    return {
        "median": benchenv.median(times),
        "p95": percentile(times, 0.95),
        "min": min(times),
        "max": max(times),
        "bytes": len(samples[-1][2]),
        "body": samples[-1][2],
        "load": load,
    }


def describe_live(name: str, result: dict, listed: int | None = None) -> str:
    extra = "" if listed is None else f", listing {listed} learners working now"
    return (
        f"  {name}: median {ms(result['median'])} ms, p95 {ms(result['p95'])} ms (min "
        f"{ms(result['min'])}, max {ms(result['max'])}), {result['bytes']} bytes{extra}\n"
        f"    during it: {result['load'].describe()}; {loadavg()}"
    )


def measure_live_query(dsn: str, opaque_ids: list[str], repeat: int) -> dict:
    """The query "Live now" is meant to run per refresh, on its own connection: its plan, the
    server's own timing (EXPLAIN ANALYZE) and the time a client waits for its rows."""
    query = LIVE_QUERY.format(ids=", ".join(["%s"] * len(opaque_ids)))
    with psycopg.connect(dsn, autocommit=True) as connection:

        def params() -> list:
            return [*opaque_ids, int(time.time() * 1000) - LIVE_WINDOW_MS]

        plan = "\n".join(
            row[0] for row in connection.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query}", params())
        )
        executions, plannings = [], []
        for _ in range(30):
            (text,) = connection.execute(
                f"EXPLAIN (ANALYZE, FORMAT JSON) {query}", params()
            ).fetchone()
            executions.append(text[0]["Execution Time"])
            plannings.append(text[0]["Planning Time"])
        waits, found = [], 0
        for _ in range(repeat):
            began = time.perf_counter()
            found = len(connection.execute(query, params()).fetchall())
            waits.append(time.perf_counter() - began)
        sessions = connection.execute("SELECT count(*) FROM collector_session").fetchone()[0]
    return {
        "plan": plan,
        "uses_index": "session_learner_last" in plan,
        "execution_ms": executions,
        "planning_ms": plannings,
        "waits": waits,
        "rows": found,
        "sessions": sessions,
    }


def profile_view(
    teacher, count: int, data_dir: Path, path: str, name: str, headers: dict | None = None
) -> str:
    """`count` requests of `path` in this process (Django's test client, the same settings, the
    collector in-process), timed bare, then again under pyinstrument; the profile is kept as
    HTML in the data folder (`name`-profile.html)."""
    from django.db import connections
    from django.test import Client
    from pyinstrument import Profiler

    client = Client(HTTP_HOST="127.0.0.1", headers=headers or {})
    client.force_login(teacher)
    for _ in range(3):
        assert client.get(path).status_code == 200
    bare = []
    # The test client shares this process's connections: the CPU of both databases' backends.
    backends = []
    for alias in connections:
        connections[alias].ensure_connection()
        backends.append(connections[alias].connection.info.backend_pid)

    def database_cpu() -> float:
        return sum(benchenv.cpu_seconds(pid) for pid in set(backends))

    python, database = time.process_time(), database_cpu()
    for _ in range(count):
        began = time.perf_counter()
        client.get(path)
        bare.append(time.perf_counter() - began)
    python = (time.process_time() - python) / count
    database = (database_cpu() - database) / count
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(count):
        client.get(path)
    profiler.stop()
    (data_dir / f"{name}-profile.html").write_text(profiler.output_html())
    tree = profiler.output_text(unicode=True, color=False, show_all=False)
    return (
        f"{path}: in-process (test client, no HTTP), {count} requests: median "
        f"{ms(statistics.median(bare))} ms, min {ms(min(bare))} ms; CPU per request {ms(python)} "
        f"ms in Python, {ms(database)} ms in PostgreSQL (whatever else the machine does)\n"
        f"under pyinstrument ({count} requests together; times are the sum over them):\n{tree}"
    )


def main() -> None:
    args = parse_args()
    names = (args.database, f"{args.database}_analytics")
    print("machine:", benchenv.machine(args.postgres))
    log(f"load average at the start: {loadavg()} (a shared machine: other sessions run too)")
    setup = benchenv.prepared(
        postgres=args.postgres, redis_url=args.redis, keep=args.keep, names=names
    )
    with setup as (env, data_dir):
        ours = Ours(args.postgres, names)
        dsn = env["ANALYTICS_DATABASE_URL"]
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=benchenv.ROOT, env=env, check=True,
        )  # fmt: skip
        identities, teacher = create_school(args.classes * args.learners)
        classes = create_classes(teacher, identities, args.classes, args.learners)
        plan = []
        for number in range(args.classes):
            pupils = identities[number * args.learners : (number + 1) * args.learners]
            plan += session_plan([i.opaque_id for i in pupils], args.sessions, args.events)
        total_events = args.classes * args.events
        began = time.perf_counter()
        templates = session_templates({size for *_, size in plan}, args.templates, args.seed)
        log(
            f"simulated {len(templates) * args.templates:,} template sessions in "
            f"{time.perf_counter() - began:.1f} s"
        )
        # A learner's sessions of a widget evenly over the last 56 days, the latest ~4 days ago.
        gap_ms = 56 * DAY_MS // args.sessions
        load_s = load_events(dsn, event_lines(plan, templates, gap_ms=gap_ms))
        log(
            f"loaded {total_events:,} events ({len(plan):,} sessions: {args.classes} classes of "
            f"{args.learners}, {args.events:,} events each) with COPY in {load_s:.1f} s"
        )
        sessions_s, count = create_sessions(dsn)
        assert count == len(plan), (count, len(plan))
        log(f"created {count:,} session rows as ingestion leaves them in {sessions_s:.1f} s")
        cold = summarise_command(env, data_dir / "summarise.log", ours)
        assert stale_sessions() == 0
        log(f"summarise_sessions: {cold['seconds']:.1f} s ({cold['output']})")

        port = benchenv.free_port()
        base = f"http://127.0.0.1:{port}"
        worker_log, web_log = data_dir / "worker.log", data_dir / "gunicorn.log"
        with (
            celery_worker(env, worker_log, args.concurrency) as worker,
            benchenv.gunicorn(env, web_log, port, args.web_workers) as web,
        ):
            ours.processes += [worker.pid, web.pid]
            live = identities[: args.live]
            sent = send_live_sessions(base, live, args.seed)
            log(f"{len(live)} learners of {classes[0]} working now: {sent} events through the API")
            overviews_s = run_overviews(classes)
            log(f"the {args.classes} class overviews ran to DONE in {overviews_s:.1f} s")

            from django.db.models import Count

            from projects.models import RunSession

            per_run = RunSession.objects.values("run_id").annotate(n=Count("id")).order_by("run_id")
            log(f"RunSession rows per overview run: {[row['n'] for row in per_run]}")

            # Right after the overviews, while the 8 sessions sent above are still "live" (their
            # last event under 2 minutes ago): the fragment, as the card polls it every 5 s.
            cookie = benchenv.session_cookie(teacher)
            http = requests.Session()
            http.cookies.set("sessionid", cookie, domain="127.0.0.1")
            fragment = {"HX-Request": "true"}
            live_path = f"/teacher/classes/{classes[0].pk}/live/"
            log(f"live now: {args.warmup} warm-up, then {args.live_views} timed requests each")
            live_local = measure_live(
                lambda: http.get(base + live_path, headers=fragment), args, ours
            )
            print(
                describe_live(
                    "fragment, collector in-process (COLLECTOR_URL unset, the default)",
                    live_local, live_listed(live_local["body"]),
                )
            )  # fmt: skip

            from collector.apikeys import api_key_create
            from collector.tenants import tenant_default

            _, key = api_key_create(name="home benchmark", tenant=tenant_default())
            api = requests.Session()
            body = {"learners": [i.opaque_id for i in identities[: args.learners]]}
            bearer = {"Authorization": f"Bearer {key}"}
            api_call = measure_live(
                lambda: api.post(f"{base}/api/v1/learners/live", json=body, headers=bearer),
                args, ours,
            )  # fmt: skip
            print(describe_live("POST /api/v1/learners/live alone (30 learners)", api_call))
            # A second gunicorn whose collector is the first one over HTTP: the split set-up.
            split_port = benchenv.free_port()
            split_env = {**env, "COLLECTOR_URL": base, "COLLECTOR_API_KEY": key}
            with benchenv.gunicorn(
                split_env, data_dir / "gunicorn-split.log", split_port, args.web_workers
            ) as split:
                ours.processes.append(split.pid)
                split_url = f"http://127.0.0.1:{split_port}{live_path}"
                live_http = measure_live(lambda: http.get(split_url, headers=fragment), args, ours)
                ours.processes.remove(split.pid)
            print(
                describe_live(
                    "fragment, collector over HTTP (COLLECTOR_URL: the first gunicorn)",
                    live_http, live_listed(live_http["body"]),
                )
            )  # fmt: skip

            log(f"home page: {args.warmup} warm-up requests, then {args.repeat} timed ones")
            server = measure_server(http, f"{base}/teacher/", args, ours)
            log(
                f"home page server time (gunicorn, {args.web_workers} sync workers, loopback): "
                f"median {ms(server['median'])} ms, p95 {ms(server['p95'])} ms "
                f"(min {ms(server['min'])}, max {ms(server['max'])}); "
                f"{server['sent'] / 1000:.1f} KB sent (gzip), {server['html'] / 1000:.0f} KB "
                f"HTML; it shows {server['page']}"
            )
            log(f"  during it: {server['load'].describe()}; {loadavg()}")

            log(f"browser: {args.browser_rounds} fresh profiles x 3 visits")
            visits = measure_browser(base, cookie, args.classes, args.browser_rounds)
            browser_load = loadavg()
            first, later = visits[0], visits[1] + visits[2]
            print(describe_visits("first visit, nothing cached", first), flush=True)
            print(describe_visits("second and third visits", later), flush=True)
            log(f"  load average after the browser: {browser_load}")

        opaque_ids = [i.opaque_id for i in identities[: args.learners]]
        log(f"live-now query ({args.live_repeat} times; the query under the view)")
        with benchenv.Load(ours) as live_load:
            live_q = measure_live_query(dsn, opaque_ids, args.live_repeat)
        print(live_q["plan"], flush=True)
        print(
            f"  {live_q['rows']} live sessions found among {live_q['sessions']:,} session rows; "
            f"index session_learner_last used: {live_q['uses_index']}\n"
            f"  server (EXPLAIN ANALYZE, 30 times): execution median "
            f"{statistics.median(live_q['execution_ms']):.3f} ms (max "
            f"{max(live_q['execution_ms']):.3f}), planning median "
            f"{statistics.median(live_q['planning_ms']):.3f} ms\n"
            f"  a client's wait (psycopg, loopback, {args.live_repeat} times): median "
            f"{ms(benchenv.median(live_q['waits']))} ms, p95 "
            f"{ms(percentile(live_q['waits'], 0.95))} ms\n  {live_load.describe()}",
            flush=True,
        )

        if args.profile:
            log("where the home page's time goes:")
            print(profile_view(teacher, args.profile, data_dir, "/teacher/", "home"), flush=True)
            log("where the live-now fragment's time goes (collector in-process):")
            print(
                profile_view(
                    teacher, args.profile * 3, data_dir, f"/teacher/classes/{classes[0].pk}/live/",
                    "live", {"HX-Request": "true"},
                ),
                flush=True,
            )  # fmt: skip

        print("summary:")
        verdict = "met" if server["median"] <= 0.150 else "NOT met"
        print(
            f"  home page server time, median of {args.repeat}: {ms(server['median'])} ms "
            f"(p95 {ms(server['p95'])}); target ≤ 150 ms: {verdict}"
        )
        print(
            "  browser, grids visible: first visit median "
            f"{statistics.median(s['visible'] for s in first):.0f} ms, later visits "
            f"{statistics.median(s['visible'] for s in later):.0f} ms"
        )
        live_ms = statistics.median(live_q["execution_ms"]) + statistics.median(
            live_q["planning_ms"]
        )
        for name, result in (
            ("collector in-process", live_local),
            ("collector over HTTP", live_http),
        ):
            print(
                f"  live-now fragment ({name}), median of {args.live_views}: "
                f"{ms(result['median'])} ms (p95 {ms(result['p95'])}); target ≤ 20 ms: "
                f"{'met' if result['median'] <= 0.020 else 'NOT met'}"
            )
        print(
            f"  POST /api/v1/learners/live alone: median {ms(api_call['median'])} ms; the query "
            f"under it: {live_ms:.2f} ms on the server (planning + execution), "
            f"{ms(benchenv.median(live_q['waits']))} ms for a client"
        )
        log(f"load average at the end: {loadavg()}; pid {os.getpid()}")


if __name__ == "__main__":
    main()
