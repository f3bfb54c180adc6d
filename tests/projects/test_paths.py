"""projects/paths.py on small frames: merging, path order, labels, summaries, sorting."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from projects import paths

T0 = 1_700_000_000_000  # epoch ms
MIN = 60_000


def frame(rows: list[tuple], *, work: dict[int, int] | None = None) -> pd.DataFrame:
    """Rows of (id, learner, widget, session, start min, active min, events, score, max).

    The span is twice the active time (the learner paused), one sitting, every event is work
    unless `work` (id → work events) says otherwise.
    """
    work = work or {}
    return paths.sessions_frame(
        (
            i, learner, widget, session, T0 + start * MIN, 2 * active * MIN, events,
            active * MIN, 1, work.get(i, events), "completed", score, maximum,
        )
        for i, learner, widget, session, start, active, events, score, maximum in rows
    )  # fmt: skip


def labels(*rows: tuple[int, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["learner", "display_name", "real_id"]).set_index("learner")


NAN = float("nan")
SESSIONS = frame(
    [
        (1, 10, "TEI001", "t-1", 30, 5, 40, 8, 10),
        (2, 10, "BLL002", "b-1", 0, 10, 20, NAN, NAN),
        (3, 10, "TEI001", "t-2", 60, 2, 10, 2, 10),
        (4, 20, "BLL002", "b-2", 5, 20, 100, NAN, NAN),
        (5, 20, "BLL002", "b-3", 5, 1, 3, NAN, NAN),
    ]
)
LABELS = labels(
    (10, "Ada Lovelace", "S-1"), (20, "Grace Hopper", "S-2"), (30, "Alan Turing", "S-3")
)


MEASURES = {"active_ms": 40, "sittings": 1, "work_events": 3, "outcome": "completed"}


def test_it_merges_sessions_and_scores_into_one_row_per_session():
    sessions = pd.DataFrame(
        [
            {"learner": "a", "widget": "BLL002", "session": "s1", "start": 0, "end": 50,
             "duration": 50, "events": 5, **MEASURES},
            {"learner": "a", "widget": "TEI001", "session": "s2", "start": 100, "end": 160,
             "duration": 60, "events": 7, **MEASURES, "active_ms": 55},
        ]
    )  # fmt: skip
    scores = pd.DataFrame(
        [
            # One more event arrived between the two requests: sessions stays authoritative.
            {"learner": "a", "widget": "TEI001", "session": "s2", "start": 100, "end": 170,
             "duration": 70, "events": 8, **MEASURES, "active_ms": 65, "score": 3.0,
             "maximum": 4.0, "full_maximum": 9.0, "items_attempted": 1, "items_total": 3,
             "items": [{"item": "1", "tries": 1, "hints": 0, "solved_on": 1, "gave_up": False}]},
            # A session only the scores request saw is kept, with its own figures.
            {"learner": "b", "widget": "TEI001", "session": "s3", "start": 200, "end": 230,
             "duration": 30, "events": 2, **MEASURES, "score": 1.0, "maximum": 4.0,
             "full_maximum": 9.0, "items_attempted": 1, "items_total": 3, "items": []},
        ]
    )  # fmt: skip
    merged = paths.merge_results(sessions, scores)
    rows = {r.session: r for r in merged.itertuples()}
    assert list(merged["session"]) == ["s1", "s2", "s3"]
    assert (rows["s1"].events, rows["s1"].duration) == (5, 50)
    assert math.isnan(rows["s1"].score)
    assert (rows["s2"].events, rows["s2"].end, rows["s2"].score, rows["s2"].maximum) == (
        7,
        160,
        3.0,
        4.0,
    )
    assert (rows["s3"].learner, rows["s3"].events, rows["s3"].duration) == ("b", 2, 30)
    assert (rows["s2"].active_ms, rows["s3"].active_ms) == (55, 40)
    assert rows["s2"].items[0]["solved_on"] == 1
    assert rows["s2"].full_maximum == 9.0


def test_it_merges_empty_results():
    merged = paths.merge_results(pd.DataFrame(), pd.DataFrame())
    assert merged.empty
    assert {"learner", "widget", "session", "duration", "score"} <= set(merged.columns)


RESULT_COLUMNS = [
    "learner", "widget", "session", "start", "end", "events", "active_ms", "sittings",
    "work_events", "outcome", "score", "maximum", "full_maximum", "items_attempted",
    "items_total", "items",
]  # fmt: skip


def test_it_frames_one_scores_request_as_merging_two_would():
    item = '[{"item": "1", "tries": 1, "hints": 0, "solved_on": 1, "gave_up": false}]'
    rows = [
        ("b", "TEI001", "s3", 200, 230, 2, 40, 1, 2, "in_progress", 1.0, 4.0, 9.0, 1, 3, item),
        ("a", "BLL002", "s1", 0, 50, 5, 40, 1, 3, "completed", None, None, None, 0, 0, "[]"),
        ("a", "TEI001", "s2", 100, 160, 7, 55, 2, 6, "completed", 3.0, 4.0, 9.0, 1, 3, item),
    ]  # fmt: skip
    framed = paths.results_frame(RESULT_COLUMNS, rows)
    merged = paths.merge_results(
        pd.DataFrame(rows, columns=RESULT_COLUMNS)[paths.RESULT_COLUMNS],
        pd.DataFrame(rows, columns=RESULT_COLUMNS),
    )
    assert list(framed.columns) == list(merged.columns)
    pd.testing.assert_frame_equal(framed, merged, check_dtype=False)
    assert list(framed["session"]) == ["s1", "s2", "s3"]
    assert framed["duration"].tolist() == [50, 60, 30]
    assert framed["start"].dtype == "int64" and framed["items_total"].dtype == "int64"
    assert math.isnan(framed.loc[0, "score"]) and framed.loc[1, "score"] == 3.0
    # The items' JSON text is kept as it came: the import stores it as it is.
    assert framed.loc[2, "items"] == item and framed.loc[0, "items"] == "[]"


def test_it_frames_rows_without_score_columns_and_no_rows_at_all():
    rows = [("a", "BLL002", "s1", 0, 50, 5, 40, 1, 3, "completed")]
    framed = paths.results_frame(paths.RESULT_COLUMNS, rows)
    assert math.isnan(framed.loc[0, "score"]) and framed.loc[0, "items"] == "[]"
    assert (framed.loc[0, "items_attempted"], framed.loc[0, "duration"]) == (0, 50)
    empty = paths.results_frame([], [])
    assert empty.empty
    assert {"learner", "widget", "session", "duration", "score", "items"} <= set(empty.columns)


def test_a_path_is_in_time_order_across_widgets_with_stable_ties():
    path = paths.paths_of(SESSIONS, [10])[10]
    assert list(path["id"]) == [2, 1, 3]
    # Two sessions starting in the same millisecond: by widget, then session id.
    assert list(paths.paths_of(SESSIONS, [20])[20]["session"]) == ["b-2", "b-3"]


def test_paths_come_in_the_order_they_were_chosen_even_without_sessions():
    chosen = paths.paths_of(SESSIONS, [20, 30, 10])
    assert list(chosen) == [20, 30, 10]
    assert chosen[30].empty
    assert list(chosen[10]["id"]) == [2, 1, 3]


def test_it_labels_each_session_with_its_active_time_and_events():
    assert paths.path_labels(paths.paths_of(SESSIONS, [10])[10]) == [
        "10 min 00 s active · 20 events",
        "5 min 00 s active · 40 events",
        "2 min 00 s active · 10 events",
    ]
    assert paths.session_label(30_000, 1) == "30 s active · 1 event"
    assert paths.session_label(25 * MIN, 90, 2) == "25 min 00 s active · 2 sittings · 90 events"


def test_it_leaves_out_opens_without_work():
    sessions = frame(
        [(1, 10, "TEI001", "t-1", 0, 5, 40, 8, 10), (2, 10, "TEI001", "t-2", 9, 0, 2, NAN, NAN)],
        work={2: 0},
    )
    assert paths.opens_without_work(sessions) == 1
    assert list(paths.with_work(sessions)["id"]) == [1]
    summary = paths.learner_summary(paths.with_work(sessions), LABELS)
    assert (summary.loc[10].sessions, summary.loc[10].mean_score) == (1, pytest.approx(80.0))


def test_it_summarises_each_learner():
    summary = paths.learner_summary(SESSIONS, LABELS)
    ada = summary.loc[10]
    assert (ada.sessions, ada.total_time, ada.total_events) == (3, 17 * MIN, 70)
    assert ada.mean_score == pytest.approx(50.0)  # (80% + 20%) / 2; the unscored one is left out
    assert ada.widgets_touched == 2
    assert paths.widgets_of(SESSIONS, [10, 20, 30]) == {
        10: ["BLL002", "TEI001"],
        20: ["BLL002"],
        30: [],
    }
    grace = summary.loc[20]
    assert math.isnan(grace.mean_score)
    assert grace.last_start == T0 + 5 * MIN
    # Alan has no sessions, so no row.
    assert list(summary.index) == [10, 20]


def test_a_learner_without_a_label_is_left_out_of_the_summary():
    summary = paths.learner_summary(SESSIONS, labels((10, "Ada Lovelace", "S-1")))
    assert list(summary.index) == [10]


def test_it_summarises_each_widget():
    summary = paths.widget_summary(SESSIONS, {"BLL002": "Balance lever lab"})
    bll = summary.loc["BLL002"]
    assert (bll.title, bll.learners, bll.sessions) == ("Balance lever lab", 2, 3)
    assert bll.median_duration == 10 * MIN
    assert math.isnan(bll.mean_score)
    tei = summary.loc["TEI001"]
    assert (tei.title, tei.mean_events, tei.mean_score) == ("TEI001", 25.0, pytest.approx(50.0))


def test_it_sorts_summaries_with_missing_values_last_and_ties_by_name():
    summary = paths.learner_summary(SESSIONS, LABELS)
    by_score = paths.sort_summary(summary, paths.Sort("score", True), paths.LEARNER_SORTS)
    assert list(by_score.index) == [10, 20]
    by_score_up = paths.sort_summary(summary, paths.Sort("score", False), paths.LEARNER_SORTS)
    assert list(by_score_up.index) == [10, 20]  # no score stays last either way
    by_sessions = paths.sort_summary(summary, paths.Sort("sessions", False), paths.LEARNER_SORTS)
    assert list(by_sessions.index) == [20, 10]
    by_name = paths.sort_summary(summary, paths.Sort("name", True), paths.LEARNER_SORTS)
    assert list(by_name["display_name"]) == ["Grace Hopper", "Ada Lovelace"]


def test_it_parses_sort_parameters_and_refuses_unknown_ones():
    assert paths.parse_sort("", paths.LEARNER_SORTS, "name") == paths.Sort("name", False)
    assert paths.parse_sort("-time", paths.LEARNER_SORTS, "name") == paths.Sort("time", True)
    assert paths.parse_sort("height", paths.LEARNER_SORTS, "name") is None


def test_a_column_header_flips_the_direction_of_the_current_sort():
    sort = paths.Sort("sessions", True)
    assert sort.toggled("sessions") == "sessions"
    assert paths.Sort("sessions", False).toggled("sessions") == "-sessions"
    assert sort.toggled("name") == "name"  # names A→Z first
    assert sort.toggled("time") == "-time"  # numbers largest first


def test_it_finds_learners_by_part_of_their_name_or_real_id():
    summary = paths.learner_summary(SESSIONS, LABELS)
    assert list(paths.filter_learners(summary, "  hop ").index) == [20]
    assert list(paths.filter_learners(summary, "s-1").index) == [10]
    assert list(paths.filter_learners(summary, "").index) == [10, 20]
    assert paths.filter_learners(summary, "nobody").empty


def test_learners_take_rows_in_name_order():
    assert paths.learner_order(LABELS) == [10, 30, 20]


def test_it_counts_a_runs_figures():
    assert paths.totals(SESSIONS) == {"sessions": 5, "learners": 2, "events": 173, "widgets": 2}
    assert paths.totals(paths.empty_sessions()) == {
        "sessions": 0,
        "learners": 0,
        "events": 0,
        "widgets": 0,
    }
