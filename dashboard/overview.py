"""A class at a glance: the progress grid (learners × widgets, then × other activities) and who
needs attention.

Pure: the class overview's stored sessions in (RunSession values, see dashboard/attention.py
for their keys), the page's rows out; no request, no ORM. Every figure is the platform's measure,
written by the one formatter (core/formatting.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.formatting import format_duration, format_percent, format_score
from dashboard.attention import Flag
from widgets.measures import percent_of

# A cell's status, and the order in which it wins over the learner's other sessions of the widget.
STATUS_ORDER = ["completed", "in_progress", "abandoned", "not_started"]
STATUS_WORDS = {
    "completed": "Completed",
    "in_progress": "In progress",
    "abandoned": "Left unfinished",
    "not_started": "Not started",
}
GRID_SORTS = ("name", "attention", "time")


@dataclass(frozen=True)
class Cell:
    status: str
    sessions: int = 0
    active_ms: int = 0
    score: float | None = None
    maximum: float | None = None
    latest_session: int | None = None  # the learner's latest session with work, to replay

    @property
    def words(self) -> str:
        return STATUS_WORDS[self.status]

    @property
    def score_text(self) -> str:
        return format_score(self.score, self.maximum) if self.sessions else ""

    @property
    def score_percent(self) -> float | None:
        return percent_of(self.score, self.maximum)

    @property
    def active_text(self) -> str:
        return format_duration(self.active_ms) if self.sessions else ""


# An other activity's cell (content reporting in xAPI, not one of our widgets): its status words
# and the widget cell status whose style it takes.
OTHER_WORDS = {
    "passed": ("Passed", "completed"),
    "completed": ("Completed", "completed"),
    "attempted": ("Attempted", "in_progress"),
    "not_started": ("Not started", "not_started"),
}


@dataclass(frozen=True)
class OtherCell:
    """A learner's generic measures in one other activity (the collector's
    `other_activities` row), or "not started" when they have no statement about it."""

    status: str
    attempts: int = 0
    active_ms: int = 0
    best_score: float | None = None  # result.score.scaled, -1 to 1: the best one sent

    @classmethod
    def of(cls, measures: Mapping[str, Any] | None) -> OtherCell:
        if not measures:
            return cls("not_started")
        status = (
            "passed"
            if measures["passed"]
            else "completed"
            if measures["completed"]
            else "attempted"
        )
        return cls(
            status=status,
            attempts=measures["attempts"],
            active_ms=measures["active_ms"],
            best_score=measures["best_score"],
        )

    @property
    def words(self) -> str:
        return OTHER_WORDS[self.status][0]

    @property
    def style(self) -> str:
        return OTHER_WORDS[self.status][1]

    @property
    def score_text(self) -> str:
        if not self.attempts:
            return ""
        return "No score" if self.best_score is None else format_percent(self.best_score * 100)

    @property
    def active_text(self) -> str:
        return format_duration(self.active_ms) if self.attempts else ""


@dataclass(frozen=True)
class GridRow:
    learner: int
    name: str
    cells: list[Cell]
    flags: list[Flag] = field(default_factory=list)
    others: list[OtherCell] = field(default_factory=list)

    @property
    def active_ms(self) -> int:
        return sum(cell.active_ms for cell in self.cells) + sum(
            cell.active_ms for cell in self.others
        )


def _cell(sessions: Sequence[dict[str, Any]]) -> Cell:
    worked = [row for row in sessions if row["work_events"] > 0]
    if not worked:
        return Cell("not_started")
    status = min((row["outcome"] for row in worked), key=STATUS_ORDER.index)
    # The score a teacher reads: the best finished attempt, else the latest one.
    finished = [row for row in worked if row["outcome"] == "completed"] or worked
    best = max(
        finished,
        key=lambda row: (
            row["score"] / row["maximum"] if row["score"] is not None and row["maximum"] else -1,
            row["start"],
        ),
    )
    latest = max(worked, key=lambda row: row["start"])
    return Cell(
        status=status,
        sessions=len(worked),
        active_ms=sum(row["active"] for row in worked),
        score=best["score"],
        maximum=best["maximum"],
        latest_session=latest["id"],
    )


def progress_grid(
    rows: Sequence[dict[str, Any]],
    *,
    roster: Sequence[tuple[int, str]],
    widgets: Sequence[str],
    flags: Sequence[Flag] = (),
    sort: str = "name",
    others: Sequence[str] = (),
    other_measures: Mapping[tuple[int, str], Mapping[str, Any]] | None = None,
) -> list[GridRow]:
    """One row per learner of the roster (by display name), one cell per widget, then one per
    other activity of `others` (ids), from `other_measures` by (learner, activity id)."""
    other_measures = other_measures or {}
    by_key: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for row in rows:
        by_key.setdefault((row["learner"], row["widget"]), []).append(row)
    flags_of: dict[int, list[Flag]] = {}
    for flag in flags:
        flags_of.setdefault(flag.learner, []).append(flag)
    grid = [
        GridRow(
            learner=pk,
            name=name,
            cells=[_cell(by_key.get((pk, widget), [])) for widget in widgets],
            flags=flags_of.get(pk, []),
            others=[OtherCell.of(other_measures.get((pk, activity))) for activity in others],
        )
        for pk, name in sorted(roster, key=lambda item: (item[1].casefold(), item[0]))
    ]
    return sort_grid(grid, sort)


def sort_grid(grid: list[GridRow], sort: str) -> list[GridRow]:
    """By name (the default); by attention (most flags, most serious first); by active time."""
    if sort == "attention":
        return sorted(
            grid,
            key=lambda row: (
                -len(row.flags),
                min((flag.severity for flag in row.flags), default=99),
            ),
        )
    if sort == "time":
        return sorted(grid, key=lambda row: -row.active_ms)
    return grid


def flag_links(
    flags: Sequence[Flag],
    *,
    session_url: Callable[[int, int | None], str],
    profile_url: Callable[[int], str],
) -> list[tuple[Flag, str]]:
    """Each flag with where it leads: the replay at its moment, or the learner's profile."""
    return [
        (flag, session_url(flag.session, flag.at_ms) if flag.session else profile_url(flag.learner))
        for flag in flags
    ]
