"""The webhook records of the platform side: subscriptions, the outbox of changes, and the log of
deliveries.

Imported by collector/models.py, so that they are the collector app's models, in the `analytics`
database like every platform-side table. Learners appear by opaque id only, as everywhere here.
"""

from __future__ import annotations

import uuid

from django.db import models

from collector.models import OPAQUE_ID_MAX, SESSION_ID_MAX, Tenant
from collector.webhooks.addresses import webhook_url_validate
from collector.webhooks.kinds import KINDS


def all_kinds() -> list[str]:
    return list(KINDS)


class WebhookSubscription(models.Model):
    """Where a tenant's session changes are POSTed, signed with `secret` (collector/webhooks/).

    Made and edited in the admin; the secret is needed in the clear to sign, and is shown only
    once, when it is made (the form never renders it back). The other columns are the deliverer's
    bookkeeping, shown to operators and never to teachers.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    url = models.URLField(
        max_length=500,
        validators=[webhook_url_validate],
        help_text="Where changes are POSTed: https:// (http:// only to localhost).",
    )
    secret = models.CharField(max_length=255, help_text="The signing secret (never shown again).")
    kinds = models.JSONField(default=all_kinds, help_text="The kinds of change it receives.")
    enabled = models.BooleanField(default=True)
    last_success = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Failed attempts since the last success: the backoff's exponent.
    failures = models.PositiveIntegerField(default=0)
    next_attempt = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "webhook subscription"

    def __str__(self) -> str:
        return f"webhook to {self.url}"


class WebhookChange(models.Model):
    """One change of a session, as its subscribers receive it: the outbox row, written in the same
    transaction as the change it reports (collector/webhooks/outbox.py), so that a change is
    recorded if and only if it happened, with a WebhookPending row for each subscription that
    wants it.

    `seq` counts the session's changes, 1, 2, …: a receiver keeps the highest it applied and
    ignores a lower one arriving late. Within a session, ids rise with seq (its writers queue on
    the session's row), so delivering by id delivers a session's changes in order.
    """

    id = models.BigAutoField(primary_key=True)
    change_id = models.UUIDField(default=uuid.uuid4, help_text="What a receiver dedupes by.")
    # No foreign-key constraint: written on the ingest path, and tenants are never deleted.
    tenant = models.ForeignKey(
        Tenant, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    kind = models.CharField(max_length=32)
    learner = models.CharField(max_length=OPAQUE_ID_MAX)
    widget = models.CharField(max_length=64)
    session = models.CharField(max_length=SESSION_ID_MAX)
    seq = models.PositiveIntegerField()
    data = models.JSONField(default=dict)
    created = models.DateTimeField()

    class Meta:
        verbose_name = "webhook change"
        constraints = [
            # Also the index the outbox reads a session's last seq from.
            models.UniqueConstraint(
                fields=["tenant", "learner", "widget", "session", "seq"],
                name="webhookchange_session_seq",
            )
        ]
        indexes = [models.Index(fields=["tenant", "id"], name="webhookchange_tenant_id")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.widget} session {self.session} (#{self.seq})"


class WebhookPending(models.Model):
    """A change a subscription has not acknowledged yet: made with the change, deleted when the
    receiver answers 2xx for a batch carrying it.

    Rows, not a cursor over change ids: ids are taken at insert and committed in any order, so a
    change with a lower id may commit after the deliverer has sent higher ones; a cursor would
    skip it for good, and keeping ids in commit order would need a per-tenant lock held through
    every commit (it halved ingestion with small batches: benchmarks/README.md, "Webhooks on the
    ingest path"). No foreign-key constraints: written on the ingest path, next to subscriptions
    that may be deleted at that moment (a row left for a deleted one is never read).
    """

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    change = models.ForeignKey(
        WebhookChange, on_delete=models.CASCADE, db_constraint=False, related_name="pending"
    )

    class Meta:
        verbose_name = "pending webhook change"
        constraints = [
            # Also the index a delivery reads its subscription's next batch from, by change id.
            models.UniqueConstraint(
                fields=["subscription", "change"], name="webhookpending_subscription_change"
            )
        ]

    def __str__(self) -> str:
        return f"change {self.change_id} for subscription {self.subscription_id}"


class WebhookDelivery(models.Model):
    """One POST to a subscription (or an attempt at one): the delivery log operators read, and
    what "send again" re-sends."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    delivery_id = models.UUIDField(default=uuid.uuid4, help_text="Its Pathlens-Delivery header.")
    # The WebhookChange ids it carried, in order.
    changes = models.JSONField(default=list)
    resend = models.BooleanField(default=False, help_text="Sent again by an operator.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempted_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["subscription", "-attempted_at"], name="webhookdelivery_sub_time"),
            models.Index(fields=["attempted_at"], name="webhookdelivery_time"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.delivery_id}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
