"""Other activities: the generic measures of content that is not one of our widgets, as the rule
computes them on hand-made statements, and as both clients read them from statements sent to the
real /xapi/ endpoint, within the key's tenant only."""

from __future__ import annotations

import uuid

import pytest

from collector.apikeys import api_key_create
from collector.client import CollectorError, HttpCollector, LocalCollector
from collector.tenants import tenant_default, tenant_get_or_create
from collector.xapi.other import activity_name, generic_measures
from tests.collector.helpers import OPAQUE, OTHER_OPAQUE
from tests.support.db import BOTH_DATABASES
from tests.xapi.helpers import (
    OTHER_ACTIVITY,
    account,
    basic,
    post,
    statement,
    widget_statement,
)

CAP = 120_000
ADL = "http://adlnet.gov/expapi/verbs/"


def said(
    *,
    second: int = 0,
    minute: int = 0,
    verb: str = "answered",
    result: dict | None = None,
    registration: str | None = "aaaaaaaa-0000-4000-8000-000000000001",
    learner: str = OPAQUE,
    activity: str = OTHER_ACTIVITY,
    definition: dict | None = None,
) -> dict:
    """A statement as the LRS answers it (with its timestamp)."""
    made = statement(
        actor=account(learner),
        verb={"id": ADL + verb},
        object={"objectType": "Activity", "id": activity},
        timestamp=f"2026-12-06T09:{minute:02d}:{second:02d}.000Z",
    )
    if definition:
        made["object"]["definition"] = definition
    if registration:
        made["context"] = {"registration": registration}
    if result is not None:
        made["result"] = result
    return made


def only(statements: list[dict]) -> dict:
    [measures] = generic_measures(statements, idle_cap_ms=CAP)
    return measures


def test_active_time_adds_the_gaps_of_each_registration_each_capped():
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    measures = only(
        [
            said(second=0, registration=first),
            said(second=30, registration=first),
            # Ten minutes idle: counts as the cap, 2 min.
            said(minute=10, second=30, registration=first),
            # Another attempt: its own gaps only, none across the two attempts.
            said(minute=20, second=0, registration=second),
            said(minute=20, second=45, registration=second),
        ]
    )
    assert measures["attempts"] == 2
    assert measures["active_ms"] == 30_000 + CAP + 45_000
    assert measures["last_time"] > 0


def test_statements_without_a_registration_are_one_attempt():
    measures = only([said(second=0, registration=None), said(second=20, registration=None)])
    assert (measures["attempts"], measures["active_ms"]) == (1, 20_000)


def test_no_score_is_none_and_only_an_attempt():
    measures = only([said(second=0), said(second=5, verb="progressed")])
    assert measures["best_score"] is None
    assert (measures["completed"], measures["passed"]) == (False, False)


def test_the_best_scaled_score_counts_and_success_false_is_completed_not_passed():
    measures = only(
        [
            said(second=0, result={"score": {"scaled": 0.8}}),
            said(second=9, verb="failed", result={"success": False, "score": {"scaled": 0.4}}),
        ]
    )
    assert measures["best_score"] == 0.8  # the best one sent, not the latest
    assert (measures["completed"], measures["passed"]) == (True, False)


def test_passed_by_success_or_by_verb_but_not_a_passed_verb_saying_success_false():
    assert only([said(result={"success": True})])["passed"] is True
    assert only([said(verb="passed")])["passed"] is True
    assert only([said(verb="passed", result={"success": False})])["passed"] is False
    assert only([said(result={"completion": True})])["completed"] is True


def test_each_learner_and_activity_is_a_row():
    rows = generic_measures(
        [said(), said(learner=OTHER_OPAQUE), said(activity="https://sims.example/pendulum")],
        idle_cap_ms=CAP,
    )
    assert [(row["learner"], row["activity"]) for row in rows] == [
        (OPAQUE, OTHER_ACTIVITY),
        (OTHER_OPAQUE, OTHER_ACTIVITY),
        (OPAQUE, "https://sims.example/pendulum"),
    ]


