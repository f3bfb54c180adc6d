"""Real Segment clients against a live server: `segment-analytics-python` and
`@segment/analytics-node` (installed by `npm ci` from tests/segment_clients) send track, page and
identify calls and batches that arrive exactly once, however often they are sent."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from segment.analytics import Client
from segment.analytics.request import APIError

from collector.models import Event, Session
from collector.segment.models import SegmentWriteKey
from collector.xapi import iris
from collector.xapi.models import Statement
from tests.collector.helpers import OPAQUE
from tests.segment.helpers import write_key

pytestmark = pytest.mark.django_db(databases=["default", "analytics"], transaction=True)
WIDGET = {"widget": "BLL002", "session": "py-1"}


def _python_calls(client: Client) -> None:
    at = {"user_id": OPAQUE}
    client.track(event="session_started", properties=WIDGET, message_id="py-1", **at)
    client.track(event="weight_placed", properties={**WIDGET, "peg": -2, "mass": 1},
                 message_id="py-2", **at)  # fmt: skip
    client.track(event="Quiz Submitted", properties={"scaled_score": 0.5, "completed": True},
                 message_id="py-3", **at)  # fmt: skip
    client.page(name="Timetable", message_id="py-4", **at)
    client.identify(traits={"grade": 7}, message_id="py-5", **at)


def test_the_python_client_sends_each_message_once(live_server):
    site = f"{live_server.url}/segment"
    for gzip in (False, True):  # the same messages again, gzipped this time
        sync = Client(write_key(), host=site, sync_mode=True, gzip=gzip, max_retries=0)
        _python_calls(sync)
    batched = Client(write_key(), host=site, upload_size=10, max_retries=0)
    _python_calls(batched)  # one batch of the five, through the client's queue
    batched.flush()
    batched.join()
    assert sorted(Event.objects.values_list("type", flat=True)) == [
        "session_started", "weight_placed",
    ]  # fmt: skip
    assert Session.objects.get().event_count == 2
    assert Statement.objects.count() == 2


def test_the_python_client_hears_why_a_message_is_refused(live_server):
    client = Client(write_key(), host=f"{live_server.url}/segment", sync_mode=True, max_retries=0)
    with pytest.raises(APIError) as refused:
        client.identify(user_id=OPAQUE, traits={"email": "ada@school.example"})
    assert refused.value.status == 400
    assert "/batch/0/traits/email" in refused.value.message
    revoked = write_key()
    SegmentWriteKey.objects.filter(key=revoked).update(revoked="2026-12-06T09:00:00Z")
    client = Client(revoked, host=f"{live_server.url}/segment", sync_mode=True, max_retries=0)
    with pytest.raises(APIError) as unauthorised:
        client.track(user_id=OPAQUE, event="Read")
    assert unauthorised.value.status == 401 and "revoked" in unauthorised.value.message
    assert not Statement.objects.exists()


def test_the_node_client_sends_each_message_once(live_server, segment_node_client):
    env = {
        **os.environ,
        "SITE": live_server.url,
        "WRITE_KEY": write_key(),
        "LEARNER": OPAQUE,
        "SESSION": "node-1",
    }
    done = subprocess.run(
        ["node", "send.mjs"], cwd=segment_node_client, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    errors = json.loads(done.stdout)["errors"]
    assert errors and all("401" in error for error in errors), errors  # the wrong key only
    events = Event.objects.order_by("t", "type")
    assert [(event.type, event.session) for event in events] == [
        ("session_started", "node-1"), ("weight_placed", "node-1"),
    ]  # fmt: skip
    assert events[1].data == {"peg": 2, "mass": 3}
    activities = set(Statement.objects.values_list("activity", flat=True))
    assert activities == {
        "https://content.example/video-4",
        f"{iris.site()}/segment/pages/Timetable",
    }
