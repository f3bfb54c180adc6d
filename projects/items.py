"""Item analysis: where a class struggles, and which wrong answers recur.

For each widget of a DONE run, per item (question, challenge, face to rebuild): how many learners
attempted it, solved it on their first try, solved it later, or never solved it ("gave up"); the
median tries, hints and active time of those who attempted it; the items in order of difficulty;
the wrong answers that recur (the same wrong answer, in the widget's own grouping, from two
learners or more) with one example each to replay at the moment it happened; and the
misconceptions the widget names (widgets/responses/), with the learners who showed them.

The counts are the platform's measures (each session's `items`, widgets/measures.py), never
recomputed here; so are the wrong answers, time per item and misconceptions: the widget's rules
(widgets/responses/) read each session's events when the collector summarised it, and the
reading came with the session's `items` (`stored_reading`). A session imported before readings
were kept has its events read through `collector.client` and the rules run here.

A learner's result on an item is over all their sessions of the run, in the order they started:
*first try* when the first session that attempted it solved it on its first try, *later* when
some session solved it, *gave up* otherwise.

`analyse` is pure (no ORM, no request): unit-tested on hand-made sessions. `run_items` loads a
run's sessions and caches the result under the run's id: a DONE run never changes.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.cache import cache

from core.formatting import format_duration
from widgets.registry import all_widgets, get_widget
from widgets.responses import SessionReading, misconception_words, read_session, stored_reading

# A wrong answer "recurs" when this many learners gave it; an item lists at most TOP of them.
RECURRING_LEARNERS = 2
TOP_WRONG = 5
# Bars of the chart: the same words in the legend, the tables and the CSV.
FIRST_TRY = "Solved on the first try"
LATER = "Solved later"
GAVE_UP = "Not solved"
COLOURS = {FIRST_TRY: "#009E73", LATER: "#E69F00", GAVE_UP: "#D55E00"}  # Okabe–Ito


@dataclass(frozen=True)
class SessionInput:
    """One stored session of the run, with the reading of its events."""

    id: int  # RunSession pk: what a replay link names
    learner: int  # LearnerIdentity pk
    widget: str
    start: int
    items: Sequence[dict[str, Any]]  # the platform's per-item measures (ItemResult.as_dict)
    reading: SessionReading = field(default_factory=SessionReading)


@dataclass(frozen=True)
class Example:
    session: int  # RunSession pk
    at: int  # epoch ms on the learner's clock (`?at=`)
    learner: int
    name: str = ""  # the learner's display name, filled in for a page (`with_names`)


@dataclass(frozen=True)
class WrongGroup:
    words: str
    learners: int
    answers: int
    example: Example


@dataclass(frozen=True)
class ItemStats:
    item: str
    label: str
    attempted: int
    first_try: int
    later: int
    gave_up: int
    median_tries: float
    median_hints: float
    median_active_ms: float
    wrong: tuple[WrongGroup, ...] = ()

    @property
    def solved_first_share(self) -> float:
        return self.first_try / self.attempted if self.attempted else 1.0

    @property
    def median_active(self) -> str:
        return format_duration(self.median_active_ms)


@dataclass(frozen=True)
class MisconceptionStats:
    id: str
    words: str
    example_words: str
    learners: tuple[Example, ...]  # each learner once, at the first moment it showed
    items: tuple[str, ...]  # the labels of the items it showed in


@dataclass(frozen=True)
class WidgetItems:
    widget: str
    title: str
    items: tuple[ItemStats, ...]  # hardest first
    misconceptions: tuple[MisconceptionStats, ...]

    @property
    def chart(self) -> dict[str, Any]:
        return items_chart(self)

    @property
    def chart_data_id(self) -> str:
        return f"items-chart-{self.widget}"


@dataclass(frozen=True)
class Analysis:
    widgets: tuple[WidgetItems, ...] = ()

    @property
    def empty(self) -> bool:
        return not any(widget.items for widget in self.widgets)

    def misconceptions_of(
        self, learner: int
    ) -> list[tuple[WidgetItems, MisconceptionStats, Example]]:
        found = []
        for widget in self.widgets:
            for stats in widget.misconceptions:
                found += [(widget, stats, e) for e in stats.learners if e.learner == learner]
        return found


# --- Pure analysis --------------------------------------------------------------------------------


@dataclass
class _Learner:
    """One learner's sessions on one item, in the order they started."""

    results: list[dict[str, Any]] = field(default_factory=list)
    active_ms: int = 0

    def outcome(self) -> str | None:
        tried = [r for r in self.results if r.get("tries", 0) > 0]
        if not tried:
            return None
        if tried[0].get("solved_on") == 1:
            return FIRST_TRY
        return LATER if any(r.get("solved_on") for r in tried) else GAVE_UP


