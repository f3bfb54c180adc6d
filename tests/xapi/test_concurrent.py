"""The same statements sent by several clients at the same moment against a live server (a retry
racing its original, and a changed twin). A list is first written as if every id were new; a
unique index refusing a twin's id sends that request the careful way: the statements and their
events are stored once, a resend is a 200 and other content under a taken id a 409."""

from __future__ import annotations

import threading
import uuid

import pytest
import requests

from collector.models import Event, Session
from collector.xapi.models import Statement
from tests.xapi.helpers import VERSION, bearer, statement, widget_statement

pytestmark = pytest.mark.django_db(databases=["default", "analytics"], transaction=True)


def _send_at_once(url: str, auth: str, bodies: list[list[dict]]) -> list[int]:
    statuses: list[int] = []
    start = threading.Barrier(len(bodies))

    def send(body: list[dict]) -> None:
        start.wait()
        answer = requests.post(
            url, json=body, headers={"Authorization": auth, **VERSION}, timeout=60
        )
        statuses.append(answer.status_code)

    senders = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    return sorted(statuses)


def test_twin_lists_sent_at_once_are_stored_once(live_server):
    session = str(uuid.uuid4())
    sent = [
        widget_statement("session_started", session=session),
        widget_statement("session_completed", session=session,
                         timestamp="2026-12-06T09:31:00.000Z"),
        statement(),
    ]  # fmt: skip
    url, auth = f"{live_server.url}/xapi/statements", bearer()
    assert _send_at_once(url, auth, [sent] * 4) == [200] * 4
    assert Statement.objects.count() == 3 and Event.objects.count() == 2
    assert Session.objects.get().event_count == 2


def test_a_changed_twin_sent_at_the_same_moment_is_a_409_and_stores_nothing(live_server):
    sent = [widget_statement(), statement()]
    changed = [sent[0], {**sent[1], "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"}}]
    url, auth = f"{live_server.url}/xapi/statements", bearer()
    statuses = _send_at_once(url, auth, [sent, sent, changed])
    # Whichever list is stored first, the other content is refused whole.
    assert statuses in ([200, 200, 409], [200, 409, 409])
    assert Statement.objects.count() == 2 and Event.objects.count() == 1
