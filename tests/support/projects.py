"""Helpers for tests that need a project: learners' sessions recorded through the real ingestion
API, and a project run driven to DONE (create → the platform processes → import).

Events go in through the real ingestion API; data requests are processed by the collector's own
service (what its Celery task calls). The status view enqueues the import after commit, and
`poll` executes those commit callbacks.
"""

from __future__ import annotations

from collector.datarequests import data_request_fail, data_request_process
from projects.models import Project, ProjectRun
from tests.collector.helpers import event, post_events

MIN = 60_000


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