def analyse(sessions: Iterable[SessionInput]) -> Analysis:
    """The item analysis of these sessions (any order), one part per widget in registry order."""
    by_widget: dict[str, list[SessionInput]] = {}
    for session in sorted(sessions, key=lambda s: (s.start, s.id)):
        by_widget.setdefault(session.widget, []).append(session)
    order = [w.id for w in all_widgets()] + sorted(set(by_widget) - {w.id for w in all_widgets()})
    return Analysis(widgets=tuple(_widget_items(w, by_widget[w]) for w in order if w in by_widget))


def _median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else 0.0


def _widget_items(widget_id: str, sessions: list[SessionInput]) -> WidgetItems:
    widget = get_widget(widget_id)
    label = widget.item_label if widget else (lambda item: f"item {item}")
    learners: dict[str, dict[int, _Learner]] = {}
    for session in sessions:
        for result in session.items:
            learners.setdefault(str(result["item"]), {}).setdefault(
                session.learner, _Learner()
            ).results.append(result)
        for trace in session.reading.items:
            if trace.item in learners and session.learner in learners[trace.item]:
                learners[trace.item][session.learner].active_ms += trace.active_ms
    wrong = _wrong_groups(sessions)
    items = []
    for item, of_item in learners.items():
        tried = {pk: one for pk, one in of_item.items() if one.outcome() is not None}
        if not tried:
            continue
        outcomes = [one.outcome() for one in tried.values()]
        items.append(
            ItemStats(
                item=item,
                label=label(item),
                attempted=len(tried),
                first_try=outcomes.count(FIRST_TRY),
                later=outcomes.count(LATER),
                gave_up=outcomes.count(GAVE_UP),
                median_tries=_median([sum(r["tries"] for r in o.results) for o in tried.values()]),
                median_hints=_median(
                    [sum(r.get("hints", 0) for r in o.results) for o in tried.values()]
                ),
                median_active_ms=_median([o.active_ms for o in tried.values()]),
                wrong=wrong.get(item, ()),
            )
        )
    items.sort(key=difficulty)
    return WidgetItems(
        widget=widget_id,
        title=widget.title if widget else widget_id,
        items=tuple(items),
        misconceptions=_misconceptions(widget_id, sessions, label),
    )


def difficulty(stats: ItemStats) -> tuple[float, float, str]:
    """Hardest first: the smallest share solved on the first try, then the largest share not
    solved, then the item's own order."""
    share_gave_up = stats.gave_up / stats.attempted if stats.attempted else 0.0
    return (stats.solved_first_share, -share_gave_up, stats.item)


def _wrong_groups(sessions: list[SessionInput]) -> dict[str, tuple[WrongGroup, ...]]:
    groups: dict[tuple[str, Any], dict[str, Any]] = {}
    for session in sessions:
        for trace in session.reading.items:
            for answer in trace.wrong:
                found = groups.setdefault(
                    (trace.item, answer.group),
                    {"words": answer.words, "learners": set(), "answers": 0, "example": None},
                )
                found["learners"].add(session.learner)
                found["answers"] += 1
                if found["example"] is None:  # the earliest: sessions come in start order
                    found["example"] = Example(session.id, answer.t, session.learner)
    by_item: dict[str, list[WrongGroup]] = {}
    for (item, _), found in groups.items():
        if len(found["learners"]) >= RECURRING_LEARNERS:
            by_item.setdefault(item, []).append(
                WrongGroup(found["words"], len(found["learners"]), found["answers"],
                           found["example"])
            )  # fmt: skip
    return {
        item: tuple(sorted(found, key=lambda g: (-g.learners, -g.answers, g.words))[:TOP_WRONG])
        for item, found in by_item.items()
    }


