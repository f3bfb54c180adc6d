"""POST /metacx/events under fuzzing: valid requests (widget events and an activity of its own),
then broken at any one place, alone or beside valid objects.

Whatever arrives, the answer is never a 500: a valid request is a 202 and stores its objects,
and sending it again changes nothing when every object carries an idempotency key; anything else is
a 4xx with a JSON message, and then not one Statement or Event row changed. Each example runs in
a transaction rolled back afterwards. Bounded to run in seconds; derandomized on CI (CI=true).
"""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collector.models import Event
from collector.xapi.models import Statement
from tests.collector.helpers import OPAQUE, now_ms
from tests.metacx.helpers import access_token, post
from tests.support.fuzz import fuzz_settings, json_values, refused_with_nothing_stored, rolled_back

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])

FUZZ = fuzz_settings()
REFUSALS = {400, 409, 413}
near_values = st.sampled_from(
    ["", "left", "BLL002", "s:1", "ada@school.example", "$x", "a.b", "\x00", "\ud800", -1, 0.5,
     1.0, 2, 1e308, now_ms(), True, None, [], {}, "x" * 300]
)  # fmt: skip
keys = st.sampled_from(
    ["learner", "widget", "session", "eventDate", "idempotencyKey", "eventKey", "type", "score",
     "passed", "completed", "answer", "name", "userId", "note"]
) | st.text(max_size=8)  # fmt: skip


def _objects(event_key: str, count: int) -> list[dict[str, Any]]:
    key = uuid.uuid4().hex
    if event_key == "prediction_made":
        made = {"learner": OPAQUE, "widget": "BLL002", "session": "f-1", "answer": "left"}
    else:
        made = {"learner": OPAQUE, "score": 0.5, "completed": True, "note": "fine"}
    return [{**made, "idempotencyKey": f"{key}-{i}", "eventDate": now_ms()} for i in range(count)]


@st.composite
def valid(draw) -> dict[str, Any]:
    event_key = draw(st.sampled_from(["prediction_made", "lesson_read"]))
    return {"eventKey": event_key, "data": _objects(event_key, draw(st.integers(1, 4)))}


@st.composite
def broken(draw) -> Any:
    body = copy.deepcopy(draw(valid()))
    where = draw(st.sampled_from(["body", "eventKey", "object", "field"]))
    value = draw(json_values | near_values)
    if where == "body":
        return draw(st.sampled_from([value, {**body, draw(keys): value}, {"eventKey": "x"}]))
    if where == "eventKey":
        body["eventKey"] = value
        return body
    index = draw(st.integers(0, len(body["data"]) - 1))
    if where == "object":
        body["data"][index] = value
        return body
    target = body["data"][index]
    key = draw(keys)
    if draw(st.booleans()) and key in target:
        del target[key]
    else:
        target[key] = value
    return body


def counts() -> tuple[int, int]:
    return Statement.objects.count(), Event.objects.count()


def _check(client, token: str, body: Any) -> None:
    before = counts()
    response = post(client, body, token)
    if refused_with_nothing_stored(
        response, accepted=202, refusals=REFUSALS, counts=counts, before=before
    ):
        return
    assert response.json()["requestId"]
    after = counts()
    assert after[0] > before[0]
    assert post(client, body, token).status_code == 202
    # A missing or null key is no key: those objects get fresh ids, and are stored again.
    if all(item.get("idempotencyKey") is not None for item in body["data"]):
        assert counts() == after, "sending the same request again stored something"


@FUZZ
@given(body=valid() | broken())
def test_a_request_is_stored_whole_or_refused_whole(client, body):
    token = access_token(client)
    with rolled_back():
        _check(client, token, body)


@FUZZ
@given(body=st.dictionaries(keys, json_values | near_values, max_size=3) | json_values)
def test_get_token_answers_anything_without_a_500(client, body):
    response = client.post("/metacx/getToken", json.dumps(body), content_type="application/json")
    assert response.status_code in {400, 401}, response.content
    assert response.json()["error"]


@FUZZ
@given(authorization=st.text(max_size=60) | st.sampled_from(["Bearer", "Bearer  x", "Bearer a:b"]))
def test_any_authorization_but_a_token_is_a_401(client, authorization):
    body = {"eventKey": "x", "data": [{"learner": OPAQUE}]}
    try:
        response = client.post(
            "/metacx/events",
            body,
            content_type="application/json",
            headers={"Authorization": authorization},
        )
    except UnicodeEncodeError:  # not a header a client could send
        return
    assert response.status_code == 401, response.content
    assert counts() == (0, 0)
