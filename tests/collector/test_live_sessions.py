"""Live now: which learners have a session with an event in the last minutes, through the API
and both clients, within the key's tenant only."""

from __future__ import annotations

import pytest

from collector.apikeys import api_key_create
from collector.client import HttpCollector, LocalCollector
from collector.tenants import tenant_default, tenant_get_or_create
from tests.collector.helpers import OPAQUE, OTHER_OPAQUE, event, now_ms, post_events
from tests.support.db import BOTH_DATABASES

pytestmark = pytest.mark.django_db(transaction=True, databases=BOTH_DATABASES)


@pytest.fixture(params=["local", "http"])
def collector(request):
    if request.param == "local":
        return LocalCollector()
    live_server = request.getfixturevalue("live_server")
    _, key = api_key_create(name="remote school", tenant=tenant_default())
    return HttpCollector(live_server.url, key)


@pytest.fixture
def working(client):
    """OPAQUE works in TEI001 now; OTHER_OPAQUE's last event was ten minutes ago."""
    now = now_ms()
    recent = [event(session="now", widget="TEI001", t=now - 5_000 + i) for i in range(3)]
    post_events(client, recent, learner=OPAQUE, sent_at=now)
    # Sent now by a device whose clock agrees: the event happened ten minutes ago.
    post_events(client, [event(session="old", t=now - 600_000)], learner=OTHER_OPAQUE, sent_at=now)


def test_it_lists_sessions_with_a_recent_event_newest_first(collector, working):
    live = collector.live_sessions([OPAQUE, OTHER_OPAQUE])
    assert [(row["learner"], row["widget"], row["session"], row["events"]) for row in live] == [
        (OPAQUE, "TEI001", "now", 3)
    ]
    # Ten minutes is within a longer window.
    assert {row["learner"] for row in collector.live_sessions([OTHER_OPAQUE], within=900)} == {
        OTHER_OPAQUE
    }


def test_another_tenant_sees_nobody_live(client, working):
    _, key_b = api_key_create(name="school B", tenant=tenant_get_or_create(name="school B"))
    response = client.post(
        "/api/v1/learners/live",
        {"learners": [OPAQUE]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key_b}"},
    )
    assert response.status_code == 200
    assert response.json() == {"sessions": []}


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"learners": "x"}, "'learners' must be a list"),
        ({"learners": [OPAQUE], "within": 0}, "'within' must be a whole number"),
        ({"learners": [OPAQUE], "within": 1.5}, "'within' must be a whole number"),
        ({"learners": [OPAQUE], "within": 99_999}, "1 to 3600"),
        ({"learners": ["x" * 65]}, "opaque learner id"),
    ],
)
def test_a_bad_request_is_a_400_naming_the_field(client, payload, fragment):
    _, key = api_key_create(name="school", tenant=tenant_default())
    response = client.post(
        "/api/v1/learners/live",
        payload,
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 400
    assert fragment in response.json()["error"]
