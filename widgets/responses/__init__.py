"""What learners answered, item by item: their wrong answers and the known error patterns in them.

The item analysis (projects/items.py) asks each widget three things about one session's events:

- **its items' traces**: for each item the learner worked on, every wrong answer (a card placed
  off its place at a check, a lever released without reaching the goal, a wrong city picked),
  each with the moment it happened (client `t`, so a replay can open there) and a **group**: two
  wrong answers in the same group are "the same wrong answer" (the same wrong place on the
  number line, within the widget's tolerance; the same weight configuration);
- **the time spent on each item**: the gap before each of the item's events, capped as active
  time is (widgets/measures.py), so pauses and time between sittings count as they do there;
- **its misconceptions**: error patterns the widget's author names in plain words, each a rule
  over an item's trace that says when (the moment) the pattern shows, or None.

The collector reads each session once, when it summarises it (collector/summaries.py), and keeps
the reading in the session's per-item results (`items_with_reading`): the analysis reads it back
from there (`stored_reading`) instead of every event.

Pure content: no Django, no other app. Each widget's module (widgets/responses/tei001.py, …) holds
its `trace(events)` and its `MISCONCEPTIONS`; this module only looks them up by widget id. How to
write them for a new widget: docs/widgets.md, "Wrong answers and misconceptions".
"""

from __future__ import annotations

import functools
import json
import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from widgets.base import Event
from widgets.measures import DEFAULT_RULES, MeasureRules, in_play_order


@dataclass(frozen=True)
class WrongAnswer:
    """One wrong response to an item."""

    group: Hashable  # equal groups: the same wrong answer (the widget's tolerance applied)
    words: str  # the group in a teacher's words: "5/3 at ⅔", "predicted it balances"
    t: int  # client time (epoch ms): the moment a replay opens at
    value: Mapping[str, Any] = field(default_factory=dict)  # what the rules read


@dataclass(frozen=True)
class ItemTrace:
    """One item of one session as the learner worked on it."""

    item: str
    wrong: tuple[WrongAnswer, ...] = ()
    active_ms: int = 0


# A rule: the moment the pattern first shows in an item's trace, or None when it does not.
Rule = Callable[[ItemTrace], int | None]


@dataclass(frozen=True)
class Misconception:
    id: str  # stable, for exports and links
    words: str  # what a teacher reads: "Reads a fraction upside down"
    example: str  # one sentence that shows it: "puts 5/3 where 3/5 goes"
    rule: Rule


@dataclass(frozen=True)
class Spotted:
    """A misconception seen in one item of one session, first at moment `t`."""

    misconception: str
    item: str
    t: int


@dataclass(frozen=True)
class SessionReading:
    items: tuple[ItemTrace, ...] = ()
    spotted: tuple[Spotted, ...] = ()


def snap(value: float, tolerance: float) -> float:
    """`value` on a grid of `tolerance`: values closer than half of it to the same grid point
    fall together; a value exactly halfway goes up (5 on a grid of 2 → 6)."""
    if tolerance <= 0:
        return value
    return tolerance * math.floor(value / tolerance + 0.5)


def time_per_item(
    ordered: Sequence[Event],
    item_of: Sequence[str | None],
    rules: MeasureRules = DEFAULT_RULES,
) -> dict[str, int]:
    """Active time per item: the gap before each event, capped at `idle_cap_ms` and nothing
    across a sitting gap, counts for the item that event belongs to (`item_of[i]`, None: none)."""
    spent: dict[str, int] = {}
    previous: int | None = None
    for event, item in zip(ordered, item_of, strict=True):
        t = _t(event)
        if previous is not None and item is not None:
            gap = t - previous
            if 0 <= gap <= rules.sitting_gap_ms:
                spent[item] = spent.get(item, 0) + min(gap, rules.idle_cap_ms)
        previous = t
    return spent


def _t(event: Event) -> int:
    t = event.get("t")
    return int(t) if isinstance(t, int | float) and not isinstance(t, bool) else 0


