"""Delivery of a tenant's changes to its subscriptions (the beat task `collector.deliver_webhooks`;
its retries, backoff and leases are collector/sending.py's, shared with LRS forwarding).

At least once, in order: a subscription's pending changes (WebhookPending) are POSTed in batches
of the lowest change ids as `{"changes": [...]}`, signed (collector/webhooks/signing.py), and
stop being pending only once the receiver answered 2xx. A batch whose answer was lost is sent
again, so a receiver dedupes by each change's `id`. Any other answer, a redirect, a timeout or no
answer keeps them pending, records the error and sets the next attempt after an exponential
backoff; nothing is sent meanwhile. A session's changes have rising ids (outbox.py), so they
arrive in their `seq` order; a change of another session that committed late (a lower id) simply
goes in a later batch.

Every attempt is logged (WebhookDelivery) with the changes it carried: an operator can send one
again (`delivery_resend`, out of order by nature) or queue again everything from it on
(`delivery_send_from`), which then goes in order. Delivered changes and the log are kept
WEBHOOK_RETENTION_DAYS (`webhooks_prune`, the beat task `collector.prune_webhooks`).
"""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from collector import sending
from collector.pruning import delete_in_batches
from collector.sending import SendFailed
from collector.webhooks.models import (
    WebhookChange,
    WebhookDelivery,
    WebhookPending,
    WebhookSubscription,
)
from collector.webhooks.signing import DELIVERY_HEADER, HEADER, signature_header
from config.routers import ANALYTICS_ALIAS as ALIAS

BATCH = 100
TIMEOUT = 10  # seconds, per request: a receiver should answer at once and work afterwards
USER_AGENT = "Pathlens-Webhooks/1"
PRUNE_BATCH = 5000


def change_json(change: WebhookChange) -> dict:
    """A change as receivers get it (docs/collector.md has the fields)."""
    return {
        "id": str(change.change_id),
        "kind": change.kind,
        "session": change.session,
        "widget": change.widget,
        "learner": change.learner,
        "seq": change.seq,
        "created": change.created.isoformat().replace("+00:00", "Z"),
        "data": change.data,
    }


def waiting_changes(subscription: WebhookSubscription) -> QuerySet[WebhookChange]:
    """The changes the subscription has not acknowledged yet, in order."""
    return (
        WebhookChange.objects.using(ALIAS)
        .filter(pending__subscription_id=subscription.pk, kind__in=subscription.kinds)
        .order_by("id")
    )


def subscription_lag(subscription: WebhookSubscription) -> tuple[int, datetime | None]:
    """How many changes wait for the subscription, and when the oldest of them was made."""
    waiting = waiting_changes(subscription)
    return waiting.count(), waiting.values_list("created", flat=True).first()


def deliveries_run(*, now: datetime | None = None) -> dict[str, int]:
    """Runs every enabled subscription that is due; answers how many changes were delivered and
    how many subscriptions failed."""
    return sending.targets_run(
        WebhookSubscription,
        now=now,
        run=lambda target_id, at: subscription_run(subscription_id=target_id, now=at),
    )


def subscription_run(*, subscription_id: int, now: datetime | None = None) -> tuple[int, bool]:
    """Sends what waits for one subscription, if it is due: (changes delivered, whether an
    attempt failed). Backoff and leases: collector/sending.py."""
    return sending.target_run(
        WebhookSubscription, target_id=subscription_id, now=now, send_batch=_send_batch
    )


def _send_batch(subscription: WebhookSubscription) -> int:
    """Delivers the subscription's next batch and stops its changes waiting; answers how many."""
    batch = list(waiting_changes(subscription)[:BATCH])
    if not batch:
        return 0
    delivery = _deliver(subscription, batch)
    if not delivery.succeeded:
        raise SendFailed(delivery.error)
    done = WebhookPending.objects.using(ALIAS).filter(subscription_id=subscription.pk)
    done.filter(change_id__in=delivery.changes).delete()
    return len(batch)


