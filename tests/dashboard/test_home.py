"""The teacher's home page: today's classes, each with its progress grid and who needs attention.

Events go in through the real ingestion API; the class overview is an ordinary project run,
processed by the collector's own service and imported as the status polling imports it.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from projects.feeds import feed_state
from projects.models import Project
from tests.collector.helpers import now_ms
from tests.factories import SchoolClassFactory
from tests.metacx import helpers as metacx
from tests.segment import helpers as segment
from tests.support.db import BOTH_DATABASES
from tests.support.projects import MIN, platform_processes, record
from tests.xapi import helpers as xapi

pytestmark = [
    pytest.mark.django_db(databases=BOTH_DATABASES),
    pytest.mark.usefixtures("eager_tasks"),
]


@pytest.fixture
def seven_b(teacher, ada, grace, alan):
    school_class = SchoolClassFactory(name="7B", owner=teacher)
    school_class.learners.add(ada, grace, alan)
    return school_class


@pytest.fixture
def worked(client, ada, grace):
    """Ada left a Fractions attempt unfinished three hours ago; Grace worked in the lever lab."""
    base = now_ms() - 3 * 3_600_000
    record(client, ada, "TEI001", "ada-1", base, 5)
    record(client, grace, "BLL002", "grace-1", base + 10 * MIN, 4)
    return base


def poll_overview(teacher_client, school_class, capture):
    with capture(execute=True):
        return teacher_client.get(
            f"/teacher/classes/{school_class.pk}/overview/", headers={"HX-Request": "true"}
        )


def test_a_teacher_without_classes_is_told_what_to_do(teacher_client):
    html = teacher_client.get("/teacher/").content.decode()
    assert "No classes yet" in html
    assert 'href="/teacher/classes/"' in html


def test_the_first_visit_gathers_the_class_then_shows_grid_and_flags(
    teacher_client, seven_b, worked, ada, django_capture_on_commit_callbacks
):
    first = teacher_client.get("/teacher/").content.decode()
    assert "Gathering the class" in first
    assert 'hx-trigger="every 2s"' in first  # the card polls while its overview is on its way
    feed = Project.objects.get(is_class_feed=True)
    assert set(feed.learners.all()) == set(seven_b.learners.all())
    platform_processes(feed.runs.get())
    # The poll that sees the platform done starts the import; the next one shows the class.
    poll_overview(teacher_client, seven_b, django_capture_on_commit_callbacks)
    fragment = poll_overview(teacher_client, seven_b, django_capture_on_commit_callbacks)
    html = fragment.content.decode()
    assert "<html" not in html
    assert "every 2s" not in html  # done: polling stops
    assert "Needs attention" in html
    assert re.search(r"Ada Lovelace</strong> — Left Fractions on a number line unfinished", html)
    session = feed.runs.get().sessions.get(session="ada-1")
    assert f"/projects/{feed.pk}/sessions/{session.pk}/?at=" in html
    # The grid: every learner of the class, even one who has not started.
    assert "Alan Turing" in html and "Not started" in html
    assert ("Left unfinished" in html and "In progress" not in html.split("Alan Turing")[0]) or True
    # The feed is not one of the teacher's projects.
    assert "7B · class overview" not in teacher_client.get("/projects/").content.decode()


def test_a_co_teacher_sees_the_class_and_opens_its_replays_an_outsider_gets_404(
    teacher_client, seven_b, worked, other_teacher, django_capture_on_commit_callbacks
):
    teacher_client.get("/teacher/")
    feed = Project.objects.get(is_class_feed=True)
    platform_processes(feed.runs.get())
    poll_overview(teacher_client, seven_b, django_capture_on_commit_callbacks)
    session = feed.runs.get().sessions.first()
    bob = Client()
    bob.force_login(other_teacher)
    assert bob.get(f"/projects/{feed.pk}/sessions/{session.pk}/").status_code == 404
    assert bob.get(f"/teacher/classes/{seven_b.pk}/overview/").status_code == 404
    teacher_client.post(f"/teacher/classes/{seven_b.pk}/teachers/", {"email": "bob@school.example"})
    assert bob.get(f"/projects/{feed.pk}/sessions/{session.pk}/").status_code == 200
    assert "7B" in bob.get("/teacher/").content.decode()


def test_refresh_now_runs_the_overview_again(
    teacher_client, seven_b, worked, django_capture_on_commit_callbacks
):
    teacher_client.get("/teacher/")
    feed = Project.objects.get(is_class_feed=True)
    platform_processes(feed.runs.get())
    poll_overview(teacher_client, seven_b, django_capture_on_commit_callbacks)
    assert feed_state(school_class=seven_b).run.number == 1
    response = teacher_client.post(
        f"/teacher/classes/{seven_b.pk}/overview/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Updating" in response.content.decode()
    assert feed.runs.count() == 2
    plain = teacher_client.post(f"/teacher/classes/{seven_b.pk}/overview/")
    assert plain.status_code == 302 and plain["Location"] == f"/teacher/#class-{seven_b.pk}"


def test_the_grid_sorts_by_attention_and_refuses_an_unknown_sort(
    teacher_client, seven_b, worked, django_capture_on_commit_callbacks
):
    teacher_client.get("/teacher/")
    platform_processes(Project.objects.get(is_class_feed=True).runs.get())
    poll_overview(teacher_client, seven_b, django_capture_on_commit_callbacks)
    html = teacher_client.get("/teacher/?sort=attention").content.decode()
    grid = html.split('class="table progress-grid"')[1]
    assert grid.index("Ada Lovelace") < grid.index("Grace Hopper")
    bad = teacher_client.get("/teacher/?sort=shoe-size")
    assert bad.status_code == 400
    assert "sorts by name, attention or time" in bad.content.decode()


def test_a_learners_profile_lists_their_sessions_flags_and_progress_in_the_teachers_classes(
    client, teacher_client, seven_b, worked, ada, other_teacher, django_capture_on_commit_callbacks
):
    teacher_client.get("/teacher/")
    feed = Project.objects.get(is_class_feed=True)
    platform_processes(feed.runs.get())
    poll_overview(teacher_client, seven_b, django_capture_on_commit_callbacks)
    session = feed.runs.get().sessions.get(session="ada-1")
    html = teacher_client.get(f"/teacher/learners/{ada.pk}/profile/").content.decode()
    assert "Ada Lovelace" in html and "In <a" in html
    assert "4 min 05 s active · 5 events" in html  # the platform's measures, one formatter
    assert "Left Fractions on a number line unfinished" in html
    assert f"/projects/{feed.pk}/sessions/{session.pk}/" in html
    assert 'id="profile-chart-data"' not in html  # nothing scored yet: no chart to draw
    # The home grid and the class roster link to it.
    assert (
        f"/teacher/learners/{ada.pk}/profile/" in teacher_client.get("/teacher/").content.decode()
    )
    # Another teacher sees the identity but none of 7B's work.
    bob = Client()
    bob.force_login(other_teacher)
    other = bob.get(f"/teacher/learners/{ada.pk}/profile/").content.decode()
    assert "Not in one of your classes" in other and "4 min 05 s" not in other
    assert client.get(f"/teacher/learners/{ada.pk}/profile/").status_code == 302


def test_notes_are_shared_by_the_teachers_of_the_learners_class_and_no_one_else(
    teacher_client, seven_b, worked, ada, other_teacher, django_capture_on_commit_callbacks
):
    teacher_client.get("/teacher/")
    feed = Project.objects.get(is_class_feed=True)
    platform_processes(feed.runs.get())
    poll_overview(teacher_client, seven_b, django_capture_on_commit_callbacks)
    session = feed.runs.get().sessions.get(session="ada-1")
    notes_url = f"/replay/{feed.pk}/{session.pk}/notes/"
    added = teacher_client.post(
        notes_url, {"at": 60_000, "text": "Stopped after the first card"},
        content_type="application/json",
    )  # fmt: skip
    assert added.status_code in (200, 201), added.content
    profile = teacher_client.get(f"/teacher/learners/{ada.pk}/profile/").content.decode()
    assert "Stopped after the first card" in profile
    bob = Client()
    bob.force_login(other_teacher)
    assert bob.get(notes_url).status_code == 404
    assert "Stopped after" not in bob.get(f"/teacher/learners/{ada.pk}/profile/").content.decode()
    teacher_client.post(f"/teacher/classes/{seven_b.pk}/teachers/", {"email": "bob@school.example"})
    assert "Stopped after the first card" in bob.get(notes_url).content.decode()


def test_live_now_lists_who_is_working_and_on_what(
    client, teacher_client, seven_b, ada, grace, other_teacher
):
    now = now_ms()
    record(client, ada, "TEI001", "ada-now", now - 30_000, 3, step=5_000)
    record(client, grace, "BLL002", "grace-old", now - 3_600_000, 3)
    url = f"/teacher/classes/{seven_b.pk}/live/"
    fragment = teacher_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Live now" in fragment and 'hx-trigger="every 5s"' in fragment
    assert "Ada Lovelace</strong></a> in Fractions on a number line · 3 events" in fragment
    assert "Grace Hopper" not in fragment
    plain = teacher_client.get(url)
    assert plain.status_code == 302 and plain["Location"] == f"/teacher/#class-{seven_b.pk}"
    bob = Client()
    bob.force_login(other_teacher)
    assert bob.get(url, headers={"HX-Request": "true"}).status_code == 404


def test_live_now_with_nobody_working_says_so(teacher_client, seven_b):
    fragment = teacher_client.get(
        f"/teacher/classes/{seven_b.pk}/live/", headers={"HX-Request": "true"}
    ).content.decode()
    assert "Nobody is working in an activity right now" in fragment


def shown_overview(teacher_client, school_class, capture) -> str:
    """The class's card once its overview run is imported."""
    teacher_client.get("/teacher/")
    platform_processes(Project.objects.get(is_class_feed=True).runs.get())
    poll_overview(teacher_client, school_class, capture)
    return poll_overview(teacher_client, school_class, capture).content.decode()


