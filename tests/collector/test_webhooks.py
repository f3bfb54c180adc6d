"""Webhooks: a tenant's session changes POSTed, signed, to its subscriptions, at least once and in
order. The receiver is a real HTTP server started by the test (tests/support/webhooks.py), which
verifies every signature with the code docs/collector.md gives receivers."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from collector.datarequests import learner_erase
from collector.models import Session, Tenant
from collector.summaries import sessions_summarise
from collector.tenants import tenant_default, tenant_get_or_create
from collector.tokens import learner_token_issue
from collector.webhooks import delivery
from collector.webhooks.addresses import webhook_url_validate
from collector.webhooks.delivery import (
    deliveries_run,
    delivery_resend,
    delivery_send_from,
    subscription_lag,
)
from collector.webhooks.kinds import COMPLETED, KINDS, SCORED, STARTED
from collector.webhooks.models import WebhookChange, WebhookDelivery, WebhookSubscription
from collector.webhooks.outbox import hooked_forget
from collector.webhooks.signing import signature_header, signature_verify
from tests.collector.helpers import OPAQUE, OTHER_OPAQUE, event, now_ms, post_events
from tests.support.db import BOTH_DATABASES
from tests.support.webhooks import SECRET, documented_verify, receiving

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)

TEI001 = json.loads(
    (Path(__file__).parents[1] / "widgets" / "fixtures" / "tei001_session.json").read_text()
)


@pytest.fixture(autouse=True)
def _fresh_subscriptions():
    """Each test's subscriptions are heard of at once (the map is per process, kept 10 s)."""
    hooked_forget()
    yield
    hooked_forget()


def subscribe(url: str, *, tenant: Tenant | None = None, kinds=KINDS) -> WebhookSubscription:
    made = WebhookSubscription.objects.create(
        tenant=tenant or tenant_default(), url=url, secret=SECRET, kinds=list(kinds)
    )
    hooked_forget()
    return made


BASE = now_ms() - 86_400_000  # client times below are offsets from it


def lifecycle(client, session: str, kind: str, t: int, *, token: str | None = None, **fields):
    sent = event(session=session, type=f"session_{kind}", t=BASE + t, **fields)
    assert post_events(client, [sent], token=token).status_code == 202


def run_until_delivered(now=None) -> None:
    """Runs deliveries at each next attempt until one run fails nothing (at most 10 runs)."""
    now = now or timezone.now()
    for _ in range(10):
        if deliveries_run(now=now)["failed"] == 0:
            return
        now = min(
            WebhookSubscription.objects.exclude(next_attempt=None).values_list(
                "next_attempt", flat=True
            )
        )
    raise AssertionError("still failing")


def test_every_change_arrives_once_in_session_order_across_an_outage(client):
    with receiving() as receiver:
        hook = subscribe(receiver.url)
        for session in ("s1", "s2", "s3"):
            lifecycle(client, session, "started", 1000)
        assert deliveries_run() == {"sent": 3, "failed": 0}
        # Down, answering 503: the cursor stays, each wait is twice the last.
        receiver.unavailable = True
        lifecycle(client, "s1", "resumed", 2000)
        lifecycle(client, "s2", "completed", 3000)
        now = timezone.now()
        for attempt, wait in enumerate((15, 30), start=1):
            assert deliveries_run(now=now) == {"sent": 0, "failed": 1}
            hook.refresh_from_db()
            assert hook.failures == attempt and hook.next_attempt == now + timedelta(seconds=wait)
            assert hook.last_error == "The receiver answered 503"
            assert subscription_lag(hook)[0] == 2
            now = hook.next_attempt
        # Not listening at all: refused connections.
        receiver.stop()
        lifecycle(client, "s1", "completed", 4000)
        lifecycle(client, "s3", "completed", 5000)
        assert post_events(client, [{**e, "id": e["id"]} for e in TEI001]).status_code == 202
        sessions_summarise()  # TEI001's session gets its score: a change too
        assert deliveries_run(now=now) == {"sent": 0, "failed": 1}
        hook.refresh_from_db()
        assert hook.last_error.startswith("Could not reach the receiver")
        # Back, but its first answer is lost (it took the changes, then failed): sent again.
        receiver.unavailable = False
        receiver.start()
        receiver.answers = [500]
        run_until_delivered(hook.next_attempt)
    hook.refresh_from_db()
    assert (hook.failures, hook.last_error, subscription_lag(hook)) == (0, "", (0, None))
    made = WebhookChange.objects.all()
    assert sorted(receiver.changes) == sorted(str(change.change_id) for change in made)
    assert receiver.duplicates > 0 and receiver.bad_signatures == 0
    # Each session's changes were first taken in seq order, none missing.
    for seqs in receiver.by_session().values():
        assert seqs == list(range(1, len(seqs) + 1))
    kinds = {(c["session"], c["kind"]) for c in receiver.changes.values()}
    assert {("s1", "session.resumed"), ("s1", COMPLETED), ("s2", COMPLETED)} <= kinds
    assert (TEI001[0]["session"], SCORED) in kinds
    # Every attempt is in the log with its answer.
    log = WebhookDelivery.objects.filter(subscription=hook)
    assert {row.status_code for row in log} == {200, 503, 500, None}


