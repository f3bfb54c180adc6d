"""The MetaCX-style door through Django's test client: tokens, the two kinds of eventKey, the
idempotency keys, and refusals that name the field and store nothing."""

from __future__ import annotations

import pytest
from django.core import signing
from django.utils import timezone

from collector.apikeys import api_key_create
from collector.metacx import access
from collector.metacx.mapping import activity_of
from collector.models import ApiKey, Event, Session
from collector.tenants import tenant_default, tenant_get_or_create
from collector.xapi.models import Statement
from collector.xapi.other import other_activities_of
from tests.collector.helpers import OPAQUE, now_ms
from tests.metacx.helpers import access_token, client_credentials, other_object, post, widget_object

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])


@pytest.fixture
def token(client) -> str:
    return access_token(client)


def test_it_trades_an_api_key_for_a_day_long_bearer_token(client):
    response = client.post(
        "/metacx/getToken", client_credentials(), content_type="application/json"
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["expiresIn"] == 86400 and answer["tokenType"] == "Bearer"
    assert answer["scope"] and answer["accessToken"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 400, "clientId"),
        ({"clientId": "plk_x"}, 400, "clientSecret"),
        ({"clientId": 3, "clientSecret": "s"}, 400, "clientId"),
        ({"clientId": "someone", "clientSecret": "s"}, 401, None),
        ({"clientId": "plk_000000000000", "clientSecret": "wrong"}, 401, None),
    ],
)
def test_it_refuses_missing_or_wrong_credentials_clearly(client, body, status, field):
    response = client.post("/metacx/getToken", body, content_type="application/json")
    assert response.status_code == status
    assert response.json()["error"]
    assert response.json().get("field") == field


def test_a_wrong_secret_is_a_401(client):
    credentials = {**client_credentials(), "clientSecret": "not-the-secret"}
    response = client.post("/metacx/getToken", credentials, content_type="application/json")
    assert response.status_code == 401
    assert "not a valid API key" in response.json()["error"]


def test_widget_events_become_events_and_sessions(client, token):
    t = now_ms()
    started = post(
        client,
        {"eventKey": "session_started", "data": [widget_object(eventDate=t)]},
        token,
    )
    assert started.status_code == 202
    assert started.json()["requestId"]
    predicted = post(
        client,
        {
            "eventKey": "prediction_made",
            "data": [widget_object(eventDate=t + 1000, answer="left", idempotencyKey="p-1")],
        },
        token,
    )
    assert predicted.status_code == 202, predicted.content
    events = list(Event.objects.order_by("t").values_list("type", "data", "t", "learner"))
    assert events == [
        ("session_started", {}, t, OPAQUE),
        ("prediction_made", {"answer": "left"}, t + 1000, OPAQUE),
    ]
    session = Session.objects.get()
    assert (session.widget, session.session, session.event_count) == ("BLL002", "mcx-1", 2)


def test_other_keys_become_an_activity_with_generic_measures(client, token):
    body = {"eventKey": "course_quiz", "data": [other_object(completed=True, attempt=2)]}
    assert post(client, body, token).status_code == 202
    statement = Statement.objects.get()
    assert statement.activity == activity_of("course_quiz") and statement.widget == ""
    [measures] = other_activities_of({"learners": [OPAQUE]}, tenant_id=tenant_default().pk)
    assert measures["name"] == "Course quiz"
    assert (measures["completed"], measures["passed"], measures["best_score"]) == (True, True, 0.8)
    assert not Event.objects.exists()


def test_a_repeated_idempotency_key_is_received_but_not_processed_again(client, token):
    first = widget_object(idempotencyKey="k-1")
    assert post(client, {"eventKey": "session_started", "data": [first]}, token).status_code == 202
    # Sent again (a retry: no eventDate, so "now" differs) and within one request twice.
    again = {"eventKey": "session_started", "data": [first, first, widget_object()]}
    assert post(client, again, token).status_code == 202
    assert Event.objects.count() == 2
    assert Session.objects.get().event_count == 2
    other = {"eventKey": "course_quiz", "data": [other_object(idempotencyKey="k-1")]}
    for _ in range(2):  # the same key under another eventKey is another object
        assert post(client, other, token).status_code == 202
    assert Statement.objects.filter(widget="").count() == 1


