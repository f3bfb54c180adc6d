"""Forwarding statements to another LRS: a statement stops waiting only once the other LRS took
it, a failure backs off, a conflict does not hold back the rest. The other LRS here is a real
HTTP server that answers what each test tells it to (the end-to-end test, with a second Pathlens
as the other LRS, is test_forwarding_live.py)."""

from __future__ import annotations

import base64
import contextlib
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from collector.datarequests import learner_erase
from collector.models import LrsForwarding, StatementPending
from collector.tenants import tenant_default
from collector.xapi import forwarding
from collector.xapi.forwarding import forwarding_lag, forwardings_run
from tests.xapi.helpers import account, basic, post, statement

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])
ERASED = "e5" * 16  # a learner whose statements are erased before they are sent


class OtherLrs:
    """Records each request; answers the next of `statuses` (200 once they run out)."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.requests: list[tuple[Message, list]] = []
        self.url = ""
        # Notified at each request: a test waits on it for what arrived, never for a time.
        self.arrived = threading.Condition()


@contextlib.contextmanager
def other_lrs() -> Iterator[OtherLrs]:
    lrs = OtherLrs()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with lrs.arrived:
                lrs.requests.append((self.headers, body))
                lrs.arrived.notify_all()
            status = lrs.statuses.pop(0) if lrs.statuses else 200
            answer = json.dumps([item["id"] for item in body] if status == 200 else "no").encode()
            self.send_response(status)
            if status == 302:
                self.send_header("Location", "/elsewhere/statements")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    lrs.url = f"http://127.0.0.1:{server.server_address[1]}/xapi/"
    try:
        yield lrs
    finally:
        server.shutdown()
        server.server_close()


def _stored(client, count: int) -> list[str]:
    sent = [statement() for _ in range(count)]
    assert post(client, sent, basic()).status_code == 200
    return [item["id"] for item in sent]


def _forwarding(url: str) -> LrsForwarding:
    return LrsForwarding.objects.create(
        tenant=tenant_default(), endpoint=url, username="plk_other", password="s3cret"
    )


def test_it_sends_new_statements_in_order_without_what_the_lrs_sets(client):
    with other_lrs() as lrs:
        target = _forwarding(lrs.url)
        ids = _stored(client, 3)
        assert forwardings_run() == {"sent": 3, "failed": 0}
    (headers, body), = lrs.requests  # fmt: skip
    assert [item["id"] for item in body] == ids
    assert not any("stored" in item or "authority" in item for item in body)
    assert headers["X-Experience-API-Version"] == "1.0.3"
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"plk_other:s3cret").decode()
    target.refresh_from_db()
    assert target.last_success and not target.last_error and target.next_attempt is None
    assert forwarding_lag(target) == (0, None)


def test_a_signed_statement_is_forwarded_without_the_signature_only_this_lrs_holds(client):
    from tests.xapi.signing import attachment, multipart, part, signed

    sent, token = signed(statement())
    at_url = {
        **attachment(b"film", usage="https://x.example/film"),
        "fileUrl": "https://x.example/f",
    }
    sent["attachments"].append(at_url)
    body = multipart(json.dumps(sent).encode(), part(token))
    response = client.post(
        "/xapi/statements", body, content_type="multipart/mixed; boundary=pathlens-test-boundary",
        headers={"Authorization": basic(), "X-Experience-API-Version": "1.0.3"},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    with other_lrs() as lrs:
        _forwarding(lrs.url)
        assert forwardings_run() == {"sent": 1, "failed": 0}
    [(_, [forwarded])] = lrs.requests
    assert forwarded["id"] == sent["id"] and forwarded["attachments"] == [at_url]


def test_a_failure_keeps_the_batch_waiting_and_backs_off_until_the_next_attempt(client):
    with other_lrs() as lrs:
        target = _forwarding(lrs.url)
        ids = _stored(client, 2)
        now = timezone.now()
        lrs.statuses = [503, 500]
        assert forwardings_run(now=now) == {"sent": 0, "failed": 1}
        target.refresh_from_db()
        assert target.failures == 1
        assert target.last_error.startswith("The LRS answered 503")
        assert target.next_attempt == now + timedelta(seconds=15)
        assert forwarding_lag(target)[0] == 2
        # Not due yet: no request at all.
        assert forwardings_run(now=now + timedelta(seconds=14)) == {"sent": 0, "failed": 0}
        assert len(lrs.requests) == 1
        forwardings_run(now=now + timedelta(seconds=15))
        target.refresh_from_db()
        assert target.failures == 2 and target.next_attempt == now + timedelta(seconds=45)
        assert forwardings_run(now=now + timedelta(seconds=45)) == {"sent": 2, "failed": 0}
    assert [[item["id"] for item in body] for _, body in lrs.requests] == [ids, ids, ids]
    target.refresh_from_db()
    assert (target.failures, target.last_error, target.next_attempt) == (0, "", None)
    assert forwarding_lag(target) == (0, None)


def test_an_unreachable_lrs_is_a_failure_with_a_reason(client):
    with other_lrs() as lrs:
        url = lrs.url
    target = _forwarding(url)  # its server is gone: nothing listens on the port
    _stored(client, 1)
    assert forwardings_run() == {"sent": 0, "failed": 1}
    target.refresh_from_db()
    assert target.last_error.startswith("Could not reach the LRS")


def test_a_redirect_is_a_failure_not_a_delivery(client):
    with other_lrs() as lrs:
        target = _forwarding(lrs.url)
        _stored(client, 1)
        lrs.statuses = [302]
        assert forwardings_run() == {"sent": 0, "failed": 1}
    assert len(lrs.requests) == 1  # not followed
    target.refresh_from_db()
    assert target.last_error.startswith("The LRS answered 302")


def test_a_conflict_in_a_batch_is_sent_one_by_one_and_counted(client):
    with other_lrs() as lrs:
        target = _forwarding(lrs.url)
        ids = _stored(client, 3)
        lrs.statuses = [409, 200, 409, 200]
        assert forwardings_run() == {"sent": 3, "failed": 0}
    sent = [[item["id"] for item in body] for _, body in lrs.requests]
    assert sent == [ids, ids[:1], ids[1:2], ids[2:]]
    target.refresh_from_db()
    assert target.conflicts == 1 and forwarding_lag(target) == (0, None)


def test_it_sends_a_backlog_in_batches_and_later_only_what_is_new(client, monkeypatch):
    monkeypatch.setattr(forwarding, "BATCH", 2)
    with other_lrs() as lrs:
        target = _forwarding(lrs.url)
        ids = _stored(client, 5)
        assert forwardings_run() == {"sent": 5, "failed": 0}
        later = _stored(client, 1)
        assert forwardings_run() == {"sent": 1, "failed": 0}
    sent = [[item["id"] for item in body] for _, body in lrs.requests]
    assert sent == [ids[:2], ids[2:4], ids[4:], later]
    target.refresh_from_db()
    assert forwarding_lag(target) == (0, None)


def test_a_disabled_forwarding_sends_nothing(client):
    with other_lrs() as lrs:
        LrsForwarding.objects.create(
            tenant=tenant_default(), endpoint=lrs.url, username="u", password="p", enabled=False
        )
        _stored(client, 1)
        assert forwardings_run() == {"sent": 0, "failed": 0}
    assert lrs.requests == []


def test_a_disabled_forwarding_is_paused_and_sends_what_waited_once_enabled(client):
    with other_lrs() as lrs:
        target = _forwarding(lrs.url)
        first = _stored(client, 1)
        assert forwardings_run() == {"sent": 1, "failed": 0}
        LrsForwarding.objects.filter(id=target.id).update(enabled=False)
        meanwhile = _stored(client, 2)
        assert forwardings_run() == {"sent": 0, "failed": 0}
        LrsForwarding.objects.filter(id=target.id).update(enabled=True)
        assert forwardings_run() == {"sent": 2, "failed": 0}
    assert [[item["id"] for item in body] for _, body in lrs.requests] == [first, meanwhile]


def test_statements_erased_before_they_were_sent_are_never_sent(client):
    with other_lrs() as lrs:
        _forwarding(lrs.url)
        kept = _stored(client, 1)
        erased = statement(actor=account(ERASED))
        assert post(client, [erased], basic()).status_code == 200
        assert StatementPending.objects.count() == 2
        learner_erase(tenant_id=tenant_default().pk, learner=ERASED)
        assert StatementPending.objects.count() == 1  # the erased one's went with it
        assert forwardings_run() == {"sent": 1, "failed": 0}
    assert [[item["id"] for item in body] for _, body in lrs.requests] == [kept]
    assert not StatementPending.objects.exists()


def test_operators_see_the_lag_and_the_last_error_and_never_the_password(client, admin_client):
    target = _forwarding("https://lrs.example.org/xapi/")
    LrsForwarding.objects.filter(id=target.id).update(last_error="The LRS answered 503: busy")
    _stored(client, 2)
    listing = admin_client.get("/admin/collector/lrsforwarding/").content.decode()
    assert "Statements waiting" in listing and "Oldest waiting for" in listing
    assert '<td class="field-waiting">2</td>' in listing
    assert "The LRS answered 503: busy" in listing
    change = f"/admin/collector/lrsforwarding/{target.id}/change/"
    assert "s3cret" not in admin_client.get(change).content.decode()
    # Saved with the password left empty: the stored one is kept.
    form = {"tenant": target.tenant_id, "endpoint": "https://lrs.example.org/xapi/"}
    form |= {"username": "plk_other", "password": "", "enabled": "on", "send_after": "0"}
    assert admin_client.post(change, form).status_code == 302
    target.refresh_from_db()
    assert target.password == "s3cret"


def test_a_new_forwarding_needs_its_password(admin_client):
    form = {"tenant": tenant_default().id, "endpoint": "https://lrs.example.org/xapi/"}
    form |= {"username": "plk_other", "password": "", "enabled": "on", "send_after": "0"}
    page = admin_client.post("/admin/collector/lrsforwarding/add/", form).content.decode()
    assert "Give the password (secret) the other LRS gave you." in page
    assert not LrsForwarding.objects.exists()
