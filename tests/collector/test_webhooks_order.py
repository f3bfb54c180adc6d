"""A change that commits late, after changes with higher ids were delivered, is still delivered:
each subscription keeps pending rows, not a cursor over ids (collector/webhooks/models.py,
WebhookPending). On PostgreSQL with two real transactions, on SQLite (one writer at a time) with
the late change's rows held back (tests/support/late.py); a cursor would fail on both."""

from __future__ import annotations

import pytest
from django.db import transaction

from collector.tenants import tenant_default
from collector.webhooks.delivery import deliveries_run
from collector.webhooks.kinds import STARTED
from collector.webhooks.models import WebhookChange, WebhookPending, WebhookSubscription
from collector.webhooks.outbox import NewChange, changes_write, hooked_forget
from tests.support.db import BOTH_DATABASES
from tests.support.late import committed_late
from tests.support.webhooks import SECRET, receiving


@pytest.mark.django_db(transaction=True, databases=BOTH_DATABASES)
def test_a_change_committed_after_higher_ids_were_delivered_is_still_delivered():
    tenant = tenant_default().pk

    def slow() -> None:
        changes_write([NewChange(tenant, STARTED, "a", "w", "slow", {})])

    with receiving() as receiver:
        WebhookSubscription.objects.create(tenant_id=tenant, url=receiver.url, secret=SECRET)
        hooked_forget()
        with committed_late(slow, WebhookChange, WebhookPending):
            with transaction.atomic(using="analytics"):
                changes_write([NewChange(tenant, STARTED, "b", "w", "fast", {})])
            assert deliveries_run() == {"sent": 1, "failed": 0}
        assert deliveries_run() == {"sent": 1, "failed": 0}
        assert deliveries_run() == {"sent": 0, "failed": 0}
    hooked_forget()
    slow_change, fast_change = WebhookChange.objects.order_by("id")
    assert (slow_change.session, fast_change.session) == ("slow", "fast")  # the lower id: late
    assert receiver.order == [str(fast_change.change_id), str(slow_change.change_id)]
    assert not WebhookPending.objects.exists()
