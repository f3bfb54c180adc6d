"""Item analysis (projects/items.py): the counts of a small hand-made class checked by hand, the
CSV, and the panel on a project's Items page, the class page and a learner's profile, through the
real stack (events in through the ingestion API, a run processed and imported)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache

from collector.client import get_client
from collector.datarequests import data_request_process
from projects import items
from projects.feeds import feed_refresh
from projects.items import SessionInput, analyse
from projects.models import RunSession
from projects.services import run_import
from tests.collector.helpers import now_ms
from tests.factories import LearnerIdentityFactory, SchoolClassFactory
from tests.replay.conftest import SECOND, class_project, eager, send, tei_event
from tests.support.projects import finished_project
from widgets.responses import (
    READING,
    ItemTrace,
    SessionReading,
    Spotted,
    WrongAnswer,
    read_session,
)

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


# --- A hand-made class, counted by hand -----------------------------------------------------------


def result(item: str, tries: int, solved_on: int | None = None, hints: int = 0) -> dict:
    return {"item": item, "tries": tries, "hints": hints, "solved_on": solved_on,
            "gave_up": tries > 0 and solved_on is None}  # fmt: skip


def wrong(card: str, position: int, t: int) -> WrongAnswer:
    return WrongAnswer(group=(card, position), words=f"{card} at {position}", t=t)


def hand_made_class() -> list[SessionInput]:
    """Four learners in TEI001:

    - 1 solves item 1 on the first try; item 2 on the second (later).
    - 2 fails item 1 three times in session 20, solves it on the second try in session 21 (later);
      solves item 2 on the first try in session 20.
    - 3 fails item 1 three times (not solved).
    - 4 opened item 1 and never checked it: not counted.
    Wrong answers: 1/2 at 9 from learners 2 (twice) and 3: recurring; 5/4 at 9 from 3 alone: not.
    """
    reading_20 = SessionReading(
        items=(ItemTrace("1", (wrong("1/2", 9, 2_100),), 60_000), ItemTrace("2", (), 10_000)),
        spotted=(Spotted("upside_down", "1", 2_100),),
    )
    reading_30 = SessionReading(
        items=(ItemTrace("1", (wrong("1/2", 9, 3_100), wrong("5/4", 9, 3_100)), 90_000),),
        spotted=(Spotted("bigger_than_one_below_one", "1", 3_100),),
    )
    reading_21 = SessionReading(items=(ItemTrace("1", (wrong("1/2", 9, 5_100),), 30_000),))
    reading_10 = SessionReading(items=(ItemTrace("1", (), 20_000), ItemTrace("2", (), 40_000)))
    return [
        SessionInput(10, 1, "TEI001", 1_000, [result("1", 1, 1), result("2", 2, 2, hints=1)],
                     reading_10),
        SessionInput(21, 2, "TEI001", 5_000, [result("1", 2, 2), result("2", 0)], reading_21),
        SessionInput(20, 2, "TEI001", 2_000, [result("1", 3), result("2", 1, 1)], reading_20),
        SessionInput(30, 3, "TEI001", 3_000, [result("1", 3), result("2", 0)], reading_30),
        SessionInput(40, 4, "TEI001", 4_000, [result("1", 0), result("2", 0)]),
    ]  # fmt: skip


def test_it_counts_a_hand_made_class_as_worked_out_by_hand():
    [fractions] = analyse(hand_made_class()).widgets
    assert fractions.title == "Fractions on a number line"
    # Item 1: 1 of 3 on the first try; item 2: 1 of 2. Item 1 is the harder.
    first, second = fractions.items
    assert (first.item, first.attempted, first.first_try, first.later, first.gave_up) == (
        "1", 3, 1, 1, 1)  # fmt: skip
    assert (second.item, second.attempted, second.first_try, second.later, second.gave_up) == (
        "2", 2, 1, 1, 0)  # fmt: skip
    # Tries per learner over their sessions: 1, 3 + 2, 3 → median 3. Active: 20, 60 + 30, 90 s.
    assert (first.median_tries, first.median_hints, first.median_active_ms) == (3, 0, 90_000)
    assert (second.median_tries, second.median_hints, second.median_active_ms) == (1.5, 0.5, 25_000)
    assert first.label == "item 1"


def test_it_groups_recurring_wrong_answers_with_the_earliest_example():
    [fractions] = analyse(hand_made_class()).widgets
    first, second = fractions.items
    [group] = first.wrong  # 5/4 at 9 came from one learner only
    assert (group.words, group.learners, group.answers) == ("1/2 at 9", 2, 3)
    assert (group.example.session, group.example.at, group.example.learner) == (20, 2_100, 2)
    assert second.wrong == ()


def test_it_counts_each_misconceptions_learners_once_with_where_it_showed():
    [fractions] = analyse(hand_made_class()).widgets
    found = {m.id: m for m in fractions.misconceptions}
    assert set(found) == {"upside_down", "bigger_than_one_below_one"}
    assert found["upside_down"].words == "Reads a fraction upside down"
    assert [(e.learner, e.session, e.at) for e in found["upside_down"].learners] == [(2, 20, 2_100)]
    assert found["bigger_than_one_below_one"].items == ("item 1",)
    assert analyse(hand_made_class()).misconceptions_of(3)[0][1].id == "bigger_than_one_below_one"


def test_the_chart_stacks_first_try_later_and_not_solved_hardest_on_top():
    [fractions] = analyse(hand_made_class()).widgets
    chart = fractions.chart
    assert [bar["name"] for bar in chart["data"]] == [items.FIRST_TRY, items.LATER, items.GAVE_UP]
    assert chart["data"][0]["y"] == ["1. item 1", "2. item 2"]
    assert [bar["x"] for bar in chart["data"]] == [[1, 1], [1, 1], [1, 0]]
    assert chart["layout"]["barmode"] == "stack"


def test_the_csv_has_a_row_per_item_per_recurring_answer_and_per_misconception():
    analysis = analyse(hand_made_class())
    rows = items.items_csv_rows(analysis, {1: "Ada", 2: "Grace", 3: "Alan"})
    assert rows[0] == items.CSV_HEADER
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [(r["kind"], r["item"], r["answer"]) for r in body] == [
        ("item", "item 1", ""),
        ("wrong answer", "item 1", "1/2 at 9"),
        ("item", "item 2", ""),
        ("misconception", "item 1", "Reads a fraction upside down"),
        ("misconception", "item 1", "Puts a fraction bigger than 1 below 1"),
    ]
    assert body[0]["solved_first_try"] == 1 and body[0]["not_solved"] == 1
    assert body[0]["median_active_seconds"] == 90.0
    assert (body[1]["learners"], body[1]["answers"]) == (2, 3)
    assert body[3]["names"] == "Grace" and body[4]["names"] == "Alan"


def test_a_run_without_items_is_empty():
    assert analyse([]).empty
    assert analyse([SessionInput(1, 1, "TEI001", 0, [result("1", 0)])]).empty


# --- Through the real stack -----------------------------------------------------------------


def tei_below_one(session: str, start: int) -> list[dict]:
    """Item 1 checked twice: first 5/4 put at ½ (below 1), then all right."""
    events = [tei_event(session, start, "session_started")]
    t = start

    def add(type_: str, **data) -> None:
        nonlocal t
        t += SECOND
        events.append(tei_event(session, t, type_, **data))

    add("item_started", item=1)
    for card, position in (("1/4", 3), ("1/2", 6), ("3/4", 9), ("5/4", 6)):
        add("card_placed", item=1, card=card, position=position)
    add("answer_checked", item=1, attempt=1, correct_cards=["1/4", "1/2", "3/4"])
    add("card_moved", item=1, card="5/4", position=15, **{"from": 6})
    add("answer_checked", item=1, attempt=2, correct_cards=["1/4", "1/2", "3/4", "5/4"])
    add("item_completed", item=1, correct=True)
    return events


@pytest.fixture
def ada(db):
    return LearnerIdentityFactory(real_id="S-2001", display_name="Ada Lovelace")


@pytest.fixture
def grace(db):
    return LearnerIdentityFactory(real_id="S-2002", display_name="Grace Hopper")


@pytest.fixture
def worked(client, ada, grace):
    base = now_ms() - 3_600_000
    send(client, ada, tei_below_one("ada-1", base))
    send(client, grace, tei_below_one("grace-1", base + 60 * SECOND))
    return base


def test_the_items_page_shows_counts_recurring_answers_and_misconceptions(
    teacher_client, worked, ada, grace, django_capture_on_commit_callbacks
):
    project = class_project(teacher_client, [ada, grace], django_capture_on_commit_callbacks)
    html = teacher_client.get(f"/projects/{project.pk}/items/").content.decode()
    assert "Item 1</strong>: 0 of 2 solved on the first try, 2 solved later, 0 not solved" in html
    ada_session = RunSession.objects.get(session="ada-1")
    moment = tei_below_one("ada-1", worked)[6]["t"]  # the first check
    assert "5/4 at ½</span>: 2 learners" in html
    assert f'href="/projects/{project.pk}/sessions/{ada_session.pk}/?at={moment}"' in html
    assert "Puts a fraction bigger than 1 below 1" in html
    assert "Ada Lovelace</a>, <a" in html and "Grace Hopper</a>" in html
    assert 'id="items-chart-TEI001"' in html and "<script>" not in html  # data, not a script
    # The explorer links to it.
    explorer = teacher_client.get(f"/projects/{project.pk}/explore/").content.decode()
    assert f'href="/projects/{project.pk}/items/?run=1"' in explorer


def test_the_items_csv_downloads_with_the_same_words(
    teacher_client, worked, ada, grace, django_capture_on_commit_callbacks
):
    project = class_project(teacher_client, [ada, grace], django_capture_on_commit_callbacks)
    response = teacher_client.get(f"/projects/{project.pk}/items.csv?run=1")
    assert response.status_code == 200
    assert "-run-1-items.csv" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["kind"], r["answer"], r["learners"]) for r in rows] == [
        ("item", "", ""),
        ("wrong answer", "5/4 at ½", "2"),
        ("misconception", "Puts a fraction bigger than 1 below 1", "2"),
    ]
    assert rows[2]["names"] == "Ada Lovelace; Grace Hopper"
    bad = teacher_client.get(f"/projects/{project.pk}/items.csv?run=x")
    assert bad.status_code == 400


def test_a_large_run_is_worked_out_by_a_task_while_the_page_says_so(
    teacher_client, worked, ada, grace, django_capture_on_commit_callbacks, monkeypatch
):
    project = class_project(teacher_client, [ada, grace], django_capture_on_commit_callbacks)
    monkeypatch.setattr(items, "ANALYSE_INLINE_EVENTS", 0)  # this run counts as large
    first = teacher_client.get(f"/projects/{project.pk}/items/").content.decode()
    assert "Working out which items were hardest" in first
    assert 'hx-trigger="every 2s"' in first
    with eager():  # the worker's turn
        from projects.tasks import analyse_items

        analyse_items.delay(project.runs.get().pk)
    again = teacher_client.get(
        f"/projects/{project.pk}/items/?run=1",
        headers={"HX-Request": "true", "HX-Target": "items-panel"},
    ).content.decode()
    assert "<html" not in again and "every 2s" not in again
    assert "5/4 at ½" in again


def class_with_overview(teacher, learners):
    school_class = SchoolClassFactory(name="7B", owner=teacher)
    school_class.learners.add(*learners)
    run = feed_refresh(school_class=school_class, force=True)
    data_request_process(request_id=run.scores_request_id)
    run_import(run_id=run.pk)
    return school_class


def test_the_class_page_and_the_learners_profile_show_the_analysis(
    teacher_client, teacher, worked, ada, grace
):
    school_class = class_with_overview(teacher, [ada, grace])
    html = teacher_client.get(f"/teacher/classes/{school_class.pk}/").content.decode()
    assert "Items: where the class struggles" in html
    assert "5/4 at ½</span>: 2 learners" in html
    assert "plotly-pathlens.min.js" in html and "projects/items.js" in html
    profile = teacher_client.get(f"/teacher/learners/{ada.pk}/profile/").content.decode()
    assert 'id="misconceptions"' in profile
    assert "Puts a fraction bigger than 1 below 1" in profile


def test_a_class_without_an_overview_yet_says_what_will_come(teacher_client, teacher):
    school_class = SchoolClassFactory(name="7C", owner=teacher)
    html = teacher_client.get(f"/teacher/classes/{school_class.pk}/").content.decode()
    assert "No item analysis yet" in html
    assert "plotly-pathlens.min.js" not in html


def test_a_class_page_waits_for_the_first_overview_and_shows_it_once_in(
    teacher_client, teacher, worked, ada, grace, django_capture_on_commit_callbacks
):
    school_class = SchoolClassFactory(name="7D", owner=teacher)
    school_class.learners.add(ada, grace)
    feed_refresh(school_class=school_class)  # what the home page does on a new class
    url = f"/teacher/classes/{school_class.pk}/"
    first = teacher_client.get(url).content.decode()
    assert "Gathering the class's work" in first
    assert f'hx-get="{url}" hx-select="#items-panel" hx-trigger="every 2s"' in first
    run = school_class.projects.get(is_class_feed=True).runs.get()
    data_request_process(request_id=run.scores_request_id)
    with eager(), django_capture_on_commit_callbacks(execute=True):
        teacher_client.get(url)  # sees the platform done: the import runs
    html = teacher_client.get(url).content.decode()
    assert "Gathering" not in html and "5/4 at ½</span>: 2 learners" in html


# --- Readings kept with the sessions' measures ---------------------------------------------------

FIXTURES = Path(__file__).parents[1] / "widgets" / "fixtures"


def recorded_session(name: str, session: str, start: int) -> list[dict]:
    """A widget's real recorded session (tests/widgets/fixtures), moved to `start` and renamed."""
    events = json.loads((FIXTURES / f"{name}_session.json").read_text())
    shift = start - events[0]["t"]
    return [
        {**event, "id": str(uuid.uuid4()), "session": session, "t": event["t"] + shift}
        for event in events
    ]


