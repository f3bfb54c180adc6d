"""The read side over HTTP: data requests, results, replay reads, erasure, tokens, move."""

from __future__ import annotations

import pytest

from collector.apikeys import api_key_create
from collector.datarequests import data_request_process
from collector.models import DataRequest, Event, Session
from collector.tenants import tenant_default, tenant_get_or_create
from tests.collector.helpers import OPAQUE, OTHER_OPAQUE, event, issue_token, now_ms, post_events
from tests.support.db import BOTH_DATABASES

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)


@pytest.fixture
def api_key():
    _, text = api_key_create(name="school", tenant=tenant_default())
    return text


@pytest.fixture
def auth(api_key):
    return {"Authorization": f"Bearer {api_key}"}


@pytest.fixture
def recorded(client):
    """Two learners, two sessions each, in BLL002 and TEI001."""
    base = now_ms() - 3_600_000
    for learner, offset in ((OPAQUE, 0), (OTHER_OPAQUE, 1000)):
        post_events(
            client,
            [
                event(session="s-a", t=base + offset, type="session_started"),
                event(session="s-a", t=base + offset + 60_000, type="session_completed"),
                event(session="s-b", widget="TEI001", t=base + offset + 120_000),
            ],
            learner=learner,
        )
    return base


def create(client, auth, **payload):
    body = {"kind": "sessions", "learners": [OPAQUE, OTHER_OPAQUE], **payload}
    return client.post("/api/v1/data-requests", body, content_type="application/json", headers=auth)


def test_it_creates_a_request_processing_then_done_with_results(client, auth, recorded):
    response = create(client, auth)
    assert response.status_code == 201
    created = response.json()
    assert created["status"] == "PROCESSING"
    assert response["Location"] == f"/api/v1/data-requests/{created['id']}"

    status = client.get(response["Location"], headers=auth).json()
    assert status["status"] == "PROCESSING"
    assert status["parameters"]["learners"] == sorted([OPAQUE, OTHER_OPAQUE])

    data_request_process(request_id=created["id"])
    status = client.get(response["Location"], headers=auth).json()
    assert status["status"] == "DONE"
    assert status["progress"] == 100
    assert status["result_count"] == 4

    results = client.get(f"{response['Location']}/results", headers=auth).json()
    assert results["count"] == 4
    assert results["next"] is None
    row = next(r for r in results["results"] if r["learner"] == OPAQUE and r["session"] == "s-a")
    assert row == {
        "learner": OPAQUE,
        "widget": "BLL002",
        "session": "s-a",
        "start": recorded,
        "end": recorded + 60_000,
        "duration": 60_000,
        "events": 2,
        # One minute between the two events, plus the allowance after the last one.
        "active_ms": 65_000,
        "sittings": 1,
        "work_events": 0,
        "outcome": "completed",
    }


def test_it_filters_by_widget_and_time_window(client, auth, recorded):
    from datetime import UTC, datetime

    window_start = datetime.fromtimestamp((recorded + 100_000) / 1000, tz=UTC)
    created = create(client, auth, widgets=["TEI001"], **{"from": window_start.isoformat()})
    data_request_process(request_id=created.json()["id"])
    results = client.get(f"/api/v1/data-requests/{created.json()['id']}/results", headers=auth)
    assert {(r["learner"], r["widget"]) for r in results.json()["results"]} == {
        (OPAQUE, "TEI001"),
        (OTHER_OPAQUE, "TEI001"),
    }


def test_scores_are_computed_on_the_server(client, auth, recorded):
    created = create(client, auth, kind="scores").json()
    data_request_process(request_id=created["id"])
    rows = client.get(f"/api/v1/data-requests/{created['id']}/results", headers=auth).json()
    assert rows["count"] == 4
    assert all("score" in row and "maximum" in row for row in rows["results"])


