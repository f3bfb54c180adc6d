"""Projects through the real views: create, status, import, re-run, delete, export, access."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.test import Client

from collector.client import get_client
from collector.datarequests import data_request_fail, data_request_process
from collector.models import DataRequest, Session
from projects.models import Project, ProjectRun, RunSession
from projects.services import run_import
from tests.collector.helpers import now_ms, post_events
from tests.factories import LearnerIdentityFactory
from tests.support.db import BOTH_DATABASES
from tests.support.projects import (
    MIN,
    create_project,
    finished_project,
    platform_processes,
    poll,
    record,
)

pytestmark = [
    pytest.mark.django_db(databases=BOTH_DATABASES),
    pytest.mark.usefixtures("eager_tasks"),
]


# --- Create ----------------------------------------------------------------------------------


def test_it_shows_the_form_with_every_learner_by_real_id_and_name(teacher_client, ada, grace):
    response = teacher_client.get("/projects/new/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Ada Lovelace", "S-2001", "Grace Hopper", "S-2002", "Every learner", "Add all"):
        assert text in html
    # Every widget is offered, and ticked by default.
    assert html.count('name="widgets"') == 3
    assert html.count("checked") >= 3


def test_it_refuses_an_incomplete_project_and_says_what_is_missing(teacher_client, ada):
    response = teacher_client.post("/projects/new/", {"name": " ", "time_from": "yesterday"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The project was not saved" in html
    assert "Give the project a name" in html
    assert "Choose at least one learner, or tick “Every learner”." in html
    assert "Choose at least one widget." in html
    assert "Enter the start as a date and time" in html
    assert not Project.objects.exists()


def test_it_refuses_a_window_that_ends_before_it_starts_or_starts_in_the_future(
    teacher_client, ada
):
    data = {"name": "Window", "learners": [ada.pk], "widgets": ["BLL002"]}
    response = teacher_client.post(
        "/projects/new/", {**data, "time_from": "2025-03-02T10:00", "time_to": "2025-03-01T10:00"}
    )
    assert response.status_code == 400
    assert "The end must be later than the start." in response.content.decode()
    response = teacher_client.post("/projects/new/", {**data, "time_from": "2999-01-01T00:00"})
    assert "The start is in the future" in response.content.decode()


def test_it_refuses_a_second_project_with_the_same_name(teacher_client, ada, other_teacher):
    create_project(teacher_client, [ada])
    response = teacher_client.post(
        "/projects/new/", {"name": "fractions 7b", "learners": [ada.pk], "widgets": ["BLL002"]}
    )
    assert response.status_code == 400
    assert "You already have a project named" in response.content.decode()
    # Another teacher may use the name.
    other = Client()
    other.force_login(other_teacher)
    create_project(other, [ada])


def test_it_refuses_learners_and_widgets_that_do_not_exist(teacher_client, ada):
    response = teacher_client.post(
        "/projects/new/", {"name": "X", "learners": [ada.pk, 999_999], "widgets": ["NOPE"]}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Some of the chosen learners no longer exist" in html
    assert "is not a widget of this school" in html


def test_it_saves_the_project_and_submits_one_scores_request_with_opaque_ids_only(
    teacher_client, teacher, ada, grace
):
    project = create_project(
        teacher_client, [ada, grace], time_from="2020-01-01T00:00", widgets=["TEI001", "BLL002"]
    )
    assert project.owner == teacher
    assert set(project.learners.all()) == {ada, grace}
    assert project.widgets == ["BLL002", "TEI001"]  # registry order
    run = project.runs.get()
    assert (run.number, run.status, run.progress) == (1, "PROCESSING", 0)
    assert run.parameters["learners"] == 2
    [request] = DataRequest.objects.all()  # one per run: its rows carry timing and scores
    assert request.kind == "scores"
    assert run.sessions_request_id == run.scores_request_id == str(request.id)
    assert run.request_ids == [str(request.id)]
    assert sorted(request.learners) == sorted([ada.opaque_id, grace.opaque_id])
    assert request.widgets == ["BLL002", "TEI001"]
    assert request.time_from.year == 2020 and request.time_to is None


def test_every_learner_box_takes_the_whole_class(teacher_client, ada, grace, alan):
    project = create_project(teacher_client, [], all_learners="on", name="Whole class")
    assert project.learners.count() == 3
    assert DataRequest.objects.first().learners.__len__() == 3


@pytest.mark.django_db(databases=BOTH_DATABASES)
def test_it_fails_the_run_clearly_when_the_platform_cannot_be_reached(
    teacher_client, ada, settings
):
    settings.COLLECTOR_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    settings.COLLECTOR_API_KEY = "plk_x_y"
    project = create_project(teacher_client, [ada])
    run = project.runs.get()
    assert run.status == "FAILED"
    assert "could not be reached" in run.reason
    response = teacher_client.get(f"/projects/{project.pk}/")
    assert "could not be reached" in response.content.decode()
    assert "Retry" in response.content.decode()


# --- Status ----------------------------------------------------------------------------------


def test_the_status_fragment_polls_while_processing_and_stops_once_done(
    teacher_client, recorded, ada, grace, django_capture_on_commit_callbacks
):
    project = create_project(teacher_client, [ada, grace])
    processing = poll(teacher_client, project, django_capture_on_commit_callbacks)
    html = processing.content.decode()
    assert processing.status_code == 200
    assert "<html" not in html  # the fragment alone
    assert 'hx-trigger="every 500ms"' in html
    assert "Processing…" in html
    assert "<progress" in html
    assert "Refresh" in html  # inside <noscript>, for browsers without JavaScript
    assert "HX-Trigger" not in processing

    platform_processes(project.runs.get())
    # The check that sees both requests DONE claims the import (a task, after commit)...
    importing = poll(teacher_client, project, django_capture_on_commit_callbacks)
    assert "Importing results…" in importing.content.decode()
    assert "every 500ms" in importing.content.decode()
    # ...and the next one finds the run DONE.
    done = poll(teacher_client, project, django_capture_on_commit_callbacks)
    html = done.content.decode()
    assert 'hx-trigger="every' not in html  # polling stops
    assert "Done" in html and "4 sessions" in html and "2 learners" in html
    assert f'href="/projects/{project.pk}/explore/"' in html
    assert "pathlens:runs-changed" in json.loads(done["HX-Trigger"])


def test_the_status_url_without_htmx_sends_to_the_project_page(
    teacher_client, ada, django_capture_on_commit_callbacks
):
    project = create_project(teacher_client, [ada])
    response = poll(teacher_client, project, django_capture_on_commit_callbacks, htmx=False)
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/"


def test_the_list_and_the_project_page_show_the_same_live_status(
    teacher_client, ada, django_capture_on_commit_callbacks
):
    project = create_project(teacher_client, [ada])
    for url in ("/projects/", f"/projects/{project.pk}/"):
        html = teacher_client.get(url).content.decode()
        assert f'id="run-status-{project.pk}"' in html
        assert f'hx-get="/projects/{project.pk}/status/" hx-trigger="every 500ms"' in html
    platform_processes(project.runs.get())
    poll(teacher_client, project, django_capture_on_commit_callbacks)
    html = teacher_client.get("/projects/").content.decode()
    assert 'hx-trigger="every' not in html
    assert "Explore" in html
    # On the project page one Explore opens the latest run: the status card's (the runs table
    # has one per run, with its number).
    html = teacher_client.get(f"/projects/{project.pk}/").content.decode()
    assert html.count(f'href="/projects/{project.pk}/explore/"') == 1


def test_results_are_imported_once_however_often_the_status_is_checked(
    teacher_client, recorded, ada, grace, django_capture_on_commit_callbacks
):
    project = create_project(teacher_client, [ada, grace])
    run = project.runs.get()
    platform_processes(run)
    for _ in range(3):
        poll(teacher_client, project, django_capture_on_commit_callbacks)
    run_import(run_id=run.pk)  # a redelivered task changes nothing either
    run.refresh_from_db()
    assert RunSession.objects.filter(run=run).count() == 4
    assert (run.session_count, run.learner_count, run.event_count, run.widget_count) == (
        4,
        2,
        14,
        2,
    )
    stored = RunSession.objects.get(run=run, session="ada-2")
    assert (stored.learner, stored.widget, stored.events, stored.duration) == (
        ada,
        "TEI001",
        5,
        4 * MIN,
    )


def test_a_failed_request_fails_the_run_with_its_reason_and_retry_submits_again(
    teacher_client, recorded, ada, django_capture_on_commit_callbacks
):
    project = create_project(teacher_client, [ada])
    first = project.runs.get()
    platform_processes(first, fail="The scoring rule raised ValueError.")
    response = poll(teacher_client, project, django_capture_on_commit_callbacks)
    html = response.content.decode()
    assert "Failed" in html and "The scoring rule raised ValueError." in html
    assert 'hx-trigger="every' not in html
    assert f'hx-post="/projects/{project.pk}/runs/"' in html and "Retry" in html

    retried = teacher_client.post(f"/projects/{project.pk}/runs/", headers={"HX-Request": "true"})
    assert retried.status_code == 200
    assert "every 500ms" in retried.content.decode()
    second = project.runs.get(number=2)
    assert second.status == "PROCESSING"
    assert {second.sessions_request_id, second.scores_request_id}.isdisjoint(
        {first.sessions_request_id, first.scores_request_id}
    )
    platform_processes(second)
    poll(teacher_client, project, django_capture_on_commit_callbacks)
    assert project.runs.get(number=2).status == "DONE"
    assert project.runs.get(number=1).status == "FAILED"


# --- Re-run and delete -----------------------------------------------------------------------


def test_a_rerun_takes_in_new_sessions_and_keeps_each_runs_time_and_figures(
    client, teacher_client, recorded, ada, grace, django_capture_on_commit_callbacks
):
    project = finished_project(teacher_client, [ada, grace], django_capture_on_commit_callbacks)
    record(client, grace, "BLL002", "grace-2", recorded + 90 * MIN, 6)

    response = teacher_client.post(f"/projects/{project.pk}/runs/")
    assert response.status_code == 302
    platform_processes(project.runs.get(number=2))
    poll(teacher_client, project, django_capture_on_commit_callbacks)

    first, second = project.runs.get(number=1), project.runs.get(number=2)
    assert (first.session_count, first.event_count) == (4, 14)
    assert (second.session_count, second.event_count) == (5, 20)
    assert first.finished_at < second.finished_at
    assert RunSession.objects.filter(run=first).count() == 4  # the older run stays explorable
    html = teacher_client.get(f"/projects/{project.pk}/").content.decode()
    assert "Run 2 submitted" in html
    assert html.count("badge--done") >= 2
    assert f"/projects/{project.pk}/explore/?run=1" in html
    assert teacher_client.get(f"/projects/{project.pk}/explore/?run=1").status_code == 200


def test_the_runs_table_refreshes_alone_when_a_run_finishes(
    teacher_client, recorded, ada, django_capture_on_commit_callbacks
):
    project = finished_project(teacher_client, [ada], django_capture_on_commit_callbacks)
    page = teacher_client.get(f"/projects/{project.pk}/").content.decode()
    assert 'hx-trigger="pathlens:runs-changed from:body"' in page
    response = teacher_client.get(
        f"/projects/{project.pk}/", headers={"HX-Request": "true", "HX-Target": "run-history"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="run-history"')
    assert "badge--done" in html and "Export CSV" in html


def test_a_rerun_is_refused_while_the_project_is_processing(teacher_client, ada):
    project = create_project(teacher_client, [ada])
    response = teacher_client.post(f"/projects/{project.pk}/runs/", follow=True)
    assert "still processing" in response.content.decode()
    assert project.runs.count() == 1
    htmx = teacher_client.post(f"/projects/{project.pk}/runs/", headers={"HX-Request": "true"})
    assert "still processing" in htmx.content.decode()


def test_deleting_a_project_asks_first(
    teacher_client, recorded, ada, django_capture_on_commit_callbacks
):
    project = finished_project(teacher_client, [ada], django_capture_on_commit_callbacks)
    confirm = teacher_client.get(f"/projects/{project.pk}/delete/")
    assert confirm.status_code == 200
    assert "Delete “Fractions 7B”?" in confirm.content.decode()
    assert Project.objects.filter(pk=project.pk).exists()

    response = teacher_client.post(f"/projects/{project.pk}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == "/projects/"
    assert "were deleted" in response.content.decode()
    assert not Project.objects.exists()
    assert not ProjectRun.objects.exists() and not RunSession.objects.exists()
    ada.refresh_from_db()  # learners are not touched


def test_the_list_pages_with_htmx_by_swapping_the_list_alone(teacher_client, ada):
    for i in range(21):
        create_project(teacher_client, [ada], name=f"Project {i:02d}")
    page = teacher_client.get(
        "/projects/?page=2", headers={"HX-Request": "true", "HX-Target": "project-list"}
    )
    html = page.content.decode()
    assert html.lstrip().startswith('<div id="project-list"')
    assert "Project 00" in html and "Project 20" not in html  # newest first, 20 a page
    assert "Page 2 of 2" in html


def test_the_list_says_what_a_project_is_when_there_is_none(teacher_client):
    html = teacher_client.get("/projects/").content.decode()
    assert "No projects yet" in html
    assert 'href="/projects/new/"' in html


# --- Export ----------------------------------------------------------------------------------


def test_it_exports_one_row_per_session_with_real_ids_and_names(
    teacher_client, recorded, ada, grace, django_capture_on_commit_callbacks
):
    project = finished_project(teacher_client, [ada, grace], django_capture_on_commit_callbacks)
    response = teacher_client.get(f"/projects/{project.pk}/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="fractions-7b-run-1.csv"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"  # real learner ids: no cache keeps it
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "real_id", "display_name", "widget", "session", "start", "active_seconds", "sittings",
        "span_seconds", "events", "work_events", "outcome", "score", "maximum", "notes",
    ]  # fmt: skip
    assert [(r["display_name"], r["session"]) for r in rows] == [
        ("Ada Lovelace", "ada-1"),
        ("Ada Lovelace", "ada-2"),
        ("Ada Lovelace", "ada-3"),
        ("Grace Hopper", "grace-1"),
    ]
    assert rows[1]["real_id"] == "S-2001"
    assert (rows[1]["widget"], rows[1]["active_seconds"], rows[1]["span_seconds"]) == (
        "TEI001",
        "245.0",
        "240.0",
    )
    assert (rows[1]["events"], rows[1]["work_events"], rows[1]["sittings"]) == ("5", "4", "1")
    assert rows[1]["start"].endswith("+00:00")
    assert ada.opaque_id not in text


def test_the_export_defuses_names_that_a_spreadsheet_would_run(
    client, teacher_client, django_capture_on_commit_callbacks
):
    tricky = LearnerIdentityFactory(real_id="=HYPERLINK(1)", display_name="@SUM(A1)")
    record(client, tricky, "BLL002", "s-1", 1_700_000_000_000, 2)
    project = finished_project(teacher_client, [tricky], django_capture_on_commit_callbacks)
    text = b"".join(teacher_client.get(f"/projects/{project.pk}/export.csv").streaming_content)
    assert "'=HYPERLINK(1),'@SUM(A1)" in text.decode()


def test_the_export_defuses_fullwidth_formula_signs_too(
    client, teacher_client, django_capture_on_commit_callbacks
):
    tricky = LearnerIdentityFactory(real_id="\uff1dHYPERLINK(1)", display_name="\uff0bSUM(A1)")
    record(client, tricky, "BLL002", "s-1", 1_700_000_000_000, 2)
    project = finished_project(teacher_client, [tricky], django_capture_on_commit_callbacks)
    text = b"".join(teacher_client.get(f"/projects/{project.pk}/export.csv").streaming_content)
    assert "'\uff1dHYPERLINK(1),'\uff0bSUM(A1),BLL002,s-1," in text.decode()


def test_there_is_nothing_to_export_before_a_run_is_done(teacher_client, ada):
    project = create_project(teacher_client, [ada])
    response = teacher_client.get(f"/projects/{project.pk}/export.csv")
    assert response.status_code == 409
    assert "No results to export yet" in response.content.decode()


# --- Who may see what ------------------------------------------------------------------------


def test_another_teacher_gets_404_for_every_page_of_a_project(
    teacher_client, other_teacher, recorded, ada, django_capture_on_commit_callbacks
):
    project = finished_project(teacher_client, [ada], django_capture_on_commit_callbacks)
    session = RunSession.objects.first()
    other = Client()
    other.force_login(other_teacher)
    base = f"/projects/{project.pk}"
    for url in (
        f"{base}/",
        f"{base}/status/",
        f"{base}/delete/",
        f"{base}/export.csv",
        f"{base}/explore/",
        f"{base}/sessions/{session.pk}/",
    ):
        assert other.get(url, headers={"HX-Request": "true"}).status_code == 404, url
        assert other.get(url).status_code == 404, url
    assert other.post(f"{base}/runs/").status_code == 404
    assert other.post(f"{base}/delete/").status_code == 404
    assert Project.objects.filter(pk=project.pk).exists()
    assert project.runs.count() == 1
    assert "Fractions 7B" not in other.get("/projects/").content.decode()


def test_a_session_is_only_found_under_its_own_project(
    teacher_client, recorded, ada, django_capture_on_commit_callbacks
):
    first = finished_project(teacher_client, [ada], django_capture_on_commit_callbacks)
    second = finished_project(
        teacher_client, [ada], django_capture_on_commit_callbacks, name="Another"
    )
    session = RunSession.objects.filter(run__project=first).first()
    assert teacher_client.get(f"/projects/{first.pk}/sessions/{session.pk}/").status_code == 200
    assert teacher_client.get(f"/projects/{second.pk}/sessions/{session.pk}/").status_code == 404


# --- A project for a class -------------------------------------------------------------------


def test_a_project_starts_from_one_of_the_teachers_classes(
    teacher_client, teacher, other_teacher, ada, grace, alan
):
    from dashboard.models import SchoolClass
    from tests.factories import SchoolClassFactory

    seven_b = SchoolClassFactory(name="7B", owner=teacher)
    seven_b.learners.add(ada, grace)
    page = teacher_client.get(f"/projects/new/?class={seven_b.pk}").content.decode()
    assert f'name="learners" value="{ada.pk}" checked' in page
    assert f'name="learners" value="{alan.pk}" checked' not in page
    assert f'name="school_class" value="{seven_b.pk}"' in page

    bobs = SchoolClassFactory(name="Bob's", owner=other_teacher)
    assert teacher_client.get(f"/projects/new/?class={bobs.pk}").status_code == 404
    assert teacher_client.get("/projects/new/?class=abc").status_code == 404
    refused = teacher_client.post(
        "/projects/new/",
        {"name": "Sneaky", "learners": [ada.pk], "widgets": ["TEI001"], "school_class": bobs.pk},
    )
    assert refused.status_code == 400
    assert "not one of yours" in refused.content.decode()

    created = teacher_client.post(
        "/projects/new/",
        {"name": "7B fractions", "learners": [ada.pk, grace.pk], "widgets": ["TEI001"],
         "school_class": seven_b.pk},
    )  # fmt: skip
    assert created.status_code == 302
    project = Project.objects.get(name="7B fractions")
    assert project.school_class == seven_b
    assert set(project.learners.all()) == {ada, grace}
    SchoolClass.objects.filter(pk=seven_b.pk).delete()
    project.refresh_from_db()
    assert project.school_class is None  # the project and its learners stay


# --- One request per run, and runs from before -------------------------------------------------

FIXTURES = Path(__file__).parents[1] / "widgets" / "fixtures"


def test_an_import_stores_each_sessions_score_items_and_measures_as_the_platform_keeps_them(
    teacher_client, ada, grace, django_capture_on_commit_callbacks
):
    tei = json.loads((FIXTURES / "tei001_session.json").read_text())
    assert post_events(teacher_client, tei, learner=ada.opaque_id).status_code == 202
    record(teacher_client, grace, "BLL002", "grace-1", now_ms() - 3_600_000, 3)
    project = finished_project(teacher_client, [ada, grace], django_capture_on_commit_callbacks)
    run = project.runs.get()
    assert DataRequest.objects.count() == 1
    platform = {s.session: s for s in Session.objects.all()}
    stored = {s.session: s for s in RunSession.objects.filter(run=run)}
    assert set(stored) == set(platform)
    for key, row in stored.items():
        kept = platform[key]
        assert (row.score, row.maximum, row.full_maximum) == (
            kept.score,
            kept.maximum,
            kept.full_maximum,
        )
        assert (row.items_attempted, row.items_total, row.items) == (
            kept.items_attempted,
            kept.items_total,
            kept.items,
        )
        assert (row.active, row.sittings, row.work_events, row.events) == (
            kept.active_ms,
            kept.sittings,
            kept.work_events,
            kept.event_count,
        )
        assert row.duration == kept.last_time - kept.first_time
    tei_row = stored[tei[0]["session"]]
    assert tei_row.score is not None and tei_row.items_total > 0 and tei_row.items
    assert stored["grace-1"].learner == grace


def test_a_run_submitted_with_two_requests_before_the_change_still_imports_and_shows(
    teacher_client, recorded, ada, grace, django_capture_on_commit_callbacks
):
    project = create_project(teacher_client, [ada, grace])
    run = project.runs.get()
    # What run_submit did before: a `sessions` and a `scores` request, one id in each column.
    collector = get_client()
    sessions = collector.create_data_request(
        kind="sessions", learners=[ada.opaque_id, grace.opaque_id], widgets=project.widgets
    )
    ProjectRun.objects.filter(pk=run.pk).update(sessions_request_id=sessions.id)
    run.refresh_from_db()
    assert run.request_ids == [sessions.id, run.scores_request_id]
    data_request_process(request_id=run.scores_request_id)
    # Only one of the two DONE: the run waits for the other.
    waiting = poll(teacher_client, project, django_capture_on_commit_callbacks).content.decode()
    assert "Processing…" in waiting
    data_request_process(request_id=sessions.id)
    poll(teacher_client, project, django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert run.status == "DONE"
    assert (run.session_count, run.learner_count, run.event_count) == (4, 2, 14)
    assert RunSession.objects.filter(run=run).count() == 4
    html = teacher_client.get(f"/projects/{project.pk}/explore/").content.decode()
    assert "Ada Lovelace" in html and "Grace Hopper" in html


def test_a_failed_sessions_request_of_a_run_from_before_fails_it_with_its_reason(
    teacher_client, recorded, ada, django_capture_on_commit_callbacks
):
    project = create_project(teacher_client, [ada])
    run = project.runs.get()
    sessions = get_client().create_data_request(
        kind="sessions", learners=[ada.opaque_id], widgets=project.widgets
    )
    ProjectRun.objects.filter(pk=run.pk).update(sessions_request_id=sessions.id)
    data_request_process(request_id=run.scores_request_id)
    data_request_fail(request_id=sessions.id, reason="The worker ran out of memory.")
    html = poll(teacher_client, project, django_capture_on_commit_callbacks).content.decode()
    assert "Failed" in html
    assert "could not compute the sessions: The worker ran out of memory." in html


# --- Polling -----------------------------------------------------------------------------------


def test_the_status_polls_every_half_second_while_the_run_is_young_then_every_two(
    teacher_client, ada, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to("2026-03-02 08:00:00+00:00", tick=False)
    project = create_project(teacher_client, [ada])
    young = poll(teacher_client, project, django_capture_on_commit_callbacks).content.decode()
    assert 'hx-trigger="every 500ms"' in young
    time_machine.move_to("2026-03-02 08:00:14+00:00", tick=False)
    page = teacher_client.get(f"/projects/{project.pk}/").content.decode()
    assert 'hx-trigger="every 500ms"' in page
    time_machine.move_to("2026-03-02 08:00:15+00:00", tick=False)
    older = poll(teacher_client, project, django_capture_on_commit_callbacks).content.decode()
    assert 'hx-trigger="every 2s"' in older and "every 500ms" not in older
    listed = teacher_client.get("/projects/").content.decode()
    assert f'hx-get="/projects/{project.pk}/status/" hx-trigger="every 2s"' in listed


def test_the_export_carries_the_teachers_notes_of_each_session(
    teacher_client, teacher, recorded, ada, grace, django_capture_on_commit_callbacks
):
    from replay.models import MomentNote

    project = finished_project(teacher_client, [ada, grace], django_capture_on_commit_callbacks)
    session = RunSession.objects.get(session="ada-2")
    MomentNote.objects.create(session=session, author=teacher, at_ms=12_300, text="=Confused 3/4")
    MomentNote.objects.create(session=session, author=teacher, at_ms=65_000, text="fixed it")
    response = teacher_client.get(f"/projects/{project.pk}/export.csv")
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = {r["session"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["ada-2"]["notes"] == "0:12.3 =Confused 3/4 | 1:05.0 fixed it"
    assert rows["ada-1"]["notes"] == ""