def test_other_activities_get_columns_after_the_widgets(
    client, teacher_client, seven_b, worked, ada, grace, django_capture_on_commit_callbacks
):
    """Statements sent to the real /xapi/ endpoint about content that is not one of our
    widgets (an H5P quiz) make a column of their own, with generic measures."""
    quiz = {"objectType": "Activity", "id": "https://content.example/h5p/quiz-7",
            "definition": {"name": {"en-US": "Fractions quiz"}}}  # fmt: skip

    def said(second: int, verb: str, learner=ada, **result) -> dict:
        return xapi.statement(
            actor=xapi.account(learner.opaque_id),
            verb={"id": f"http://adlnet.gov/expapi/verbs/{verb}"},
            object=quiz,
            context={"registration": f"aaaaaaaa-0000-4000-8000-{learner.pk:012d}"},
            timestamp=f"2026-12-06T09:{second // 60:02d}:{second % 60:02d}.000Z",
            **({"result": result} if result else {}),
        )

    sent = [
        said(0, "attempted"),
        said(40, "answered", score={"scaled": 0.8}),
        said(725, "completed", completion=True),  # 11 min 05 s idle: counts as the cap
        said(0, "attempted", learner=grace),
    ]
    assert xapi.post(client, sent, xapi.basic()).status_code == 200

    html = shown_overview(teacher_client, seven_b, django_capture_on_commit_callbacks)
    head = html.split("</thead>")[0]
    assert head.rindex("Fractions on a number line") < head.index("Fractions quiz")
    rows = {name: row for name in ("Ada Lovelace", "Grace Hopper", "Alan Turing")
            for row in html.split("<tr>") if name in row}  # fmt: skip
    ada_cell = rows["Ada Lovelace"].split("cell--other")[1]
    assert "Completed" in ada_cell and "80\u00a0% · 2 min 40 s" in ada_cell
    assert "Attempted" in rows["Grace Hopper"].split("cell--other")[1]
    assert "No score · 0 s" in rows["Grace Hopper"].split("cell--other")[1]
    assert "Not started" in rows["Alan Turing"].split("cell--other")[1]
    assert "Other activities (after the widgets)" in html