def test_results_are_paginated(client, auth, recorded):
    created = create(client, auth).json()
    data_request_process(request_id=created["id"])
    first = client.get(f"/api/v1/data-requests/{created['id']}/results?limit=3", headers=auth)
    assert len(first.json()["results"]) == 3
    assert first.json()["next"].endswith("offset=3&limit=3")
    second = client.get(first.json()["next"], headers=auth).json()
    assert len(second["results"]) == 1
    assert second["next"] is None


def test_results_before_done_are_a_409(client, auth, recorded):
    created = create(client, auth).json()
    response = client.get(f"/api/v1/data-requests/{created['id']}/results", headers=auth)
    assert response.status_code == 409
    assert "PROCESSING" in response.json()["error"]


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"kind": "everything"}, "'kind'"),
        ({"learners": []}, "'learners'"),
        ({"learners": [""]}, "opaque learner id"),
        ({"learners": ["x" * 65]}, "opaque learner id"),
        ({"widgets": ["XYZ"]}, "Unknown widget"),
        ({"widgets": "BLL002"}, "'widgets'"),
        ({"from": "last tuesday"}, "ISO-8601"),
        ({"from": "2026-01-01T00:00:00"}, "time zone"),
        ({"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "earlier than"),
    ],
)
def test_it_refuses_malformed_requests_with_a_clear_400(client, auth, payload, fragment):
    response = create(client, auth, **payload)
    assert response.status_code == 400
    assert fragment in response.json()["error"]
    assert DataRequest.objects.count() == 0


def test_the_read_side_refuses_learner_tokens_and_bad_keys(client, recorded):
    token = issue_token(OPAQUE)
    for credential in (token, "plk_nope_nope", "garbage", ""):
        response = create(client, {"Authorization": f"Bearer {credential}"})
        assert response.status_code == 401
    assert create(client, {}).status_code == 401


def test_a_revoked_api_key_is_refused(client, recorded):
    from django.utils import timezone

    key, text = api_key_create(name="old", tenant=tenant_default())
    key.revoked_at = timezone.now()
    key.save()
    assert create(client, {"Authorization": f"Bearer {text}"}).status_code == 401


def test_another_tenants_api_key_cannot_see_a_request(client, auth, recorded):
    created = create(client, auth).json()
    _, other = api_key_create(name="other school", tenant=tenant_get_or_create(name="other"))
    for path in ("", "/results"):
        response = client.get(
            f"/api/v1/data-requests/{created['id']}{path}",
            headers={"Authorization": f"Bearer {other}"},
        )
        assert response.status_code == 404


def test_another_key_of_the_same_tenant_can_read_a_request_so_keys_can_be_replaced(
    client, auth, recorded
):
    created = create(client, auth).json()
    _, replacement = api_key_create(name="new key", tenant=tenant_default())
    response = client.get(
        f"/api/v1/data-requests/{created['id']}",
        headers={"Authorization": f"Bearer {replacement}"},
    )
    assert response.status_code == 200


def test_it_returns_a_sessions_events_in_time_order_with_ingest_quality(client, auth):
    base = now_ms()
    post_events(client, [event(session="r1", t=base + 20), event(session="r1", t=base)])
    post_events(client, [event(session="r1", t=base + 10)])
    response = client.get(f"/api/v1/sessions/r1/events?learner={OPAQUE}", headers=auth)
    assert response.status_code == 200
    body = response.json()
    assert [e["t"] for e in body["events"]] == [base, base + 10, base + 20]
    assert body["sessions"][0]["out_of_order"] == 2
    assert body["sessions"][0]["events"] == 3


def test_reading_an_unknown_session_is_a_404(client, auth):
    response = client.get(f"/api/v1/sessions/none/events?learner={OPAQUE}", headers=auth)
    assert response.status_code == 404
    missing = client.get("/api/v1/sessions/none/events", headers=auth)
    assert missing.status_code == 400


