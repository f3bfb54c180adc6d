"""A class's weeks of lessons with the three widgets: who opens what, when, and what they do.

Four school weeks (2 or 3 lessons a week, 45 minutes each) end on or before `until`. Each lesson
has a main activity; a learner who finishes it early opens another widget; a few learners are
absent from each lesson. BLL002 is a resume widget: a learner's one session of it runs over
several lessons, each lesson a visit. Everything is drawn from `random.Random` generators seeded
from `seed` (one per learner), so a seed and a date give the same class every time.
"""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from dashboard.demo.simulate import (
    SIMULATORS,
    LeverProgress,
    Simulated,
    new_session_id,
    simulate_bll002,
    simulate_chernoff,
    simulate_open_and_leave,
    simulate_tei001,
)
from dashboard.demo.strategies import STRATEGIES, Strategy

LESSON_MINUTES = 45
# Lesson days (Monday = 0) of each of the four weeks.
WEEK_PATTERNS = ((0, 3), (0, 2, 4), (1, 3), (0, 2, 4))
LESSON_TIMES = (time(9, 0), time(10, 50), time(13, 30))
# The main activity of each lesson, in order.
ACTIVITIES = (
    "chernoff_tutorial",
    "TEI001",
    "BLL002",
    "BLL002",
    "TEI001",
    "BLL002",
    "chernoff_tutorial",
    "BLL002",
    "TEI001",
    "BLL002",
)
# Strategies in a class of 24; larger or smaller classes keep the proportions.
CLASS_MIX = {
    "systematic": 6,
    "trial_and_error": 6,
    "guessing": 4,
    "hint_heavy": 4,
    "giving_up": 4,
}
ABSENCE_RATE = 0.06
# Lessons in which a learner first opens another widget by mistake and leaves it at once.
OPEN_AND_LEAVE_RATE = 0.08
ARRIVAL_MINUTES = (3.0, 10.0)  # when learners open the lesson's activity, after its start
PACKING_UP_MINUTES = 3  # nobody starts anything in a lesson's last minutes
EXTRA_MINUTES = 6  # time left in the lesson for a learner to open another widget
MAX_PRACTICE = 4  # TEI001 sessions a learner opens at most (a new session each time)


@dataclass(frozen=True)
class DemoLearner:
    index: int
    strategy: Strategy
    skill: float  # at the first lesson

    def skill_at(self, lesson: int) -> float:
        if self.skill <= 0:
            return 0.0
        return min(0.97, self.skill + self.strategy.learns * lesson)


@dataclass(frozen=True)
class Lesson:
    number: int  # from 0
    start: datetime
    activity: str

    @property
    def start_ms(self) -> int:
        return int(self.start.timestamp() * 1000)

    @property
    def end_ms(self) -> int:
        """When learners stop working (a few minutes before the bell)."""
        return self.start_ms + (LESSON_MINUTES - PACKING_UP_MINUTES) * 60_000


@dataclass(frozen=True)
class Visit:
    """A learner opening a widget: a WidgetOpening on the school side, and its events."""

    learner: int
    lesson: int
    simulated: Simulated

    @property
    def widget(self) -> str:
        return self.simulated.widget

    @property
    def session(self) -> str:
        return self.simulated.session

    @property
    def opened_ms(self) -> int:
        return self.simulated.start_ms


@dataclass
class DemoSession:
    """One session with the events of all its visits (BLL002 sessions span several)."""

    learner: int
    strategy: str
    widget: str
    session: str
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def completed(self) -> bool:
        return any(event["type"] == "session_completed" for event in self.events)


@dataclass
class ClassPlan:
    learners: list[DemoLearner]
    lessons: list[Lesson]
    visits: list[Visit]

    def sessions(self) -> list[DemoSession]:
        by_key: dict[tuple[int, str], DemoSession] = {}
        for visit in self.visits:
            key = (visit.learner, visit.session)
            if key not in by_key:
                strategy = self.learners[visit.learner].strategy.name
                by_key[key] = DemoSession(visit.learner, strategy, visit.widget, visit.session)
            by_key[key].events.extend(visit.simulated.events)
        return list(by_key.values())

    def event_count(self) -> int:
        return sum(len(visit.simulated.events) for visit in self.visits)


def lesson_days(until: date) -> list[date]:
    """The lesson days of the four school weeks that ended most recently, on or before `until`."""
    monday = until - timedelta(days=until.weekday())
    last_day = max(max(days) for days in WEEK_PATTERNS)
    if until.weekday() < last_day:
        monday -= timedelta(weeks=1)  # this week's lessons are not all over yet
    first_monday = monday - timedelta(weeks=len(WEEK_PATTERNS) - 1)
    return [
        first_monday + timedelta(weeks=week, days=day)
        for week, days in enumerate(WEEK_PATTERNS)
        for day in days
    ]


