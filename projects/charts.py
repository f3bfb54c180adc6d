"""The learning-path explorer's plotly figures, built in Python as plain figure dicts.

Pure: frames in, figure dicts out; no request, no ORM. The dicts follow plotly's figure schema
(the tests validate them with `plotly.graph_objects.Figure`); they are built directly rather than
through graph objects because validating 30,000 points on every page view costs more than the
whole page is allowed to take.

Numbers travel as typed arrays (`{"dtype": "f8", "bdata": <base64>}`), which plotly.js 3 decodes
natively: a 30,000-session chart is a few hundred kilobytes instead of megabytes of digits.

Layout of the chart: one horizontal lane per widget, time along x (or, in sequence mode, the
session's place in its learner's sequence: 1st, 2nd, …), one mark per session (size by event
count, grey by score: darker is higher, an open ring is no answer given). Within every lane each
learner has a row of their own, the same in every lane, in order of mean score (lowest at the
top of each lane, learners without a score at the bottom): the height inside a lane says how a
learner does overall, one learner's sessions line up across lanes, and a path joins them without
jumping around.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.typedarrays import typed
from projects.paths import attempt_percent, path_labels, score_percent

# One colour per compared path: Paul Tol's colour-blind-safe qualitative sets, none of them grey
# (the greys are the score's). Three groups of four, drawn solid, dashed and dotted: the hues that
# sit near each other (indigo and blue, rose and wine, green, teal and olive) fall in different
# groups, so two paths always differ in colour and, where colours are close, in dash.
PATH_COLOURS = [
    "#332288", "#EE7733", "#117733", "#CC6677",
    "#88CCEE", "#882255", "#DDAA33", "#44AA99",
    "#EE3377", "#0077BB", "#999933", "#AA4499",
]  # fmt: skip
PATH_DASHES = ["solid", "dash", "dot"]
# The score of a session mark: a grey ramp (light: low, dark: high), which no path colour uses.
SCORE_SCALE = [[0.0, "#dde3ea"], [1.0, "#27313d"]]
MAX_PATHS = len(PATH_COLOURS)
UNSCORED_COLOUR = "#8a96a3"  # drawn as an open ring: no answer given
LANE_SPREAD = 0.8  # the share of a lane's height that its learners' rows use
MARKER_MIN, MARKER_MAX = 4, 18  # px
LANE_HEIGHT = 170  # px


@dataclass(frozen=True)
class Lane:
    widget: str
    title: str


def local_ms(start_ms: pd.Series, time_zone: str) -> np.ndarray:
    """Epoch ms moved to the wall-clock time of `time_zone`, as plotly's date axis shows it.

    Plotly draws epoch milliseconds as UTC; shifting each value by its zone's offset at that
    moment (daylight saving included) makes the axis read in the school's time.
    """
    if start_ms.empty:
        return np.zeros(0, dtype="float64")
    utc = pd.to_datetime(start_ms.to_numpy(), unit="ms", utc=True)
    offset = utc.tz_convert(time_zone).tz_localize(None) - utc.tz_localize(None)
    return start_ms.to_numpy(dtype="float64") + offset / pd.Timedelta(milliseconds=1)


def learner_rows(order: Sequence[int]) -> dict[int, float]:
    """Each learner's offset from the centre of a lane, in lane units, in the given order."""
    n = max(len(order), 1)
    return {learner: ((rank + 0.5) / n - 0.5) * LANE_SPREAD for rank, learner in enumerate(order)}


def _y(frame: pd.DataFrame, lanes: Sequence[Lane], rows: dict[int, float]) -> np.ndarray:
    lane_of = {lane.widget: index for index, lane in enumerate(lanes)}
    lane = frame["widget"].map(lane_of).to_numpy(dtype="float64")
    offset = frame["learner"].map(rows).fillna(0.0).to_numpy(dtype="float64")
    return (lane + offset).astype("float32")


def steps(frame: pd.DataFrame) -> np.ndarray:
    """Each session's place in its learner's sequence (1 for the first), by start time."""
    if frame.empty:
        return np.zeros(0, dtype="uint16")
    # The order of paths.paths_of, so a path's n-th mark sits on the n-th session's mark.
    ordered = frame.sort_values(["learner", "start", "widget", "session"], kind="stable")
    step = ordered.groupby("learner", sort=False).cumcount() + 1
    return step.reindex(frame.index).to_numpy().astype("uint16")


def marker_sizes(events: pd.Series, largest: int) -> np.ndarray:
    """Marker size in px: area grows with the event count, from MARKER_MIN to MARKER_MAX."""
    if largest <= 0:
        return np.full(len(events), MARKER_MIN, dtype="uint8")
    share = np.sqrt(events.to_numpy(dtype="float64") / largest)
    return np.rint(MARKER_MIN + (MARKER_MAX - MARKER_MIN) * share).astype("uint8")


def _hover(title: str) -> str:
    """The hover text of a session mark. Its measures line (`hovertext`) is written in the
    browser from `customdata` (active ms, events, score %, sittings) by the shared formatter
    (static/js/format.js), so it reads exactly as tables and labels do."""
    title = escape_label(title)
    return (
        f"<b>%{{text}}</b><br>{title}<br>%{{x|%a %d %b %Y, %H:%M}}<br>%{{hovertext}}<extra></extra>"
    )


