"""A change that commits late, after changes with higher ids were delivered, is still delivered:
each subscription keeps pending rows, not a cursor over ids (collector/webhooks/models.py,
WebhookPending). Two real transactions on PostgreSQL (SQLite serialises every writer)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction

from collector.tenants import tenant_default
from collector.webhooks.delivery import deliveries_run
from collector.webhooks.kinds import STARTED
from collector.webhooks.models import WebhookChange, WebhookSubscription
from collector.webhooks.outbox import NewChange, changes_write, hooked_forget
from tests.support.db import BOTH_DATABASES
from tests.support.webhooks import SECRET, receiving


@pytest.mark.django_db(transaction=True, databases=BOTH_DATABASES)
def test_a_change_committed_after_higher_ids_were_delivered_is_still_delivered():
    if connections["analytics"].vendor != "postgresql":
        pytest.skip("SQLite serialises writers: no change can commit late")
    tenant = tenant_default().pk
    written, release = threading.Event(), threading.Event()

    def slow_writer() -> None:
        try:
            with transaction.atomic(using="analytics"):
                changes_write([NewChange(tenant, STARTED, "a", "w", "slow", {})])
                written.set()
                release.wait(60)
        finally:
            connections.close_all()

    with receiving() as receiver:
        WebhookSubscription.objects.create(tenant_id=tenant, url=receiver.url, secret=SECRET)
        hooked_forget()
        thread = threading.Thread(target=slow_writer)
        thread.start()
        assert written.wait(60)  # its change has the lower id, not committed yet
        with transaction.atomic(using="analytics"):
            changes_write([NewChange(tenant, STARTED, "b", "w", "fast", {})])
        assert deliveries_run() == {"sent": 1, "failed": 0}
        release.set()
        thread.join(60)
        assert deliveries_run() == {"sent": 1, "failed": 0}
    hooked_forget()
    slow, fast = WebhookChange.objects.order_by("id")
    assert (slow.session, fast.session) == ("slow", "fast")
    assert receiver.order == [str(fast.change_id), str(slow.change_id)]
