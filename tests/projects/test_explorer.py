"""projects/explorer.py: the explorer page's data, built from a run's frames without a request."""

from __future__ import annotations

import json

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
    assert ada["remove_link"] == f"{URL}?run=3&learner=20"
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
    assert sessions["link"].startswith(f"{URL}?run=3&lsort=")
    assert "lpage" not in sessions["link"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [({}, f"{URL}?run=3"), ({"opens": True}, f"{URL}?run=3&opens=1")],
)
def test_it_writes_links_without_default_parameters(changes, expected):
    state = explorer.ExplorerState(URL, cleaned(), 3)
    assert state.link(**changes) == expected


def test_it_summarises_each_widget():
    rows = {r["title"]: r for r in context()["widget_rows"]}
    assert rows["Balloon"]["sessions"] == 3
    assert rows["Tell it"]["learners"] == 1