def class_strategies(count: int, rng: random.Random) -> list[Strategy]:
    """`count` strategies in the proportions of CLASS_MIX, in a shuffled order."""
    mix = [name for name, n in CLASS_MIX.items() for _ in range(n)]
    rng.shuffle(mix)
    return [STRATEGIES[mix[index % len(mix)]] for index in range(count)]


def plan_class(
    *,
    seed: int,
    learners: int,
    until: date,
    tz: tzinfo,
    widgets: Collection[str] = SIMULATORS,
) -> ClassPlan:
    """The class's lessons, and every learner's visits in them, with `widgets` only."""
    rng = random.Random(f"pathlens-demo:{seed}")  # noqa: S311 (simulation, not secrets)
    strategies = class_strategies(learners, rng)
    roster = []
    for index, strategy in enumerate(strategies):
        skill = 0.0 if strategy.accuracy <= 0 else strategy.accuracy + rng.gauss(0, 0.05)
        roster.append(DemoLearner(index, strategy, round(min(0.95, max(0.05, skill)), 3)))
    days = lesson_days(until)
    lessons = [
        Lesson(
            number,
            datetime.combine(day, LESSON_TIMES[number % len(LESSON_TIMES)], tzinfo=tz),
            ACTIVITIES[number % len(ACTIVITIES)],
        )
        for number, day in enumerate(days)
    ]
    visits = []
    for learner in roster:
        learner_rng = random.Random(f"{seed}:{learner.index}")  # noqa: S311
        visits.extend(_learner_visits(learner, lessons, learner_rng, set(widgets)))
    visits.sort(key=lambda visit: (visit.opened_ms, visit.learner))
    return ClassPlan(roster, lessons, visits)


def _learner_visits(
    learner: DemoLearner, lessons: list[Lesson], rng: random.Random, widgets: set[str]
) -> list[Visit]:
    visits: list[Visit] = []
    lever_session: str | None = None
    lever = LeverProgress()
    chernoff_done = False
    opened = {"TEI001": 0, "chernoff_tutorial": 0}
    # Mistaken opens draw from a generator of their own, so the lessons themselves play out as
    # they would without them.
    first_lesson = lessons[0].start_ms if lessons else 0
    stray = random.Random(f"open-and-leave:{learner.index}:{first_lesson}")  # noqa: S311
    per_open = [widget for widget in ("TEI001", "chernoff_tutorial") if widget in widgets]

    def open_widget(widget: str, lesson: Lesson, start_ms: int) -> Simulated:
        nonlocal lever_session, lever, chernoff_done
        skill = learner.skill_at(lesson.number)
        common = {"start_ms": start_ms, "deadline_ms": lesson.end_ms}
        if widget == "BLL002":
            lever_session = lever_session or new_session_id(rng)
            simulated, lever = simulate_bll002(
                rng, learner.strategy, skill, session=lever_session, progress=lever, **common
            )
        elif widget == "TEI001":
            simulated = simulate_tei001(
                rng, learner.strategy, skill, session=new_session_id(rng), **common
            )
        else:
            simulated = simulate_chernoff(
                rng, learner.strategy, skill, session=new_session_id(rng), **common
            )
            chernoff_done = chernoff_done or simulated.completed
        opened[widget] = opened.get(widget, 0) + 1
        visits.append(Visit(learner.index, lesson.number, simulated))
        return simulated

    def choose(activity: str) -> str | None:
        """The lesson's activity, or what a learner who is done with it does instead."""
        lever_done = lever.phase == "finished"
        wanted = {
            "BLL002": not lever_done,
            "chernoff_tutorial": not chernoff_done,
            "TEI001": opened["TEI001"] < MAX_PRACTICE,
        }
        if activity in widgets and wanted[activity]:
            return activity
        # Something else: what is still unfinished first, then more practice.
        for other in ("chernoff_tutorial", "BLL002", "TEI001"):
            started = other != "BLL002" or lever_session is not None
            if other in widgets and wanted[other] and started:
                return other
        return None  # done with everything: helps a classmate

    for lesson in lessons:
        if rng.random() < ABSENCE_RATE:
            continue
        activity = choose(lesson.activity)
        if activity is None:
            continue
        # The teacher introduces the lesson first; the last minutes are for packing up.
        arrival = lesson.start_ms + int(rng.uniform(*ARRIVAL_MINUTES) * 60_000)
        if per_open and stray.random() < OPEN_AND_LEAVE_RATE:
            opened_by_mistake = simulate_open_and_leave(
                stray,
                learner.strategy,
                widget=stray.choice(per_open),
                session=new_session_id(stray),
                start_ms=arrival - stray.randint(30, 90) * 1000,
            )
            visits.append(Visit(learner.index, lesson.number, opened_by_mistake))
        simulated = open_widget(activity, lesson, arrival)
        # Finished early: one more activity, while the lesson lasts.
        if simulated.completed and lesson.end_ms - simulated.end_ms > EXTRA_MINUTES * 60_000:
            extra = choose("")
            if extra is not None:
                open_widget(extra, lesson, simulated.end_ms + rng.randint(20, 90) * 1000)
    return visits
