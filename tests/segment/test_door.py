"""The Segment-style door: /segment/v1/batch, /track, /page, /identify with a write key."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from collector.apikeys import api_key_create
from collector.models import Event, Learner, Session, Tenant
from collector.segment.mapping import message_uuid
from collector.segment.models import SegmentWriteKey
from collector.tenants import tenant_default
from collector.xapi import iris
from collector.xapi.models import Statement
from collector.xapi.other import other_activities_of
from tests.collector.helpers import OPAQUE
from tests.segment.helpers import basic, post, track, widget_track, write_key

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])


@pytest.fixture
def key() -> str:
    return write_key()


def test_it_stores_a_widget_track_as_an_event_once(client, key):
    message = widget_track()
    for _ in range(2):
        response = post(client, key, {"batch": [message, message]})
        assert response.status_code == 200, response.content
        assert response.json() == {"success": True}
    event = Event.objects.get()
    assert str(event.event_id) == message_uuid(tenant_default().pk, message["messageId"])
    assert (event.learner, event.widget, event.type, event.session) == (
        OPAQUE, "BLL002", "weight_placed", "seg-1",
    )  # fmt: skip
    assert event.data == {"peg": 2, "mass": 1}
    session = Session.objects.get()
    assert (session.event_count, session.duplicates) == (1, 3)  # the batch's twin counted too
    assert Learner.objects.filter(opaque_id=OPAQUE).exists()
    assert not Statement.objects.exists()


def test_it_stores_other_tracks_and_pages_as_other_activities(client, key):
    quiz = track("Quiz Submitted", activity="https://content.example/quiz-7", scaled_score=0.8,
                 completed=True, passed=True, session="attempt-1")  # fmt: skip
    page = {
        "type": "page",
        "messageId": "page-1",
        "userId": OPAQUE,
        "name": "Fractions",
        "properties": {"url": "https://school.example/fractions?email=ada@school.example#top"},
    }
    assert post(client, key, {"batch": [quiz, page]}).status_code == 200
    assert post(client, key, {"batch": [quiz, page]}).status_code == 200
    activities = {row.activity: row for row in Statement.objects.all()}
    assert set(activities) == {"https://content.example/quiz-7", "https://school.example/fractions"}
    assert all(row.widget == "" and row.learner == OPAQUE for row in activities.values())
    measures = {
        row["activity"]: row
        for row in other_activities_of({"learners": [OPAQUE]}, tenant_id=tenant_default().pk)
    }
    quiz_measures = measures["https://content.example/quiz-7"]
    assert (quiz_measures["best_score"], quiz_measures["completed"], quiz_measures["passed"]) == (
        0.8, True, True,
    )  # fmt: skip
    assert measures["https://school.example/fractions"]["name"] == "Fractions"
    assert "ada@school.example" not in json.dumps([row.body for row in activities.values()])


def test_it_takes_single_messages_at_their_own_urls(client, key):
    message = widget_track("session_started")
    del message["type"]
    assert post(client, key, message, "track").status_code == 200
    page = {"messageId": "p-1", "userId": OPAQUE, "name": "Home"}
    assert post(client, key, page, "page").status_code == 200
    identify = {"messageId": "i-1", "userId": OPAQUE, "traits": {"grade": 7}}
    assert post(client, key, identify, "identify").status_code == 200
    assert Event.objects.count() == 1 and Statement.objects.count() == 1
    wrong = post(client, key, {**page, "type": "track"}, "page")
    assert wrong.status_code == 400 and wrong.json()["field"] == "/type"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"userId": None, "anonymousId": "a-1"}, "/batch/1/userId"),
        ({"userId": "ada.lovelace@school.example"}, "/batch/1/userId"),
        ({"userId": "Ada Lovelace"}, "/batch/1/userId"),
        ({"messageId": None}, "/batch/1/messageId"),
        ({"type": "shout"}, "/batch/1/type"),
        ({"timestamp": "yesterday"}, "/batch/1/timestamp"),
        ({"event": "no_such_type"}, "/batch/1/event"),
        ({"properties": {"widget": "BLL002", "session": "s", "peg": 9, "mass": 1}},
         "/batch/1/properties/peg"),
        ({"properties": {"widget": "BLL002"}}, "/batch/1/properties/session"),
        ({"properties": {"scaled_score": 3}}, "/batch/1/properties/scaled_score"),
        ({"event": "Started", "properties": {"completed": "yes"}}, "/batch/1/properties/completed"),
        ({"type": "identify", "traits": {"email": "ada@school.example"}}, "/batch/1/traits/email"),
        ({"type": "identify", "traits": {"first_name": "Ada"}}, "/batch/1/traits/first_name"),
        ({"context": {"traits": {"lastName": "Lovelace"}}}, "/batch/1/context/traits/lastName"),
        ({"event": "a\u0000b"}, "/batch/1/event"),
        ({"type": "page", "context": {"page": {"url": "https://x.example/\ud800"}}},
         "/batch/1/context/page/url"),
    ],
)  # fmt: skip
def test_it_refuses_a_bad_message_naming_its_field_and_stores_nothing(client, key, change, field):
    bad = {**widget_track(), **change}
    bad = {name: value for name, value in bad.items() if value is not None}
    response = post(client, key, {"batch": [widget_track("session_started"), bad]})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["field"] == field
    assert body["error"].startswith(field) and body["message"] == body["error"]
    assert not Event.objects.exists() and not Statement.objects.exists()
    assert not Learner.objects.exists()


def test_it_keeps_the_first_message_of_an_id_as_segment_does(client, key):
    first = widget_track()
    assert post(client, key, {"batch": [first]}).status_code == 200
    changed = {**first, "properties": {**first["properties"], "peg": 3}}
    beside = widget_track("session_started")
    assert post(client, key, {"batch": [beside, changed]}).status_code == 200
    assert post(client, key, {"batch": [first, changed]}).status_code == 200
    assert sorted(Event.objects.values_list("type", flat=True)) == [
        "session_started", "weight_placed",
    ]  # fmt: skip
    assert Event.objects.get(type="weight_placed").data["peg"] == 2
    assert Session.objects.get().duplicates == 1  # the identical resend, counted once
    twins = [{**track("Read"), "messageId": "x"}, {**track("Watched"), "messageId": "x"}]
    assert post(client, key, {"batch": twins}).status_code == 200
    assert list(Statement.objects.values_list("verb", flat=True)) == [
        f"{iris.site()}/segment/events/Read"
    ]


def test_it_keeps_segments_size_limits(client, key):
    big = track("Read", note="x" * 33_000)
    response = post(client, key, {"batch": [big]})
    assert response.status_code == 400 and response.json()["field"] == "/batch/0"
    many = [track("Read", note="x" * 30_000) for _ in range(18)]
    response = post(client, key, {"batch": many})
    assert response.status_code == 400 and "500 KB" in response.json()["error"]
    assert not Statement.objects.exists()


def test_it_answers_401_for_a_missing_wrong_or_revoked_key(client, key):
    body = {"batch": [widget_track()]}
    missing = client.post("/segment/v1/batch", json.dumps(body), content_type="application/json")
    assert missing.status_code == 401 and "write key" in missing.json()["error"]
    assert missing["WWW-Authenticate"].startswith("Basic")
    assert post(client, "sgk_nope", body).status_code == 401
    SegmentWriteKey.objects.filter(key=key).update(revoked=timezone.now())
    revoked = post(client, key, body)
    assert revoked.status_code == 401 and "revoked" in revoked.json()["error"]
    assert not Event.objects.exists()


def test_it_keeps_tenants_apart(client, key):
    other = Tenant.objects.create(name="riverside")
    message = widget_track()
    assert post(client, key, {"batch": [message]}).status_code == 200
    assert post(client, write_key(other), {"batch": [message]}).status_code == 200
    assert sorted(Event.objects.values_list("tenant_id", flat=True)) == sorted(
        [tenant_default().pk, other.pk]
    )


def test_it_answers_json_for_other_methods_and_unknown_paths(client, key):
    response = client.get("/segment/v1/batch", headers={"Authorization": basic(key)})
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert client.post("/segment/v1/screen").json()["error"]


def test_its_learners_can_be_erased_through_the_api(client, key):
    page = {**track(), "type": "page", "name": "Home"}
    assert post(client, key, {"batch": [widget_track(), page]}).status_code == 200
    _, api_key = api_key_create(name="school", tenant=tenant_default())
    erased = client.delete(
        f"/api/v1/learners/{OPAQUE}", headers={"Authorization": f"Bearer {api_key}"}
    )
    assert erased.status_code == 200, erased.content
    assert not Event.objects.exists() and not Statement.objects.exists()


def test_sent_at_corrects_the_devices_clock_as_sent_at_does(client, key):
    # The device's clock is an hour ahead: it stamped the message and the batch with its time.
    ahead = timezone.now() + timedelta(hours=1)
    message = {**widget_track(), "timestamp": ahead.isoformat()}
    body = {"batch": [message], "sentAt": ahead.isoformat()}
    assert post(client, key, body).status_code == 200
    event = Event.objects.get()
    assert event.t - event.time == pytest.approx(3_600_000, abs=5_000)
