"""POST /api/v1/events: every answer the ingestion API can give, through the real view."""

from __future__ import annotations

import json
import uuid

import pytest

from collector.models import Event, Session
from collector.tenants import tenant_default
from collector.tokens import learner_tokens_revoke
from tests.collector.helpers import OPAQUE, OTHER_OPAQUE, event, issue_token, now_ms, post_events
from tests.support.db import BOTH_DATABASES

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)


def nothing_stored() -> bool:
    """No event and no session row: what a refused batch must leave behind."""
    return not Event.objects.exists() and not Session.objects.exists()


def test_it_accepts_a_batch_and_stores_it_whole(client):
    events = [event(t=now_ms() + i) for i in range(5)]
    response = post_events(client, events)
    assert response.status_code == 202
    assert response.json() == {"accepted": 5, "duplicates": 0}
    assert Event.objects.filter(learner=OPAQUE).count() == 5
    stored = Event.objects.get(event_id=events[0]["id"])
    assert stored.session == "sess-1"
    assert stored.widget == "BLL002"
    assert stored.t == events[0]["t"]
    assert stored.received >= events[0]["t"] - 1000


def test_it_takes_the_learner_from_the_token_never_from_the_body(client):
    sneaky = event()
    sneaky["learner"] = OTHER_OPAQUE
    assert post_events(client, [sneaky]).status_code == 202
    assert Event.objects.get(event_id=sneaky["id"]).learner == OPAQUE
    assert not Event.objects.filter(learner=OTHER_OPAQUE).exists()


def test_it_counts_a_retried_batch_as_duplicates_and_stores_nothing_twice(client):
    events = [event(t=now_ms() + i) for i in range(3)]
    assert post_events(client, events).json() == {"accepted": 3, "duplicates": 0}
    assert post_events(client, events).json() == {"accepted": 0, "duplicates": 3}
    assert Event.objects.count() == 3
    assert Session.objects.get().duplicates == 3


def test_it_counts_a_repeat_inside_one_batch_as_a_duplicate(client):
    first = event()
    response = post_events(client, [first, dict(first)])
    assert response.json() == {"accepted": 1, "duplicates": 1}


def test_it_answers_409_naming_an_id_reused_for_other_content_and_stores_nothing(client):
    original = event(type="session_started")
    post_events(client, [original])
    changed = {**original, "type": "session_completed"}
    fresh = event()
    response = post_events(client, [fresh, changed])
    assert response.status_code == 409
    assert response.json()["ids"] == [original["id"]]
    assert "nothing was stored" in response.json()["error"]
    assert not Event.objects.filter(event_id=fresh["id"]).exists()
    assert Session.objects.get().event_count == 1


def test_an_id_reused_by_another_learner_is_a_conflict(client):
    shared = event()
    post_events(client, [shared], learner=OPAQUE)
    response = post_events(client, [shared], learner=OTHER_OPAQUE)
    assert response.status_code == 409


def test_it_stores_the_valid_events_of_a_batch_and_names_the_refused_one(client):
    good = event()
    bad = event(t="yesterday")
    response = post_events(client, [good, bad])
    assert response.status_code == 202
    assert response.json() == {
        "accepted": 1,
        "duplicates": 0,
        "refused": 1,
        "quarantined": 1,
        "errors": [
            {
                "index": 1,
                "field": "t",
                "message": "Required: the client time as an integer in epoch milliseconds.",
            }
        ],
    }
    assert list(Event.objects.values_list("event_id", flat=True)) == [uuid.UUID(good["id"])]


