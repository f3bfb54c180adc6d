"""Pruning webhooks (the beat task `collector.prune_webhooks`): changes every subscription took
and the delivery log go after WEBHOOK_RETENTION_DAYS; a change still waiting stays however old."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone

from collector.tasks import prune_webhooks
from collector.tenants import tenant_default
from collector.webhooks.delivery import deliveries_run, delivery_resend
from collector.webhooks.kinds import STARTED
from collector.webhooks.models import (
    WebhookChange,
    WebhookDelivery,
    WebhookPending,
    WebhookSubscription,
)
from collector.webhooks.outbox import NewChange, changes_write
from tests.support.db import BOTH_DATABASES
from tests.support.webhooks import SECRET, receiving

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)


def _change(session: str) -> WebhookChange:
    with transaction.atomic(using="analytics"):
        changes_write([NewChange(tenant_default().pk, STARTED, "a", "w", session, {})])
    return WebhookChange.objects.get(session=session)


def _made(change: WebhookChange, days_ago: int) -> None:
    made = timezone.now() - timedelta(days=days_ago)
    WebhookChange.objects.filter(pk=change.pk).update(created=made)
    attempts = [entry.pk for entry in WebhookDelivery.objects.all() if change.pk in entry.changes]
    WebhookDelivery.objects.filter(pk__in=attempts).update(attempted_at=made)


def test_it_is_scheduled_hourly_and_keeps_30_days_unless_told():
    assert django_settings.WEBHOOK_RETENTION_DAYS == 30
    schedule = django_settings.CELERY_BEAT_SCHEDULE["prune-webhooks"]
    assert (schedule["task"], schedule["schedule"]) == ("collector.prune_webhooks", 3600)


def test_it_deletes_delivered_changes_and_log_after_the_retention_and_keeps_waiting_ones(settings):
    settings.WEBHOOK_RETENTION_DAYS = 30
    tenant = tenant_default()
    with receiving() as up, receiving() as down:
        down.unavailable = True
        WebhookSubscription.objects.create(tenant=tenant, url=up.url, secret=SECRET)
        delivered_old = _change("delivered-old")
        deliveries_run()
        stuck = WebhookSubscription.objects.create(tenant=tenant, url=down.url, secret=SECRET)
        waiting_old = _change("waiting-old")  # the receiver that is down never takes it
        deliveries_run()
        WebhookSubscription.objects.filter(pk=stuck.pk).update(enabled=False)
        delivered_recent = _change("delivered-recent")
        deliveries_run()
    # A change whose only subscription was deleted as it was written (its pending row is left).
    orphaned_old = _change("orphaned-old")
    WebhookPending.objects.filter(change=orphaned_old).update(subscription_id=stuck.pk + 100)
    for change, days in ((delivered_old, 31), (waiting_old, 31), (orphaned_old, 31)):
        _made(change, days)
    _made(delivered_recent, 29)
    assert up.order == [str(c.change_id) for c in (delivered_old, waiting_old, delivered_recent)]
    assert WebhookDelivery.objects.count() == 4  # three taken, one refused by `down`

    assert prune_webhooks() == {"changes": 2, "deliveries": 3, "orphans": 1}
    kept = set(WebhookChange.objects.values_list("session", flat=True))
    assert kept == {"waiting-old", "delivered-recent"}
    assert list(WebhookPending.objects.values_list("subscription_id", "change_id")) == [
        (stuck.pk, waiting_old.pk)
    ]
    (recent_log,) = WebhookDelivery.objects.all()
    assert recent_log.changes == [delivered_recent.pk]
    assert prune_webhooks() == {"changes": 0, "deliveries": 0, "orphans": 0}


def test_sending_again_a_delivery_whose_changes_were_pruned_sends_nothing(settings):
    with receiving() as receiver:
        WebhookSubscription.objects.create(tenant=tenant_default(), url=receiver.url, secret=SECRET)
        change = _change("gone")
        deliveries_run()
        logged = WebhookDelivery.objects.get()
        WebhookChange.objects.filter(pk=change.pk).update(
            created=timezone.now() - timedelta(days=31)
        )
        assert prune_webhooks()["changes"] == 1
        again = delivery_resend(delivery_id=logged.pk)
    assert not again.succeeded and "no longer kept" in again.error
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.count() == 1  # nothing sent, nothing logged
