"""Benchmark: the replay page of a 10,000-event session, in a real browser.

    .venv/bin/python benchmarks/replay.py [--events 10000] [--repeat 7] [--seeks 200]

What it does, on a production-like set-up (DEBUG off, PostgreSQL for both databases, Redis as
broker and cache, gunicorn, a Celery worker, whitenoise with collected static files):

1. creates databases of its own (`pathlens_replay_bench`, `…_analytics`) and migrates them;
2. sends one learner's TEI001 session of EVENTS events through the real ingestion API (a learner
   working through the three items: placing, moving and checking cards, with a few long pauses),
   and submits a project over it through the real form; a Celery worker runs it to DONE;
3. requests the replay page repeatedly: the server's time and the compressed size;
4. opens the replay page in Debian's Chromium (Playwright) four times in a fresh browser context:
   the first visit has nothing cached; from the third on, the browser has plotly.js cached and
   compiled, as for a teacher who has opened replays before. It reads when the page was ready,
   meaning the widget had folded every event and shown its first moment and the timeline was
   drawn (`data-ready-ms`, milliseconds since navigation start);
5. clicks the seek bar at SEEKS random places (real mouse input) and measures the time from the
   input event until the widget's page changed to the new moment's state, and whether that was
   before the first animation frame after the input began, i.e. whether the first frame drawn
   after the click already shows the widget's new state (and the time until the widget's
   `pathlens:shown` answer arrived);
6. opens the compare view of that session and a second learner's session of the same size
   (`/replay/<project>/compare/<a>/<b>/`) in fresh contexts and reads when it was ready (both
   widgets loaded and both timelines drawn, `#compare[data-ready-ms]`).

The databases are dropped at the end unless --keep is given. Results go to stdout and to
`<data dir>/replay-results.json`; benchmarks/README.md ("Replay") records them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import requests

# This folder is on sys.path when the script runs; setup_django puts the project first, so the
# `replay` app (not this script) is what Django imports.
from benchenv import (
    DEFAULT_POSTGRES,
    ROOT,
    database_url,
    flush_redis,
    machine,
    migrate,
    percentile,
    production_environment,
    setup_django,
)

DATABASES = ("pathlens_replay_bench", "pathlens_replay_bench_analytics")
DEFAULT_REDIS = "redis://127.0.0.1:6379/10"  # explore uses 11, ingest 12, CI 13 and 14
VISITS = 4  # page loads per browser context


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- The session ---------------------------------------------------------------------------------

TEI_ITEMS = (  # static/widgets/TEI001/reducer.js ITEMS: tick step (twelfths) and cards
    (3, ("1/4", "1/2", "3/4", "5/4")),
    (2, ("1/3", "5/6", "4/3", "5/3")),
    (1, ("2/3", "3/4", "7/6", "3/2", "6/4")),
)


def target(card: str) -> int:
    numerator, denominator = (int(part) for part in card.split("/"))
    return numerator * 12 // denominator


def tei_session(session: str, count: int, start: int, seed: int) -> list[dict]:
    """`count` events of a learner working through TEI001: every one valid, most change state."""
    rng = random.Random(seed)
    events: list[dict] = []
    t = start

    def add(type_: str, **data) -> None:
        nonlocal t
        # Mostly brisk; now and then a pause long enough for the replay to skip.
        t += rng.randint(15_000, 90_000) if rng.random() < 0.004 else rng.randint(150, 900)
        events.append(
            {"id": str(uuid.uuid4()), "session": session, "widget": "TEI001", "type": type_,
             "t": t, "data": data}
        )  # fmt: skip

    add("session_started")
    fixed = 50  # events that are not moves (lifecycle, items, placements, checks, fixes)
    moves_per_item = max(0, (count - fixed) // 3)
    for item, (step, cards) in enumerate(TEI_ITEMS, start=1):
        positions = {}
        add("item_started", item=item)
        for card in cards:
            positions[card] = rng.randrange(0, 25, step)
            add("card_placed", item=item, card=card, position=positions[card])
        for attempt in (1, 2, 3):
            third = moves_per_item // 3
            share = third if attempt < 3 else moves_per_item - 2 * third
            for _ in range(share):
                card = rng.choice(cards)
                choices = [p for p in range(0, 25, step) if p != positions[card]]
                new = target(card) if attempt == 3 and rng.random() < 0.02 else rng.choice(choices)
                if new == positions[card]:
                    continue
                add("card_moved", item=item, card=card, position=new, **{"from": positions[card]})
                positions[card] = new
            if attempt == 3:
                for card in cards:
                    if positions[card] != target(card):
                        add("card_moved", item=item, card=card, position=target(card),
                            **{"from": positions[card]})  # fmt: skip
                        positions[card] = target(card)
            right = [card for card in cards if positions[card] == target(card)]
            add("answer_checked", item=item, attempt=attempt, correct_cards=right)
            if len(right) == len(cards):
                break
        add("item_completed", item=item, correct=True)
    while len(events) < count - 1:
        add("session_resumed")
    add("session_completed")
    return events[:count]


# --- Services ------------------------------------------------------------------------------------


def recreate_databases(server: str) -> None:
    with psycopg.connect(database_url(server, "postgres"), autocommit=True) as admin:
        for name in DATABASES:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {name}")


def drop_databases(server: str) -> None:
    with psycopg.connect(database_url(server, "postgres"), autocommit=True) as admin:
        for name in DATABASES:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def services(env: dict[str, str], port: int):
    logs = Path(env["DATA_DIR"])
    web_log = open(logs / "gunicorn.log", "w")  # noqa: SIM115
    worker_log = open(logs / "worker.log", "w")  # noqa: SIM115
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2",
         "--timeout", "120"],
        cwd=ROOT, env=env, stdout=web_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel", "WARNING",
         "--concurrency", "1", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):  # not up yet, or busy
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).ok:
                    break
            time.sleep(0.3)
        else:
            raise SystemExit("gunicorn did not answer within 60 s; see gunicorn.log")
        yield
    finally:
        for process in (web, worker):
            process.send_signal(signal.SIGTERM)
        for process in (web, worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        web_log.close()
        worker_log.close()


def session_cookie(teacher) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(teacher.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = teacher.get_session_auth_hash()
    session.create()
    return session.session_key


def send_events(base: str, token: str, events: list[dict]) -> None:
    for start in range(0, len(events), 1000):
        response = requests.post(
            f"{base}/api/v1/events",
            json={"events": events[start : start + 1000]},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        assert response.status_code == 202, response.text[:500]


def run_project(http: requests.Session, base: str, learner_pks: list[int]) -> int:
    form = http.get(f"{base}/projects/new/")
    assert form.status_code == 200, form.status_code
    token = http.cookies.get("csrftoken") or re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text
    ).group(1)
    created = http.post(
        f"{base}/projects/new/",
        data={"csrfmiddlewaretoken": token, "name": "Replay benchmark",
              "learners": learner_pks, "widgets": ["TEI001"]},
        allow_redirects=False,
    )  # fmt: skip
    assert created.status_code == 302, created.text[:2000]
    project_id = int(re.search(r"/projects/(\d+)/", created.headers["Location"])[1])
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        fragment = http.get(
            f"{base}/projects/{project_id}/status/", headers={"HX-Request": "true"}
        ).text
        state = re.search(r'data-status="(\w+)"', fragment)[1]
        if state == "DONE":
            return project_id
        if state == "FAILED":
            raise SystemExit(f"the project run failed: {fragment[:500]}")
        time.sleep(0.25)
    raise SystemExit("the project run took more than 5 minutes")


# --- Measurements --------------------------------------------------------------------------------


def measure_server(http: requests.Session, url: str, repeat: int) -> dict:
    samples = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        response = http.get(url, headers={"Accept-Encoding": "gzip"}, stream=True)
        raw = response.raw.read(decode_content=False)
        samples.append((time.perf_counter() - started, response.status_code, len(raw)))
    samples = samples[1:]  # the first warms the process that answers
    assert all(status == 200 for _, status, _ in samples), [s[1] for s in samples]
    return {
        "median_ms": round(statistics.median(s[0] for s in samples) * 1000, 1),
        "max_ms": round(max(s[0] for s in samples) * 1000, 1),
        "compressed_bytes": samples[0][2],
    }


# Milliseconds since navigation start: the HTML in, the scripts run, the replay's own marks.
TIMINGS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const plotly = performance.getEntriesByType("resource").find((r) => r.name.includes("plotly"));
  return {
    html_response_end: Math.round(nav.responseEnd),
    plotly_response_end: plotly ? Math.round(plotly.responseEnd) : null,
    ...Object.fromEntries(
      performance.getEntriesByType("mark").map((m) => [m.name, Math.round(m.startTime)])
    ),
  };
}"""

