"""The event timeline of one session (the "learnogram"), as a plotly figure dict.

Pure: events in, figure out; no request, no ORM (tests/replay/test_timeline.py). The page script
only adds a moving playhead and turns clicks on marks into seeks, so everything a teacher reads
on the chart (rows, colours, hover text, axis) is decided and tested here.

Layout: one row per event type, in the order the types first occur (so the chart reads top to
bottom like the session did); the session's play time along x (replay/sessiontime.py: time since
its first event, with each gap between sittings cut out, drawn as a dashed line and labelled
"2 days later"); one mark per event.
`customdata` holds each mark's index in the time-ordered event list, which is the same order the
widget replays (static/widgets/timeline.js: by `t`, ties in arrival order), so a click on a mark
seeks to exactly that event. The marks' hover text (type, moment, data) is the one thing the page
adds: it holds the events anyway, so their data travels once (docs/replay.md, "Why").

Numbers travel as typed arrays (`{"dtype", "bdata"}`), which plotly.js decodes natively. The
figure holds every event's mark; the page draws marks that would land on the same few pixels as
one (and draws them apart again on zoom), so 10,000 events cost a few hundred SVG marks, and it
draws the playhead over the chart, so that moving it never redraws the marks (docs/replay.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import numpy as np

from core.formatting import format_clock
from core.typedarrays import typed
from replay.sessiontime import SessionTime, session_time

LIFECYCLE_TYPES = ("session_started", "session_resumed", "session_completed")
LIFECYCLE_COLOUR = "#8a96a3"
# Okabe–Ito first, then more that stay apart from them and from the grey of lifecycle events.
TYPE_COLOURS = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#7F3C8D",
    "#3969AC", "#E73F74", "#80BA5A", "#B5651D", "#11A579", "#F2B701", "#4B4B8F",
]  # fmt: skip
ROW_HEIGHT = 28  # px
CHART_CHROME = 96  # px: margins and the axis
CUT_LABEL_STEP = 16  # px: how much higher every other gap's label sits
MINUTES_FROM_MS = 5 * 60_000  # sessions longer than this get an axis in minutes


def _has_time(event: Any) -> bool:
    # Called for every event of a session: the plain cases are tested first, cheaply.
    try:
        t = event["t"]
    except (KeyError, TypeError, IndexError):
        return False
    kind = type(t)
    return kind is int or (kind is float and math.isfinite(t))


def sort_events(events: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Events with a finite numeric `t`, by `t`; ties keep their order (as timeline.js does)."""
    kept = [event for event in events if _has_time(event)]
    kept.sort(key=itemgetter("t"))  # stable, and linear on the already sorted lists it mostly gets
    return kept


def escape(text: str) -> str:
    """Plotly renders a few HTML tags in hover text: learners' data must never become markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class Row:
    """One event type's row of the chart, with what the page's summary table says of it."""

    type: str
    colour: str
    count: int
    first_ms: float  # play time (replay/sessiontime.py: gaps between sittings cut)
    last_ms: float
    label: str = ""  # the teacher's words for the type (widgets/words.py); the type without

    @property
    def words(self) -> str:
        return self.label or self.type

    @property
    def first(self) -> str:
        return format_clock(self.first_ms)

    @property
    def last(self) -> str:
        return format_clock(self.last_ms)


def rows_of(
    events: Sequence[Mapping[str, Any]],
    plays: Sequence[float] | np.ndarray | None = None,
    labels: Mapping[str, str] | None = None,
) -> list[Row]:
    """The rows of time-ordered `events`: one per type, in order of first occurrence.

    `plays` are the events' play times (`SessionTime.plays`); without them, time since the first
    event (a session of one sitting).
    """
    if not events:
        return []
    if plays is None:
        start = events[0]["t"]
        plays = [event["t"] - start for event in events]
    if isinstance(plays, np.ndarray):
        plays = plays.tolist()  # plain floats: numpy scalars are slow one at a time
    seen: dict[str, list[float]] = {}
    for event, offset in zip(events, plays, strict=True):
        found = seen.get(event["type"])
        if found is None:
            seen[event["type"]] = [1, offset, offset]
        else:
            found[0] += 1
            found[2] = offset
    rows = []
    palette = iter(TYPE_COLOURS * (1 + len(seen) // len(TYPE_COLOURS)))
    for event_type, (count, first, last) in seen.items():
        colour = LIFECYCLE_COLOUR if event_type in LIFECYCLE_TYPES else next(palette)
        label = labels.get(event_type, "") if labels else ""
        rows.append(Row(event_type, colour, int(count), first, last, label))
    return rows


def label_margin(rows: Sequence[Row]) -> int:
    """Room left of the plot for the row names: about 7 px a character at 13 px, within reason."""
    longest = max((len(row.words) for row in rows), default=0)
    return max(90, min(220, 7 * longest + 16))


def axis_unit(span_ms: float) -> tuple[int, str]:
    """Milliseconds per x-axis unit, and its name: seconds, or minutes for long sessions."""
    return (60_000, "min") if span_ms > MINUTES_FROM_MS else (1000, "s")


def cut_marks(clock: SessionTime, unit: int) -> tuple[list[dict], list[dict]]:
    """Each gap between sittings as a narrow grey band across the rows, labelled above the plot
    with how long the learner was away ("2 days later"): the axis has the gap cut out, the label
    says so."""
    shapes, annotations = [], []
    for index, (before_end, after_at, part) in enumerate(clock.cuts()):
        x = (before_end + after_at) / 2 / unit
        # A band of fixed width on screen, whatever the zoom: the axis is broken here.
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "xsizemode": "pixel",
                "xanchor": x,
                "x0": -4,
                "x1": 4,
                "y0": 0,
                "y1": 1,
                "fillcolor": "#d5dce4",
                "line": {"width": 0},
                "layer": "below",  # under the marks, which stay visible on it
            }
        )
        annotations.append(
            {
                "xref": "x",
                "yref": "paper",
                "x": x,
                "y": 1,
                "yanchor": "bottom",
                # Every other label a line higher: two gaps close in play time (a day away, then
                # a week) would print their labels over each other.
                "yshift": CUT_LABEL_STEP * (index % 2),
                "showarrow": False,
                "text": escape(part.later),
                "font": {"size": 12, "color": "#3d4955"},
                "hovertext": escape(f"Sitting {part.number} starts {part.later}"),
            }
        )
    return shapes, annotations


def timeline_figure(
    events: Iterable[Mapping[str, Any]],
    clock: SessionTime | None = None,
    labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The plotly figure of a session's events (any order; sorted here as the widget sorts).

    Marks sit at their play time (`clock`, replay/sessiontime.py: the gaps between sittings cut
    out and marked); without a clock, the session is cut by the default measure rules. Rows are
    named by `labels` (type → the teacher's words, widgets/words.py) where given.
    """
    ordered = sort_events(events)
    total = len(ordered)
    times = np.fromiter((event["t"] for event in ordered), dtype=np.float64, count=total)
    if clock is None:
        clock = session_time(times.tolist())
    offsets = clock.plays(times)
    rows = rows_of(ordered, offsets, labels)
    unit, unit_name = axis_unit(clock.length)
    row_of = {row.type: number for number, row in enumerate(rows)}
    row_numbers = np.fromiter(
        (row_of[event["type"]] for event in ordered), dtype=np.int32, count=total
    )
    traces = [
        _row_trace(number, row, offsets, np.flatnonzero(row_numbers == number), unit)
        for number, row in enumerate(rows)
    ]
    return {"data": traces, "layout": _layout(rows, clock, unit, unit_name, total)}


