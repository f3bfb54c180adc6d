"""A RAGE game against a live server: the requests e-UCM's trackers send (csharp-tracker's
TrackerAsset: `Start` then `Flush`), as an identified and as an anonymous player, continued in a
second sitting, with the refusals RAGE's clients expect (400, 404, 401) and the session counts;
then the statements read back through /xapi/ with an API key of the tenant, and not with
another tenant's."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request

import pytest

from collector.apikeys import api_key_create
from collector.models import Tenant
from collector.rage.models import RagePlayer
from collector.tenants import tenant_default
from tests.collector.helpers import OPAQUE, issue_token
from tests.rage.helpers import tracking_code

pytestmark = pytest.mark.django_db(databases=["default", "analytics"], transaction=True)


def _send(url: str, *, body: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(url, data=body, headers=headers or {}, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310  # our server
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refusal:
        return refusal.code, json.loads(refusal.read())


class Tracker:
    """What a RAGE tracker does over HTTP, reduced to its requests."""

    def __init__(self, base: str, code: str) -> None:
        self.base, self.code = f"{base}/api/collector", code
        self.auth_token = self.actor = self.object_id = self.player_id = None
        self.queue: list[dict] = []

    def start(self, user_token: str | None = None) -> tuple[int, dict]:
        headers, body = {}, b""
        if user_token:
            headers["Authorization"] = f"Bearer {user_token}"
        elif self.player_id:
            headers.update({"Content-Type": "application/json", "Accept": "application/json"})
            body = json.dumps({"anonymous": self.player_id}).encode()
        status, answer = _send(f"{self.base}/start/{self.code}", body=body, headers=headers)
        if status == 200:
            self.auth_token, self.actor = answer["authToken"], answer["actor"]
            self.object_id, self.player_id = (
                answer["objectId"].rstrip("/") + "/",
                answer["playerId"],
            )
        return status, answer

    def accessed(self, target: str) -> None:
        self.queue.append(
            {
                "actor": self.actor,
                "verb": {"id": "https://w3id.org/xapi/seriousgames/verbs/accessed"},
                "object": {
                    "id": self.object_id + target,
                    "definition": {
                        "type": "https://w3id.org/xapi/seriousgames/activity-types/screen"
                    },
                },
                "timestamp": "2026-12-06T09:30:00.000Z",
            }
        )

    def flush(self) -> tuple[int, dict]:
        data = json.dumps(self.queue).encode()
        headers = {"Content-Type": "application/json", "Authorization": str(self.auth_token)}
        status, answer = _send(f"{self.base}/track", body=data, headers=headers)
        if status == 200:
            self.queue = []
        return status, answer


def _statements(base: str, tenant: Tenant) -> list[dict]:
    _, key = api_key_create(name="reader", tenant=tenant)
    prefix, key_id, secret = key.split("_", 2)
    basic = base64.b64encode(f"{prefix}_{key_id}:{secret}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310  # our server
        f"{base}/xapi/statements?ascending=true",
        headers={"Authorization": f"Basic {basic}", "X-Experience-API-Version": "1.0.3"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310  # our server
        return json.loads(answer.read())["statements"]


def test_a_game_tracks_identified_and_anonymous_players(live_server):
    code = tracking_code()
    identified = Tracker(live_server.url, code.code)
    status, started = identified.start(issue_token())
    assert status == 200 and started["playerId"] == OPAQUE and started["session"] == 1
    identified.accessed("screen/menu")
    identified.accessed("level/1")
    status, tracked = identified.flush()
    assert status == 200 and tracked["message"] == "Success." and len(tracked["ids"]) == 2

    anonymous = Tracker(live_server.url, code.code)
    status, first = anonymous.start()
    assert status == 200 and first["session"] == 1 and "name" not in first["actor"]
    anonymous.accessed("screen/menu")
    assert anonymous.flush()[0] == 200
    # The next sitting: the same anonymous player, continued by its playerId.
    status, second = anonymous.start()
    assert status == 200 and second["playerId"] == first["playerId"] and second["session"] == 2
    anonymous.accessed("level/2")
    assert anonymous.flush()[0] == 200
    assert RagePlayer.objects.get(learner=first["playerId"]).sessions == 2

    statements = _statements(live_server.url, tenant_default())
    assert [(s["actor"]["account"]["name"], s["object"]["id"]) for s in statements] == [
        (OPAQUE, f"{code.activity}/screen/menu"),
        (OPAQUE, f"{code.activity}/level/1"),
        (first["playerId"], f"{code.activity}/screen/menu"),
        (first["playerId"], f"{code.activity}/level/2"),
    ]
    registrations = [s["context"]["registration"] for s in statements]
    assert registrations == [started["registration"]] * 2 + [
        first["registration"],
        second["registration"],
    ]
    assert _statements(live_server.url, Tenant.objects.create(name="school B")) == []


def test_a_game_meets_the_refusals_rage_clients_expect(live_server):
    code = tracking_code()
    tracker = Tracker(live_server.url, code.code)
    assert tracker.start("not.a-jwt")[0] == 400
    assert Tracker(live_server.url, "no-such-code").start()[0] == 404
    tracker.player_id = "ab" * 16
    status, answer = tracker.start()
    assert status == 404 and "anonymous player" in answer["error"]
    tracker.auth_token, tracker.object_id = "rage_made-up", f"{code.activity}/"
    tracker.accessed("screen/menu")
    assert tracker.flush()[0] == 401
    assert not RagePlayer.objects.exists()
