"""Loads the demo class and four weeks of its lessons with the three widgets (docs/widgets.md)."""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from collector.client import CollectorError
from dashboard.classes import class_add_learners, class_create
from dashboard.demo.classroom import ClassPlan, plan_class
from dashboard.demo.simulate import SIMULATORS, new_session_id, simulate_session
from dashboard.demo.store import visits_store
from dashboard.demo.strategies import STRATEGIES
from dashboard.demo.teacher import demo_teacher
from dashboard.identities import learner_create
from dashboard.models import LearnerIdentity, SchoolClass
from widgets.registry import all_widgets, get_widget

DEFAULT_SEED = 2024

DEMO_CLASS_NAME = "7B"
DEMO_CLASS = [
    ("s-1001", "Amara Okafor"),
    ("s-1002", "Ben Carter"),
    ("s-1003", "Chloé Martin"),
    ("s-1004", "Dmitri Volkov"),
    ("s-1005", "Elif Yılmaz"),
    ("s-1006", "Finn O'Brien"),
    ("s-1007", "Grace Liu"),
    ("s-1008", "Hugo Silva"),
    ("s-1009", "Isla MacLeod"),
    ("s-1010", "Jonas Berg"),
    ("s-1011", "Keiko Tanaka"),
    ("s-1012", "Liam Murphy"),
    ("s-1013", "Maya Patel"),
    ("s-1014", "Noah Schmidt"),
    ("s-1015", "Olivia Rossi"),
    ("s-1016", "Pablo García"),
    ("s-1017", "Quinn Taylor"),
    ("s-1018", "Rosa Jiménez"),
    ("s-1019", "Samir Haddad"),
    ("s-1020", "Tara Nguyen"),
    ("s-1021", "Uma Singh"),
    ("s-1022", "Victor Dubois"),
    ("s-1023", "Wen Zhang"),
    ("s-1024", "Yara Haddad"),
]


class Command(BaseCommand):
    help = (
        "Loads the demo class (24 learners) and four weeks of lessons in which simulated "
        "learners (systematic, trial and error, guessing, hint-heavy, giving up early) play the "
        "three widgets, unless learners already exist. Events are stored through the collector's "
        "client (get_client().ingest_events: the ingestion API's own checks and write path), "
        "openings as WidgetOpening rows. The same --seed and --until give the same class."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"Default: {DEFAULT_SEED}."
        )
        parser.add_argument(
            "--until",
            type=date.fromisoformat,
            help="The last day lessons may fall on, YYYY-MM-DD (default: yesterday).",
        )
        parser.add_argument(
            "--export-sessions",
            metavar="PATH",
            help="Write a few simulated sessions (per widget and strategy) with their scores as "
            "JSON, for tests/js/demo_sessions.test.mjs, and load nothing.",
        )

    def handle(self, *args, **options) -> None:
        seed = options["seed"]
        until = options["until"] or timezone.localdate() - timedelta(days=1)
        if options["export_sessions"]:
            plan = plan_class(
                seed=seed, learners=len(DEMO_CLASS), until=until, tz=timezone.get_default_timezone()
            )
            Path(options["export_sessions"]).write_text(
                sessions_export(plan, seed=seed, until=until), encoding="utf-8"
            )
            self.stdout.write(f"Demo sessions written to {options['export_sessions']}.")
            return
        if LearnerIdentity.objects.exists():
            self.stdout.write("Demo data: learners exist already, nothing loaded.")
            return

        started = time.perf_counter()
        widgets = playable_widgets()
        for widget_id in sorted(set(SIMULATORS) - set(widgets)):
            self.stderr.write(
                f"Demo data: {widget_id} left out: the registry does not know all the event "
                "types its simulated learners send."
            )
        plan = plan_class(
            seed=seed,
            learners=len(DEMO_CLASS),
            until=until,
            tz=timezone.get_default_timezone(),
            widgets=widgets,
        )
        try:
            with transaction.atomic():
                learners = [
                    learner_create(real_id=real_id, display_name=display_name)
                    for real_id, display_name in DEMO_CLASS
                ]
                stored = visits_store(
                    visits=[(learners[visit.learner], visit.simulated) for visit in plan.visits]
                )
                demo_class = demo_class_create(learners)
        except CollectorError as error:
            raise CommandError(f"The collector refused the demo events: {error}") from None
        first, last = plan.lessons[0].start.date(), plan.lessons[-1].start.date()
        self.stdout.write(
            f"Demo data: {len(learners)} learners, {len(plan.lessons)} lessons from {first} to "
            f"{last}, {stored.openings} widget openings, {stored.accepted:,} events "
            f"in {time.perf_counter() - started:.1f} s."
        )
        if demo_class is not None:
            self.stdout.write(
                f"Demo class “{demo_class.name}”, taught by the demo teacher: learners sign in "
                f"with the class code {demo_class.code}."
            )


