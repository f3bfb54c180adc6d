"""Other activities (xAPI content that is not a widget) in the explorer's pure modules: a lane
per activity, attempts as marks, paths joined across widget and activity lanes in time order."""

from __future__ import annotations

import json
from datetime import date

import plotly.graph_objects as go
import pytest

from core.typedarrays import decode
from projects import charts, explorer, paths
from projects.selectors import RunData, activity_lanes
from tests.projects.test_charts import LANES, ORDER
from tests.projects.test_explorer import URL, cleaned
from tests.projects.test_paths import LABELS, MIN, SESSIONS, T0

QUIZ = "https://content.example/h5p/quiz-7"
SIM = "https://content.example/sims/orbit"
NAN = float("nan")
# (id, learner, activity, name, registration, start min, end min, statements, active min,
#  completed, passed, score)
ATTEMPTS = paths.attempts_frame(
    (i, learner, activity, name, reg, T0 + start * MIN, T0 + end * MIN, count, active * MIN,
     done, passed, score)
    for i, learner, activity, name, reg, start, end, count, active, done, passed, score in [
        (7, 10, QUIZ, "Fractions quiz", "r-1", 45, 50, 6, 4, True, True, 0.9),
        (8, 20, SIM, "Orbit simulation", "", 1, 2, 2, 1, False, False, NAN),
        (9, 10, QUIZ, "Fractions quiz", "r-2", 90, 91, 3, 1, True, False, -0.5),
    ]
)  # fmt: skip
ACTIVITY_LANES = activity_lanes(ATTEMPTS)


def test_each_activity_is_a_lane_named_by_its_content_in_name_order():
    assert activity_lanes(ATTEMPTS) == [
        charts.Lane(QUIZ, "Fractions quiz"),
        charts.Lane(SIM, "Orbit simulation"),
    ]
    assert activity_lanes(paths.attempts_frame([])) == []


def test_a_path_joins_sessions_and_attempts_in_time_order():
    [ada] = paths.with_attempts(paths.paths_of(SESSIONS, [10]), ATTEMPTS).values()
    assert list(zip(ada["kind"], ada["id"], strict=True)) == [
        ("session", 2), ("session", 1), ("attempt", 7), ("session", 3), ("attempt", 9),
    ]  # fmt: skip
    assert paths.path_labels(ada)[2] == "4 min 00 s active · 6 statements"


def test_paths_without_attempts_are_left_as_they_were():
    chosen = paths.paths_of(SESSIONS, [10, 20])
    assert paths.with_attempts(chosen, paths.attempts_frame([])) is chosen


def test_the_overview_draws_attempts_as_diamonds_in_lanes_below_the_widgets():
    result = charts.overview_figure(
        SESSIONS,
        lanes=LANES,
        order=ORDER,
        time_zone="UTC",
        attempts=ATTEMPTS,
        activity_lanes=ACTIVITY_LANES,
    )
    go.Figure(result["figure"])  # a valid figure
    layout = result["figure"]["layout"]["yaxis"]
    assert layout["ticktext"] == [
        "Balance lever lab",
        "Fractions",
        "Fractions quiz",
        "Orbit simulation",
    ]
    attempts = [
        (trace, points)
        for trace, points in zip(result["figure"]["data"], result["points"], strict=True)
        if trace["meta"]["kind"] == "attempts"
    ]
    assert [trace["name"] for trace, _ in attempts] == [
        "Fractions quiz attempts",
        "Orbit simulation attempts",
    ]
    quiz, points = attempts[0]
    assert list(decode(points["ids"])) == [7, 9]
    assert quiz["marker"]["symbol"] == "diamond"
    # A negative scaled score reads as 0 %; the rows sit in the quiz's lane (the third).
    assert decode(quiz["marker"]["color"]) == pytest.approx([90.0, 0.0])
    assert all(1.5 < y < 2.5 for y in decode(quiz["y"]))
    # Sequence mode counts sessions and attempts together: Ada's quiz is her 3rd and 5th step.
    assert list(decode(points["steps"])) == [3, 5]
    unscored = attempts[1][0]
    assert unscored["marker"]["symbol"] == "diamond-open"


def test_the_overview_without_attempts_is_the_widgets_alone():
    plain = charts.overview_figure(SESSIONS, lanes=LANES, order=ORDER, time_zone="UTC")
    empty = charts.overview_figure(
        SESSIONS,
        lanes=LANES,
        order=ORDER,
        time_zone="UTC",
        attempts=paths.attempts_frame([]),
        activity_lanes=[],
    )
    assert plain == empty
    assert plain["figure"]["layout"]["yaxis"]["ticktext"] == ["Balance lever lab", "Fractions"]


def data() -> RunData:
    return RunData(
        frame=SESSIONS,
        labels=LABELS,
        lanes=LANES,
        order=[10, 20, 30],
        attempts=ATTEMPTS,
        activity_lanes=ACTIVITY_LANES,
    )


def test_a_path_card_lists_attempts_with_their_statements_and_the_chart_links_them():
    query = cleaned(learner=[10])
    state = explorer.ExplorerState(URL, query, 3)
    page = explorer.page_context(data(), query, state, time_zone="UTC")
    [ada] = page["compared"]
    steps = [(row.widget, row.attempt, row.pk) for row in ada["rows"]]
    assert steps[2] == ("Fractions quiz", True, 7)
    assert ada["rows"][2].score == pytest.approx(90.0)
    assert ada["rows"][2].label == "4 min 00 s active · 6 statements"
    assert page["compared"][0]["rows"][4].score == 0.0
    sessions = json.loads(page["path_json"])["sessions"]["10"]
    assert sessions == [2, 1, "a7", 3, "a9"]


@pytest.mark.parametrize(
    ("filters", "kept"),
    [
        ({"widget": ["TEI001"]}, []),  # the activities are not among the chosen widgets
        ({"outcome": ["completed"]}, [7, 9]),
        ({"outcome": ["in_progress"]}, [8]),
        ({"smin": 50}, [7]),
        ({"since": date(2023, 11, 15)}, []),
        ({}, [7, 8, 9]),
    ],
)
def test_filters_narrow_the_attempts_too(filters, kept):
    shown = explorer.Filters.from_cleaned(filters).apply(data(), "UTC")
    assert shown.attempts["id"].tolist() == kept
    assert {lane.widget for lane in shown.activity_lanes} == set(shown.attempts["activity"])
