"""seed_demo: the demo class and its weeks of simulated lessons, stored as real learners' are."""

from __future__ import annotations

import io
import itertools
import json
import re
import statistics
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from collector.models import Event, Session
from collector.summaries import sessions_summarise
from dashboard.access import LEARNER_SESSION_KEY
from dashboard.demo.classroom import plan_class
from dashboard.management.commands.seed_demo import DEFAULT_SEED, DEMO_CLASS, playable_widgets
from dashboard.models import LearnerIdentity, SchoolClass, WidgetOpening
from tests.support.db import BOTH_DATABASES
from widgets.registry import get_widget

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)

UNTIL = "2025-03-14"
FIXTURE = Path(__file__).resolve().parents[1] / "js" / "fixtures" / "demo_sessions.json"


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--until", UNTIL, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def stored_sessions() -> dict[tuple[str, str], list[dict]]:
    """Every stored session of the current learners, by (real id, session), in time order."""
    real_ids = dict(LearnerIdentity.objects.values_list("opaque_id", "real_id"))
    sessions: dict[tuple[str, str], list[dict]] = defaultdict(list)
    rows = (
        Event.objects.filter(learner__in=list(real_ids))
        .order_by("t", "seq")
        .values_list("learner", "session", "widget", "type", "t", "data")
    )
    for learner, session, widget, kind, t, data in rows:
        sessions[(real_ids[learner], session)].append(
            {"widget": widget, "type": kind, "t": t, "data": data}
        )
    return sessions


def strategy_of_real_id() -> dict[str, str]:
    plan = plan_class(
        seed=DEFAULT_SEED,
        learners=len(DEMO_CLASS),
        until=date.fromisoformat(UNTIL),
        tz=timezone.get_default_timezone(),
        widgets=playable_widgets(),
    )
    return {DEMO_CLASS[learner.index][0]: learner.strategy.name for learner in plan.learners}


def test_it_loads_the_class_and_weeks_of_sessions_of_the_widgets():
    started = time.perf_counter()
    output = seed()
    elapsed = time.perf_counter() - started

    assert LearnerIdentity.objects.count() == 24
    assert "Amara Okafor" in LearnerIdentity.objects.values_list("display_name", flat=True)
    assert "24 learners, 10 lessons from 2025-02-17 to 2025-03-14" in output
    events = Event.objects.count()
    assert 2000 < events < 20_000
    assert f"{events:,} events" in output
    for widget in playable_widgets():
        assert Session.objects.filter(widget=widget).count() >= 20, widget
    # Every learner who came to class has sessions, some completed and some not.
    assert Event.objects.values("learner").distinct().count() == 24
    assert Session.objects.filter(status="completed").exists()
    assert Session.objects.exclude(status="completed").exists()
    # Four weeks, in the past.
    first, last = Event.objects.order_by("t").values_list("t", flat=True)[:: events - 1]
    assert (last - first) / 86_400_000 > 24
    assert elapsed < 20


def test_the_demo_teacher_teaches_the_demo_class_and_learners_find_it_by_its_code(client):
    output = seed()
    demo_class = SchoolClass.objects.get()
    assert demo_class.owner.is_demo
    assert demo_class.learners.count() == 24
    assert f"class code {demo_class.code}" in output
    html = client.get(f"/signin/learner/{demo_class.code}/").content.decode()
    assert "Amara Okafor" in html


def test_some_learners_open_a_widget_and_leave_without_working():
    seed()
    sessions_summarise()
    opens = Session.objects.filter(work_events=0)
    assert 3 <= opens.count() <= Session.objects.count() // 5
    assert not opens.filter(status="completed").exists()


def test_it_records_each_opening_so_the_catalogue_shows_progress():
    seed()
    opened_sessions = set(WidgetOpening.objects.values_list("session", flat=True))
    assert opened_sessions == set(Session.objects.values_list("session", flat=True))
    # Openings are dated when the visit began, weeks ago.
    latest = WidgetOpening.objects.order_by("-opened_at").first().opened_at
    assert latest.date() <= date.fromisoformat(UNTIL)

    learner = LearnerIdentity.objects.get(real_id="s-1001")
    client = Client()
    session = client.session
    session[LEARNER_SESSION_KEY] = learner.pk
    session.save()
    html = client.get("/learn/").content.decode()
    assert re.search(r"Opened \d+ times?, last", html)