def test_a_batch_with_no_valid_event_is_a_400_and_stores_nothing(client):
    response = post_events(client, [event(t="yesterday"), event(widget="NOPE01")])
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "The batch was rejected; nothing was stored."
    assert [(e["index"], e["field"]) for e in body["errors"]] == [(0, "t"), (1, "widget")]
    assert body["quarantined"] == 2
    assert Event.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"id": "not-a-uuid"}, "id", "is not a UUID"),
        ({"id": None}, "id", "Required: a UUID"),
        ({"session": ""}, "session", "1 to 128 characters"),
        ({"session": "x" * 129}, "session", "1 to 128 characters"),
        ({"widget": "nope"}, "widget", "Unknown widget"),
        ({"type": "Bad-Type"}, "type", "^[a-z][a-z0-9_]{0,63}$"),
        ({"type": "teleported"}, "type", "is not an event type of widget BLL002"),
        ({"t": 1_700_000_000}, "t", "epoch milliseconds"),
        ({"t": True}, "t", "epoch milliseconds"),
        ({"data": []}, "data", "Must be a JSON object"),
        ({"data": {"blob": "x" * 9000}}, "data", "at most 8 KiB"),
        ({"data": {"unexpected": 1}}, "data", "must not contain"),
    ],
)
def test_it_names_the_index_field_and_reason_of_each_bad_event(client, change, field, fragment):
    response = post_events(client, [event(), event(**change)])
    assert response.status_code == 202  # the valid one is stored; the other is named
    [problem] = response.json()["errors"]
    assert problem["index"] == 1
    assert problem["field"] == field
    assert fragment in problem["message"]


def test_it_rejects_an_event_that_is_not_an_object(client):
    response = post_events(client, ["hello"])
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "index": 0,
        "field": "",
        "message": "Each event must be a JSON object.",
    }


def test_an_empty_batch_is_a_400(client):
    response = post_events(client, [])
    assert response.status_code == 400
    assert "empty" in response.json()["errors"][0]["message"]


def test_more_than_1000_events_is_a_413(client):
    events = [event(t=now_ms() + i) for i in range(1001)]
    response = post_events(client, events)
    assert response.status_code == 413
    assert "at most 1000" in response.json()["error"]
    assert Event.objects.count() == 0


def test_1000_events_are_accepted(client):
    events = [event(t=now_ms() + i) for i in range(1000)]
    assert post_events(client, events).json() == {"accepted": 1000, "duplicates": 0}


def test_a_body_over_1_mib_is_a_413(client):
    body = json.dumps({"events": [event()], "padding": "x" * (1024 * 1024)}).encode()
    response = post_events(client, body=body)
    assert response.status_code == 413
    assert nothing_stored()


def test_a_gzip_body_is_accepted(client):
    response = post_events(client, [event(), event()], gzipped=True)
    assert response.status_code == 202
    assert response.json()["accepted"] == 2


def test_a_gzip_bomb_is_a_413(client):
    body = json.dumps({"events": [event()], "padding": " " * (5 * 1024 * 1024)}).encode()
    response = post_events(client, body=body, gzipped=True)
    assert response.status_code == 413
    assert "decompressed" in response.json()["error"]
    assert nothing_stored()


def test_broken_gzip_is_a_400(client):

    response = client.generic(
        "POST",
        "/api/v1/events",
        b"not gzip at all",
        content_type="application/json",
        headers={
            "Content-Encoding": "gzip",
            "Authorization": f"Bearer {issue_token(OPAQUE)}",
        },
    )
    assert response.status_code == 400


def test_a_body_that_is_not_json_is_a_400_and_a_wrong_content_type_a_415(client):
    assert post_events(client, body=b"{nope").status_code == 400
    response = post_events(client, content_type="text/plain")
    assert response.status_code == 415
    assert "application/json" in response.json()["error"]


def test_a_missing_token_is_a_401(client):
    response = post_events(client, token="")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_tampered_token_is_a_401(client):
    token = issue_token(OPAQUE)
    response = post_events(client, token=token[:-2] + "xx")
    assert response.status_code == 401
    assert "not valid" in response.json()["error"]
    assert nothing_stored()


def test_an_expired_token_is_a_401(client, settings, time_machine):
    time_machine.move_to("2026-01-01 08:00:00+00:00", tick=False)
    token = issue_token(OPAQUE)
    settings.LEARNER_TOKEN_TTL = 3600
    time_machine.move_to("2026-01-01 09:00:05+00:00", tick=False)
    response = post_events(client, [event(t=now_ms())], token=token)
    assert response.status_code == 401
    assert "expired" in response.json()["error"]
    assert nothing_stored()