def moment(event: Event) -> int:
    return _t(event)


def spot(
    traces: Iterable[ItemTrace], misconceptions: Sequence[Misconception]
) -> tuple[Spotted, ...]:
    found = []
    for trace in traces:
        for misconception in misconceptions:
            t = misconception.rule(trace)
            if t is not None:
                found.append(Spotted(misconception.id, trace.item, t))
    return tuple(found)


@functools.cache
def _modules() -> dict[str, Any]:
    # Imported here: the widget modules import this one for its types.
    from widgets.responses import bll002, chernoff_tutorial, tei001

    return {module.WIDGET_ID: module for module in (bll002, tei001, chernoff_tutorial)}


def misconceptions_of(widget_id: str) -> tuple[Misconception, ...]:
    module = _modules().get(widget_id)
    return tuple(module.MISCONCEPTIONS) if module else ()


def misconception_words(widget_id: str) -> dict[str, Misconception]:
    return {m.id: m for m in misconceptions_of(widget_id)}


def read_session(widget_id: str, events: Sequence[Event]) -> SessionReading:
    """A session's item traces and the misconceptions spotted in them; empty for a widget
    without items."""
    module = _modules().get(widget_id)
    if module is None:
        return SessionReading()
    traces = tuple(module.trace(in_play_order(events)))
    return SessionReading(items=traces, spotted=spot(traces, module.MISCONCEPTIONS))


# --- The reading kept with the session's measures ----------------------------------------------

READING = "reading"  # the key of each item's reading in the stored per-item results


def items_with_reading(
    items: Sequence[Mapping[str, Any]], reading: SessionReading
) -> list[dict[str, Any]]:
    """The per-item results (ItemResult.as_dict) with this session's reading of each item under
    `reading`: None for an item the learner did not work on, else

        {"order": its place among the traces, "active_ms": …,
         "wrong": [[t, group, words], …], "spotted": [[misconception id, t], …]}

    Compact, as it is stored with every session: a wrong answer's `value` is left out (only the
    rules read it, and they have run: `spotted`); its group is kept as its JSON text, which is
    what the analysis needs of it (two answers are the same when their groups are equal, and so
    are their texts) and cheaper to read back than nested lists. A trace of an item the widget's
    `assess` does not list is not kept (no widget makes one)."""
    traces = {trace.item: (order, trace) for order, trace in enumerate(reading.items)}
    spotted: dict[str, list[list[Any]]] = defaultdict(list)
    for found in reading.spotted:
        spotted[found.item].append([found.misconception, found.t])
    kept = []
    for item in items:
        entry = None
        if (traced := traces.get(str(item["item"]))) is not None:
            order, trace = traced
            entry = {
                "order": order,
                "active_ms": trace.active_ms,
                "wrong": [
                    [answer.t, group_key(answer.group), answer.words] for answer in trace.wrong
                ],
                "spotted": spotted.get(trace.item, []),
            }
        kept.append({**item, READING: entry})
    return kept


def stored_reading(items: Sequence[Mapping[str, Any]]) -> SessionReading | None:
    """The reading kept in these per-item results by `items_with_reading`: what `read_session`
    gives, each wrong answer's group as its JSON text and without its value; None when they were
    stored before readings were kept (then read the events)."""
    if any(READING not in item for item in items):
        return None
    kept = sorted(
        ((entry["order"], str(item["item"]), entry) for item in items if (entry := item[READING])),
        key=lambda found: found[0],
    )
    traces = tuple(
        ItemTrace(
            item,
            tuple(WrongAnswer(group, words, t) for t, group, words in entry["wrong"]),
            entry["active_ms"],
        )
        for _, item, entry in kept
    )
    spotted = tuple(Spotted(m, item, t) for _, item, entry in kept for m, t in entry["spotted"])
    return SessionReading(items=traces, spotted=spotted)


def group_key(group: Hashable) -> str:
    """A wrong answer's group as it is kept: its JSON text (tuples as lists, keys sorted)."""
    return json.dumps(group, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