def test_it_erases_a_learner_and_revokes_their_tokens(client, auth, recorded):
    token = issue_token(OPAQUE)
    response = client.delete(f"/api/v1/learners/{OPAQUE}", headers=auth)
    assert response.status_code == 200
    assert response.json()["events_deleted"] == 3
    assert not Event.objects.filter(learner=OPAQUE).exists()
    assert not Session.objects.filter(learner=OPAQUE).exists()
    assert Event.objects.filter(learner=OTHER_OPAQUE).count() == 3
    assert post_events(client, token=token).status_code == 401


def test_it_issues_and_revokes_learner_tokens_for_the_school_side(client, auth):
    issued = client.post(
        "/api/v1/learner-tokens", {"learner": OPAQUE}, content_type="application/json", headers=auth
    )
    assert issued.status_code == 201
    token = issued.json()["token"]
    assert post_events(client, token=token).status_code == 202
    revoked = client.post(f"/api/v1/learners/{OPAQUE}/revoke", headers=auth)
    assert revoked.status_code == 200
    assert post_events(client, token=token).status_code == 401


def test_it_moves_a_learners_events_to_a_new_opaque_id(client, auth, recorded):
    new_id = "2d" * 16
    response = client.post(
        f"/api/v1/learners/{OPAQUE}/move",
        {"to": new_id},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 200
    assert response.json() == {"events_moved": 3}
    assert Event.objects.filter(learner=new_id).count() == 3
    assert Session.objects.filter(learner=new_id).count() == 2
    same = client.post(
        f"/api/v1/learners/{new_id}/move",
        {"to": new_id},
        content_type="application/json",
        headers=auth,
    )
    assert same.status_code == 400


def test_the_openapi_document_lists_every_endpoint(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    api = {path for path, item in document["paths"].items() if "servers" not in item}
    servers = {
        path: item["servers"][0]["url"]
        for path, item in document["paths"].items()
        if "servers" in item
    }
    xapi = {path for path, server in servers.items() if server == "/xapi"}
    assert xapi == {"/about", "/statements", "/activities/state"}  # under their server, /xapi
    rage = {path for path, server in servers.items() if server == "/api/collector"}
    assert rage == {"/start/{trackingCode}", "/track"}  # the RAGE collector's own paths
    segment = {path for path, server in servers.items() if server == "/segment"}
    assert segment == {"/v1/batch", "/v1/track", "/v1/page", "/v1/identify"}  # Segment-style
    metacx = {path for path, server in servers.items() if server == "/"}
    assert metacx == {"/metacx/getToken", "/metacx/events"}  # whole paths, under the root
    assert set(servers) == xapi | rage | segment | metacx
    assert api == {
        "/events",
        "/data-requests",
        "/data-requests/{id}",
        "/data-requests/{id}/results",
        "/data-requests/{id}/other-attempts",
        "/sessions/{session}/events",
        "/sessions/{session}/statements",
        "/learners/{learner}",
        "/learners/{learner}/revoke",
        "/learners/{learner}/move",
        "/learners/{learner}/attempt-statements",
        "/learners/session-counts",
        "/learners/live",
        "/learners/other-activities",
        "/quarantine",
        "/learner-tokens",
    }


@pytest.mark.parametrize("moment", ["2025-02-30T00:00:00+00:00", "0001-01-01T00:00:00+01:00"])
def test_a_well_formed_but_impossible_moment_is_a_400(client, auth, moment):
    response = create(client, auth, **{"from": moment})
    assert response.status_code == 400
    assert response.json()["field"] == "from"


def test_a_moment_with_any_iso_offset_is_taken_as_the_same_instant(client, auth):
    # PostgreSQL refuses to store an offset past ±15:59; ISO 8601 allows up to ±23:59.
    response = create(client, auth, **{"from": "2025-03-01T22:12:00+22:12"})
    assert response.status_code == 201, response.content
    stored = DataRequest.objects.get(pk=response.json()["id"])
    assert stored.time_from.isoformat() == "2025-03-01T00:00:00+00:00"
