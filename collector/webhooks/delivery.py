"""Delivery of a tenant's changes to its subscriptions (the beat task `collector.deliver_webhooks`,
shaped like collector/xapi/forwarding.py).

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
(`delivery_send_from`), which then goes in order.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

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
# A run stops starting batches after this long; the lease outlasts it and one last request.
RUN_BUDGET = 120  # seconds
LEASE = timedelta(minutes=10)
BACKOFF_FIRST = timedelta(seconds=15)
BACKOFF_MAX = timedelta(hours=1)
LOG_DAYS = 30  # the delivery log keeps this many days
USER_AGENT = "Pathlens-Webhooks/1"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is a failure to report, not to follow: urllib would follow a POST's 302 as a
    GET, whose 200 would then pass for a delivery."""

    def redirect_request(self, *args, **kwargs) -> None:
        return None


OPENER = urllib.request.build_opener(_NoRedirects)


class DeliveryFailed(Exception):
    """The receiver did not take a batch; the message is what an operator reads."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def backoff(failures: int) -> timedelta:
    """How long to wait after the failures-th failed attempt in a row: 15 s, 30 s, 1 min, … 1 h."""
    return min(BACKOFF_FIRST * 2 ** min(failures - 1, 20), BACKOFF_MAX)


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
    how many subscriptions failed. Prunes the delivery log."""
    now = now or timezone.now()
    due = WebhookSubscription.objects.using(ALIAS).filter(enabled=True)
    due = due.filter(Q(next_attempt__isnull=True) | Q(next_attempt__lte=now))
    totals = {"sent": 0, "failed": 0}
    for subscription_id in due.values_list("id", flat=True):
        sent, failed = subscription_run(subscription_id=subscription_id, now=now)
        totals["sent"] += sent
        totals["failed"] += int(failed)
    old = WebhookDelivery.objects.using(ALIAS).filter(
        attempted_at__lt=now - timedelta(days=LOG_DAYS)
    )
    old.delete()
    return totals


def _claim(subscription_id: int, now: datetime) -> WebhookSubscription | None:
    rows = WebhookSubscription.objects.using(ALIAS).filter(id=subscription_id, enabled=True)
    due = rows.filter(Q(next_attempt__isnull=True) | Q(next_attempt__lte=now))
    if not due.update(next_attempt=now + LEASE):
        return None  # not due, disabled, or claimed by another run
    return rows.first()


def subscription_run(*, subscription_id: int, now: datetime | None = None) -> tuple[int, bool]:
    """Sends what waits for one subscription, if it is due: (changes delivered, whether an
    attempt failed)."""
    now = now or timezone.now()
    subscription = _claim(subscription_id, now)
    if subscription is None:
        return 0, False
    rows = WebhookSubscription.objects.using(ALIAS).filter(id=subscription_id)
    started, sent = time.monotonic(), 0
    try:
        while time.monotonic() - started < RUN_BUDGET:
            batch = list(waiting_changes(subscription)[:BATCH])
            if not batch:
                break
            delivery = _deliver(subscription, batch)
            if not delivery.succeeded:
                raise DeliveryFailed(delivery.error)
            done = WebhookPending.objects.using(ALIAS).filter(subscription_id=subscription_id)
            done.filter(change_id__in=delivery.changes).delete()
            sent += len(batch)
            rows.update(last_success=now, last_error="", failures=0)
    except DeliveryFailed as failure:
        failures = subscription.failures + 1
        rows.update(
            last_error=str(failure), failures=failures, next_attempt=now + backoff(failures)
        )
        return sent, True
    rows.update(next_attempt=None)
    return sent, False


def delivery_resend(*, delivery_id: int) -> WebhookDelivery:
    """Sends a logged delivery's changes again, now, as a new delivery (logged, marked as a
    resend); what is pending is left alone. Answers the new delivery, failed or not."""
    original = (
        WebhookDelivery.objects.using(ALIAS).select_related("subscription").get(id=delivery_id)
    )
    changes = WebhookChange.objects.using(ALIAS).filter(
        tenant_id=original.subscription.tenant_id, id__in=original.changes
    )
    return _deliver(original.subscription, list(changes.order_by("id")), resend=True)


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
    except DeliveryFailed as failure:
        delivery.status_code, delivery.error = failure.status, str(failure)
    delivery.duration_ms = round((time.monotonic() - started) * 1000)
    delivery.save(using=ALIAS)
    return delivery


def _post(subscription: WebhookSubscription, body: bytes, delivery_id: uuid.UUID) -> int:
    """POSTs to the receiver: its status if 2xx; raises DeliveryFailed otherwise."""
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
    try:
        with OPENER.open(request, timeout=TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as error:
        detail = error.read(300).decode("utf-8", "replace").strip()
        message = f"The receiver answered {error.code}: {detail}".rstrip(": ")
        raise DeliveryFailed(message, status=error.code) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", error)
        raise DeliveryFailed(f"Could not reach the receiver: {reason}") from None
