"""A learner's profile: every session the teacher may see, newest first, their flags, a chart.

The sessions come from the overviews of the learner's classes that the teacher teaches (the
school side's own copy, projects/feeds.py): a teacher sees what their classes did, never another
teacher's class. Reads only; the chart is a pure function of the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from core.formatting import format_duration, format_score, plural
from dashboard.attention import Flag, flags_for
from dashboard.classes import classes_for
from dashboard.home import ROW_FIELDS, item_label, widget_title
from dashboard.models import LearnerIdentity, SchoolClass, User
from projects.feeds import feed_state
from projects.items import run_items
from projects.selectors import RunSession
from replay.selectors import notes_for_learner
from widgets.measures import OUTCOME_LABELS


@dataclass(frozen=True)
class ProfileSession:
    id: int
    project: int
    widget: str
    start: datetime
    active: str
    sittings: int
    events: int
    outcome: str
    score: str
    score_percent: float | None

    @property
    def measures(self) -> str:
        parts = [f"{self.active} active"]
        if self.sittings > 1:
            parts.append(plural(self.sittings, "sitting"))
        parts.append(plural(self.events, "event"))
        return " · ".join(parts)


@dataclass(frozen=True)
class Profile:
    learner: LearnerIdentity
    classes: list[SchoolClass]  # the learner's classes this teacher teaches
    sessions: list[ProfileSession]
    opens: int  # sessions opened without work, left out of the list
    flags: list[tuple[Flag, int]]  # with the project of the flagged session
    chart: dict[str, Any]
    notes: list  # teachers' notes pinned to moments of their sessions (replay.MomentNote)
    misconceptions: list[Shown] = field(default_factory=list)


@dataclass(frozen=True)
class Shown:
    """A misconception the item analysis of a class's overview saw in this learner's work."""

    words: str
    example_words: str
    widget: str
    project: int
    session: int
    at: int


def _misconceptions(learner: LearnerIdentity, runs: list) -> list[Shown]:
    found: dict[tuple[str, str], Shown] = {}
    for run in runs:
        analysis = run_items(run=run)
        if analysis is None:  # a large run still being worked out
            continue
        for widget, stats, example in analysis.misconceptions_of(learner.pk):
            found.setdefault(
                (widget.widget, stats.id),
                Shown(stats.words, stats.example_words, widget.title, run.project_id,
                      example.session, example.at),
            )  # fmt: skip
    return list(found.values())


def learner_profile(*, learner: LearnerIdentity, teacher: User) -> Profile:
    classes = list(classes_for(user=teacher).filter(learners=learner))
    rows: dict[str, dict[str, Any]] = {}  # by session id: a session in two classes shows once
    project_of: dict[int, int] = {}
    roster_rows: list[dict[str, Any]] = []
    runs = []
    for school_class in classes:
        run = feed_state(school_class=school_class).run
        if run is None:
            continue
        runs.append(run)
        fields = [*ROW_FIELDS, "session", "events", "sittings"]
        for row in RunSession.objects.filter(run=run, learner=learner).values(*fields):
            rows.setdefault(row["session"], row)
            project_of[row["id"]] = run.project_id
    roster_rows = list(rows.values())
    worked = [row for row in roster_rows if row["work_events"] > 0]
    worked.sort(key=lambda row: row["start"], reverse=True)
    flags = flags_for(
        roster_rows,
        roster=[learner.pk],
        now_ms=int(timezone.now().timestamp() * 1000),
        widget_title=widget_title,
        item_label=item_label,
        tz=timezone.get_current_timezone(),
    )
    return Profile(
        learner=learner,
        classes=classes,
        sessions=[_session(row, project_of[row["id"]]) for row in worked],
        opens=len(roster_rows) - len(worked),
        flags=[(flag, project_of.get(flag.session or 0, 0)) for flag in flags],
        chart=progress_chart(worked),
        notes=notes_for_learner(user=teacher, learner=learner),
        misconceptions=_misconceptions(learner, runs),
    )


def _percent(row: dict[str, Any]) -> float | None:
    if row["score"] is None or not row["maximum"]:
        return None
    return 100.0 * row["score"] / row["maximum"]


def _session(row: dict[str, Any], project: int) -> ProfileSession:
    return ProfileSession(
        id=row["id"],
        project=project,
        widget=widget_title(row["widget"]),
        start=datetime.fromtimestamp(row["start"] / 1000, tz=UTC),
        active=format_duration(row["active"]),
        sittings=row["sittings"],
        events=row["events"],
        outcome=OUTCOME_LABELS.get(row["outcome"], row["outcome"]),
        score=format_score(row["score"], row["maximum"]),
        score_percent=_percent(row),
    )


# Okabe–Ito: one colour per activity, told apart by colour-blind readers too.
WIDGET_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]


def progress_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Score over the tried items, session by session through time, one line per activity."""
    by_widget: dict[str, list[dict[str, Any]]] = {}
    for row in sorted(rows, key=lambda row: row["start"]):
        if _percent(row) is not None:
            by_widget.setdefault(row["widget"], []).append(row)
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": widget_title(widget),
            "x": [datetime.fromtimestamp(r["start"] / 1000, tz=UTC).isoformat() for r in scored],
            "y": [round(p, 1) for r in scored if (p := _percent(r)) is not None],
            "text": [
                f"{format_score(r['score'], r['maximum'])} · {format_duration(r['active'])} active"
                for r in scored
            ],
            "hovertemplate": "%{x|%d %b, %H:%M}<br>%{text}<extra>%{fullData.name}</extra>",
            "line": {"color": WIDGET_COLOURS[index % len(WIDGET_COLOURS)], "width": 2},
            "marker": {"size": 8},
        }
        for index, (widget, scored) in enumerate(sorted(by_widget.items()))
    ]
    layout = {
        "height": 260,
        "margin": {"l": 48, "r": 16, "t": 8, "b": 40},
        "yaxis": {"title": {"text": "Score %"}, "range": [-5, 105], "fixedrange": True},
        "xaxis": {"type": "date"},
        "legend": {"orientation": "h", "y": -0.25},
        "hoverlabel": {"bgcolor": "#ffffff", "font": {"color": "#1d2733"}},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#fbfcfd",
    }
    return {"data": data, "layout": layout}
