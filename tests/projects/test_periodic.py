"""The periodic refresh (celery beat): runs move on with no page open, and only ever once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from projects.models import ProjectRun, RunSession
from projects.tasks import refresh_processing_runs
from tests.support.db import BOTH_DATABASES
from tests.support.projects import create_project, finished_project, platform_processes, poll

pytestmark = [
    pytest.mark.django_db(databases=BOTH_DATABASES),
    pytest.mark.usefixtures("eager_tasks"),
]

NOTHING = {"checked": 0, "done": 0, "failed": 0, "importing": 0, "unreachable": 0}


def test_it_imports_a_finished_run_whose_page_nobody_has_open(
    teacher_client, ada, grace, recorded, django_capture_on_commit_callbacks
):
    project = create_project(teacher_client, [ada, grace])
    run = project.runs.get()
    platform_processes(run)
    with django_capture_on_commit_callbacks(execute=True):
        counts = refresh_processing_runs()
    assert counts == {**NOTHING, "checked": 1, "importing": 1}
    run.refresh_from_db()
    assert (run.status, run.session_count, run.learner_count, run.event_count) == (
        "DONE",
        4,
        2,
        14,
    )
    assert RunSession.objects.filter(run=run).count() == 4
    # Nothing is left to do, so the next tick checks nothing.
    assert refresh_processing_runs() == NOTHING


def test_it_fails_a_run_whose_request_failed_with_the_platforms_reason(
    teacher_client, ada, recorded
):
    project = create_project(teacher_client, [ada])
    run = project.runs.get()
    platform_processes(run, fail="the scoring rule crashed")
    assert refresh_processing_runs() == {**NOTHING, "checked": 1, "failed": 1}
    run.refresh_from_db()
    assert run.status == "FAILED"
    assert run.reason == "The platform could not compute the scores: the scoring rule crashed"


def test_it_keeps_a_run_the_platform_is_still_working_on_processing(teacher_client, ada, recorded):
    project = create_project(teacher_client, [ada])
    assert refresh_processing_runs() == {**NOTHING, "checked": 1}
    run = project.runs.get()
    assert (run.status, run.progress, run.import_started_at) == ("PROCESSING", 0, None)


def test_a_refresh_beside_a_page_poll_claims_the_import_once(
    teacher_client, ada, grace, recorded, django_capture_on_commit_callbacks
):
    project = create_project(teacher_client, [ada, grace])
    run = project.runs.get()
    platform_processes(run)
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        refresh_processing_runs()
        teacher_client.get(f"/projects/{project.pk}/status/", headers={"HX-Request": "true"})
        refresh_processing_runs()
    assert len(enqueued) == 1  # one import_run, however many checks noticed DONE
    for callback in enqueued:
        callback()
    run.refresh_from_db()
    assert run.status == "DONE"
    assert RunSession.objects.filter(run=run).count() == 4


def test_it_claims_again_an_import_whose_worker_was_lost(
    teacher_client, ada, grace, recorded, django_capture_on_commit_callbacks
):
    project = create_project(teacher_client, [ada, grace])
    run = project.runs.get()
    platform_processes(run)
    # A worker claimed the import 11 minutes ago and died before finishing it.
    ProjectRun.objects.filter(pk=run.pk).update(
        import_started_at=timezone.now() - timedelta(minutes=11)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert refresh_processing_runs()["importing"] == 1
    run.refresh_from_db()
    assert run.status == "DONE"
    assert RunSession.objects.filter(run=run).count() == 4


def test_it_leaves_an_import_in_progress_and_finished_runs_alone(
    teacher_client, ada, grace, recorded, django_capture_on_commit_callbacks
):
    done = finished_project(teacher_client, [ada], django_capture_on_commit_callbacks)
    importing = create_project(teacher_client, [grace], name="Importing")
    run = importing.runs.get()
    platform_processes(run)
    ProjectRun.objects.filter(pk=run.pk).update(import_started_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        assert refresh_processing_runs() == {**NOTHING, "checked": 1, "importing": 1}
    assert enqueued == []
    assert done.runs.get().status == "DONE"
    run.refresh_from_db()
    assert run.status == "PROCESSING"


def test_a_teacher_polling_after_the_refresh_sees_it_done(
    teacher_client, ada, recorded, django_capture_on_commit_callbacks
):
    project = create_project(teacher_client, [ada])
    platform_processes(project.runs.get())
    with django_capture_on_commit_callbacks(execute=True):
        refresh_processing_runs()
    response = poll(teacher_client, project, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert 'data-status="DONE"' in response.content.decode()
