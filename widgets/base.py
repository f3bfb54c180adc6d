"""The building blocks of a widget definition, shared by the registry and the widget modules."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class SessionMode(StrEnum):
    PER_OPEN = "per_open"  # every open of the widget starts a new session
    RESUME = "resume"  # the same session continues across visits (multi-day simulations)


LIFECYCLE_EVENT_TYPES = ("session_started", "session_resumed", "session_completed")
EMPTY_DATA_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {},
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Score:
    score: float
    maximum: float


Event = Mapping[str, Any]  # {"type": str, "t": int (epoch ms), "data": dict}, in time order
ScoringRule = Callable[[Sequence[Event]], Score]
# The widget's rules over a session's events: its items, tries, hints and points
# (widgets.measures.Assessment; typed loosely here because measures imports this module).
AssessRule = Callable[[Sequence[Event]], Any]

# A session not completed and without an event for this long is "left unfinished". A page
# opened anew starts a new session of a per-open widget, so half an hour is plenty; a resumed
# widget is continued lesson after lesson, so it waits two weeks (a holiday).
ABANDON_AFTER_MS = {
    SessionMode.PER_OPEN: 30 * 60_000,
    SessionMode.RESUME: 14 * 24 * 3_600_000,
}


@dataclass(frozen=True)
class Widget:
    id: str
    title: str
    description: str
    session_mode: SessionMode
    # Widget-specific event types, each with the JSON Schema its `data` must match.
    event_schemas: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # Computes score and maximum from the event stream; never trusts a client-sent score.
    score: ScoringRule = field(default=lambda events: Score(0.0, 0.0))
    # Per item: tries, hints, solved on try N, points (widgets.measures.Assessment).
    assess: AssessRule | None = None
    # The event types that are the learner's own work; a session with none is an open
    # without work. Lifecycle events never are.
    work_types: frozenset[str] = frozenset()
    # How teachers call one of the items of `assess` ("challenge 3"); "item 3" by default.
    name_item: Callable[[str], str] | None = None

    def item_label(self, item: str) -> str:
        return self.name_item(item) if self.name_item else f"item {item}"

    @property
    def abandon_after_ms(self) -> int:
        return ABANDON_AFTER_MS[self.session_mode]

    @property
    def all_event_schemas(self) -> dict[str, Mapping[str, Any]]:
        return {
            **{name: EMPTY_DATA_SCHEMA for name in LIFECYCLE_EVENT_TYPES},
            **self.event_schemas,
        }


# --- Plain words for teachers (the replay's timeline, hover text and "now" panel) ---------------

# The platform's own event types, in every widget. Each widget module adds EVENT_LABELS for its
# types and a `describe(event)` sentence built from the event's data (widgets/words.py).
LIFECYCLE_LABELS: dict[str, str] = {
    "session_started": "Opened the activity",
    "session_resumed": "Came back to the activity",
    "session_completed": "Finished the activity",
}