def test_each_tenant_has_its_own_idempotency_keys_and_learners(client, token):
    other_token = access_token(client, tenant_get_or_create(name="school B"))
    body = {"eventKey": "course_quiz", "data": [other_object(idempotencyKey="same")]}
    assert post(client, body, token).status_code == 202
    assert post(client, body, other_token).status_code == 202
    tenants = Statement.objects.values_list("tenant_id", flat=True)
    assert len(set(tenants)) == 2
    b = tenant_get_or_create(name="school B").pk
    assert len(other_activities_of({"learners": [OPAQUE]}, tenant_id=b)) == 1


def test_1000_objects_are_taken_and_1001_or_none_refused(client, token):
    many = [widget_object(eventDate=now_ms() + i) for i in range(1000)]
    assert post(client, {"eventKey": "session_started", "data": many}, token).status_code == 202
    assert Event.objects.count() == 1000
    for data in ([*many, widget_object()], []):
        response = post(client, {"eventKey": "session_started", "data": data}, token)
        assert response.status_code == 400
        assert response.json()["field"] == "/data"
    assert Event.objects.count() == 1000


@pytest.mark.parametrize(
    ("event_key", "problem"),
    [
        ("a:b", "':' or '.'"),
        ("v1.quiz", "':' or '.'"),
        ("$identify", "'$'"),
        ("", "1 to 64"),
        ("x" * 65, "1 to 64"),
        (7, "1 to 64"),
        ("line\nbreak", "control"),
        (None, "Required"),
    ],
)
def test_bad_event_keys_are_refused(client, token, event_key, problem):
    response = post(client, {"eventKey": event_key, "data": [other_object()]}, token)
    assert response.status_code == 400
    assert response.json()["field"] == "/eventKey"
    assert problem in response.json()["error"]


@pytest.mark.parametrize("field", ["eventKey", "type", "eventType"])
def test_a_body_mixing_event_types_is_refused_whole(client, token, field):
    data = [widget_object(), widget_object(**{field: "session_completed"})]
    response = post(client, {"eventKey": "session_started", "data": data}, token)
    assert response.status_code == 400
    assert response.json()["field"] == f"/data/1/{field}"
    assert "One event type per request" in response.json()["error"]
    assert not Event.objects.exists() and not Statement.objects.exists()
    # Repeating the request's own type is allowed.
    data = [widget_object(type="session_started")]
    assert post(client, {"eventKey": "session_started", "data": data}, token).status_code == 202


@pytest.mark.parametrize(
    ("event_key", "bad", "field"),
    [
        ("session_started", {"eventDate": "yesterday"}, "/data/3/eventDate"),
        ("session_started", {"eventDate": 12}, "/data/3/eventDate"),
        ("session_started", {"learner": ""}, "/data/3/learner"),
        ("session_started", {"widget": "nope"}, "/data/3/widget"),
        ("session_started", {"session": "a b"}, "/data/3/session"),
        ("prediction_made", {"answer": "sideways"}, "/data/3/answer"),
        ("prediction_made", {"answer": ...}, "/data/3"),  # ...: left out
        ("step_viewed", {"widget": "BLL002"}, "/data/3/widget"),  # not one of BLL002's types
        ("course_quiz", {"score": 2}, "/data/3/score"),
        ("course_quiz", {"passed": "yes"}, "/data/3/passed"),
        ("course_quiz", {"idempotencyKey": 5}, "/data/3/idempotencyKey"),
        ("course_quiz", {"note": "bad\u0000text"}, "/data/3/note"),
    ],
)
def test_one_bad_object_refuses_the_request_naming_its_field(client, token, event_key, bad, field):
    good = {
        "prediction_made": widget_object(answer="left"),
        "step_viewed": widget_object(widget="chernoff_tutorial", step="explore_size"),
        "course_quiz": other_object(),
    }.get(event_key, widget_object())
    objects = [dict(good) for _ in range(5)]
    objects[3] = {key: value for key, value in {**objects[3], **bad}.items() if value is not ...}
    response = post(client, {"eventKey": event_key, "data": objects}, token)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field, response.json()
    assert response.json()["error"].startswith(field)
    assert not Event.objects.exists() and not Statement.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"name": "Ada Lovelace"}, "/data/0/name"),
        ({"userId": "S-77"}, "/data/0/userId"),
        ({"email": "x"}, "/data/0/email"),
        ({"first_name": "Ada"}, "/data/0/first_name"),
        ({"LastName": "L"}, "/data/0/LastName"),
        ({"phone": "555"}, "/data/0/phone"),
        ({"meta": {"user": {"id": 1}}}, "/data/0/meta/user"),
        ({"note": "mail ada@school.example now"}, "/data/0/note"),
        ({"learner": "ada@school.example"}, "/data/0/learner"),
    ],
)
def test_a_real_identity_is_refused_naming_its_field(client, token, extra, field):
    response = post(client, {"eventKey": "course_quiz", "data": [other_object(**extra)]}, token)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert not Statement.objects.exists()


