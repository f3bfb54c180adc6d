"""POST /xapi/statements under fuzzing: valid statements (about other content and about our
widgets), then broken at any one place, alone or in a batch with valid ones.

Whatever arrives, the answer is never a 500: a valid batch is stored whole (200, every id) and
sending it again changes nothing; anything else is a 4xx with a JSON message naming the field, and
then not one Statement or Event row changed. Each example runs in a transaction rolled back
afterwards. Bounded to run in seconds; derandomized on CI (CI=true).
"""

from __future__ import annotations

import copy
import json
import urllib.parse
import uuid
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from collector.models import Event
from collector.xapi.models import Statement
from collector.xapi.problems import Invalid
from collector.xapi.validation import statement_check
from tests.support import fuzz
from tests.support.fuzz import fuzz_settings, refused_with_nothing_stored, rolled_back
from tests.xapi.helpers import basic, near_values, post, statement, widget_statement

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])

FUZZ = fuzz_settings()
REFUSALS = {400, 403, 409, 413}


def templates() -> st.SearchStrategy[dict[str, Any]]:
    return st.sampled_from(["other", "widget", "scored", "voiding", "group"]).map(_template)


def _template(kind: str) -> dict[str, Any]:
    if kind == "widget":
        return widget_statement("session_started")
    if kind == "scored":
        return statement(
            result={"score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10}, "success": True},
            context={"contextActivities": {"parent": {"id": "https://x.example/course"}}},
        )
    if kind == "voiding":
        return statement(
            verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
            object={"objectType": "StatementRef", "id": str(uuid.uuid4())},
        )
    if kind == "group":
        members = [statement()["actor"]]
        return statement(object={"objectType": "Group", "member": members})
    return statement()


def mutated() -> st.SearchStrategy[dict[str, Any]]:
    return fuzz.mutated(templates(), near_values)


def counts() -> tuple[int, int]:
    return Statement.objects.count(), Event.objects.count()


def _check(client, auth: str, body: Any) -> None:
    before = counts()
    response = post(client, body, auth)
    if refused_with_nothing_stored(
        response, accepted=200, refusals=REFUSALS, counts=counts, before=before
    ):
        return
    answer = response.json()
    sent = body if isinstance(body, list) else [body]
    assert len(answer) == len(sent)
    assert Statement.objects.filter(statement_id__in=answer).count() == len(set(answer))
    after = counts()
    # Sent again with the ids the LRS answered (it gave one to a statement sent without): a no-op.
    again = [{**item, "id": statement_id} for item, statement_id in zip(sent, answer, strict=True)]
    assert post(client, again, auth).status_code == 200
    assert counts() == after, "sending the same statements again stored something"


@FUZZ
@given(body=mutated())
def test_one_statement_is_stored_or_refused_whole(client, body):
    auth = basic()
    with rolled_back():
        _check(client, auth, body)


@FUZZ
@given(valid=st.lists(templates(), min_size=1, max_size=4), broken=mutated(), at=st.integers(0, 4))
def test_a_batch_is_stored_whole_or_not_at_all(client, valid, broken, at):
    auth = basic()
    batch = copy.deepcopy(valid)
    batch.insert(min(at, len(batch)), broken)
    with rolled_back():
        _check(client, auth, batch)


def test_a_body_that_is_not_a_statement_is_a_400(client):
    auth = basic()
    for body in ([], 3, "statement", [1], {"actor": None}, [None]):
        response = post(client, body, auth)
        assert response.status_code == 400, body
        assert json.loads(response.content)["error"]


@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
def test_a_nul_in_a_parameter_is_a_400_naming_it(client, method):
    # (A lone surrogate cannot reach a parameter: its bytes are not UTF-8, and Django decodes a
    # query string's with replacement characters.)
    agent = json.dumps(statement()["actor"])
    query = urllib.parse.urlencode(
        {"activityId": "https://x.example/a", "agent": agent, "stateId": "s\x00"}
    )
    response = client.generic(
        method,
        f"/xapi/activities/state?{query}",
        b"{}",
        content_type="application/json",
        headers={"Authorization": basic(), "X-Experience-API-Version": "1.0.3"},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "stateId"


def _outcome(body: Any, careful: bool):
    try:
        clean = statement_check(copy.deepcopy(body), careful=careful)
    except Invalid:
        return "refused"
    found = clean.found
    return (clean.text, clean.timestamp, found.agents, found.activity, found.related_activities)


@FUZZ
@given(body=templates() | mutated())
def test_the_fast_path_and_the_full_check_never_disagree(body):
    """`careful=False` lets a plainly valid statement take the fast path; `careful=True` always
    walks the full check. Whatever the statement, both accept it with the same findings, or both
    refuse it (the fast path never words a refusal: it hands the statement to the full check)."""
    if "id" not in body:
        body = {**body, "id": str(uuid.uuid4())}  # so that both give it the same id
    assume(not _holds_unstorable(body))
    assert _outcome(body, careful=False) == _outcome(body, careful=True)


def _holds_unstorable(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value or any("\ud800" <= char <= "\udfff" for char in value)
    if isinstance(value, dict):
        return any(_holds_unstorable(key) or _holds_unstorable(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_unstorable(item) for item in value)
    return False