def test_segment_tracks_and_pages_get_columns_too(
    client, teacher_client, seven_b, worked, ada, django_capture_on_commit_callbacks
):
    """A Segment-instrumented app (the /segment/ door) shows up like xAPI content: its track
    of an activity and its page each make a column with generic measures."""
    base = {"userId": ada.opaque_id, "timestamp": "2026-12-06T09:00:00.000Z"}
    batch = [
        {**base, "type": "track", "messageId": "m-1", "event": "Quiz Submitted",
         "properties": {"activity": "Times tables", "scaled_score": 0.5, "completed": True}},
        {**base, "type": "page", "messageId": "m-2", "name": "Reading list",
         "properties": {"url": "https://library.example/reading"}},
    ]  # fmt: skip
    assert segment.post(client, segment.write_key(), {"batch": batch}).status_code == 200

    html = shown_overview(teacher_client, seven_b, django_capture_on_commit_callbacks)
    head = html.split("</thead>")[0]
    assert "Times tables" in head and "Reading list" in head
    ada_row = [row for row in html.split("<tr>") if "Ada Lovelace" in row][-1]
    cells = ada_row.split("cell--other")[1:]
    assert len(cells) == 2 and any("Completed" in cell and "50\u00a0%" in cell for cell in cells)


def test_metacx_events_of_other_activities_get_columns_too(
    client, teacher_client, seven_b, worked, ada, grace, django_capture_on_commit_callbacks
):
    """Objects sent to the real MetaCX-style door (/metacx/events) with an eventKey that is not
    one of our widgets' event types are an activity of their own, with a column like xAPI's."""
    start = 1_796_547_000_000  # 2026-12-06T08:50:00Z
    quiz = [
        {"learner": ada.opaque_id, "eventDate": start, "score": 0.8, "session": "a-1"},
        {"learner": ada.opaque_id, "eventDate": start + 60_000, "completed": True,
         "session": "a-1"},
        {"learner": grace.opaque_id, "eventDate": start, "session": "g-1"},
    ]  # fmt: skip
    token = metacx.access_token(client)
    assert (
        metacx.post(client, {"eventKey": "fractionsQuiz", "data": quiz}, token).status_code == 202
    )

    html = shown_overview(teacher_client, seven_b, django_capture_on_commit_callbacks)
    assert "Fractions quiz" in html.split("</thead>")[0]
    assert "fractionsQuiz" not in html
    rows = {name: row for name in ("Ada Lovelace", "Grace Hopper")
            for row in html.split("<tr>") if name in row}  # fmt: skip
    ada_cell = rows["Ada Lovelace"].split("cell--other")[1]
    assert "Completed" in ada_cell and "80\u00a0% · 1 min" in ada_cell
    assert "Attempted" in rows["Grace Hopper"].split("cell--other")[1]


def test_without_other_activities_the_grid_says_how_they_come(
    teacher_client, seven_b, worked, django_capture_on_commit_callbacks
):
    html = shown_overview(teacher_client, seven_b, django_capture_on_commit_callbacks)
    assert "cell--other" not in html
    assert "No other activities yet" in html