def overview_figure(
    frame: pd.DataFrame,
    *,
    lanes: Sequence[Lane],
    order: Sequence[int],
    time_zone: str,
    attempts: pd.DataFrame | None = None,
    activity_lanes: Sequence[Lane] = (),
) -> dict:
    """Every session as a mark: the explorer's base figure, and what its points stand for.

    Returns `{"figure": {"data", "layout"}, "points": [...], "learnerIds": ...}`. `points[i]`
    belongs to `figure["data"][i]` and holds, as typed arrays, the stored session id of each mark
    (for links) and the index of its learner in `order` (the browser turns it into the hover
    label); `learnerIds` is `order` itself. `attempts` (projects/paths.py's attempts frame) are
    drawn the same way in `activity_lanes`, below the widgets' lanes, as traces whose `meta.kind`
    is "attempts" (their points' ids are attempt ids).
    """
    attempts = attempts if attempts is not None and len(attempts) else None
    all_lanes = [*lanes, *activity_lanes] if attempts is not None else list(lanes)
    marks = _Marks(learner_rows(order), {learner: i for i, learner in enumerate(order)}, all_lanes)
    session_steps, attempt_steps = _steps_with(frame, attempts)
    frame = frame.assign(
        x=local_ms(frame["start"], time_zone),
        y=_y(frame, all_lanes, marks.rows),
        score_pct=score_percent(frame),
        step=session_steps,
        size=marker_sizes(frame["events"], int(frame["events"].max()) if len(frame) else 0),
    )
    for lane in lanes:
        marks.add(frame[frame["widget"] == lane.widget], lane, "sessions")
    if attempts is not None:
        marked = attempts.assign(widget=attempts["activity"], sittings=1)
        marked = marked.assign(
            x=local_ms(marked["start"], time_zone),
            y=_y(marked, all_lanes, marks.rows),
            score_pct=attempt_percent(marked),
            step=attempt_steps,
            events=marked["statements"],
            size=marker_sizes(marked["statements"], int(marked["statements"].max())),
        )
        for lane in activity_lanes:
            marks.add(marked[marked["widget"] == lane.widget], lane, "attempts")
    return {
        "figure": {"data": marks.data, "layout": _layout(all_lanes)},
        "points": marks.points,
        "learnerIds": typed(np.asarray(order, dtype="uint32")),
    }


def _steps_with(
    frame: pd.DataFrame, attempts: pd.DataFrame | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Each session's and attempt's place in its learner's sequence, sessions and attempts
    counted together (as `paths.with_attempts` orders a path)."""
    if attempts is None:
        return steps(frame), None
    keys = ["learner", "start", "widget", "session"]
    as_steps = attempts.rename(columns={"activity": "widget", "registration": "session"})
    both = steps(pd.concat([frame[keys], as_steps[keys]], ignore_index=True))
    return both[: len(frame)], both[len(frame) :]


@dataclass
class _Marks:
    """The figure's mark traces and their points, lane by lane."""

    rows: dict[int, float]
    index_of: dict[int, int]
    lanes: list[Lane]
    data: list[dict] = field(default_factory=list)
    points: list[dict] = field(default_factory=list)

    def add(self, in_lane: pd.DataFrame, lane: Lane, kind: str) -> None:
        """The lane's marks (sessions, or attempts at another activity): scored, then not."""
        index_dtype = "uint16" if len(self.index_of) < 2**16 else "uint32"
        for scored in (True, False):
            part = in_lane[in_lane["score_pct"].notna() == scored]
            if part.empty:
                continue
            self.data.append(_marks_trace(part, lane, kind, scored))
            self.points.append(
                {
                    "ids": typed(part["id"].to_numpy(dtype="uint32")),
                    "learners": typed(
                        part["learner"].map(self.index_of).to_numpy(dtype=index_dtype)
                    ),
                    "steps": typed(part["step"].to_numpy(dtype="uint16")),
                }
            )


def _marks_trace(part: pd.DataFrame, lane: Lane, kind: str, scored: bool) -> dict:
    custom = np.column_stack(
        [
            part["active"].to_numpy(dtype="float64"),
            part["events"].to_numpy(dtype="float64"),
            part["score_pct"].to_numpy(dtype="float64"),
            part["sittings"].to_numpy(dtype="float64"),
        ]
    )
    marker: dict = {"size": typed(part["size"].to_numpy()), "opacity": 0.75, "line": {"width": 0}}
    if kind == "attempts":
        marker["symbol"] = "diamond"  # not a widget: no replay, its statements instead
    if scored:
        marker["color"] = typed(part["score_pct"].to_numpy(dtype="float32"))
        marker["coloraxis"] = "coloraxis"
    else:
        marker["color"] = UNSCORED_COLOUR
        marker["symbol"] = f"{marker.get('symbol', 'circle')}-open"
        marker["line"] = {"width": 1.5}
    return {
        "type": "scattergl",
        "mode": "markers",
        "name": f"{lane.title} {'attempts' if kind == 'attempts' else 'sessions'}",
        "x": typed(part["x"].to_numpy(dtype="float64")),
        "y": typed(part["y"].to_numpy(dtype="float32")),
        "customdata": typed(custom),
        "marker": marker,
        "hovertemplate": _hover(lane.title),
        "showlegend": False,
        "meta": {"kind": kind, "widget": lane.widget},
    }


def _layout(lanes: Sequence[Lane]) -> dict:
    n = max(len(lanes), 1)
    return {
        "height": max(320, LANE_HEIGHT * n + 90),
        "margin": {"l": 20, "r": 20, "t": 16, "b": 48},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#fbfcfd",
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"},
        "hovermode": "closest",
        "dragmode": "zoom",
        "xaxis": {"type": "date", "showgrid": True, "gridcolor": "#e6ebf0", "zeroline": False},
        "yaxis": {
            "tickmode": "array",
            "tickvals": list(range(len(lanes))),
            "ticktext": [lane.title for lane in lanes],
            "range": [n - 0.5, -0.5],
            "fixedrange": True,
            "automargin": True,
            "showgrid": False,
            "zeroline": False,
        },
        "shapes": [
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": i + 0.5,
                "y1": i + 0.5,
                "line": {"color": "#d9e0e8", "width": 1},
            }
            for i in range(len(lanes) - 1)
        ],
        "coloraxis": {
            "colorscale": SCORE_SCALE,
            "cmin": 0,
            "cmax": 100,
            "colorbar": {"title": {"text": "Score %"}, "thickness": 10, "len": 0.8, "xpad": 4},
        },
        "showlegend": True,
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        # Keeps the teacher's zoom when paths are added or removed.
        "uirevision": "explorer",
    }