def demo_class_create(learners: list[LearnerIdentity]) -> SchoolClass | None:
    """The demo class, taught by the demo teacher (none if a real account holds that name)."""
    teacher = demo_teacher()
    if not teacher.is_demo:
        return None
    school_class = class_create(owner=teacher, name=DEMO_CLASS_NAME, year="Year 7", subject="Maths")
    class_add_learners(school_class=school_class, learners=learners)
    return school_class


def playable_widgets() -> list[str]:
    """The simulated widgets whose registry entries accept every event type their learners send."""
    return [
        widget_id
        for widget_id, types in SIMULATORS.items()
        if (widget := get_widget(widget_id)) is not None and types <= set(widget.all_event_schemas)
    ]


def sessions_export(plan: ClassPlan, *, seed: int, until: date) -> str:
    """A completed and an unfinished session per widget and strategy, where the class has them,
    and generate_events' padded and cut sessions, with the score the widget's server-side rule
    gives; one event per line."""
    widgets = {widget.id: widget for widget in all_widgets()}  # the plan's are all registered
    chosen: dict[tuple[str, str, bool, bool], Any] = {}
    for session in plan.sessions():  # the shortest of each kind, to keep the fixture small
        work = widgets[session.widget].work_types
        worked = any(event["type"] in work for event in session.events)
        key = (session.widget, session.strategy, session.completed, worked)
        if key not in chosen or len(session.events) < len(chosen[key].events):
            chosen[key] = session
    picked = [
        ("seed_demo", session) for _, session in sorted(chosen.items(), key=lambda item: item[0])
    ]
    # generate_events' sessions of a set length: padded with extra moves, or cut short.
    rng = random.Random(f"export:{seed}")  # noqa: S311 (simulation)
    start = int(datetime.combine(until, datetime.min.time(), tzinfo=UTC).timestamp() * 1000)
    for widget_id in sorted(SIMULATORS):
        for length, strategy in ((160, "trial_and_error"), (12, "systematic")):
            simulated = simulate_session(
                rng,
                widget_id,
                STRATEGIES[strategy],
                STRATEGIES[strategy].accuracy,
                session=new_session_id(rng),
                start_ms=start,
                events=length,
            )
            picked.append(("generate_events", simulated))
    sessions: list[dict[str, Any]] = []
    for source, session in picked:
        score = widgets[session.widget].score(session.events)
        completed = any(event["type"] == "session_completed" for event in session.events)
        sessions.append(
            {
                "source": source,
                "widget": session.widget,
                "strategy": session.strategy,
                "session": session.session,
                "completed": completed,
                "score": {"score": score.score, "maximum": score.maximum},
                "events": session.events,
            }
        )
    lines = [
        "{",
        f'"seed": {seed}, "until": "{until.isoformat()}",',
        f'"command": "manage.py seed_demo --seed {seed} --until {until} --export-sessions PATH",',
        '"sessions": [',
    ]
    for number, entry in enumerate(sessions):
        meta = {key: value for key, value in entry.items() if key != "events"}
        events = ",\n".join(json.dumps(event, ensure_ascii=False) for event in entry["events"])
        closing = "]}" + ("," if number < len(sessions) - 1 else "")
        lines.append(json.dumps(meta, ensure_ascii=False)[:-1] + ', "events": [\n' + events)
        lines.append(closing)
    lines += ["]", "}", ""]
    return "\n".join(lines)