def test_a_change_carries_the_session_and_opaque_ids_only(client):
    with receiving() as receiver:
        subscribe(receiver.url)
        lifecycle(client, "s1", "completed", 1234)
        deliveries_run()
    (headers, body), = receiver.requests  # fmt: skip
    (change,) = body["changes"]
    assert change["kind"] == COMPLETED and change["seq"] == 1
    assert (change["session"], change["widget"], change["learner"]) == ("s1", "BLL002", OPAQUE)
    assert change["data"] == {"status": "completed", "t": BASE + 1234, "events": 1}
    assert headers["Content-Type"] == "application/json"
    assert WebhookDelivery.objects.get().delivery_id.hex == headers["Pathlens-Delivery"].replace(
        "-", ""
    )


def test_only_a_newer_lifecycle_event_is_a_status_change(client):
    with receiving() as receiver:
        subscribe(receiver.url)
        lifecycle(client, "s1", "completed", 2000)
        lifecycle(client, "s1", "started", 1000)  # late: older than the status
        late = event(session="s1", type="session_resumed", t=BASE + 3000)
        assert post_events(client, [late]).status_code == 202
        assert post_events(client, [late]).status_code == 202  # a retry: no change
        # Two lifecycle events of one session in one batch: the later one is the change.
        both = [
            event(session="s2", type="session_started", t=BASE + 1000),
            event(session="s2", type="session_completed", t=BASE + 1500),
            event(session="s3", type="session_started", t=BASE + 1000),
            event(session="s1", type="session_started", t=BASE + 1000),  # older: not a change
        ]
        assert post_events(client, both).status_code == 202
        deliveries_run()
    got = [(c["session"], c["kind"], c["seq"]) for c in receiver.changes.values()]
    assert got == [
        ("s1", COMPLETED, 1),
        ("s1", "session.resumed", 2),
        ("s2", COMPLETED, 1),
        ("s3", STARTED, 1),
    ]


def test_a_score_is_a_change_when_it_appears_or_changes_and_not_when_summarised_again(client):
    with receiving() as receiver:
        subscribe(receiver.url, kinds=[SCORED])
        assert post_events(client, TEI001[:-12]).status_code == 202
        sessions_summarise()
        assert post_events(client, TEI001[-12:]).status_code == 202
        sessions_summarise()
        Session.objects.update(summarised_count=0)
        sessions_summarise()  # the same figures again: nothing to tell
        deliveries_run()
    scored = [c for c in receiver.changes.values() if c["kind"] == SCORED]
    row = Session.objects.get()
    assert len(scored) == 2 and [c["seq"] for c in scored] == [1, 2]
    assert scored[-1]["data"]["score"] == row.score
    assert scored[-1]["data"]["maximum"] == row.maximum
    assert scored[-1]["data"]["events"] == row.event_count


def test_a_subscription_receives_only_the_kinds_it_asked_for(client):
    with receiving() as receiver:
        hook = subscribe(receiver.url, kinds=[COMPLETED])
        lifecycle(client, "s1", "started", 1000)
        lifecycle(client, "s1", "completed", 2000)
        deliveries_run()
    assert [c["kind"] for c in receiver.changes.values()] == [COMPLETED]
    hook.refresh_from_db()
    assert subscription_lag(hook) == (0, None)


def test_a_tenant_without_an_enabled_subscription_records_nothing(client):
    WebhookSubscription.objects.create(
        tenant=tenant_default(), url="https://hooks.example.org/", secret=SECRET, enabled=False
    )
    other = tenant_get_or_create(name="district")
    subscribe("https://hooks.example.org/district", tenant=other)
    lifecycle(client, "s1", "started", 1000)
    assert post_events(client, TEI001).status_code == 202
    sessions_summarise()
    assert not WebhookChange.objects.exists()


def test_a_tenants_subscription_never_receives_another_tenants_changes(client):
    district = tenant_get_or_create(name="district")
    district_token = learner_token_issue(tenant_id=district.pk, learner=OTHER_OPAQUE)
    with receiving() as ours, receiving() as theirs:
        subscribe(ours.url)
        subscribe(theirs.url, tenant=district)
        lifecycle(client, "same-session", "started", 1000)
        lifecycle(client, "same-session", "started", 1000, token=district_token)
        lifecycle(client, "theirs-only", "completed", 2000, token=district_token)
        deliveries_run()
    assert {(c["learner"], c["session"]) for c in ours.changes.values()} == {
        (OPAQUE, "same-session")
    }
    assert {(c["learner"], c["session"]) for c in theirs.changes.values()} == {
        (OTHER_OPAQUE, "same-session"),
        (OTHER_OPAQUE, "theirs-only"),
    }


