"""TEI001: fractions on a number line, a technology-enhanced assessment item.

The learner works through three items of rising difficulty. In each one they drag fraction cards
onto a number line from 0 to 2, press Check, and see per card whether it is right, close (one tick
off) or wrong; they have three tries. An item is complete when every card is right or the third
try is used up.

Positions in events are whole twelfths from 0 (0–24), so every card lands on an integer: 3/4 is 9.
The browser's reducer (static/widgets/TEI001/reducer.js) holds the same items and applies the same
rules; tests/widgets/test_tei001.py checks that the two item lists agree.

Scoring replays the placements and checks in the stream and ignores what the browser claims about
them (`attempt`, `correct_cards`, `item_completed.correct`), so a tampered client gains nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from math import gcd
from typing import Any

from widgets.base import Event, Score, SessionMode, Widget
from widgets.measures import Assessment, ItemResult

DENOMINATOR = 12
MAX_POSITION = 2 * DENOMINATOR
MAX_ATTEMPTS = 3
# Credit for an item by the try on which every card was right; a third miss earns nothing.
POINTS_BY_ATTEMPT = {1: 3.0, 2: 2.0, 3: 1.0}

# Each item: the tick spacing of its line in twelfths (3 = quarters, 2 = sixths, 1 = twelfths)
# and its cards in tray order. Items are numbered from 1 in events.
ITEMS: tuple[Mapping[str, Any], ...] = (
    {"step": 3, "cards": ("1/4", "1/2", "3/4", "5/4")},
    {"step": 2, "cards": ("1/3", "5/6", "4/3", "5/3")},
    {"step": 1, "cards": ("2/3", "3/4", "7/6", "3/2", "6/4")},
)
ALL_CARDS = sorted({card for item in ITEMS for card in item["cards"]})
MAX_CARDS = max(len(item["cards"]) for item in ITEMS)


# Cached: a replay describes 10,000 events with a few dozen distinct cards and places.
@cache
def target_of(card: str) -> int:
    """The card's place on the line in twelfths: "3/4" → 9."""
    numerator, denominator = (int(part) for part in card.split("/"))
    return numerator * DENOMINATOR // denominator


def verdict_for(item: int, card: str, position: int) -> str:
    distance = abs(position - target_of(card))
    if distance == 0:
        return "right"
    return "close" if distance <= ITEMS[item - 1]["step"] else "wrong"


# --- Event schemas -------------------------------------------------------------------------------

_ITEM = {"type": "integer", "minimum": 1, "maximum": len(ITEMS)}
_CARD = {"type": "string", "enum": ALL_CARDS}
_POSITION = {"type": "integer", "minimum": 0, "maximum": MAX_POSITION}