def test_a_learner_opening_the_lever_lab_continues_their_simulated_session():
    seed()
    opening = WidgetOpening.objects.filter(widget="BLL002").order_by("-opened_at").first()
    client = Client()
    session = client.session
    session[LEARNER_SESSION_KEY] = opening.learner_id
    session.save()
    html = client.get("/learn/BLL002/").content.decode()
    config = json.loads(
        re.search(
            r'<script id="widget-config" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    assert config["session"] == opening.session
    assert config["history"][0]["type"] == "session_started"
    assert len(config["history"]) == Event.objects.filter(session=opening.session).count()


def test_it_loads_nothing_when_learners_exist():
    seed()
    counts = (LearnerIdentity.objects.count(), Event.objects.count(), WidgetOpening.objects.count())
    assert "nothing loaded" in seed()
    assert "nothing loaded" in seed("--seed", "7")
    after = (LearnerIdentity.objects.count(), Event.objects.count(), WidgetOpening.objects.count())
    assert after == counts


def test_the_same_seed_gives_the_same_sessions_and_another_seed_others():
    def run(*args: str) -> list:
        seed(*args)
        sessions = stored_sessions()
        LearnerIdentity.objects.all().delete()  # the events stay, under now unlinked opaque ids
        return sorted(sessions.items())

    first = run()
    again = run()
    other = run("--seed", "99")
    assert again == first
    assert other != first
    # Each run's learners kept their events, and seeding again did not collide with them.
    per_run = [sum(len(events) for _, events in run_) for run_ in (first, again, other)]
    assert Event.objects.count() == sum(per_run)


def test_strategies_leave_distinct_traces_and_scores():
    seed()
    strategy_of = strategy_of_real_id()
    scores: dict[tuple[str, str], list[float]] = defaultdict(list)
    completed: dict[str, list[bool]] = defaultdict(list)
    gaps: dict[str, list[int]] = defaultdict(list)
    for (real_id, _), events in stored_sessions().items():
        strategy = strategy_of[real_id]
        widget = get_widget(events[0]["widget"])
        score = widget.score(events)
        if score.maximum:
            scores[(widget.id, strategy)].append(score.score / score.maximum)
        completed[strategy].append(any(e["type"] == "session_completed" for e in events))
        gaps[strategy].extend(b["t"] - a["t"] for a, b in itertools.pairwise(events))

    mean = {key: statistics.mean(values) for key, values in scores.items()}
    for widget in ("TEI001", "chernoff_tutorial", "BLL002"):
        assert mean[(widget, "systematic")] > mean[(widget, "trial_and_error")], widget
        assert mean[(widget, "trial_and_error")] > mean[(widget, "guessing")], widget
        assert mean[(widget, "hint_heavy")] > mean[(widget, "guessing")], widget
        assert mean[(widget, "systematic")] > 0.6 > 0.3 > mean[(widget, "guessing")], widget
    rate = {strategy: statistics.mean(values) for strategy, values in completed.items()}
    assert rate["giving_up"] == min(rate.values())
    assert rate["systematic"] > 0.75
    pace = {strategy: statistics.median(values) for strategy, values in gaps.items()}
    assert pace["guessing"] == min(pace.values())


def test_every_session_opens_with_its_lifecycle_event():
    seed()
    for (_, _), events in stored_sessions().items():
        assert events[0]["type"] == "session_started"
        kinds = [event["type"] for event in events]
        assert kinds.count("session_started") == 1
        assert kinds.count("session_completed") <= 1
        if "session_completed" in kinds:
            assert kinds[-1] == "session_completed"


def test_the_js_fixture_is_what_the_simulators_make_now(tmp_path):
    """tests/js/demo_sessions.test.mjs folds this fixture with the reducers; regenerate it with
    the command it names when the simulators or the widgets change."""
    recorded = json.loads(FIXTURE.read_text(encoding="utf-8"))
    fresh = tmp_path / "demo_sessions.json"
    call_command(
        "seed_demo",
        "--seed",
        str(recorded["seed"]),
        "--until",
        recorded["until"],
        "--export-sessions",
        str(fresh),
        stdout=io.StringIO(),
    )
    assert json.loads(fresh.read_text(encoding="utf-8")) == recorded, recorded["command"]