def delivery_resend(*, delivery_id: int) -> WebhookDelivery:
    """Sends a logged delivery's changes again, now, as a new delivery (logged, marked as a
    resend); what is pending is left alone. Answers the new delivery, failed or not."""
    original = (
        WebhookDelivery.objects.using(ALIAS).select_related("subscription").get(id=delivery_id)
    )
    changes = WebhookChange.objects.using(ALIAS).filter(
        tenant_id=original.subscription.tenant_id, id__in=original.changes
    )
    batch = list(changes.order_by("id"))
    if not batch:  # pruned (WEBHOOK_RETENTION_DAYS) or erased: nothing to send, nothing logged
        return WebhookDelivery(
            subscription=original.subscription,
            resend=True,
            error="Its changes are no longer kept (WEBHOOK_RETENTION_DAYS), or were erased.",
            attempted_at=timezone.now(),
        )
    return _deliver(original.subscription, batch, resend=True)


def delivery_send_from(*, delivery_id: int) -> WebhookSubscription:
    """Queues again, for the delivery's subscription, every change of its tenant and kinds from
    the delivery's first one on, so that the next run (made due now) delivers them in order."""
    delivery = (
        WebhookDelivery.objects.using(ALIAS).select_related("subscription").get(id=delivery_id)
    )
    subscription = delivery.subscription
    again = WebhookChange.objects.using(ALIAS).filter(
        tenant_id=subscription.tenant_id,
        kind__in=subscription.kinds,
        id__gte=min(delivery.changes, default=0),
    )
    WebhookPending.objects.using(ALIAS).bulk_create(
        [
            WebhookPending(subscription_id=subscription.pk, change_id=change_id)
            for change_id in again.values_list("id", flat=True).iterator()
        ],
        ignore_conflicts=True,  # those still pending stay so
        batch_size=1000,
    )
    subscription.next_attempt = None
    subscription.save(using=ALIAS, update_fields=["next_attempt"])
    return subscription


def _deliver(
    subscription: WebhookSubscription, batch: list[WebhookChange], *, resend: bool = False
) -> WebhookDelivery:
    """POSTs one batch and logs the attempt (its `succeeded` says whether the answer was 2xx)."""
    body = json.dumps(
        {"changes": [change_json(change) for change in batch]},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    delivery = WebhookDelivery(
        subscription=subscription,
        delivery_id=uuid.uuid4(),
        changes=[change.id for change in batch],
        resend=resend,
        attempted_at=timezone.now(),
    )
    started = time.monotonic()
    try:
        delivery.status_code = _post(subscription, body, delivery.delivery_id)
    except SendFailed as failure:
        delivery.status_code, delivery.error = failure.status, str(failure)
    delivery.duration_ms = round((time.monotonic() - started) * 1000)
    delivery.save(using=ALIAS)
    return delivery


def _post(subscription: WebhookSubscription, body: bytes, delivery_id: uuid.UUID) -> int:
    """POSTs to the receiver: its status if 2xx; raises SendFailed otherwise."""
    request = urllib.request.Request(  # noqa: S310 (an operator-set https URL: models.py)
        subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            HEADER: signature_header(secret=subscription.secret, body=body),
            DELIVERY_HEADER: str(delivery_id),
        },
    )
    return sending.post(request, timeout=TIMEOUT, receiver="receiver")


def webhooks_prune(*, before: datetime) -> dict[str, int]:
    """Deletes what webhooks no longer need (the beat task `collector.prune_webhooks`): changes
    made before `before` that no subscription waits for any more (delivered, or their
    subscription deleted), and the delivery log's entries from before `before`. A change still
    waiting is kept however old: at least once comes first. Answers what it deleted."""
    pending = WebhookPending.objects.using(ALIAS)
    # A pending row of a subscription deleted as the change was written (no constraint there).
    orphans, _ = pending.exclude(
        subscription_id__in=WebhookSubscription.objects.using(ALIAS).values("id")
    ).delete()
    delivered = WebhookChange.objects.using(ALIAS).filter(created__lt=before, pending__isnull=True)
    changes = delete_in_batches(delivered, size=PRUNE_BATCH)
    log, _ = WebhookDelivery.objects.using(ALIAS).filter(attempted_at__lt=before).delete()
    return {"changes": changes, "deliveries": log, "orphans": orphans}