@pytest.mark.parametrize(
    ("activity", "definition", "name"),
    [
        (OTHER_ACTIVITY, {"name": {"fr-FR": "Quiz", "en-GB": "The quiz"}}, "The quiz"),
        (OTHER_ACTIVITY, {"name": {"fr-FR": "Le quiz", "de": "Das Quiz"}}, "Le quiz"),
        (OTHER_ACTIVITY, {"description": {"en": "no name"}}, "quiz-7"),
        ("https://sims.example/pendulum/", None, "pendulum"),
        ("urn:sims:pendulum", None, "pendulum"),
    ],
)
def test_the_name_is_the_english_one_else_the_first_else_the_ids_last_part(
    activity, definition, name
):
    assert activity_name(activity, definition) == name


def test_a_later_statement_without_a_name_keeps_the_name():
    named = said(second=0, definition={"name": {"en": "Pendulum lab"}})
    assert only([named, said(second=5)])["name"] == "Pendulum lab"
    renamed = said(second=9, definition={"name": {"en": "Pendulum lab 2"}})
    assert only([named, said(second=5), renamed])["name"] == "Pendulum lab 2"


# --- Through the real endpoint and both clients --------------------------------------------


@pytest.fixture(params=["local", "http"])
def collector(request):
    if request.param == "local":
        return LocalCollector()
    live_server = request.getfixturevalue("live_server")
    _, key = api_key_create(name="remote school", tenant=tenant_default())
    return HttpCollector(live_server.url, key)


@pytest.mark.django_db(transaction=True, databases=BOTH_DATABASES)
def test_both_clients_read_the_measures_of_statements_sent_to_xapi(client, collector):
    auth = basic()
    attempt = str(uuid.uuid4())
    quiz = {"name": {"en-US": "Fractions quiz"}}
    sent = [
        said(second=0, registration=attempt, verb="attempted", definition=quiz),
        said(second=40, registration=attempt, result={"score": {"scaled": 0.8}}),
        said(
            minute=1,
            second=5,
            registration=attempt,
            verb="completed",
            result={"completion": True, "success": True},
            definition=quiz,
        ),
        # About one of our widgets: an event, not an other activity.
        widget_statement("session_started"),
    ]
    assert post(client, sent, auth).status_code == 200
    # Another tenant's statement about the same activity and learner id stays its own.
    other_auth = basic(tenant_get_or_create(name="school B"))
    assert post(client, said(definition=quiz), other_auth).status_code == 200

    rows = collector.other_activities([OPAQUE, OTHER_OPAQUE])
    assert rows == [
        {
            "learner": OPAQUE,
            "activity": OTHER_ACTIVITY,
            "name": "Fractions quiz",
            "attempts": 1,
            "completed": True,
            "passed": True,
            "best_score": 0.8,
            "active_ms": 65_000,
            "last_time": rows[0]["last_time"],
        }
    ]
    assert collector.other_activities([OTHER_OPAQUE]) == []
    with pytest.raises(CollectorError) as refused:
        collector.other_activities(["x" * 65])
    assert refused.value.status == 400
    assert "learners" in refused.value.message


@pytest.mark.django_db(databases=BOTH_DATABASES)
def test_a_voided_statement_no_longer_counts(client):
    auth = basic()
    scored = said(result={"score": {"scaled": 0.9}})
    assert post(client, [said(second=1), scored], auth).status_code == 200
    voiding = statement(verb={"id": ADL + "voided"})
    voiding["object"] = {"objectType": "StatementRef", "id": scored["id"]}
    assert post(client, voiding, auth).status_code == 200
    [row] = LocalCollector().other_activities([OPAQUE])
    assert row["best_score"] is None


@pytest.mark.django_db(databases=BOTH_DATABASES)
def test_the_api_refuses_a_body_without_learners(client):
    _, key = api_key_create(name="school", tenant=tenant_default())
    response = client.post(
        "/api/v1/learners/other-activities",
        {"learners": "x"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 400
    assert "'learners' must be a list" in response.json()["error"]
