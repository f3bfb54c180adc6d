"""One rule for a learner that a request makes known to the collector: at the Segment door
(`userId`), the MetaCX door (`learner`), the xAPI statements and State resources (an account's
`name`, whatever the credential), a learner token minted with an API key and a learner moved:
an opaque id in the form Pathlens issues, else a 400 naming the field and saying what to send
instead, and nothing stored (collector/learner_ids.py, docs/collector.md). Lookups (revoke,
erase) still find an id stored before the rule."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from collector.apikeys import api_key_create
from collector.learner_ids import learner_id_problem
from collector.models import Event, Learner
from collector.tenants import tenant_default
from collector.xapi.models import ActivityState, Statement
from dashboard.models import new_opaque_id
from tests.metacx import helpers as metacx
from tests.rage.helpers import start, tracking_code
from tests.segment import helpers as segment
from tests.support.db import BOTH_DATABASES
from tests.xapi import helpers as xapi

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)

NOT_OPAQUE = {
    "ada.lovelace@school.example": "e-mail address",
    "Ada Lovelace": "name",
    "S-77-GRACE": "not an opaque id Pathlens issued",  # a school's own student number
    "20231234": "not an opaque id Pathlens issued",
    "0F" * 16: "not an opaque id Pathlens issued",  # ours are lowercase: another learner
    "0f" * 15: "not an opaque id Pathlens issued",
    "0f" * 17: "not an opaque id Pathlens issued",
    "": "Required",
}


def _segment(client, learner):
    message = {**segment.widget_track(), "userId": learner}
    body = {"batch": [segment.widget_track("session_started"), message]}
    return segment.post(client, segment.write_key(), body), "/batch/1/userId"


def _metacx(client, learner):
    body = {"eventKey": "course_quiz", "data": [metacx.other_object(learner=learner)]}
    return metacx.post(client, body, metacx.access_token(client)), "/data/0/learner"


def _api_key() -> dict:
    _, text = api_key_create(name="lms", tenant=tenant_default())
    return {"Authorization": f"Bearer {text}"}


def _learner_token(client, learner):
    response = client.post(
        "/api/v1/learner-tokens", json.dumps({"learner": learner}),
        content_type="application/json", headers=_api_key(),
    )  # fmt: skip
    return response, "learner"


def _statement(client, learner):
    # With an API key (an LMS, a tool): the actor is whoever the sender names.
    body = [xapi.statement(), xapi.statement(actor=xapi.account(learner))]
    return xapi.post(client, body, xapi.basic()), "/1/actor/account/name"


def _state(client, learner):
    query = {"activityId": xapi.OTHER_ACTIVITY, "agent": json.dumps(xapi.account(learner))}
    response = client.put(
        "/xapi/activities/state?" + urllib.parse.urlencode({**query, "stateId": "resume"}),
        b'{"page": 3}', content_type="application/json",
        headers={"Authorization": xapi.basic(), **xapi.VERSION},
    )  # fmt: skip
    return response, "agent/account/name"


DOORS = {
    "segment": _segment,
    "metacx": _metacx,
    "learner token": _learner_token,
    "xapi statement": _statement,
    "xapi state": _state,
}


def test_it_takes_the_ids_pathlens_issues_on_both_sides(client):
    # The school side's, and the ones RAGE gives anonymous players.
    assert learner_id_problem(new_opaque_id()) is None
    player = start(client, tracking_code().code).json()["playerId"]
    assert learner_id_problem(player) is None


@pytest.mark.parametrize("door", DOORS)
def test_both_doors_store_a_message_naming_an_issued_opaque_id(client, door):
    learner = new_opaque_id()
    response, _ = DOORS[door](client, learner)
    assert response.status_code in {200, 201, 202, 204}, response.content
    assert Learner.objects.filter(opaque_id=learner).exists() or ActivityState.objects.exists()


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(("learner", "why"), NOT_OPAQUE.items())
def test_both_doors_refuse_anything_else_naming_the_field(client, door, learner, why):
    response, field = DOORS[door](client, learner)
    assert response.status_code == 400, response.content
    answer = response.json()
    assert answer["field"] == field
    assert why in answer["error"]
    assert "32 lowercase hex digits" in answer["error"]  # what to send instead
    stored = (Statement, Event, Learner, ActivityState)
    assert not any(model.objects.exists() for model in stored)


def test_metacx_names_the_learner_in_learner_only(client):
    """A MetaCX sender's `userId` is refused even when it holds an opaque id: one field names the
    learner, so two can never disagree."""
    body = {"eventKey": "course_quiz", "data": [metacx.other_object(userId=new_opaque_id())]}
    response = metacx.post(client, body, metacx.access_token(client))
    assert response.status_code == 400
    assert response.json()["field"] == "/data/0/userId"
    assert "'learner'" in response.json()["error"]
    assert not Statement.objects.exists()


def test_a_learner_moved_must_move_to_an_issued_opaque_id(client):
    learner = new_opaque_id()
    assert _learner_token(client, learner)[0].status_code == 201
    response = client.post(
        f"/api/v1/learners/{learner}/move", json.dumps({"to": "S-77-GRACE"}),
        content_type="application/json", headers=_api_key(),
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["field"] == "to"
    assert "32 lowercase hex digits" in response.json()["error"]
    assert list(Learner.objects.values_list("opaque_id", flat=True)) == [learner]


def test_an_id_stored_before_the_rule_can_still_be_revoked_and_erased(client):
    """The rule is for ids entering the collector; one that entered before it stays reachable,
    so that a school can always erase what it holds."""
    legacy = "S-77-GRACE"
    Learner.objects.create(tenant=tenant_default(), opaque_id=legacy)
    revoked = client.post(f"/api/v1/learners/{legacy}/revoke", headers=_api_key())
    assert revoked.status_code == 200, revoked.content
    erased = client.delete(f"/api/v1/learners/{legacy}", headers=_api_key())
    assert erased.status_code == 200, erased.content
