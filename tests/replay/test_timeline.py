"""The event timeline figure (replay/timeline.py), on small hand-made sessions."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from core.typedarrays import decode
from replay import timeline
from replay.sessiontime import session_time
from replay.timeline import timeline_figure
from widgets.measures import MeasureRules

T0 = 1_700_000_000_000


def ev(offset_ms: float, type_: str, **data) -> dict:
    return {"t": T0 + offset_ms, "type": type_, "data": data}


def test_it_has_one_row_per_type_in_order_of_first_occurrence():
    figure = timeline_figure(
        [ev(0, "session_started"), ev(1000, "card_placed"), ev(2000, "answer_checked"),
         ev(3000, "card_placed")]
    )  # fmt: skip
    traces = figure["data"]
    assert [t["name"] for t in traces] == ["session_started", "card_placed", "answer_checked"]
    assert figure["layout"]["yaxis"]["ticktext"] == [t["name"] for t in traces]
    assert figure["layout"]["yaxis"]["tickvals"] == [0, 1, 2]
    assert [list(decode(t["y"])) for t in traces] == [[0], [1, 1], [2]]
    # The first row on top.
    assert figure["layout"]["yaxis"]["range"] == [2.5, -0.5]


def test_marks_sit_at_their_time_since_the_first_event_and_know_their_event():
    figure = timeline_figure([ev(0, "a"), ev(1500, "b"), ev(4000, "a")])
    a, b = figure["data"]
    assert list(decode(a["x"])) == [0.0, 4.0]
    assert list(decode(b["x"])) == [1.5]
    assert list(decode(a["customdata"])) == [0, 2]
    assert list(decode(b["customdata"])) == [1]
    assert figure["layout"]["meta"] == {
        "unit": 1000, "unitName": "s", "count": 3, "sittings": 1, "shortTitle": "Time (s)",
    }  # fmt: skip
    assert figure["layout"]["xaxis"]["title"]["text"] == "Time since the session started (s)"


def test_events_that_arrived_out_of_order_are_drawn_in_time_order_ties_in_arrival_order():
    arrived = [ev(3000, "late"), ev(0, "first"), ev(1000, "tie_a"), ev(1000, "tie_b")]
    figure = timeline_figure(arrived)
    names = [t["name"] for t in figure["data"]]
    assert names == ["first", "tie_a", "tie_b", "late"]
    index_of = {t["name"]: int(decode(t["customdata"])[0]) for t in figure["data"]}
    assert index_of == {"first": 0, "tie_a": 1, "tie_b": 2, "late": 3}
    assert timeline.sort_events(arrived) == [arrived[1], arrived[2], arrived[3], arrived[0]]


def test_events_without_a_usable_time_are_left_out_as_the_widget_leaves_them_out():
    events = [ev(0, "a"), {"t": None, "type": "b"}, {"t": True, "type": "c"}, {"type": "d"},
              {"t": float("nan"), "type": "e"}, ev(10, "a")]  # fmt: skip
    assert [e["type"] for e in timeline.sort_events(events)] == ["a", "a"]
    assert [t["name"] for t in timeline_figure(events)["data"]] == ["a"]


def test_a_single_event_is_one_mark_on_a_zero_length_axis_with_room_around_it():
    figure = timeline_figure([ev(0, "session_started")])
    (trace,) = figure["data"]
    assert list(decode(trace["x"])) == [0.0]
    low, high = figure["layout"]["xaxis"]["range"]
    assert low < 0 < high


def test_no_events_is_an_empty_figure_that_still_draws():
    figure = timeline_figure([])
    assert figure["data"] == []
    go.Figure(figure)


def test_long_sessions_get_an_axis_in_minutes():
    figure = timeline_figure([ev(0, "a"), ev(30 * 60_000, "a")])
    assert figure["layout"]["meta"]["unit"] == 60_000
    assert list(decode(figure["data"][0]["x"])) == [0.0, 30.0]
    assert figure["layout"]["xaxis"]["ticksuffix"] == " min"


def test_marks_are_svg_even_for_thousands_of_events():
    # WebGL is fast only on a graphics card; the page thins marks instead (docs/replay.md).
    figure = timeline_figure([ev(i, "a") for i in range(10_000)])
    assert figure["data"][0]["type"] == "scatter"
    assert len(decode(figure["data"][0]["x"])) == 10_000


def test_lifecycle_events_are_grey_and_other_types_get_colours_of_their_own():
    figure = timeline_figure(
        [ev(0, "session_started"), ev(1, "a"), ev(2, "b"), ev(3, "session_completed")]
    )
    colours = {t["name"]: t["marker"]["color"] for t in figure["data"]}
    assert colours["session_started"] == colours["session_completed"] == timeline.LIFECYCLE_COLOUR
    assert len({colours["a"], colours["b"], timeline.LIFECYCLE_COLOUR}) == 3


def test_it_is_a_valid_plotly_figure():
    go.Figure(
        timeline_figure([ev(0, "a"), ev(500, "b")])
    )  # raises on anything plotly does not know


def test_type_names_cannot_become_markup_on_the_axis():
    figure = timeline_figure([ev(0, "x<b>y</b>&")])
    assert figure["layout"]["yaxis"]["ticktext"] == ["x&lt;b&gt;y&lt;/b&gt;&amp;"]


def test_rows_summarise_each_type_for_the_page_table():
    rows = timeline.rows_of(timeline.sort_events([ev(0, "a"), ev(61_500, "b"), ev(125_000, "a")]))
    assert [(r.type, r.count, r.first, r.last) for r in rows] == [
        ("a", 2, "0:00.0", "2:05.0"),
        ("b", 1, "1:01.5", "1:01.5"),
    ]


DAY = 86_400_000


def two_sittings() -> list[dict]:
    """Twelve minutes of work, then twelve more two days later (a resumed session)."""
    first = [ev(0, "session_started"), ev(60_000, "a"), ev(720_000, "a")]
    second = [ev(2 * DAY, "session_resumed"), ev(2 * DAY + 300_000, "a"),
              ev(2 * DAY + 720_000, "b")]  # fmt: skip
    return first + second


def test_a_resumed_session_is_drawn_with_the_gap_between_its_sittings_cut_out():
    figure = timeline_figure(two_sittings())
    xs = sorted(float(x) for t in figure["data"] for x in decode(t["x"]))
    # Minutes of play time: the second sitting follows the first after a one-second cut.
    assert xs == pytest.approx([0, 1, 12, 12 + 1 / 60, 17 + 1 / 60, 24 + 1 / 60])
    assert figure["layout"]["xaxis"]["range"][1] < 25
    assert figure["layout"]["meta"]["sittings"] == 2
    assert "gaps between sittings cut" in figure["layout"]["xaxis"]["title"]["text"]


def test_each_cut_gap_is_marked_and_says_how_long_the_learner_was_away():
    figure = timeline_figure(two_sittings())
    (band,) = figure["layout"]["shapes"]
    (label,) = figure["layout"]["annotations"]
    assert band["xanchor"] == label["x"] == pytest.approx((720_000 + 500) / 60_000)
    assert band["xsizemode"] == "pixel"  # visible at any zoom, though the cut is one second
    assert label["text"] == "2 days later"
    go.Figure(figure)


def test_labels_of_gaps_close_in_play_time_sit_on_two_lines():
    """Two days away, then six: the cuts are seconds apart in play time, so every other label is
    a line higher, and the chart's top margin has room for both lines."""
    events = [*two_sittings(), ev(8 * DAY, "session_resumed"), ev(8 * DAY + 60_000, "a")]
    figure = timeline_figure(events)
    first, second = figure["layout"]["annotations"]
    assert (first["text"], second["text"]) == ("2 days later", "6 days later")
    assert (first["yshift"], second["yshift"]) == (0, timeline.CUT_LABEL_STEP)
    assert figure["layout"]["margin"]["t"] == 32 + timeline.CUT_LABEL_STEP
    go.Figure(figure)


def test_the_installations_sitting_gap_cuts_the_timeline():
    events = [ev(0, "a"), ev(20 * 60_000, "a")]
    assert timeline_figure(events)["layout"]["shapes"] == []
    clock = session_time([e["t"] for e in events], MeasureRules(sitting_gap_ms=10 * 60_000))
    figure = timeline_figure(events, clock)
    assert len(figure["layout"]["shapes"]) == 1
    assert figure["layout"]["annotations"][0]["text"] == "20 min 00 s later"


def test_rows_give_moments_in_play_time():
    ordered = timeline.sort_events(two_sittings())
    clock = session_time([e["t"] for e in ordered])
    rows = timeline.rows_of(ordered, clock.plays([e["t"] for e in ordered]))
    assert [(r.type, r.count, r.first, r.last) for r in rows] == [
        ("session_started", 1, "0:00.0", "0:00.0"),
        ("a", 3, "1:00.0", "17:01.0"),
        ("session_resumed", 1, "12:01.0", "12:01.0"),
        ("b", 1, "24:01.0", "24:01.0"),
    ]