def test_revoking_a_learner_refuses_all_their_tokens_at_once(client):
    old_tokens = [issue_token(OPAQUE) for _ in range(2)]
    other = issue_token(OTHER_OPAQUE)
    learner_tokens_revoke(tenant_id=tenant_default().pk, learner=OPAQUE)
    for token in old_tokens:
        response = post_events(client, token=token)
        assert response.status_code == 401
        assert "revoked" in response.json()["error"]
    assert nothing_stored()
    assert post_events(client, token=other).status_code == 202


def test_a_token_issued_after_revocation_works(client):
    learner_tokens_revoke(tenant_id=tenant_default().pk, learner=OPAQUE)
    assert post_events(client, token=issue_token(OPAQUE)).status_code == 202


def test_an_api_key_is_not_a_learner_token(client):
    from collector.apikeys import api_key_create

    _, key = api_key_create(name="school", tenant=tenant_default())
    assert post_events(client, token=key).status_code == 401


def test_one_token_sending_too_fast_gets_429_with_retry_after(client, settings):
    settings.INGEST_RATE_LIMIT = 3
    token = issue_token(OPAQUE)
    for _ in range(3):
        assert post_events(client, [event()], token=token).status_code == 202
    response = post_events(client, [event()], token=token)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61
    assert Event.objects.count() == 3
    other = issue_token(OTHER_OPAQUE)
    assert post_events(client, [event()], token=other).status_code == 202


def test_only_post_is_allowed(client):
    response = client.get("/api/v1/events")
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_it_corrects_clock_skew_with_sent_at(client):
    server_now = now_ms()
    skewed_clock = server_now - 3_600_000  # the device is an hour behind
    late = event(t=skewed_clock - 5_000)
    post_events(client, [late], sent_at=skewed_clock)
    stored = Event.objects.get(event_id=late["id"])
    assert stored.t == skewed_clock - 5_000
    assert abs(stored.time - (server_now - 5_000)) < 5_000


def test_it_keeps_session_figures_and_counts_out_of_order_arrivals(client):
    base = now_ms() - 60_000
    first = [event(t=base, type="session_started"), event(t=base + 10_000, type="session_resumed")]
    late = [event(t=base + 5_000, type="session_resumed")]  # arrives after a later event
    final = [event(t=base + 20_000, type="session_completed")]
    for batch in (first, late, final):
        assert post_events(client, batch).status_code == 202
    session = Session.objects.get(learner=OPAQUE, widget="BLL002", session="sess-1")
    assert session.event_count == 4
    assert session.first_time == base
    assert session.last_time == base + 20_000
    assert session.span_ms == 20_000
    assert session.out_of_order == 1
    assert session.status == "completed"


def test_out_of_order_inside_one_batch_is_counted(client):
    base = now_ms()
    post_events(client, [event(t=base + 10), event(t=base), event(t=base + 20)])
    assert Session.objects.get().out_of_order == 1


def test_a_session_shared_by_two_learners_belongs_to_each(client):
    post_events(client, [event(session="team-7")], learner=OPAQUE)
    post_events(client, [event(session="team-7"), event(session="team-7")], learner=OTHER_OPAQUE)
    counts = dict(Session.objects.filter(session="team-7").values_list("learner", "event_count"))
    assert counts == {OPAQUE: 1, OTHER_OPAQUE: 2}


def test_the_session_status_follows_the_latest_lifecycle_event(client):
    base = now_ms()
    post_events(client, [event(t=base + 100, type="session_completed")])
    post_events(client, [event(t=base, type="session_started")])  # late, but earlier in time
    assert Session.objects.get().status == "completed"
    post_events(client, [event(t=base + 200, type="session_resumed")])  # the next day, say
    assert Session.objects.get().status == "resumed"


def test_cors_preflight_is_answered_for_configured_origins_only(client, settings):
    settings.COLLECTOR_CORS_ORIGINS = ["https://dashboard.other-school.example"]
    allowed = client.options(
        "/api/v1/events", headers={"Origin": "https://dashboard.other-school.example"}
    )
    assert allowed.status_code == 204
    assert allowed["Access-Control-Allow-Origin"] == "https://dashboard.other-school.example"
    refused = client.options("/api/v1/events", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused
