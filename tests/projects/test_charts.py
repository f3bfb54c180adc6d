"""projects/charts.py on small frames: valid plotly figures, lanes, rows, typed arrays, paths."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from core.typedarrays import decode
from projects import charts, paths
from tests.projects.test_paths import LABELS, MIN, SESSIONS, T0

LANES = [charts.Lane("BLL002", "Balance lever lab"), charts.Lane("TEI001", "Fractions")]
ORDER = paths.learner_order(LABELS)  # [10, 30, 20]


def overview(**overrides):
    options = {"lanes": LANES, "order": ORDER, "time_zone": "UTC", **overrides}
    return charts.overview_figure(SESSIONS, **options)


def traces_by_name(figure):
    return {trace["name"]: trace for trace in figure["data"]}


def test_the_overview_is_a_valid_plotly_figure_of_webgl_traces():
    result = overview()
    figure = go.Figure(result["figure"])  # raises on anything plotly does not know
    assert {trace.type for trace in figure.data} == {"scattergl"}
    assert figure.layout.yaxis.ticktext == ("Balance lever lab", "Fractions")


def test_it_puts_every_session_in_its_widgets_lane_on_its_learners_row():
    result = overview()
    traces = result["figure"]["data"]
    assert sum(len(decode(t["x"])) for t in traces) == len(SESSIONS)
    rows = charts.learner_rows(ORDER)
    for trace, points in zip(traces, result["points"], strict=True):
        lane = [lane.widget for lane in LANES].index(trace["meta"]["widget"])
        learners = [ORDER[i] for i in decode(points["learners"])]
        expected = [lane + rows[learner] for learner in learners]
        assert decode(trace["y"]) == pytest.approx(expected, abs=1e-6)
    # Rows stay inside the lane and keep the learners' name order.
    assert -0.5 < rows[10] < rows[30] < rows[20] < 0.5


def test_marks_are_sized_by_events_and_coloured_by_score():
    result = overview()
    traces = traces_by_name(result["figure"])
    # TEI001 has scores; BLL002 has none, so its marks are grey and say so on hover.
    scored = traces["Fractions sessions"]
    assert decode(scored["marker"]["color"]) == pytest.approx([80.0, 20.0])
    assert scored["marker"]["coloraxis"] == "coloraxis"
    unscored = traces["Balance lever lab sessions"]
    assert unscored["marker"]["color"] == charts.UNSCORED_COLOUR
    # The measures line is written in the browser by the shared formatter (format.js).
    assert "%{hovertext}" in unscored["hovertemplate"]
    assert np.isnan(decode(unscored["customdata"])[:, 2]).all()  # no answer given
    sizes = decode(unscored["marker"]["size"])
    events = decode(unscored["customdata"])[:, 1]
    assert sizes[np.argmax(events)] == charts.MARKER_MAX  # the 100-event session is the largest
    assert sizes.min() >= charts.MARKER_MIN


def test_each_mark_knows_its_stored_session_for_links_and_hover():
    result = overview()
    traces = traces_by_name(result["figure"])
    index = list(traces).index("Fractions sessions")
    points = result["points"][index]
    assert list(decode(points["ids"])) == [1, 3]
    assert [ORDER[i] for i in decode(points["learners"])] == [10, 10]
    assert list(decode(result["learnerIds"])) == ORDER
    active, events, _scores, sittings = decode(traces["Fractions sessions"]["customdata"]).T
    assert list(active) == [5 * MIN, 2 * MIN]  # active time, not the span
    assert list(events) == [40.0, 10.0]
    assert list(sittings) == [1.0, 1.0]


def test_times_read_in_the_schools_time_zone():
    utc = decode(overview()["figure"]["data"][0]["x"])
    paris = decode(overview(time_zone="Europe/Paris")["figure"]["data"][0]["x"])
    # 14 Nov 2023 is winter time in Paris: one hour ahead of UTC.
    assert list(paris - utc) == [60 * MIN] * len(utc)


def test_an_empty_run_still_gives_a_valid_figure():
    result = charts.overview_figure(paths.empty_sessions(), lanes=LANES, order=[], time_zone="UTC")
    assert result["figure"]["data"] == []
    go.Figure(result["figure"])


def test_compared_paths_are_lines_in_time_order_with_one_colour_each():
    chosen = paths.paths_of(SESSIONS, [20, 10])
    parts = charts.path_parts(
        chosen, lanes=LANES, order=ORDER, names={10: "Ada", 20: "Grace"}, time_zone="UTC"
    )
    go.Figure(data=parts["traces"])
    grace, ada = parts["traces"]
    assert (grace["name"], ada["name"]) == ("Grace", "Ada")
    assert grace["line"]["color"] != ada["line"]["color"]
    assert parts["colours"] == {"20": grace["line"]["color"], "10": ada["line"]["color"]}
    assert ada["mode"] == "lines+markers"
    assert list(decode(ada["x"])) == [T0, T0 + 30 * MIN, T0 + 60 * MIN]
    # The path jumps lanes (BLL002, then TEI001 twice) on Ada's row.
    row = charts.learner_rows(ORDER)[10]
    assert decode(ada["y"]) == pytest.approx([0 + row, 1 + row, 1 + row], abs=1e-6)
    assert parts["sessions"] == {"20": [4, 5], "10": [2, 1, 3]}


def test_path_labels_show_active_time_and_events_and_capture_clicks():
    parts = charts.path_parts(
        paths.paths_of(SESSIONS, [10]), lanes=LANES, order=ORDER, names={10: "Ada"}, time_zone="UTC"
    )
    labels = parts["annotations"]["10"]
    assert [label["text"] for label in labels] == [
        "10 min 00 s active · 20 events",
        "5 min 00 s active · 40 events",
        "2 min 00 s active · 10 events",
    ]
    assert all(label["captureevents"] for label in labels)
    assert [label["x"] for label in labels] == list(decode(parts["traces"][0]["x"]))
    go.Figure(layout={"annotations": labels})


def test_names_are_shown_as_text_never_as_markup():
    parts = charts.path_parts(
        paths.paths_of(SESSIONS, [10]),
        lanes=LANES,
        order=ORDER,
        names={10: "<a href='x'>Ada</a> %{x}"},
        time_zone="UTC",
    )
    trace = parts["traces"][0]
    assert "<a" not in trace["name"] and "<a" not in trace["hovertemplate"]
    assert "&lt;a href='x'&gt;Ada&lt;/a&gt; %(x}" in trace["hovertemplate"]
