"""Other activities (xAPI content that is not a widget) from statements to teacher: statements
posted to /xapi/ with an API key become attempts of a project's run, drawn in a lane of their
own in the explorer; an attempt opens its statement timeline, in words. Through the real views;
the timeline's words are also checked on hand-made statements (replay/statements.py)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from collector.xapi.models import Statement
from config.routers import ANALYTICS_ALIAS
from projects.models import RunAttempt
from replay.statements import result_words, statement_rows, verb_words
from tests.collector.helpers import now_ms
from tests.support.db import BOTH_DATABASES
from tests.support.projects import finished_project
from tests.xapi.helpers import OTHER_ACTIVITY, account, basic, post, statement

ADL = "http://adlnet.gov/expapi/verbs/"
REGISTRATION = "bbbbbbbb-0000-4000-8000-000000000001"


def test_a_verb_is_its_display_name_else_the_last_word_of_its_id():
    assert verb_words({"id": ADL + "answered", "display": {"de": "beantwortet"}}) == "beantwortet"
    assert verb_words({"id": ADL + "completed", "display": {"en-GB": "completed"}}) == "completed"
    assert verb_words({"id": "https://w3id.org/xapi/video/verbs/played"}) == "played"
    assert verb_words({"id": "urn:example:verbs:gave_up"}) == "gave up"


def test_a_result_in_words():
    assert result_words(None) == ""
    assert result_words({"score": {"scaled": 0.8}, "success": True}) == "score 80\u00a0%, passed"
    assert result_words({"score": {"raw": 3, "max": 4}, "completion": True}) == (
        "score 3 of 4, completed"
    )
    assert result_words({"success": False, "response": "B"}) == "not passed, answer “B”"
    assert result_words({"response": "x" * 500}).endswith("…”")


def test_rows_are_in_time_order_at_their_offset_from_the_first():
    rows = statement_rows(
        [
            {"timestamp": "2026-12-06T09:01:05+00:00", "verb": {"id": ADL + "completed"}},
            {"timestamp": "2026-12-06T09:00:00+00:00", "verb": {"id": ADL + "attempted"}},
        ]
    )
    assert [(r.offset, r.verb) for r in rows] == [("0:00.0", "attempted"), ("1:05.0", "completed")]
    assert rows[0].time == datetime(2026, 12, 6, 9, tzinfo=UTC)
    assert statement_rows([]) == []


def said(learner, minutes: int, verb: str, **extra) -> dict:
    moment = datetime.fromtimestamp((now_ms() - 60 * 60_000 + minutes * 60_000) / 1000, tz=UTC)
    return statement(
        actor=account(learner.opaque_id),
        verb={"id": ADL + verb},
        object={
            "objectType": "Activity",
            "id": OTHER_ACTIVITY,
            "definition": {"name": {"en-US": "Fractions quiz"}},
        },
        context={"registration": REGISTRATION},
        timestamp=moment.isoformat().replace("+00:00", "Z"),
        **extra,
    )


@pytest.fixture
def project(client, teacher_client, recorded, ada, grace, django_capture_on_commit_callbacks):
    sent = [
        said(ada, 0, "attempted"),
        said(ada, 2, "answered", result={"response": "three quarters", "success": True}),
        said(ada, 3, "completed", result={"score": {"scaled": 0.75}, "completion": True}),
    ]
    assert post(client, sent, basic()).status_code == 200
    return finished_project(teacher_client, [ada, grace], django_capture_on_commit_callbacks)


pytestmark = [
    pytest.mark.django_db(databases=BOTH_DATABASES),
    pytest.mark.usefixtures("eager_tasks"),
]


def figure_of(client, project) -> dict:
    page = client.get(f"/projects/{project.pk}/explore/").content.decode()
    url = re.search(r'data-figure-url="([^"]+)"', page).group(1).replace("&amp;", "&")
    return client.get(url).json()


def test_the_run_keeps_the_attempt_and_the_explorer_draws_its_lane(teacher_client, project, ada):
    [attempt] = RunAttempt.objects.filter(run__project=project)
    assert (attempt.learner, attempt.name, attempt.statements) == (ada, "Fractions quiz", 3)
    assert (attempt.completed, attempt.passed, attempt.score) == (True, True, 0.75)
    figure = figure_of(teacher_client, project)
    assert figure["figure"]["layout"]["yaxis"]["ticktext"][-1] == "Fractions quiz"
    [trace] = [t for t in figure["figure"]["data"] if t["meta"]["kind"] == "attempts"]
    assert trace["name"] == "Fractions quiz attempts"
    assert figure["attemptUrl"] == f"/projects/{project.pk}/attempts/0/"
    page = teacher_client.get(f"/projects/{project.pk}/explore/?learner={ada.pk}&picked=1")
    data = re.search(r'data-paths="([^"]*)"', page.content.decode()).group(1)
    sessions = json.loads(data.replace("&quot;", '"'))["sessions"][str(ada.pk)]
    assert f"a{attempt.pk}" in sessions
    assert f'href="/projects/{project.pk}/attempts/{attempt.pk}/"' in page.content.decode()
    assert (
        "Also 1 other activity (content that is not one of our widgets), drawn in its own "
        "lane: Fractions quiz." in page.content.decode()
    )


def test_the_attempt_opens_its_statement_timeline_in_words(teacher_client, project, ada):
    attempt = RunAttempt.objects.get(run__project=project)
    response = teacher_client.get(f"/projects/{project.pk}/attempts/{attempt.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Ada Lovelace in Fractions quiz" in text
    for words in ("attempted", "answered", "passed, answer “three quarters”", "score 75\u00a0%"):
        assert words in text
    timeline = text[text.index("What happened") :]
    score = timeline.index("score 75\u00a0%")
    assert timeline.index("attempted") < timeline.index("answered") < score
    # Teacher words only: no verb or activity IRI, no opaque id, no registration.
    for hidden in (ADL, OTHER_ACTIVITY, ada.opaque_id, REGISTRATION):
        assert hidden not in text
    same = teacher_client.get(f"/replay/{project.pk}/attempts/{attempt.pk}/")
    assert same.status_code == 200


def test_another_teacher_gets_a_404(project, other_teacher):
    attempt = RunAttempt.objects.get(run__project=project)
    client = Client()
    client.force_login(other_teacher)
    assert client.get(f"/projects/{project.pk}/attempts/{attempt.pk}/").status_code == 404
    assert client.get(f"/replay/{project.pk}/attempts/{attempt.pk}/").status_code == 404


def test_statements_erased_since_say_so(teacher_client, project):
    attempt = RunAttempt.objects.get(run__project=project)
    Statement.objects.using(ANALYTICS_ALIAS).all().delete()
    response = teacher_client.get(f"/projects/{project.pk}/attempts/{attempt.pk}/")
    assert response.status_code == 404
    assert "no longer in the analytics store" in response.content.decode()


def test_without_other_activities_there_is_no_lane(
    teacher_client, recorded, ada, django_capture_on_commit_callbacks
):
    project = finished_project(teacher_client, [ada], django_capture_on_commit_callbacks)
    figure = figure_of(teacher_client, project)
    assert {t["meta"]["kind"] for t in figure["figure"]["data"]} == {"sessions"}
    assert not RunAttempt.objects.exists()
    page = teacher_client.get(f"/projects/{project.pk}/explore/").content.decode()
    assert "other activit" not in page
