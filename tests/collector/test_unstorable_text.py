"""Text that no database column can hold (a NUL character, a lone UTF-16 surrogate) is a 400
naming the field, on every endpoint that takes text: never a 500 from PostgreSQL (which refuses
both) or from an encoder (which refuses a surrogate on SQLite too).

JSON can carry both as escapes (`"\\u0000"`, `"\\ud800"`); a URL can carry a NUL as `%00`.
"""

from __future__ import annotations

import json
import uuid

import pytest

from collector.apikeys import api_key_create
from collector.models import DataRequest, Event
from collector.tenants import tenant_default
from tests.collector.helpers import OPAQUE, event, post_events
from tests.support.db import BOTH_DATABASES

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)

# As a JSON body spells them: json.dumps writes both as \u escapes.
NUL = "\x00"
SURROGATE = "\ud800"
UNSTORABLE = pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["NUL", "lone surrogate"])


@pytest.fixture
def auth():
    _, text = api_key_create(name="school", tenant=tenant_default())
    return {"Authorization": f"Bearer {text}"}


def post_json(client, url: str, payload, headers: dict):
    return client.post(url, json.dumps(payload), content_type="application/json", headers=headers)


def assert_names(response, field: str) -> None:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body.get("field") == field, body
    assert f"'{field}'" in body["error"], body
    assert "UTF-8" in body["error"] or "NUL" in body["error"], body


@UNSTORABLE
@pytest.mark.parametrize("where", ["value", "key"])
def test_it_refuses_an_event_whose_data_holds_unstorable_text_naming_it(client, bad, where):
    data = {"answer": f"left{bad}"} if where == "value" else {f"answer{bad}": "left"}
    fine = event()
    response = post_events(client, [fine, event(type="prediction_made", data=data)])
    # The valid event is stored; the other is refused, named, and quarantined (escaped).
    assert response.status_code == 202, response.content[:300]
    assert response.json()["refused"] == 1
    problems = response.json()["errors"]
    assert [(p["index"], p["field"]) for p in problems] == [
        (1, "data.answer" if where == "value" else "data")
    ], problems
    assert "NUL" in problems[0]["message"] or "surrogate" in problems[0]["message"]
    assert list(Event.objects.values_list("event_id", flat=True)) == [uuid.UUID(fine["id"])]


@UNSTORABLE
def test_it_refuses_unstorable_text_in_an_event_id_or_session(client, bad):
    response = post_events(client, [event(session=f"s{bad}")])
    assert response.status_code == 400
    assert [p["field"] for p in response.json()["errors"]] == ["session"]


@UNSTORABLE
def test_learner_tokens_refuse_an_unstorable_learner_id(client, auth, bad):
    response = post_json(client, "/api/v1/learner-tokens", {"learner": f"x{bad}"}, auth)
    assert_names(response, "learner")


@UNSTORABLE
def test_session_counts_refuse_an_unstorable_learner_id(client, auth, bad):
    payload = {"learners": [OPAQUE, f"x{bad}"]}
    response = post_json(client, "/api/v1/learners/session-counts", payload, auth)
    assert_names(response, "learners")


@UNSTORABLE
def test_move_refuses_an_unstorable_target(client, auth, bad):
    post_events(client, [event()])  # the tenant knows OPAQUE: the move reaches its body
    response = post_json(client, f"/api/v1/learners/{OPAQUE}/move", {"to": f"x{bad}"}, auth)
    assert_names(response, "to")


@UNSTORABLE
@pytest.mark.parametrize("field", ["learners", "widgets", "from", "kind"])
def test_data_requests_refuse_unstorable_text_in_any_field(client, auth, bad, field):
    payload = {"kind": "sessions", "learners": [OPAQUE]}
    payload[field] = [f"x{bad}"] if field in ("learners", "widgets") else f"x{bad}"
    response = post_json(client, "/api/v1/data-requests", payload, auth)
    assert_names(response, field)
    assert not DataRequest.objects.exists()


def test_a_field_the_endpoint_does_not_read_is_ignored_whatever_it_holds(client, auth):
    # Like any key the endpoint does not know, it is neither read nor stored.
    payload = {"learner": OPAQUE, f"x{SURROGATE}": f"y{NUL}"}
    response = post_json(client, "/api/v1/learner-tokens", payload, auth)
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (f"/api/v1/learners/x%00{OPAQUE}", "learner"),
        (f"/api/v1/learners/x%00{OPAQUE}/revoke", "learner"),
        (f"/api/v1/learners/x%00{OPAQUE}/move", "learner"),
        (f"/api/v1/sessions/s%00/events?learner={OPAQUE}", "session"),
        ("/api/v1/sessions/s/events?learner=x%00", "learner"),
        (f"/api/v1/sessions/s/events?learner={OPAQUE}&widget=B%00", "widget"),
    ],
)
def test_a_nul_in_a_url_is_a_400_naming_the_parameter(client, auth, url, field):
    method = "DELETE" if url.count("/") == 4 else "GET" if "sessions" in url else "POST"
    response = client.generic(
        method, url, json.dumps({"to": OPAQUE}), content_type="application/json", headers=auth
    )
    assert_names(response, field)