# Installed once in the page. For each trusted input event of the seek bar (a real mouse click,
# which the browser delivers at the start of a frame, as it would a person's): when the widget's
# page changed (a mutation in the frame's #widget-root), when the widget answered that it shows
# the new moment (`pathlens:shown`), and when the first animation frame after the input began.
# A change made before that frame began is drawn in it: the first frame after the click already
# shows the widget's new state.
SEEK_PROBE = """() => {
  const bar = document.getElementById("replay-seek");
  const frameWindow = document.getElementById("replay-frame").contentWindow;
  const widgetRoot = frameWindow.document.getElementById("widget-root");
  window.benchSeeks = [];
  window.benchInputs = 0;
  let pending = null;
  const done = (seek) => {
    if (seek.shown === undefined || seek.frame === undefined || seek.finished) return;
    seek.finished = true;
    window.benchSeeks.push(seek);
  };
  new frameWindow.MutationObserver(() => {
    if (pending && pending.changed === undefined) pending.changed = performance.now();
  }).observe(widgetRoot, { subtree: true, childList: true, attributes: true, characterData: true });
  bar.addEventListener("input", (event) => {
    window.benchInputs += 1;
    if (!event.isTrusted) return;
    const seek = { input: event.timeStamp };
    pending = seek;
    requestAnimationFrame(() => { seek.frame = performance.now(); done(seek); });
  }, true);
  window.addEventListener("message", (event) => {
    if (event.data?.type !== "pathlens:shown" || !pending) return;
    const seek = pending;
    seek.shown = performance.now();
    done(seek);
  });
}"""