def from_events(run) -> items.Analysis:
    """The analysis as it was worked out before readings were kept: every session's events read
    through the client and the widgets' rules run on them here."""
    rows = RunSession.objects.filter(run=run, work_events__gt=0)
    streams = get_client().sessions_events(
        [(row.learner.opaque_id, row.session, row.widget) for row in rows]
    )
    return analyse(
        SessionInput(
            row.pk, row.learner_id, row.widget, row.start, row.items,
            read_session(row.widget, streams[(row.learner.opaque_id, row.session, row.widget)]),
        )
        for row in rows
    )  # fmt: skip


@pytest.fixture
def three_widgets(client, teacher_client, worked, ada, grace, django_capture_on_commit_callbacks):
    """Ada and Grace's TEI001 sessions, and each of them a recorded session of every widget."""
    for learner in (ada, grace):
        for number, name in enumerate(("tei001", "bll002", "chernoff_tutorial")):
            start = worked + (number + 2) * 600 * SECOND
            send(client, learner, recorded_session(name, f"{learner.pk}-{name}", start))
    with eager():
        return finished_project(
            teacher_client, [ada, grace], django_capture_on_commit_callbacks,
            widgets=["BLL002", "TEI001", "chernoff_tutorial"],
        )  # fmt: skip


def test_the_analysis_from_stored_readings_is_the_analysis_from_events(three_widgets):
    run = three_widgets.runs.get()
    assert all(READING in item for row in RunSession.objects.filter(run=run) for item in row.items)
    stored = items.run_items_load(run=run)
    assert stored == from_events(run)
    # Not an empty check: every widget has items, and wrong answers and misconceptions show.
    assert [w.widget for w in stored.widgets] == ["BLL002", "TEI001", "chernoff_tutorial"]
    assert all(w.items for w in stored.widgets)
    assert sum(len(s.wrong) for w in stored.widgets for s in w.items) >= 3
    assert sum(len(w.misconceptions) for w in stored.widgets) >= 2
    assert all(s.median_active_ms > 0 for w in stored.widgets for s in w.items)


def test_a_run_imported_before_readings_were_kept_is_read_from_its_events(three_widgets):
    run = three_widgets.runs.get()
    new = items.run_items_load(run=run)
    for row in RunSession.objects.filter(run=run):  # as an older import stored them
        row.items = [{k: v for k, v in item.items() if k != READING} for item in row.items]
        row.save(update_fields=["items"])
    cache.clear()
    assert items.run_items_load(run=run) == new