def test_send_again_resends_a_logged_delivery_and_send_from_here_rewinds_the_cursor(client):
    with receiving() as receiver:
        hook = subscribe(receiver.url)
        lifecycle(client, "s1", "started", 1000)
        deliveries_run()
        lifecycle(client, "s1", "completed", 2000)
        deliveries_run()
        first, second = WebhookDelivery.objects.order_by("id")
        again = delivery_resend(delivery_id=first.id)
        assert again.succeeded and again.resend and again.changes == first.changes
        assert again.delivery_id != first.delivery_id
        assert receiver.duplicates == 1
        delivery_send_from(delivery_id=first.id)
        assert subscription_lag(hook)[0] == 2
        assert deliveries_run() == {"sent": 2, "failed": 0}
    assert receiver.duplicates == 3
    assert [headers["Pathlens-Delivery"] for headers, _ in receiver.requests][-1] != str(
        second.delivery_id
    )


def test_a_redirect_is_a_failure_not_a_delivery(client):
    with receiving() as receiver:
        hook = subscribe(receiver.url)
        receiver.answers = [302]
        lifecycle(client, "s1", "started", 1000)
        assert deliveries_run() == {"sent": 0, "failed": 1}
    hook.refresh_from_db()
    assert hook.last_error == "The receiver answered 302" and subscription_lag(hook)[0] == 1


def test_a_run_sends_a_backlog_in_batches_and_a_disabled_subscription_nothing(client, monkeypatch):
    monkeypatch.setattr(delivery, "BATCH", 2)
    with receiving() as receiver:
        hook = subscribe(receiver.url)
        for number in range(5):
            lifecycle(client, f"s{number}", "started", 1000)
        WebhookSubscription.objects.filter(id=hook.id).update(enabled=False)
        assert deliveries_run() == {"sent": 0, "failed": 0}
        WebhookSubscription.objects.filter(id=hook.id).update(enabled=True)
        assert deliveries_run() == {"sent": 5, "failed": 0}
    assert [len(body["changes"]) for _, body in receiver.requests] == [2, 2, 1]


def test_the_signature_is_hmac_sha256_of_the_timestamp_and_body():
    body = b'{"changes":[]}'
    header = signature_header(secret=SECRET, body=body, timestamp=1_700_000_000)
    mac = hmac.new(SECRET.encode(), b"1700000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={mac}"
    now = 1_700_000_000 + 60
    assert signature_verify(secret=SECRET, body=body, header=header, now=now)
    assert not signature_verify(secret="whsec_another", body=body, header=header, now=now)
    assert not signature_verify(secret=SECRET, body=body + b" ", header=header, now=now)
    assert not signature_verify(secret=SECRET, body=body, header=header, now=now + 600)
    assert not signature_verify(secret=SECRET, body=body, header="v1=abc", now=now)
    # The documented receiver agrees with us on a fresh signature and refuses a replayed one.
    verify = documented_verify()
    assert verify(SECRET, body, signature_header(secret=SECRET, body=body))
    assert not verify(SECRET, body, header)  # from 2023: outside the tolerance
    assert not verify(SECRET, body, "t=abc,v1=00")


@pytest.mark.parametrize(
    "url",
    ["https://hooks.example.org/pathlens", "http://localhost:8080/in", "http://127.0.0.1/x",
     "http://[::1]:9000/"],
)  # fmt: skip
def test_it_takes_https_and_plain_http_to_this_machine_only(url):
    webhook_url_validate(url)


@pytest.mark.parametrize(
    "url",
    ["http://hooks.example.org/pathlens", "http://10.0.0.5/in", "ftp://hooks.example.org/",
     "https:///no-host", "http://localhost.example.org/"],
)  # fmt: skip
def test_it_refuses_plain_http_elsewhere_and_other_schemes(url):
    with pytest.raises(ValidationError, match="must start with https://"):
        webhook_url_validate(url)


def test_the_outbox_numbers_changes_in_commit_order_per_tenant(client):
    subscribe("https://hooks.example.org/")
    for number in range(3):
        lifecycle(client, "s1", "resumed", 1000 + number)
    changes = list(WebhookChange.objects.order_by("id").values_list("seq", "data__t"))
    assert changes == [(1, BASE + 1000), (2, BASE + 1001), (3, BASE + 1002)]


def test_erasing_a_learner_erases_their_changes_not_yet_sent(client):
    subscribe("https://hooks.example.org/")
    lifecycle(client, "s1", "started", 1000)
    lifecycle(
        client,
        "s1",
        "started",
        1000,
        token=learner_token_issue(tenant_id=tenant_default().pk, learner=OTHER_OPAQUE),
    )
    learner_erase(tenant_id=tenant_default().pk, learner=OPAQUE)
    assert list(WebhookChange.objects.values_list("learner", flat=True)) == [OTHER_OPAQUE]
