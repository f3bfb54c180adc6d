"""TEI001's wrong answers and misconceptions.

A wrong answer is a card not at its place when the learner pressed Check (a check that counted:
every card on the line). Its group is the card and where it was, snapped to the item's ticks (the
line only takes tick positions, so an answer from an older or tampered client still lands with its
nearest tick): "5/3 at ⅔" is one wrong answer however many learners gave it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from fractions import Fraction

from widgets import tei001
from widgets.base import Event
from widgets.responses import ItemTrace, Misconception, WrongAnswer, moment, snap, time_per_item

WIDGET_ID = tei001.WIDGET.id
ONE = tei001.DENOMINATOR  # 1 on the line, in twelfths


def trace(ordered: Sequence[Event]) -> list[ItemTrace]:
    """Every item the learner started, with its wrong answers at each counted check."""
    replay = tei001._Replay()  # the scoring's replay of the reducer: the same checks count
    wrong: dict[int, list[WrongAnswer]] = {}
    item_of: list[str | None] = []
    for event in ordered:
        current = replay.item
        before = replay.items[current - 1].attempts if current else 0
        replay.apply(event)
        if current and replay.item == current and replay.items[current - 1].attempts > before:
            wrong.setdefault(current, []).extend(
                _wrong_cards(current, replay.items[current - 1].placements, moment(event))
            )
        item_of.append(str(replay.item) if replay.item else None)
    spent = time_per_item(ordered, item_of)
    started = range(1, replay.item + 1)
    return [
        ItemTrace(str(item), tuple(wrong.get(item, ())), spent.get(str(item), 0))
        for item in started
    ]


def _wrong_cards(item: int, placements: dict[str, int], t: int) -> list[WrongAnswer]:
    step = tei001.ITEMS[item - 1]["step"]
    found = []
    for card in tei001.ITEMS[item - 1]["cards"]:
        position = int(snap(placements[card], step))
        if position == _target(card):
            continue
        found.append(
            WrongAnswer(
                group=(card, position),
                words=_words(card, position),
                t=t,
                value={"card": card, "position": position, "step": step},
            )
        )
    return found


# Cached: a class's checks name the same few cards and places thousands of times.
_target = functools.cache(tei001.target_of)


@functools.cache
def _words(card: str, position: int) -> str:
    return f"{card} at {tei001.place_words(position)}"


@functools.cache
def _value(card: str) -> Fraction:
    return Fraction(card)


def upside_down(item: ItemTrace) -> int | None:
    """A card a/b put on a tick next to where b/a goes (closer than one tick), when b/a is on
    the line and is another number: 5/3 on ⅔ (3/5 is 0.6, between the ticks ½ and ⅔)."""
    for answer in item.wrong:
        flipped = _flipped_at(answer.value["card"])
        if flipped is not None and abs(answer.value["position"] - flipped) < answer.value["step"]:
            return answer.t
    return None


@functools.cache
def _flipped_at(card: str) -> Fraction | None:
    """Where b/a goes on the line (in twelfths) for card a/b; None when it is a/b itself or
    off the line."""
    flipped = 1 / _value(card)
    if flipped == _value(card) or flipped * ONE > tei001.MAX_POSITION:
        return None
    return flipped * ONE


def bigger_than_one_below_one(item: ItemTrace) -> int | None:
    """A card worth more than 1 (5/4, 5/3, 7/6…) put below 1."""
    for answer in item.wrong:
        if _value(answer.value["card"]) > 1 and answer.value["position"] < ONE:
            return answer.t
    return None


MISCONCEPTIONS = (
    Misconception(
        id="upside_down",
        words="Reads a fraction upside down",
        example="puts 5/3 where 3/5 goes",
        rule=upside_down,
    ),
    Misconception(
        id="bigger_than_one_below_one",
        words="Puts a fraction bigger than 1 below 1",
        example="puts 5/4 between 0 and 1",
        rule=bigger_than_one_below_one,
    ),
)