def test_the_body_must_be_the_documented_object(client, token):
    for body, field in (([], ""), ({"eventKey": "x", "data": [{}], "extra": 1}, "/extra")):
        response = post(client, body, token)
        assert response.status_code == 400
        assert response.json()["field"] == field
    assert post(client, {"eventKey": "x", "data": [3]}, token).json()["field"] == "/data/0"
    response = client.post(
        "/metacx/events", b"{", content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert response.status_code == 400


def _events(client, authorization: str | None):
    headers = {"Authorization": authorization} if authorization else {}
    body = {"eventKey": "course_quiz", "data": [other_object()]}
    return client.post("/metacx/events", body, content_type="application/json", headers=headers)


def test_a_missing_forged_or_foreign_token_is_a_401(client, token):
    learner_token = signing.dumps({"sub": OPAQUE, "iat": now_ms(), "ten": 1}, salt="other")
    forged = signing.dumps({"key": 1, "ten": 1}, salt=access.SALT, key="not-our-secret-key")
    _, api_key = api_key_create(name="x", tenant=tenant_default())
    for authorization in (None, "Bearer", f"Bearer {learner_token}", f"Bearer {forged}",
                          f"Bearer {api_key}", f"Basic {token}"):  # fmt: skip
        response = _events(client, authorization)
        assert response.status_code == 401, authorization
        assert "getToken" in response.json()["error"]
        assert response["WWW-Authenticate"]
    assert not Statement.objects.exists()


class _Yesterday(signing.TimestampSigner):
    def timestamp(self) -> str:
        return signing.b62_encode(int(timezone.now().timestamp()) - access.TTL_SECONDS - 1)


def test_an_expired_token_is_a_401_saying_so(client, token):
    claims = signing.loads(token, salt=access.SALT)
    expired = _Yesterday(salt=access.SALT).sign_object(claims, compress=True)
    response = _events(client, f"Bearer {expired}")
    assert response.status_code == 401
    assert "expired" in response.json()["error"]


def test_revoking_the_api_key_refuses_its_tokens(client, token):
    assert _events(client, f"Bearer {token}").status_code == 202
    ApiKey.objects.update(revoked_at=timezone.now())
    response = _events(client, f"Bearer {token}")
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]


def test_other_methods_and_urls_are_answered_as_json(client, token):
    for url in ("/metacx/events", "/metacx/getToken"):
        response = client.get(url)
        assert response.status_code == 405 and response.json()["error"]
    response = client.post("/metacx/track", {}, content_type="application/json")
    assert response.status_code == 404 and response.json()["error"]


@pytest.mark.parametrize("depth", [40, 950])
def test_a_field_nested_too_deeply_is_a_400_not_a_crash(client, token, depth):
    """Python's parser reads about 990 levels; the checks after it are not to crash on them."""
    nested = "[" * depth + "]" * depth
    body = f'{{"eventKey": "x", "data": [{{"learner": "{OPAQUE}", "deep": {nested}}}]}}'
    response = client.post(
        "/metacx/events",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert response.json()["field"].startswith("/data/0/deep/0/0")
    assert "Nested too deeply" in response.json()["error"]
