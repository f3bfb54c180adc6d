"""The project page's "Download as xAPI statements": the run's work (widget sessions and other
activities) as one JSON file of statements, prepared by the platform (a `statements` data
request through collector.client) while a page waits for it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.test import Client

from collector.datarequests import data_request_process
from collector.models import Event, Tenant
from tests.collector.helpers import now_ms
from tests.support.projects import finished_project
from tests.xapi.helpers import account, basic, post, statement

pytestmark = [
    pytest.mark.django_db(databases=["default", "analytics"]),
    pytest.mark.usefixtures("eager_tasks"),  # the run's import, enqueued after commit
]
HTMX = {"HX-Request": "true"}


def _quiz(client, learner, hours_ago: float) -> dict:
    """A statement of the learner about an H5P quiz (another activity), sent by the LMS."""
    moment = datetime.fromtimestamp((now_ms() - hours_ago * 3_600_000) / 1000, UTC)
    sent = statement(actor=account(learner.opaque_id), timestamp=moment.isoformat())
    assert post(client, sent, basic()).status_code == 200
    return sent


def _prepared(teacher_client, project) -> str:
    """The first visit asks the platform for the file; the platform's worker prepares it."""
    url = f"/projects/{project.pk}/statements.json"
    page = teacher_client.get(url)
    assert page.status_code == 200
    assert 'data-state="preparing"' in page.content.decode()
    assert 'data-state="preparing"' in teacher_client.get(url, headers=HTMX).content.decode()
    data_request_process(request_id=project.runs.get().statements_request_id)
    return url


def _downloaded(teacher_client, url) -> tuple[list[dict], str]:
    response = teacher_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert 'filename="fractions-7b-run-1-statements.json"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    text = b"".join(response.streaming_content).decode()
    return json.loads(text), text


def test_the_project_page_offers_the_download_with_a_help_line(
    teacher_client, recorded, ada, django_capture_on_commit_callbacks
):
    project = finished_project(teacher_client, [ada], django_capture_on_commit_callbacks)
    page = teacher_client.get(f"/projects/{project.pk}/").content.decode()
    assert f'href="/projects/{project.pk}/statements.json"' in page
    assert "Download as xAPI statements" in page
    assert "the format other learning platforms import" in page


def test_the_download_is_the_runs_work_as_statements_another_lrs_accepts(
    client, teacher_client, recorded, ada, grace, alan, django_capture_on_commit_callbacks
):
    quiz = _quiz(client, ada, 1)
    _quiz(client, alan, 1)  # not in the project: not in the file
    project = finished_project(teacher_client, [ada, grace], django_capture_on_commit_callbacks)
    url = _prepared(teacher_client, project)
    ready = teacher_client.get(url, headers=HTMX).content.decode()
    assert 'data-state="ready"' in ready and "Ready: 15 statements." in ready
    statements, text = _downloaded(teacher_client, url)
    learners = {s["actor"]["account"]["name"] for s in statements}
    assert learners == {ada.opaque_id, grace.opaque_id}
    events = Event.objects.filter(learner__in=learners).values_list("event_id", flat=True)
    assert {s["id"] for s in statements} == {*map(str, events), quiz["id"]}
    for real in ("Ada", "Grace", "S-2001", "S-2002"):
        assert real not in text
    district = Tenant.objects.create(name="district")
    response = post(client, statements, basic(district))
    assert response.status_code == 200, response.content
    assert Event.objects.filter(tenant=district).count() == 14


def test_an_empty_run_says_so_and_downloads_an_empty_list(
    teacher_client, alan, django_capture_on_commit_callbacks
):
    project = finished_project(teacher_client, [alan], django_capture_on_commit_callbacks)
    url = _prepared(teacher_client, project)
    empty = teacher_client.get(url, headers=HTMX).content.decode()
    assert 'data-state="empty"' in empty and "Nothing to download" in empty
    assert _downloaded(teacher_client, url) == ([], "[]")


def test_there_is_nothing_to_download_before_a_run_is_done(teacher_client, ada):
    from tests.support.projects import create_project

    project = create_project(teacher_client, [ada])
    response = teacher_client.get(f"/projects/{project.pk}/statements.json")
    assert response.status_code == 409


def test_another_teacher_gets_a_404(
    teacher_client, other_teacher, recorded, ada, django_capture_on_commit_callbacks
):
    project = finished_project(teacher_client, [ada], django_capture_on_commit_callbacks)
    other = Client()
    other.force_login(other_teacher)
    assert other.get(f"/projects/{project.pk}/statements.json").status_code == 404
    assert other.get(f"/projects/{project.pk}/statements.json", headers=HTMX).status_code == 404
    assert project.runs.get().statements_request_id == ""