def path_parts(
    paths: dict[int, pd.DataFrame],
    *,
    lanes: Sequence[Lane],
    order: Sequence[int],
    names: dict[int, str],
    time_zone: str,
) -> dict:
    """The compared paths: one line per learner, its labels, and the sessions they link to.

    Returns `{"traces": [...], "annotations": {learner: [...]}, "sessions": {learner: [...]},
    "colours": {learner: colour}}`. Annotations are hidden until the path is clicked; each
    captures clicks so the browser can open the session it labels (`sessions[learner][i]` is the
    stored id of the session under `annotations[learner][i]`; "a<id>" for an attempt at another
    activity).
    """
    rows = learner_rows(order)
    traces: list[dict] = []
    annotations: dict[str, list[dict]] = {}
    sessions: dict[str, list[int | str]] = {}
    colours: dict[str, str] = {}
    for number, (learner, path) in enumerate(paths.items()):
        colour = PATH_COLOURS[number % len(PATH_COLOURS)]
        dash = PATH_DASHES[(number // 4) % len(PATH_DASHES)]
        x = local_ms(path["start"], time_zone)
        y = _y(path, lanes, rows)
        labels = path_labels(path)
        traces.append(
            {
                "type": "scattergl",
                "mode": "lines+markers",
                "name": escape_label(names.get(learner, str(learner))),
                "x": typed(x.astype("float64")),
                "y": typed(y),
                "text": labels,
                "line": {"color": colour, "width": 2.5, "dash": dash},
                "marker": {"color": colour, "size": 9, "line": {"color": "#ffffff", "width": 1.5}},
                "hovertemplate": (
                    f"<b>{escape_label(names.get(learner, ''))}</b><br>%{{x|%a %d %b %Y, %H:%M}}"
                    "<br>%{text}<br>Click to label this path<extra></extra>"
                ),
                "meta": {"kind": "path", "learner": learner},
            }
        )
        key = str(learner)
        colours[key] = colour
        kinds = path["kind"] if "kind" in path else pd.Series("session", index=path.index)
        # An attempt at another activity opens its statements, not a replay: "a<id>" says so.
        sessions[key] = [
            f"a{int(i)}" if kind == "attempt" else int(i)
            for i, kind in zip(path["id"], kinds, strict=True)
        ]
        annotations[key] = [
            {
                "x": float(xi),
                "y": float(yi),
                "text": label,
                "showarrow": True,
                "arrowhead": 0,
                "arrowcolor": colour,
                "ax": 0,
                # Alternate above and below, so neighbouring labels overlap less.
                "ay": -34 if i % 2 == 0 else 34,
                "bgcolor": "#ffffff",
                "bordercolor": colour,
                "borderwidth": 1.5,
                "borderpad": 3,
                "font": {"size": 11, "color": "#1d2733"},
                "captureevents": True,
                "hovertext": "Open this session",
                "name": f"path-{learner}-{i}",
            }
            for i, (xi, yi, label) in enumerate(zip(x, y, labels, strict=True))
        ]
    return {
        "traces": traces,
        "annotations": annotations,
        "sessions": sessions,
        "colours": colours,
    }


def escape_label(text: str) -> str:
    """Text shown by plotly as is: plotly reads tags (<b>, <a>) in labels and %{…} in templates."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("%{", "%(")
