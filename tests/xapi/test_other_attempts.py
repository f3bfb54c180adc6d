"""Other activities in a project's run: the attempts a data request finds in xAPI statements
about content that is not one of our widgets (by the pure rule, and through both clients), and
one attempt's statements, within the key's tenant only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from collector.apikeys import api_key_create
from collector.client import CollectorError, HttpCollector, LocalCollector
from collector.datarequests import data_request_process, learner_erase, learner_move
from collector.tenants import tenant_default, tenant_get_or_create
from collector.xapi.other import generic_attempts
from tests.collector.helpers import OPAQUE, OTHER_OPAQUE
from tests.support.db import BOTH_DATABASES
from tests.xapi.helpers import OTHER_ACTIVITY, basic, post, widget_statement
from tests.xapi.test_other_activities import CAP, said

FIRST, SECOND = "aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002"
QUIZ = {"name": {"en-US": "Fractions quiz"}}


def test_each_registration_is_an_attempt_and_statements_without_one_are_one_together():
    attempts = generic_attempts(
        [
            said(second=0, registration=FIRST, definition=QUIZ),
            said(second=30, registration=FIRST, result={"score": {"scaled": 0.5}}),
            said(minute=5, registration=SECOND, verb="completed"),
            said(minute=7, registration=None),
            said(minute=8, registration=None, result={"success": True}),
        ],
        idle_cap_ms=CAP,
    )
    assert [(a["registration"], a["statements"]) for a in attempts] == [
        (FIRST, 2),
        (SECOND, 1),
        ("", 2),
    ]
    first, second, loose = attempts
    assert first["end"] - first["start"] == 30_000
    assert (first["name"], first["best_score"], first["active_ms"]) == (
        "Fractions quiz",
        0.5,
        30_000,
    )
    assert (first["completed"], second["completed"], loose["passed"]) == (False, True, True)
    assert loose["active_ms"] == 60_000


def test_no_statements_no_attempts():
    assert generic_attempts([], idle_cap_ms=CAP) == []


@pytest.fixture(params=["local", "http"])
def collector(request):
    if request.param == "local":
        return LocalCollector()
    live_server = request.getfixturevalue("live_server")
    _, key = api_key_create(name="remote school", tenant=tenant_default())
    return HttpCollector(live_server.url, key)


def _done_request(collector, **window) -> str:
    created = collector.create_data_request(
        kind="scores", learners=[OPAQUE, OTHER_OPAQUE], widgets=["BLL002"], **window
    )
    data_request_process(request_id=created.id)
    return created.id


@pytest.mark.django_db(transaction=True, databases=BOTH_DATABASES)
def test_both_clients_read_a_runs_attempts_and_an_attempts_statements(client, collector):
    sent = [
        said(second=0, registration=FIRST, verb="attempted", definition=QUIZ),
        said(second=40, registration=FIRST, result={"score": {"scaled": 0.8}, "response": "B"}),
        said(second=10, registration=None),
        # Outside the window asked for below: left out.
        {**said(registration=SECOND), "timestamp": "2026-12-07T09:00:00.000Z"},
        widget_statement("session_started"),  # one of our widgets: a session, not an attempt
    ]
    assert post(client, sent, basic()).status_code == 200
    other_tenant = basic(tenant_get_or_create(name="school B"))
    assert post(client, said(registration=FIRST), other_tenant).status_code == 200

    window = {
        "time_from": datetime(2026, 12, 6, tzinfo=UTC),
        "time_to": datetime(2026, 12, 7, tzinfo=UTC),
    }
    attempts = collector.other_attempts(_done_request(collector, **window))
    assert [(a["registration"], a["statements"], a["name"]) for a in attempts] == [
        (FIRST, 2, "Fractions quiz"),
        ("", 1, "quiz-7"),
    ]
    assert attempts[0]["score"] == 0.8 and attempts[0]["learner"] == OPAQUE

    answer = collector.attempt_statements(
        learner=OPAQUE, activity=OTHER_ACTIVITY, registration=FIRST
    )
    assert [s["verb"]["id"].rsplit("/", 1)[1] for s in answer["statements"]] == [
        "attempted",
        "answered",
    ]
    loose = collector.attempt_statements(learner=OPAQUE, activity=OTHER_ACTIVITY, registration="")
    assert len(loose["statements"]) == 1


@pytest.mark.django_db(transaction=True, databases=BOTH_DATABASES)
def test_an_attempt_is_read_in_the_keys_tenant_only_and_bad_parameters_are_named(client, collector):
    other_tenant = basic(tenant_get_or_create(name="school B"))
    assert post(client, said(registration=FIRST), other_tenant).status_code == 200
    with pytest.raises(CollectorError) as missing:
        collector.attempt_statements(learner=OPAQUE, activity=OTHER_ACTIVITY, registration=FIRST)
    assert missing.value.status == 404
    with pytest.raises(CollectorError) as refused:
        collector.attempt_statements(learner=OPAQUE, activity=OTHER_ACTIVITY, registration="x")
    assert refused.value.status == 400 and "registration" in refused.value.message
    for activity in ("", "https://content.example/\x00"):
        with pytest.raises(CollectorError) as bad_activity:
            collector.attempt_statements(learner=OPAQUE, activity=activity, registration="")
        assert bad_activity.value.status == 400 and "activity" in bad_activity.value.message
    # A request of this tenant finds none of the other tenant's attempts.
    assert collector.other_attempts(_done_request(collector)) == []


@pytest.mark.django_db(databases=BOTH_DATABASES)
def test_attempts_wait_for_the_request_to_be_done():
    collector = LocalCollector()
    created = collector.create_data_request(kind="scores", learners=[OPAQUE], widgets=[])
    with pytest.raises(CollectorError) as early:
        collector.other_attempts(created.id)
    assert early.value.status == 409
    with pytest.raises(CollectorError) as unknown:
        collector.other_attempts(str(uuid.uuid4()))
    assert unknown.value.status == 404


@pytest.mark.django_db(databases=BOTH_DATABASES)
def test_erasing_a_learner_erases_their_attempts_and_moving_one_moves_them(client):
    assert post(client, [said(registration=FIRST)], basic()).status_code == 200
    assert (
        post(client, [said(registration=FIRST, learner=OTHER_OPAQUE)], basic()).status_code == 200
    )
    collector = LocalCollector()
    request_id = _done_request(collector)
    assert len(collector.other_attempts(request_id)) == 2
    tenant = tenant_default().pk
    learner_move(tenant_id=tenant, learner=OTHER_OPAQUE, to="ab" * 16)
    learner_erase(tenant_id=tenant, learner=OPAQUE)
    assert [a["learner"] for a in collector.other_attempts(request_id)] == ["ab" * 16]
