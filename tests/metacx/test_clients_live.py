"""A small MetaCX-style client, written as such a client is (requests, a bearer token fetched
once, retries of 5xx with exponential backoff), against a live server: only its base URL and
credentials say it is talking to Pathlens."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from django.core import signing

from collector.metacx import access
from collector.models import Event, Session, SessionStatus
from collector.tenants import tenant_get_or_create
from collector.xapi.models import Statement
from tests.collector.helpers import OPAQUE, OTHER_OPAQUE, now_ms
from tests.metacx.helpers import client_credentials

pytestmark = pytest.mark.django_db(databases=["default", "analytics"], transaction=True)


class MetaCxClient:
    """What a MetaCX-style SDK does: getToken, then POST /events with the bearer token; a 5xx
    (or a lost connection) is retried with exponential backoff, the same body each time."""

    def __init__(self, base_url: str, client_id: str, client_secret: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = {"clientId": client_id, "clientSecret": client_secret}
        self.session = requests.Session()
        self.token: str | None = None
        self.tries = 0

    def get_token(self) -> dict[str, Any]:
        response = self.session.post(f"{self.base_url}/getToken", json=self.credentials, timeout=30)
        response.raise_for_status()
        answer = response.json()
        self.token = answer["accessToken"]
        return answer

    def send(self, event_key: str, data: list[dict[str, Any]], retries: int = 4):
        if self.token is None:
            self.get_token()
        for attempt in range(retries + 1):
            self.tries += 1
            try:
                response = self.session.post(
                    f"{self.base_url}/events",
                    json={"eventKey": event_key, "data": data},
                    headers={"Authorization": f"Bearer {self.token}"},
                    timeout=60,
                )
            except requests.ConnectionError:
                if attempt == retries:
                    raise
            else:
                if response.status_code < 500 or attempt == retries:
                    return response
            time.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")


@pytest.fixture
def metacx(live_server) -> Iterator[MetaCxClient]:
    credentials = client_credentials()
    client = MetaCxClient(f"{live_server.url}/metacx", **_named(credentials))
    with client.session:
        yield client


def _named(credentials: dict[str, str]) -> dict[str, str]:
    return {"client_id": credentials["clientId"], "client_secret": credentials["clientSecret"]}


def _session_objects(learner: str = OPAQUE, session: str = "live-1") -> dict[str, list[dict]]:
    t = now_ms()
    common = {"learner": learner, "widget": "BLL002", "session": session}
    return {
        "session_started": [{**common, "eventDate": t, "idempotencyKey": f"{session}-start"}],
        "prediction_made": [
            {**common, "eventDate": t + 2000, "idempotencyKey": f"{session}-p", "answer": "left"}
        ],
        "session_completed": [
            {**common, "eventDate": t + 5000, "idempotencyKey": f"{session}-end"}
        ],
    }


def test_a_client_records_a_session_once_however_often_it_retries(metacx):
    answer = metacx.get_token()
    assert (answer["expiresIn"], answer["tokenType"]) == (86400, "Bearer")
    for _ in range(2):  # the whole sequence again: what a client does when answers are lost
        for event_key, data in _session_objects().items():
            response = metacx.send(event_key, data)
            assert response.status_code == 202, response.text
            assert response.json()["requestId"]
    assert Event.objects.count() == 3
    session = Session.objects.get()
    assert (session.event_count, session.status, session.duplicates) == (
        3,
        SessionStatus.COMPLETED,
        0,
    )
    quiz = [
        {"learner": OPAQUE, "score": 0.9, "passed": True, "idempotencyKey": "q-1"},
        {"learner": OTHER_OPAQUE, "score": 0.4, "completed": True, "idempotencyKey": "q-2"},
    ]
    for _ in range(3):
        assert metacx.send("unit_quiz", quiz).status_code == 202
    assert Statement.objects.filter(widget="").count() == 2


def test_1000_events_are_taken_and_1001_refused(metacx):
    t = now_ms()
    many = [
        {"learner": OPAQUE, "eventDate": t + i, "step": i, "idempotencyKey": f"n-{i}"}
        for i in range(1001)
    ]
    assert metacx.send("page_viewed", many[:1000]).status_code == 202
    assert Statement.objects.count() == 1000
    refused = metacx.send("page_viewed", many)
    assert refused.status_code == 400
    assert refused.json()["field"] == "/data"
    assert Statement.objects.count() == 1000


def test_a_mixed_body_and_bad_event_keys_are_refused(metacx):
    common = {"learner": OPAQUE, "widget": "BLL002", "session": "mix"}
    mixed = [{**common}, {**common, "eventKey": "session_completed"}]
    response = metacx.send("session_started", mixed)
    assert response.status_code == 400
    assert response.json()["field"] == "/data/1/eventKey"
    for event_key in ("a.b", "a:b", "$track"):
        response = metacx.send(event_key, [{"learner": OPAQUE}])
        assert response.status_code == 400
        assert response.json()["field"] == "/eventKey"
    assert not Statement.objects.exists() and not Event.objects.exists()


class _Yesterday(signing.TimestampSigner):
    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time()) - access.TTL_SECONDS - 1)


def test_an_expired_or_forged_token_is_a_401(metacx):
    metacx.get_token()
    claims = signing.loads(metacx.token, salt=access.SALT)
    good = metacx.token
    for token, word in (
        (_Yesterday(salt=access.SALT).sign_object(claims), "expired"),
        (good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB"), "not valid"),
        (signing.dumps(claims, salt=access.SALT, key="guessed"), "not valid"),
    ):
        metacx.token = token
        response = metacx.send("unit_quiz", [{"learner": OPAQUE}])
        assert response.status_code == 401
        assert word in response.json()["error"]
    assert not Statement.objects.exists()
    wrong = MetaCxClient(metacx.base_url, metacx.credentials["clientId"], "not-the-secret")
    with pytest.raises(requests.HTTPError):
        wrong.get_token()


def test_tenants_do_not_share_keys_learners_or_statements(live_server, metacx):
    school_b = tenant_get_or_create(name="school B")
    other = MetaCxClient(f"{live_server.url}/metacx", **_named(client_credentials(school_b)))
    with other.session:
        for client in (metacx, other):
            for event_key, data in _session_objects().items():
                assert client.send(event_key, data).status_code == 202
    assert Event.objects.filter(tenant=school_b).count() == 3
    assert Event.objects.exclude(tenant=school_b).count() == 3
    assert Session.objects.count() == 2  # one per tenant, though the same ids were sent


def test_retries_racing_each_other_store_each_key_once(metacx):
    """A client whose first try timed out retries while the first is still being stored: both
    are answered 202 and each key is stored once (no eventDate: the tries' contents differ)."""
    metacx.get_token()
    data = [
        {"learner": OPAQUE, "widget": "BLL002", "session": "race", "idempotencyKey": f"r-{i}"}
        for i in range(50)
    ]

    def one_try(_: int) -> requests.Response:
        racer = MetaCxClient(metacx.base_url, **_named(metacx.credentials))  # its own connection
        racer.token = metacx.token
        with racer.session:  # closed, so that the server's thread ends with its connections
            return racer.send("session_started", data)

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(one_try, range(4)))
    assert [answer.status_code for answer in answers] == [202] * 4, [a.text for a in answers]
    assert Event.objects.count() == 50
    assert Session.objects.get().event_count == 50
