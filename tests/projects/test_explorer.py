"""projects/explorer.py: the explorer page's data, built from a run's frames without a request."""

from __future__ import annotations

import json
from datetime import date

import pytest

from projects import explorer, paths
from projects.charts import Lane
from projects.selectors import RunData
from tests.projects.test_paths import LABELS, SESSIONS

LANES = [Lane("BLL002", "Balloon"), Lane("TEI001", "Tell it")]
URL = "/projects/1/explore/"


def cleaned(**changes) -> dict:
    base = {
        "learner": [],
        "q": "",
        "lsort": paths.parse_sort("", paths.LEARNER_SORTS, "name"),
        "wsort": paths.parse_sort("", paths.WIDGET_SORTS, "widget"),
        "lpage": 1,
        "opens": False,
        "picked": True,
        "x": "time",
    }
    return {**base, **changes}


def context(**changes) -> dict:
    data = RunData(frame=SESSIONS, labels=LABELS, lanes=LANES, order=[10, 20, 30])
    query = cleaned(**changes)
    state = explorer.ExplorerState(URL, query, 3)
    return explorer.page_context(data, query, state, time_zone="Europe/Zurich")


def test_it_lists_every_learner_with_sessions_and_their_measures():
    rows = context()["learner_rows"]
    assert [(r.display_name, r.sessions, r.total_time) for r in rows] == [
        ("Ada Lovelace", 3, "17 min 00 s"),
        ("Grace Hopper", 2, "21 min 00 s"),
    ]
    assert rows[0].widgets == ["Balloon", "Tell it"]


def test_it_builds_a_card_and_a_trace_for_each_chosen_learner_in_time_order():
    page = context(learner=[20, 10])
    assert [card["name"] for card in page["compared"]] == ["Grace Hopper", "Ada Lovelace"]
    ada = page["compared"][1]
    assert [step.widget for step in ada["rows"]] == ["Balloon", "Tell it", "Tell it"]
    assert ada["rows"][1].label == "5 min 00 s active · 40 events"
    assert ada["remove_link"] == f"{URL}?run=3&picked=1&learner=20"
    data = json.loads(page["path_json"])
    assert [trace["meta"]["learner"] for trace in data["traces"]] == [20, 10]
    assert data["sessions"]["10"] == [2, 1, 3]


def test_it_gives_chosen_rows_their_path_colour_and_others_none():
    rows = {r.pk: r for r in context(learner=[10])["learner_rows"]}
    assert rows[10].chosen and rows[10].colour
    assert not rows[20].chosen and rows[20].colour is None


def test_it_keeps_chosen_learners_off_the_page_as_hidden_fields():
    page = context(learner=[20], q="ada")
    assert [r.pk for r in page["learner_rows"]] == [10]
    assert page["hidden_chosen"] == [20]


def test_it_links_each_sort_header_to_its_toggle_on_page_one():
    headers = context(lpage=2)["learner_headers"]
    sessions = next(h for h in headers if h["label"] == "Sessions")
    assert sessions["aria_sort"] == "none"
    assert sessions["link"].startswith(f"{URL}?run=3&picked=1&lsort=")
    assert "lpage" not in sessions["link"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, f"{URL}?run=3&picked=1"),
        ({"opens": True}, f"{URL}?run=3&opens=1&picked=1"),
        ({"x": "sequence", "smin": 50}, f"{URL}?run=3&smin=50&x=sequence&picked=1"),
    ],
)
def test_it_writes_links_without_default_parameters(changes, expected):
    state = explorer.ExplorerState(URL, cleaned(), 3)
    assert state.link(**changes) == expected


def test_it_summarises_each_widget():
    rows = {r["title"]: r for r in context()["widget_rows"]}
    assert rows["Balloon"]["sessions"] == 3
    assert rows["Tell it"]["learners"] == 1


def test_it_shows_the_struggling_learners_paths_when_none_were_chosen():
    page = context(picked=False)
    # Ada's mean score is 50 %, Grace has none: only Ada's path says someone struggles.
    assert [card["pk"] for card in page["compared"]] == [10]
    assert page["defaulted"]
    assert page["state"].link() == f"{URL}?run=3&picked=1&learner=10"


def test_it_shows_no_path_when_the_teacher_unticked_them_all():
    page = context(picked=True)
    assert page["compared"] == [] and not page["defaulted"]


def test_it_ranks_struggling_learners_by_lowest_mean_score():
    summary = paths.learner_summary(SESSIONS, LABELS).assign(mean_score=[30.0, 20.0])
    assert explorer.default_learners(summary) == [20, 10]
    assert explorer.default_learners(summary, count=1) == [20]


def data(**changes) -> RunData:
    return RunData(frame=SESSIONS, labels=LABELS, lanes=LANES, order=[10, 20, 30])


@pytest.mark.parametrize(
    ("filters", "ids"),
    [
        (explorer.Filters(), [1, 2, 3, 4, 5]),
        (explorer.Filters(widgets=("TEI001",)), [1, 3]),
        (explorer.Filters(score_min=50), [1]),
        (explorer.Filters(score_max=50), [3]),
        (explorer.Filters(outcomes=("abandoned",)), []),
        # T0 is 2023-11-14 22:13 UTC, 23:13 in Zurich; the session at +60 min is the next day.
        (explorer.Filters(since=date(2023, 11, 15)), [3]),
        (explorer.Filters(until=date(2023, 11, 14)), [1, 2, 4, 5]),
    ],
)
def test_it_keeps_only_the_sessions_the_filters_keep(filters, ids):
    shown = filters.apply(data(), "Europe/Zurich")
    assert sorted(shown.frame["id"]) == ids


def test_it_keeps_only_the_filtered_widgets_lanes_and_every_learners_row():
    shown = explorer.Filters(widgets=("TEI001",)).apply(data(), "Europe/Zurich")
    assert [lane.widget for lane in shown.lanes] == ["TEI001"]
    assert shown.order == [10, 20, 30]
