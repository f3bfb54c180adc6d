"""Tenancy over learner data: two schools' API keys, one opaque id, and nothing crosses.

School A records a learner through its own key (token minted by A). School B is given A's
opaque id and tries everything the issue reproduced: read the events, run data requests, mint a
token and write, move, revoke, erase, reuse an event id. B gets 404 for everything that is A's,
and what B does with the same opaque id happens in B's own namespace, never to A's learner.
"""

from __future__ import annotations

import pytest
from django.core import signing

from collector.apikeys import api_key_create
from collector.datarequests import data_request_process
from collector.models import Event, Learner, Session
from collector.summaries import sessions_summarise
from collector.tenants import tenant_default, tenant_get_or_create
from collector.tokens import SALT
from tests.collector.helpers import OPAQUE, event, now_ms, post_events
from tests.support.db import BOTH_DATABASES

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)


class School:
    """A tenant with one API key, talking to the collector over HTTP as a remote dashboard."""

    def __init__(self, client, name: str) -> None:
        self.client = client
        self.tenant = tenant_get_or_create(name=name)
        _, self.key = api_key_create(name=f"{name} dashboard", tenant=self.tenant)

    def send(self, method: str, path: str, payload: dict | None = None):
        headers = {"Authorization": f"Bearer {self.key}"}
        url = f"/api/v1{path}"
        if method == "GET":
            return self.client.get(url, headers=headers)
        if method == "DELETE":
            return self.client.delete(url, headers=headers)
        return self.client.post(
            url, payload or {}, content_type="application/json", headers=headers
        )

    def token(self, learner: str = OPAQUE) -> str:
        response = self.send("POST", "/learner-tokens", {"learner": learner})
        assert response.status_code == 201, response.content
        return response.json()["token"]

    def results(self, kind: str, learners: list[str]) -> list[dict]:
        created = self.send("POST", "/data-requests", {"kind": kind, "learners": learners})
        assert created.status_code == 201, created.content
        data_request_process(request_id=created.json()["id"])
        return self.send("GET", f"/data-requests/{created.json()['id']}/results").json()["results"]


@pytest.fixture
def school_a(client):
    return School(client, "school-a")


@pytest.fixture
def school_b(client):
    return School(client, "school-b")


@pytest.fixture
def recorded(client, school_a) -> list[dict]:
    """A's learner OPAQUE: three events in session s-1, sent with a token A minted."""
    base = now_ms() - 60_000
    events = [event(session="s-1", t=base + i * 1000) for i in range(3)]
    assert post_events(client, events, token=school_a.token()).status_code == 202
    return events


def test_another_tenant_cannot_read_a_learners_events(school_a, school_b, recorded):
    path = f"/sessions/s-1/events?learner={OPAQUE}"
    assert school_a.send("GET", path).status_code == 200
    response = school_b.send("GET", path)
    assert response.status_code == 404
    assert OPAQUE not in response.content.decode()


@pytest.mark.parametrize("kind", ["sessions", "scores"])
def test_another_tenants_data_requests_find_none_of_a_learners_sessions(
    school_a, school_b, recorded, kind
):
    assert len(school_a.results(kind, [OPAQUE])) == 1
    assert school_b.results(kind, [OPAQUE]) == []


def test_another_tenant_sees_no_sessions_in_the_counts(school_a, school_b, recorded):
    counts = {"learners": [OPAQUE]}
    assert school_a.send("POST", "/learners/session-counts", counts).json() == {
        "counts": {OPAQUE: 1}
    }
    assert school_b.send("POST", "/learners/session-counts", counts).json() == {
        "counts": {OPAQUE: 0}
    }