def _misconceptions(widget_id: str, sessions: list[SessionInput], label) -> tuple:
    named = misconception_words(widget_id)
    seen: dict[str, dict[int, Example]] = {}
    items: dict[str, dict[str, None]] = {}
    for session in sessions:
        for spotted in session.reading.spotted:
            seen.setdefault(spotted.misconception, {}).setdefault(
                session.learner, Example(session.id, spotted.t, session.learner)
            )
            items.setdefault(spotted.misconception, {})[label(spotted.item)] = None
    found = [
        MisconceptionStats(
            id=key,
            words=misconception.words,
            example_words=misconception.example,
            learners=tuple(seen[key].values()),
            items=tuple(items[key]),
        )
        for key, misconception in named.items()
        if key in seen
    ]
    return tuple(sorted(found, key=lambda m: -len(m.learners)))


CHART_LABEL_MAX = 24  # characters: longer item names are cut on the axis (whole on hover)


def _short(label: str) -> str:
    return label if len(label) <= CHART_LABEL_MAX else label[: CHART_LABEL_MAX - 1] + "…"


def items_chart(widget: WidgetItems) -> dict[str, Any]:
    """A horizontal bar per item, hardest on top, split into first try / later / not solved.
    Each bar is named by its rank in the list below it ("2. the first face to…"), which also
    keeps two names cut to the same words apart."""
    labels = [f"{rank}. {_short(stats.label)}" for rank, stats in enumerate(widget.items, 1)]
    parts = ((FIRST_TRY, "first_try"), (LATER, "later"), (GAVE_UP, "gave_up"))
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": name,
            "y": labels,
            "x": [getattr(stats, key) for stats in widget.items],
            "customdata": [stats.label for stats in widget.items],
            "marker": {"color": COLOURS[name]},
            "hovertemplate": f"%{{customdata}}<br>{name}: %{{x}} learners<extra></extra>",
        }
        for name, key in parts
    ]
    most = max((stats.attempted for stats in widget.items), default=0)
    layout = {
        "barmode": "stack",
        "height": 90 + 30 * max(1, len(labels)),
        "margin": {"l": 8, "r": 8, "t": 36, "b": 40},
        "yaxis": {"autorange": "reversed", "automargin": True, "fixedrange": True},
        "xaxis": {"title": {"text": "Learners"}, "fixedrange": True,
                  **({"dtick": 1} if most <= 10 else {})},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom",
                   "traceorder": "normal"},
        "hoverlabel": {"bgcolor": "#ffffff", "font": {"color": "#1d2733"}},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#fbfcfd",
    }  # fmt: skip
    return {"data": data, "layout": layout}


CSV_HEADER = [
    "activity", "item", "difficulty_rank", "attempted", "solved_first_try", "solved_later",
    "not_solved", "median_tries", "median_hints", "median_active_seconds", "kind", "answer",
    "learners", "answers", "names",
]  # fmt: skip


def items_csv_rows(analysis: Analysis, names: dict[int, str]) -> list[list[Any]]:
    """Header, then one row per item (hardest first), each followed by its recurring wrong
    answers; then one row per misconception with the names of its learners."""
    rows: list[list[Any]] = [list(CSV_HEADER)]
    for widget in analysis.widgets:
        for rank, s in enumerate(widget.items, start=1):
            rows.append(
                [widget.title, s.label, rank, s.attempted, s.first_try, s.later, s.gave_up,
                 s.median_tries, s.median_hints, round(s.median_active_ms / 1000, 1),
                 "item", "", "", "", ""]
            )  # fmt: skip
            rows += [
                [widget.title, s.label, rank, *[""] * 7, "wrong answer", group.words,
                 group.learners, group.answers, ""]
                for group in s.wrong
            ]  # fmt: skip
        for m in widget.misconceptions:
            who = "; ".join(sorted(names.get(e.learner, "") for e in m.learners))
            rows.append(
                [widget.title, ", ".join(m.items), "", *[""] * 7, "misconception", m.words,
                 len(m.learners), "", who]
            )  # fmt: skip
    return rows


