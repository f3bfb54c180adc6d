"""One rule for the learner a message names, at the Segment door (`userId`) and the MetaCX door
(`learner`): an opaque id in the form Pathlens issues, else a 400 naming the field and saying
what to send instead, and nothing stored (collector/learner_ids.py, docs/collector.md)."""

from __future__ import annotations

import pytest

from collector.learner_ids import learner_id_problem
from collector.models import Event, Learner
from collector.xapi.models import Statement
from dashboard.models import new_opaque_id
from tests.metacx import helpers as metacx
from tests.rage.helpers import start, tracking_code
from tests.segment import helpers as segment
from tests.support.db import BOTH_DATABASES

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


DOORS = {"segment": _segment, "metacx": _metacx}


def test_it_takes_the_ids_pathlens_issues_on_both_sides(client):
    # The school side's, and the ones RAGE gives anonymous players.
    assert learner_id_problem(new_opaque_id()) is None
    player = start(client, tracking_code().code).json()["playerId"]
    assert learner_id_problem(player) is None


@pytest.mark.parametrize("door", DOORS)
def test_both_doors_store_a_message_naming_an_issued_opaque_id(client, door):
    learner = new_opaque_id()
    response, _ = DOORS[door](client, learner)
    assert response.status_code in {200, 202}, response.content
    assert Learner.objects.filter(opaque_id=learner).exists()


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(("learner", "why"), NOT_OPAQUE.items())
def test_both_doors_refuse_anything_else_naming_the_field(client, door, learner, why):
    response, field = DOORS[door](client, learner)
    assert response.status_code == 400, response.content
    answer = response.json()
    assert answer["field"] == field
    assert why in answer["error"]
    assert "32 lowercase hex digits" in answer["error"]  # what to send instead
    assert not (Statement.objects.exists() or Event.objects.exists() or Learner.objects.exists())


def test_metacx_names_the_learner_in_learner_only(client):
    """A MetaCX sender's `userId` is refused even when it holds an opaque id: one field names the
    learner, so two can never disagree."""
    body = {"eventKey": "course_quiz", "data": [metacx.other_object(userId=new_opaque_id())]}
    response = metacx.post(client, body, metacx.access_token(client))
    assert response.status_code == 400
    assert response.json()["field"] == "/data/0/userId"
    assert "'learner'" in response.json()["error"]
    assert not Statement.objects.exists()
