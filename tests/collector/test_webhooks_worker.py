"""Celery beat, in a real worker process, delivers webhooks by itself, and tries again after the
backoff when the receiver was down."""

from __future__ import annotations

import pytest

from collector.tenants import tenant_default
from collector.webhooks.models import WebhookChange, WebhookSubscription
from collector.webhooks.outbox import hooked_forget
from tests.collector.helpers import event, post_events
from tests.support.db import BOTH_DATABASES
from tests.support.webhooks import SECRET, receiving
from tests.support.worker import running_worker


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, databases=BOTH_DATABASES)
def test_celery_beat_delivers_changes_by_itself_after_an_outage(client):
    with receiving() as receiver:
        WebhookSubscription.objects.create(tenant=tenant_default(), url=receiver.url, secret=SECRET)
        hooked_forget()
        for session in ("s1", "s2"):
            assert post_events(client, [event(session=session)]).status_code == 202
        receiver.unavailable = True
        with running_worker(beat=True, env={"WEBHOOK_INTERVAL": "1"}), receiver.arrived:
            assert receiver.arrived.wait_for(lambda: receiver.refused, timeout=120), "never tried"
            receiver.unavailable = False  # back: the next attempt (after 15 s) is taken
            assert receiver.arrived.wait_for(lambda: len(receiver.changes) == 2, timeout=120), (
                "not delivered after the outage"
            )
    hooked_forget()
    made = WebhookChange.objects.values_list("change_id", flat=True)
    assert sorted(receiver.changes) == sorted(str(change_id) for change_id in made)
    assert receiver.bad_signatures == 0 and receiver.duplicates == 0
    assert receiver.refused == 1  # one failure, then the backoff, then delivered
