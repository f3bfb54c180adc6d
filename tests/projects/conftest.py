"""Fixtures for projects: a small class with recorded sessions, and helpers that drive a run.

Events go in through the real ingestion API; data requests are processed by the collector's own
service (what its Celery task calls). Tasks of ours run eagerly where a test says so: the status
view enqueues the import after commit, and `poll` executes those commit callbacks.
"""

from __future__ import annotations

import pytest
from celery import current_app

from collector.datarequests import data_request_fail, data_request_process
from projects.models import Project, ProjectRun
from tests.collector.helpers import event, now_ms, post_events
from tests.factories import LearnerIdentityFactory

MIN = 60_000


@pytest.fixture
def eager_tasks():
    previous = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = previous


@pytest.fixture
def ada(db):
    return LearnerIdentityFactory(real_id="S-2001", display_name="Ada Lovelace")


@pytest.fixture
def grace(db):
    return LearnerIdentityFactory(real_id="S-2002", display_name="Grace Hopper")


@pytest.fixture
def alan(db):
    """A learner with no sessions at all."""
    return LearnerIdentityFactory(real_id="S-2003", display_name="Alan Turing")


# One event of the learner's own work per widget (valid for its schema; a reducer may ignore
# it, but it counts as work): a session of them is not an open without work.
WORK = {
    "BLL002": ("prediction_made", {"answer": "left"}),
    "TEI001": ("card_removed", {"item": 1, "card": "1/4"}),
    "chernoff_tutorial": (
        "slider_changed",
        {"step": "explore_size", "feature": "population", "value": 5},
    ),
}


def record(client, learner, widget: str, session: str, start_ms: int, count: int, step=MIN):
    """`count` events `step` apart: the session's start, then work."""
    kind, data = WORK[widget]
    events = [
        event(session=session, widget=widget, t=start_ms, type="session_started"),
        *(
            event(session=session, widget=widget, t=start_ms + i * step, type=kind, data=data)
            for i in range(1, count)
        ),
    ]
    response = post_events(client, events, learner=learner.opaque_id)
    assert response.status_code == 202, response.content


@pytest.fixture
def recorded(client, ada, grace, alan):
    """Ada: BLL002 then TEI001 then BLL002 again; Grace: one TEI001 session; Alan: nothing."""
    base = now_ms() - 3 * 3_600_000
    record(client, ada, "BLL002", "ada-1", base, 3)  # 2 min, 3 events
    record(client, ada, "TEI001", "ada-2", base + 30 * MIN, 5)  # 4 min, 5 events
    record(client, ada, "BLL002", "ada-3", base + 60 * MIN, 2)
    record(client, grace, "TEI001", "grace-1", base + 10 * MIN, 4)
    return base


def create_project(client, learners, **overrides):
    data = {
        "name": "Fractions 7B",
        "learners": [learner.pk for learner in learners],
        "widgets": ["BLL002", "TEI001"],
        "time_from": "",
        "time_to": "",
        **overrides,
    }
    response = client.post("/projects/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Project.objects.latest("id")


def platform_processes(run: ProjectRun, *, fail: str | None = None) -> None:
    """The platform's worker does its part: the run's request DONE (or FAILED)."""
    if fail:
        data_request_fail(request_id=run.scores_request_id, reason=fail)
    else:
        data_request_process(request_id=run.scores_request_id)


def poll(client, project, capture, *, htmx: bool = True):
    """One status check, as the page's polling does it; our tasks enqueued on commit run."""
    headers = {"HX-Request": "true"} if htmx else {}
    with capture(execute=True):
        return client.get(f"/projects/{project.pk}/status/", headers=headers)


def finished_project(client, learners, capture, **overrides) -> Project:
    project = create_project(client, learners, **overrides)
    platform_processes(project.runs.get())
    poll(client, project, capture)
    assert project.runs.get().status == "DONE"
    return project