def measure_seeks(page, count: int, rng: random.Random) -> list[dict]:
    page.evaluate(SEEK_PROBE)
    bar = page.locator("#replay-seek")
    while page.evaluate("() => window.benchSeeks.length") < count:
        done = page.evaluate("() => [window.benchInputs, window.benchSeeks.length]")
        bar.scroll_into_view_if_needed()
        box = bar.bounding_box()  # the widget above may have grown
        x = box["x"] + 8 + rng.random() * (box["width"] - 16)
        page.mouse.click(x, box["y"] + box["height"] / 2)
        # A click on the thumb where it already is changes nothing: no input, no seek.
        page.wait_for_function(
            f"() => window.benchInputs === {done[0]} || window.benchSeeks.length > {done[1]}",
            timeout=10_000,
        )
        page.wait_for_timeout(50)  # let the page go idle, as between a person's clicks
    samples = []
    for seek in page.evaluate("() => window.benchSeeks"):
        changed = seek.get("changed")
        samples.append(
            {
                "answered": seek["shown"] - seek["input"],
                # None: that moment looks the same as the one before (no change to draw).
                "changed": None if changed is None else changed - seek["input"],
                "in_first_frame": None if changed is None else changed <= seek["frame"],
            }
        )
    return samples


def measure_browser(base: str, cookie: str, url: str, repeat: int, seeks: int, seed: int) -> dict:
    from playwright.sync_api import sync_playwright

    cold, second, warm, marks = [], [], [], []
    seek_samples: list[dict] = []
    rng = random.Random(seed)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            headless=True,
            args=["--no-sandbox"],
        )
        for round_number in range(repeat):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            # Visit 1 is a first visit ever (a fresh context: nothing cached). Chromium keeps the
            # compiled code of a script from the second run of it, so from visit 3 on the page
            # runs as it does for a teacher who has opened replays before.
            visits = []
            for _ in range(VISITS):
                page.goto(url)
                ready = page.locator("#replay[data-state=ready]")
                ready.wait_for(timeout=60_000)
                visits.append(int(ready.get_attribute("data-ready-ms")))
            cold.append(visits[0])
            second.append(visits[1])
            warm.extend(visits[2:])
            marks.append(page.evaluate(TIMINGS))
            drawn = page.evaluate(
                "() => document.querySelectorAll('#replay-chart .scatterlayer .point').length"
            )
            count = int(page.locator("#replay-frame").get_attribute("data-count"))
            if round_number == 0:
                seek_samples = measure_seeks(page, seeks, rng)
            assert not errors, errors
            context.close()
        browser.close()
    answered = [s["answered"] for s in seek_samples]
    changed = [s for s in seek_samples if s["changed"] is not None]
    updated = [s["changed"] for s in changed]
    return {
        "events_in_widget": count,
        "timeline_marks_drawn": drawn,
        "ready_cold_median_ms": statistics.median(cold),
        "ready_cold_max_ms": max(cold),
        "ready_second_visit_median_ms": statistics.median(second),
        "ready_warm_median_ms": statistics.median(warm),
        "ready_warm_max_ms": max(warm),
        "marks_last_warm_load": marks[-1],
        "seeks": len(seek_samples),
        "seeks_that_changed_the_widget": len(changed),
        "seek_to_widget_changed_median_ms": round(statistics.median(updated), 2),
        "seek_to_widget_changed_p95_ms": round(percentile(updated, 0.95), 2),
        "seek_to_widget_changed_max_ms": round(max(updated), 2),
        "widget_changed_in_the_first_frame": sum(1 for s in changed if s["in_first_frame"]),
        "seek_to_shown_answer_median_ms": round(statistics.median(answered), 2),
    }


