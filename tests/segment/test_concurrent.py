"""The same batch sent by six clients at the same moment (a retry racing its original) against a
live server: every sender gets 200, and the messages are stored once, their repeats counted as
duplicates. On PostgreSQL this goes through the careful paths of both write paths (a unique index
refusing the twin's ids)."""

from __future__ import annotations

import threading

import pytest
import requests

from collector.models import Event, Session
from collector.xapi.models import Statement
from tests.segment.helpers import track, widget_track, write_key

pytestmark = pytest.mark.django_db(databases=["default", "analytics"], transaction=True)
SENDERS = 6


def test_twin_batches_sent_at_once_are_stored_once(live_server):
    messages = [widget_track("session_started"), widget_track(), track("Read"), track("Seen")]
    url, key = f"{live_server.url}/segment/v1/batch", write_key()
    statuses: list[int] = []
    start = threading.Barrier(SENDERS)

    def send() -> None:
        start.wait()
        answer = requests.post(url, json={"batch": messages}, auth=(key, ""), timeout=60)
        statuses.append(answer.status_code)

    senders = [threading.Thread(target=send) for _ in range(SENDERS)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert statuses == [200] * SENDERS
    assert Event.objects.count() == 2 and Statement.objects.count() == 2
    session = Session.objects.get()
    assert (session.event_count, session.duplicates) == (2, 2 * (SENDERS - 1))