def _object(**properties: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


EVENT_SCHEMAS: dict[str, dict[str, Any]] = {
    "item_started": _object(item=_ITEM),
    "card_placed": _object(item=_ITEM, card=_CARD, position=_POSITION),
    "card_moved": _object(item=_ITEM, card=_CARD, **{"from": _POSITION}, position=_POSITION),
    "card_removed": _object(item=_ITEM, card=_CARD),
    "answer_checked": _object(
        item=_ITEM,
        attempt={"type": "integer", "minimum": 1, "maximum": MAX_ATTEMPTS},
        correct_cards={
            "type": "array",
            "items": _CARD,
            "uniqueItems": True,
            "maxItems": MAX_CARDS,
        },
    ),
    "item_completed": _object(item=_ITEM, correct={"type": "boolean"}),
}


# --- Scoring -------------------------------------------------------------------------------------


@dataclass
class _Progress:
    placements: dict[str, int] = field(default_factory=dict)
    attempts: int = 0
    outcome: str | None = None  # "correct" | "incorrect" once the item is complete
    tries_at: list[int] = field(default_factory=list)  # client t of each counted check


class _Replay:
    """The reducer's rules, replayed: an event the browser would have ignored is ignored here."""

    def __init__(self) -> None:
        self.item = 0
        self.items = [_Progress() for _ in ITEMS]

    def apply(self, event: Event) -> None:
        data = event.get("data")
        if not isinstance(data, Mapping):
            return
        kind = event.get("type")
        if kind == "item_started":
            self._start(data.get("item"))
            return
        progress = self._open_item(data.get("item"))
        if progress is None:
            return
        card = data.get("card")
        position = data.get("position")
        if kind == "answer_checked":
            before = progress.attempts
            self._check(progress)
            if progress.attempts > before:
                progress.tries_at.append(int(_time(event)))
            return
        if not self._has_card(card):
            return
        placed = card in progress.placements
        # Placing needs a card in the tray; moving and taking back need a card on the line.
        if kind in ("card_placed", "card_moved") and placed == (kind == "card_moved"):
            if self._valid_position(position):
                progress.placements[card] = position
        elif kind == "card_removed" and placed:
            del progress.placements[card]

    def _start(self, item: Any) -> None:
        if not _is_int(item) or item != self.item + 1 or item > len(ITEMS):
            return
        if self.item > 0 and self.items[self.item - 1].outcome is None:
            return
        self.item = item

    def _open_item(self, item: Any) -> _Progress | None:
        if not _is_int(item) or item != self.item or item < 1:
            return None
        progress = self.items[item - 1]
        return progress if progress.outcome is None else None

    def _has_card(self, card: Any) -> bool:
        return isinstance(card, str) and card in ITEMS[self.item - 1]["cards"]

    def _valid_position(self, position: Any) -> bool:
        return (
            _is_int(position)
            and 0 <= position <= MAX_POSITION
            and position % ITEMS[self.item - 1]["step"] == 0
        )

    def _check(self, progress: _Progress) -> None:
        cards = ITEMS[self.item - 1]["cards"]
        if any(card not in progress.placements for card in cards):
            return
        progress.attempts += 1
        if all(
            verdict_for(self.item, card, progress.placements[card]) == "right" for card in cards
        ):
            progress.outcome = "correct"
        elif progress.attempts >= MAX_ATTEMPTS:
            progress.outcome = "incorrect"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _time(event: Event) -> float:
    t = event.get("t")
    return t if isinstance(t, int | float) and not isinstance(t, bool) else 0


def assess(events: Sequence[Event]) -> Assessment:
    """Per item: its checks (tries), the try on which every card was right, and its points."""
    replay = _Replay()
    # Stable: events with equal times keep the order they arrived in, as in playback.
    for event in sorted(events, key=_time):
        replay.apply(event)
    return Assessment(
        items=tuple(
            ItemResult(
                item=str(number),
                tries=progress.attempts,
                solved_on=progress.attempts if progress.outcome == "correct" else None,
                gave_up=progress.attempts > 0 and progress.outcome != "correct",
                points=POINTS_BY_ATTEMPT[progress.attempts]
                if progress.outcome == "correct"
                else 0.0,
                maximum=POINTS_BY_ATTEMPT[1],
                tries_at=tuple(progress.tries_at),
            )
            for number, progress in enumerate(replay.items, start=1)
        )
    )


def score(events: Sequence[Event]) -> Score:
    """Per item: 3 points if every card is right on the first check, 2 on the second, 1 on the
    third, 0 otherwise; the maximum is 3 points per item."""
    return assess(events).full_score()


WIDGET = Widget(
    id="TEI001",
    title="Fractions on a number line",
    description="Drag fraction cards to their place on a number line from 0 to 2.",
    session_mode=SessionMode.PER_OPEN,
    event_schemas=EVENT_SCHEMAS,
    score=score,
    assess=assess,
    # Placing, moving and taking back cards and checking; starting an item is only reading it.
    work_types=frozenset({"card_placed", "card_moved", "card_removed", "answer_checked"}),
)


# --- Plain words for teachers (widgets/words.py) -------------------------------------------------

# The event that starts an item, the data key that names it, and what a teacher calls one: the
# replay's compare view lines two sessions up by it.
ITEM_START = ("item_started", "item", "item")

EVENT_LABELS: dict[str, str] = {
    "item_started": "Started an item",
    "card_placed": "Placed a card",
    "card_moved": "Moved a card",
    "card_removed": "Took a card off the line",
    "answer_checked": "Checked the answer",
    "item_completed": "Finished an item",
}
_VULGAR = {(1, 2): "½", (1, 3): "⅓", (2, 3): "⅔", (1, 4): "¼", (3, 4): "¾", (1, 6): "⅙",
           (5, 6): "⅚", (1, 12): "1/12"}  # fmt: skip
_VERDICT_WORDS = {"right": "right place", "close": "one tick off", "wrong": "wrong place"}


@cache
def place_words(position: int) -> str:
    """A place on the 0–2 line, given in twelfths, as a teacher writes it: 20 → "1⅔", 6 → "½"."""
    whole, rest = divmod(position, DENOMINATOR)
    if rest == 0:
        return str(whole)
    common = gcd(rest, DENOMINATOR)
    numerator, denominator = rest // common, DENOMINATOR // common
    fraction = _VULGAR.get((numerator, denominator), f"{numerator}/{denominator}")
    if whole == 0:
        return fraction
    return f"{whole}{fraction}" if len(fraction) == 1 else f"{whole} {fraction}"


def describe(event: Event) -> str:
    """One line for a teacher: "Placed 5/3 at 1⅔ — wrong place". Falls back to the label."""
    kind = event.get("type")
    label = EVENT_LABELS.get(kind, str(kind))
    data = event.get("data")
    if not isinstance(data, Mapping):
        return label
    item, card, position = data.get("item"), data.get("card"), data.get("position")
    if not (type(item) is int and 1 <= item <= len(ITEMS)):
        return label
    try:
        if kind == "item_started":
            return f"Started item {item}"
        if kind in ("card_placed", "card_moved"):
            verdict = _VERDICT_WORDS[verdict_for(item, card, position)]
            if kind == "card_moved":
                return (
                    f"Moved {card} from {place_words(data['from'])} to "
                    f"{place_words(position)} — {verdict}"
                )
            return f"Placed {card} at {place_words(position)} — {verdict}"
        if kind == "card_removed":
            return f"Took {card} back off the line"
        if kind == "answer_checked":
            cards = len(ITEMS[item - 1]["cards"])
            right = len(data.get("correct_cards") or [])
            return (
                f"Checked item {item} (try {data.get('attempt')}): {right} of {cards} cards right"
            )
        if kind == "item_completed":
            return f"Finished item {item}" + (
                " — every card right" if data.get("correct") else " — not all cards right"
            )
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return label
    return label