def _row_trace(
    number: int, row: Row, offsets: np.ndarray, indices: np.ndarray, unit: int
) -> dict[str, Any]:
    """The marks of one row (one event type, the events at `indices`): a trace of typed arrays."""
    return {
        "type": "scatter",
        "mode": "markers",
        "name": row.type,
        "x": typed(offsets[indices] / unit, "f8"),
        "y": typed(np.full(len(indices), number), "u2"),
        "customdata": typed(indices, "i4"),
        "hovertemplate": "%{text}<extra></extra>",
        "marker": {
            "symbol": "line-ns-open",
            # Hover picks the nearest mark within its radius: a small radius keeps
            # neighbours a few pixels apart distinct (a click lands on the one aimed at).
            "size": 12,
            "color": row.colour,
            "line": {"color": row.colour, "width": 2},
        },
        "showlegend": False,
    }


def _layout(
    rows: Sequence[Row], clock: SessionTime, unit: int, unit_name: str, total: int
) -> dict[str, Any]:
    """The figure's layout: a row per event type, the time axis, and the cuts between sittings."""
    span = clock.length
    shapes, annotations = cut_marks(clock, unit)
    cut = len(clock.parts) > 1
    top = 12 if not cut else 32 if len(clock.parts) == 2 else 32 + CUT_LABEL_STEP
    # A little room either side, so the first and last marks are not on the frame.
    pad = max(span / unit * 0.02, 0.5 if unit == 1000 else 0.05)
    return {
        "height": CHART_CHROME + ROW_HEIGHT * max(len(rows), 1),
        "margin": {"l": label_margin(rows), "r": 24, "t": top, "b": 52},
        "font": {
            "family": 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
            "size": 13,
            "color": "#1d2733",
        },
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "#ffffff",
        "hovermode": "closest",
        # plotly draws hover text in the border's colour unless told: ink on white, 15:1.
        "hoverlabel": {
            "align": "left",
            "bgcolor": "#ffffff",
            "bordercolor": "#5b6878",
            "font": {"color": "#1d2733", "size": 13},
        },
        "dragmode": "zoom",
        "showlegend": False,
        "xaxis": {
            "type": "linear",
            "range": [-pad, span / unit + pad],
            "title": {
                "text": f"Time in the session, gaps between sittings cut ({unit_name})"
                if cut
                else f"Time since the session started ({unit_name})"
            },
            "ticksuffix": f" {unit_name}",
            "showgrid": True,
            "gridcolor": "#eef2f6",
            "zeroline": False,
        },
        "yaxis": {
            "type": "linear",
            "tickvals": list(range(len(rows))),
            "ticktext": [escape(row.words) for row in rows],
            "range": [len(rows) - 0.5, -0.5],
            "fixedrange": True,
            "showgrid": True,
            "gridcolor": "#eef2f6",
            "zeroline": False,
        },
        "shapes": shapes,
        "annotations": annotations,
        "meta": {
            "unit": unit,
            "unitName": unit_name,
            "count": total,
            "sittings": len(clock.parts),
            # For a narrow chart (a phone), where the full axis title would be cut.
            "shortTitle": f"Time, gaps cut ({unit_name})" if cut else f"Time ({unit_name})",
        },
    }