def measure_compare(base: str, cookie: str, url: str, repeat: int) -> dict:
    """The compare view of two sessions: ready on a first visit (fresh context) and warm."""
    from playwright.sync_api import sync_playwright

    cold, warm = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            headless=True,
            args=["--no-sandbox"],
        )
        for _ in range(repeat):
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            visits = []
            for _ in range(VISITS):
                page.goto(url)
                ready = page.locator("#compare[data-state=ready]")
                ready.wait_for(timeout=120_000)
                visits.append(int(ready.get_attribute("data-ready-ms")))
            cold.append(visits[0])
            warm.extend(visits[2:])
            assert not errors, errors
            context.close()
        browser.close()
    return {
        "compare_ready_cold_median_ms": statistics.median(cold),
        "compare_ready_cold_max_ms": max(cold),
        "compare_ready_warm_median_ms": statistics.median(warm),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument(
        "--repeat", type=int, default=5, help=f"browser contexts, {VISITS} visits each"
    )
    parser.add_argument("--seeks", type=int, default=200)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES", DEFAULT_POSTGRES))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS", DEFAULT_REDIS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="pathlens-replay-bench-"))
    env = production_environment(postgres=args.postgres, redis_url=args.redis, data_dir=data_dir)
    env["DATABASE_URL"] = database_url(args.postgres, DATABASES[0])
    env["ANALYTICS_DATABASE_URL"] = database_url(args.postgres, DATABASES[1])
    log(f"databases {', '.join(DATABASES)} on {args.postgres}; data in {data_dir}")
    recreate_databases(args.postgres)
    flush_redis(args.redis)
    try:
        migrate(env)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        setup_django(env)
        from collector.tenants import tenant_default
        from collector.tokens import learner_token_issue
        from dashboard.models import LearnerIdentity, User, WhitelistEntry, real_id_key

        learner = LearnerIdentity.objects.create(
            real_id="S-9001", real_id_key=real_id_key("S-9001"), display_name="Bench Learner"
        )
        # A second learner's session of the same size, for the compare view.
        other = LearnerIdentity.objects.create(
            real_id="S-9002", real_id_key=real_id_key("S-9002"), display_name="Bench Other"
        )
        teacher = User.objects.create(username="bench-teacher", email="bench@school.example")
        WhitelistEntry.objects.create(value="bench@school.example")
        cookie = session_cookie(teacher)
        start = int(time.time() * 1000) - 3 * 86_400_000
        events = tei_session("bench-session", args.events, start, args.seed)
        other_events = tei_session("bench-other", args.events, start + 3_600_000, args.seed + 1)

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with services(env, port):
            tenant = tenant_default().pk
            send_events(
                base, learner_token_issue(tenant_id=tenant, learner=learner.opaque_id), events
            )
            send_events(
                base, learner_token_issue(tenant_id=tenant, learner=other.opaque_id), other_events
            )
            log(f"2 × {len(events):,} events sent through the ingestion API")
            http = requests.Session()
            http.cookies.set("sessionid", cookie, domain="127.0.0.1")
            project_id = run_project(http, base, [learner.pk, other.pk])
            from projects.models import RunSession

            session = RunSession.objects.get(run__project_id=project_id, learner=learner)
            other_session = RunSession.objects.get(run__project_id=project_id, learner=other)
            url = f"{base}/replay/{project_id}/{session.pk}/"
            log(f"project DONE; replaying {url}")
            load = {"server_before": round(os.getloadavg()[0], 2)}
            server = measure_server(http, url, 10)
            log(f"server: {server}")
            load["browser_before"] = round(os.getloadavg()[0], 2)
            browser = measure_browser(base, cookie, url, args.repeat, args.seeks, args.seed)
            load["browser_after"] = round(os.getloadavg()[0], 2)
            log(f"browser: {browser}")
            compare_url = f"{base}/replay/{project_id}/compare/{session.pk}/{other_session.pk}/"
            compare = measure_compare(base, cookie, compare_url, max(2, args.repeat // 2))
            load["compare_after"] = round(os.getloadavg()[0], 2)
            log(f"compare: {compare}")

        results = {
            "command": " ".join(["python", "benchmarks/replay.py", *sys.argv[1:]]),
            "machine": machine(args.postgres),
            "events": len(events),
            "span_minutes": round((events[-1]["t"] - events[0]["t"]) / 60_000, 1),
            "server": server,
            "browser": browser,
            "compare": compare,
            # Other people's work may share the machine: how busy it was (1-minute load
            # average, on `cpus` cores) around the measurements.
            "load_average": load,
        }
        (data_dir / "replay-results.json").write_text(json.dumps(results, indent=2))
        print(json.dumps(results, indent=2))
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_databases(args.postgres)
            flush_redis(args.redis)


if __name__ == "__main__":
    main()