def test_a_token_minted_by_another_tenant_writes_into_that_tenant_never_as_the_learner(
    client, school_a, school_b, recorded
):
    intruder = [event(session="s-1", t=now_ms())]
    assert post_events(client, intruder, token=school_b.token()).status_code == 202
    a_events = school_a.send("GET", f"/sessions/s-1/events?learner={OPAQUE}").json()["events"]
    assert [e["id"] for e in a_events] == [e["id"] for e in recorded]
    assert Session.objects.get(tenant=school_a.tenant, learner=OPAQUE).event_count == 3
    assert Event.objects.get(event_id=intruder[0]["id"]).tenant_id == school_b.tenant.pk


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("DELETE", f"/learners/{OPAQUE}", None),
        ("POST", f"/learners/{OPAQUE}/revoke", None),
        ("POST", f"/learners/{OPAQUE}/move", {"to": "ab" * 16}),
    ],
)
def test_another_tenant_cannot_erase_revoke_or_move_a_learner(
    client, school_a, school_b, recorded, method, path, payload
):
    a_token = school_a.token()
    response = school_b.send(method, path, payload)
    assert response.status_code == 404
    assert response.json() == {"error": "No such learner for this API key."}
    assert Event.objects.filter(tenant=school_a.tenant, learner=OPAQUE).count() == 3
    assert post_events(client, [event(session="s-1")], token=a_token).status_code == 202


def test_even_a_learner_of_the_same_id_in_the_other_tenant_is_erased_alone(
    client, school_a, school_b, recorded
):
    post_events(client, [event(session="s-9")], token=school_b.token())
    erased = school_b.send("DELETE", f"/learners/{OPAQUE}")
    assert erased.json() == {"events_deleted": 1, "sessions_deleted": 1}
    assert Event.objects.filter(tenant=school_a.tenant, learner=OPAQUE).count() == 3
    revoked_a = Learner.objects.get(tenant=school_a.tenant, opaque_id=OPAQUE).revoked_ms
    assert revoked_a is None


def test_event_ids_are_unique_per_tenant_so_a_reused_id_reveals_nothing(client, school_b, recorded):
    # The same id with other content: in A's tenant a 409 naming it; in B's, a new event.
    reused = {**recorded[0], "type": "session_completed"}
    response = post_events(client, [reused], token=school_b.token())
    assert response.status_code == 202
    assert response.json() == {"accepted": 1, "duplicates": 0}
    # And the same id with the same content is B's own event, not a duplicate of A's.
    response = post_events(client, [recorded[1]], token=school_b.token("cd" * 16))
    assert response.json() == {"accepted": 1, "duplicates": 0}
    assert Event.objects.filter(event_id=recorded[1]["id"]).count() == 2


def test_a_tenant_may_erase_revoke_and_move_its_own_learner(client, school_a, recorded):
    token = school_a.token()
    assert school_a.send("POST", f"/learners/{OPAQUE}/revoke").status_code == 200
    assert post_events(client, [event()], token=token).status_code == 401
    moved = school_a.send("POST", f"/learners/{OPAQUE}/move", {"to": "ab" * 16})
    assert moved.json() == {"events_moved": 3}
    assert school_a.send("DELETE", f"/learners/{'ab' * 16}").json()["events_deleted"] == 3


def test_a_learner_never_seen_by_the_tenant_is_a_404(school_a):
    assert school_a.send("DELETE", f"/learners/{'ef' * 16}").status_code == 404


def test_the_same_opaque_id_and_session_in_two_tenants_are_summarised_apart(
    client, school_a, school_b, recorded
):
    post_events(client, [event(session="s-1")], token=school_b.token())
    sessions_summarise()
    rows = Session.objects.order_by("tenant_id")
    assert [(row.event_count, row.summarised_count) for row in rows] == [(3, 3), (1, 1)]
    assert [row["events"] for row in school_b.results("sessions", [OPAQUE])] == [1]


def test_a_token_signed_before_tenants_existed_writes_into_the_default_tenant(client):
    legacy = signing.dumps({"sub": OPAQUE, "iat": now_ms()}, salt=SALT)  # no "ten" claim
    assert post_events(client, [event()], token=legacy).status_code == 202
    default = tenant_default()
    assert Event.objects.get().tenant_id == default.pk
    # Its learner is made known to the tenant, so that it can still be revoked and erased.
    assert Learner.objects.filter(tenant=default, opaque_id=OPAQUE).exists()