def with_names(analysis: Analysis, names: dict[int, str]) -> Analysis:
    """The analysis with each example's learner named (names change; the cache keeps pks)."""

    def named(example: Example) -> Example:
        return replace(example, name=names.get(example.learner, "a learner"))

    return Analysis(
        widgets=tuple(
            replace(
                widget,
                items=tuple(
                    replace(s, wrong=tuple(replace(g, example=named(g.example)) for g in s.wrong))
                    for s in widget.items
                ),
                misconceptions=tuple(
                    replace(m, learners=tuple(sorted(map(named, m.learners), key=_by_name)))
                    for m in widget.misconceptions
                ),
            )
            for widget in analysis.widgets
        )
    )


def _by_name(example: Example) -> tuple[str, int]:
    return (example.name.casefold(), example.learner)


# --- Loading and caching (the thin part that touches the database) -------------------------------

CACHE_VERSION = 2  # bump when the analysis or the measures it reads change (2: predictions)
CACHE_SECONDS = 7 * 24 * 3600
# A run of up to this many events is analysed on request (a class: ~10,000, well under 300 ms);
# a bigger one by a Celery task, while its page says so and looks again.
ANALYSE_INLINE_EVENTS = 100_000
QUEUED_SECONDS = 120  # a queued analysis not done by then is queued again


def _cache_key(run_id: int) -> str:
    # A DONE run never changes (a re-run is a new run), so its id is its version.
    return f"items:v{CACHE_VERSION}:run:{run_id}"


def run_items_load(*, run) -> Analysis:
    """Reads the run's sessions with work and their readings, analyses them, caches the result.

    Each session's reading comes with its per-item results (the collector read its events when
    it summarised it: widgets/responses/ `stored_reading`); only a session imported before the
    collector kept readings has its events read here, through the client, and read anew."""
    rows = session_rows(run)
    readings = [stored_reading(items) for *_, items in rows]
    unread = _events_of([pk for (pk, *_), reading in zip(rows, readings, strict=True)
                         if reading is None])  # fmt: skip
    analysis = analyse(
        SessionInput(
            id=pk, learner=learner, widget=widget, start=start, items=items,
            reading=reading if reading is not None else read_session(widget, unread[pk]),
        )
        for (pk, learner, widget, start, items), reading in zip(rows, readings, strict=True)
    )  # fmt: skip
    cache.set(_cache_key(run.pk), analysis, CACHE_SECONDS)
    return analysis


def session_rows(run) -> list[tuple[int, int, str, int, list[dict[str, Any]]]]:
    """The run's sessions with work: (pk, learner pk, widget, start, per-item results)."""
    from projects.models import RunSession

    rows = RunSession.objects.filter(run=run, work_events__gt=0).values_list(
        "id", "learner_id", "widget", "start", "items"
    )
    return [(pk, learner, widget, start, items or []) for pk, learner, widget, start, items in rows]


def _events_of(pks: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The events of these sessions (RunSession pks), through the client."""
    if not pks:
        return {}
    from collector.client import get_client
    from projects.models import RunSession

    keys = {
        pk: (opaque, session, widget)
        for pk, opaque, session, widget in RunSession.objects.filter(pk__in=pks).values_list(
            "pk", "learner__opaque_id", "session", "widget"
        )
    }
    events = get_client().sessions_events(list(keys.values()))
    return {pk: events.get(key, []) for pk, key in keys.items()}


def run_items(*, run, queue_if_large: bool = True) -> Analysis | None:
    """The run's item analysis: from the cache, or worked out now for a class-sized run; for a
    larger one a Celery task is queued (once) and None is returned until it is done."""
    found = cache.get(_cache_key(run.pk))
    if found is not None:
        return found
    if not queue_if_large or run.event_count <= ANALYSE_INLINE_EVENTS:
        return run_items_load(run=run)
    if cache.add(f"{_cache_key(run.pk)}:queued", True, QUEUED_SECONDS):
        from projects.tasks import analyse_items

        analyse_items.delay(run.pk)
    return None


def learner_names(analysis: Analysis) -> dict[int, str]:
    from dashboard.models import LearnerIdentity

    pks = {e.learner for w in analysis.widgets for m in w.misconceptions for e in m.learners}
    pks |= {g.example.learner for w in analysis.widgets for s in w.items for g in s.wrong}
    return dict(LearnerIdentity.objects.filter(pk__in=pks).values_list("pk", "display_name"))
