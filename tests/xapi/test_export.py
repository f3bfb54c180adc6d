"""xAPI out: a session's events as statements, from the read API; sent to another LRS (here:
another tenant's /xapi/), they become the same events. The replay page's JSON download is tested
in tests/replay/test_xapi_download.py."""

from __future__ import annotations

import pytest

from collector.apikeys import api_key_create
from collector.models import Event, Tenant
from collector.tenants import tenant_default
from collector.xapi.mapping import event_statement
from tests.collector.helpers import OPAQUE, event, post_events
from tests.xapi.helpers import basic, post

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])
FIELDS = ("event_id", "session", "widget", "type", "t", "data")


@pytest.fixture
def lesson(client) -> list[dict]:
    events = [
        event(session="lesson-3", widget="TEI001", type="session_started", t=1_765_000_000_000),
        event(session="lesson-3", widget="TEI001", type="session_completed", t=1_765_000_060_000),
    ]
    assert post_events(client, events).status_code == 202
    return events


def test_the_read_api_answers_a_session_as_statements(client, lesson):
    _, key = api_key_create(name="reader", tenant=tenant_default())
    response = client.get(
        "/api/v1/sessions/lesson-3/statements",
        {"learner": OPAQUE},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.content
    statements = response.json()["statements"]
    assert [s["id"] for s in statements] == [e["id"] for e in lesson]
    assert statements[0]["verb"]["id"] == "http://adlnet.gov/expapi/verbs/initialized"
    assert statements[0]["actor"]["account"]["name"] == OPAQUE


def test_statements_sent_to_another_lrs_become_the_same_events(client, lesson):
    statements = [event_statement(sent, learner=OPAQUE) for sent in lesson]
    district = Tenant.objects.create(name="district")
    assert post(client, statements, basic(district)).status_code == 200
    mine = list(Event.objects.filter(tenant=tenant_default()).order_by("t").values_list(*FIELDS))
    theirs = list(Event.objects.filter(tenant=district).order_by("t").values_list(*FIELDS))
    assert theirs == mine
    # Back into the tenant they came from, they are the same events: a no-op.
    assert post(client, statements, basic()).status_code == 200
    assert Event.objects.filter(tenant=tenant_default()).count() == 2
