"""The learning measures of one session, defined once: both sides read them from here.

A session's events, in the order the replay plays them (client time `t`, ties in arrival order),
give:

- **Active time**: the gaps between consecutive events, each counted up to `idle_cap_ms` (a
  learner who looks away for ten minutes worked for at most two of them), plus
  `last_event_allowance_ms` per sitting for the moment after its last event (reading the
  feedback), which no later event measures. Gaps between sittings count nothing.
- **Span**: first event to last, kept for reference only: a resumed session's span includes the
  days between lessons.
- **Sittings**: the session cut wherever no event came for longer than `sitting_gap_ms`; each
  sitting has its own start, end, active time and events.
- **Work**: events that are the learner's own doing (the widget names them: placing a card,
  checking, releasing a lever…). A session without any is an *open without work*: counted apart,
  and left out of scores, means, times and path points by default.
- **Outcome**: `completed` (the widget said so), `not_started` (no work), `abandoned` (work, not
  completed, and no event for the widget's `abandon_after_ms` up to now), else `in_progress`.
- **Score** only over the items the learner attempted, with `None` for "no answer given", so
  "0 of 9" (tried and got nothing) is never confused with an empty open.

Pure: no Django, no database, no settings. The collector keeps the result per session
(collector/summaries.py); the replay cuts its timeline with `sittings_of`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from widgets.base import Event, Score


class Outcome(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    ABANDONED = "abandoned"


OUTCOME_LABELS = {
    Outcome.NOT_STARTED: "Opened, no work",
    Outcome.IN_PROGRESS: "In progress",
    Outcome.COMPLETED: "Completed",
    Outcome.ABANDONED: "Left unfinished",
}


@dataclass(frozen=True)
class MeasureRules:
    """The thresholds of the measures; the defaults are the documented ones (docs/widgets.md)."""

    idle_cap_ms: int = 2 * 60_000
    sitting_gap_ms: int = 30 * 60_000
    last_event_allowance_ms: int = 5_000


DEFAULT_RULES = MeasureRules()


@dataclass(frozen=True)
class ItemResult:
    """One item (question, challenge, step) as the learner left it."""

    item: str
    tries: int = 0
    hints: int = 0
    solved_on: int | None = None  # the try on which it was solved; None: not solved
    gave_up: bool = False  # tried, and not solved (out of tries, or left it)
    points: float = 0.0
    maximum: float = 0.0
    # Client times (`t`, epoch ms) of each try and each hint: where a replay can show them.
    tries_at: tuple[int, ...] = ()
    hints_at: tuple[int, ...] = ()

    @property
    def attempted(self) -> bool:
        return self.tries > 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "tries": self.tries,
            "hints": self.hints,
            "solved_on": self.solved_on,
            "gave_up": self.gave_up,
            "tries_at": list(self.tries_at),
            "hints_at": list(self.hints_at),
        }


@dataclass(frozen=True)
class Assessment:
    """What the widget's rules make of a session: every item, attempted or not."""

    items: tuple[ItemResult, ...] = ()

    @property
    def attempted(self) -> tuple[ItemResult, ...]:
        return tuple(item for item in self.items if item.attempted)

    @property
    def score(self) -> float | None:
        """Points over attempted items; None when nothing was attempted (no answer given)."""
        attempted = self.attempted
        return float(sum(item.points for item in attempted)) if attempted else None

    @property
    def maximum(self) -> float | None:
        attempted = self.attempted
        return float(sum(item.maximum for item in attempted)) if attempted else None

    @property
    def full_maximum(self) -> float:
        return float(sum(item.maximum for item in self.items))

    def full_score(self) -> Score:
        """Every item's points over the full maximum: what a widget's `score` rule returns."""
        return Score(
            score=float(sum(item.points for item in self.items)), maximum=self.full_maximum
        )


def percent_of(score: float | None, maximum: float | None) -> float | None:
    """A score as a percentage of its maximum; None without a score or without a maximum."""
    if score is None or not maximum:
        return None
    return 100.0 * score / maximum


AssessRule = Callable[[Sequence[Event]], Assessment]


@dataclass(frozen=True)
class Sitting:
    start_t: int
    end_t: int
    active_ms: int
    events: int
    first_index: int  # index of its first event in the ordered stream


@dataclass(frozen=True)
class SessionMeasures:
    span_ms: int
    active_ms: int
    sittings: tuple[Sitting, ...]
    events: int
    work_events: int
    completed: bool
    last_t: int | None
    assessment: Assessment = field(default_factory=Assessment)

    @property
    def opened_without_work(self) -> bool:
        return self.work_events == 0

    def outcome(self, *, now_ms: int, last_time_ms: int, abandon_after_ms: int) -> Outcome:
        return outcome_of(
            completed=self.completed,
            work_events=self.work_events,
            last_time_ms=last_time_ms,
            now_ms=now_ms,
            abandon_after_ms=abandon_after_ms,
        )


def outcome_of(
    *, completed: bool, work_events: int, last_time_ms: int, now_ms: int, abandon_after_ms: int
) -> Outcome:
    if completed:
        return Outcome.COMPLETED
    if work_events == 0:
        return Outcome.NOT_STARTED
    if now_ms - last_time_ms > abandon_after_ms:
        return Outcome.ABANDONED
    return Outcome.IN_PROGRESS


def _t(event: Event) -> int:
    t = event.get("t")
    return int(t) if isinstance(t, int | float) and not isinstance(t, bool) else 0


def in_play_order(events: Sequence[Event]) -> list[Event]:
    """By client time, ties in the order given (arrival order): how the replay plays them."""
    return sorted(events, key=_t)


def sittings_of(times: Sequence[int], rules: MeasureRules = DEFAULT_RULES) -> list[Sitting]:
    """The sittings of a session, from its event times in play order (ascending)."""
    sittings: list[Sitting] = []
    if not times:
        return sittings
    start = previous = times[0]
    first = 0
    active = 0
    for index in range(1, len(times)):
        t = times[index]
        gap = t - previous
        if gap > rules.sitting_gap_ms:
            sittings.append(
                Sitting(
                    start, previous, active + rules.last_event_allowance_ms, index - first, first
                )
            )
            start, first, active = t, index, 0
        else:
            active += min(gap, rules.idle_cap_ms)
        previous = t
    sittings.append(
        Sitting(start, previous, active + rules.last_event_allowance_ms, len(times) - first, first)
    )
    return sittings


def active_ms_of(times: Sequence[int], rules: MeasureRules = DEFAULT_RULES) -> int:
    return sum(sitting.active_ms for sitting in sittings_of(times, rules))


def measure(
    events: Sequence[Event],
    *,
    work_types: frozenset[str],
    assess: AssessRule | None = None,
    rules: MeasureRules = DEFAULT_RULES,
) -> SessionMeasures:
    """Every measure of one session, from its events in any order."""
    ordered = in_play_order(events)
    times = [_t(event) for event in ordered]
    sittings = sittings_of(times, rules)
    return SessionMeasures(
        span_ms=(times[-1] - times[0]) if times else 0,
        active_ms=sum(sitting.active_ms for sitting in sittings),
        sittings=tuple(sittings),
        events=len(ordered),
        work_events=sum(1 for event in ordered if event.get("type") in work_types),
        completed=any(event.get("type") == "session_completed" for event in ordered),
        last_t=times[-1] if times else None,
        assessment=assess(ordered) if assess is not None else Assessment(),
    )
