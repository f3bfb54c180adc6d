"""With a real worker and celery beat, a run nobody watches is finished: no page polls it."""

from __future__ import annotations

import time

import pytest

from projects.models import ProjectRun, RunSession
from tests.support.db import BOTH_DATABASES
from tests.support.projects import create_project
from tests.support.worker import running_worker

pytestmark = pytest.mark.django_db(transaction=True, databases=BOTH_DATABASES)


def wait_for_status(run: ProjectRun, *, timeout: float = 90) -> ProjectRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if not run.is_processing:
            return run
        time.sleep(0.3)
    raise AssertionError(f"run {run.pk} still PROCESSING after {timeout}s")


@pytest.mark.worker
def test_beat_and_a_worker_finish_a_run_whose_page_was_closed(teacher_client, ada, grace, recorded):
    project = create_project(teacher_client, [ada, grace])
    run = project.runs.get()
    assert run.status == "PROCESSING"
    # The teacher closes the page: from here on, only the database is read.
    with running_worker(concurrency=2, beat=True, env={"BEAT_INTERVAL": "1"}):
        run = wait_for_status(run)
    assert run.status == "DONE", run.reason
    assert (run.session_count, run.learner_count, run.event_count) == (4, 2, 14)
    assert RunSession.objects.filter(run=run).count() == 4
