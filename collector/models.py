"""The platform side's records. Every learner here is an opaque id; no real id ever arrives.

All of these live in the `analytics` database (config.routers). The event store is append-only
and keyed for per-learner, per-session reads.
"""

from __future__ import annotations

import uuid

from django.db import models

OPAQUE_ID_MAX = 64
SESSION_ID_MAX = 128
DEFAULT_TENANT = "default"


class Tenant(models.Model):
    """Whose data it is: a school, or a district's dashboard. Every API key belongs to one.

    Learners, sessions, events, tokens, data requests and quarantined events belong to the tenant
    whose key (or token) created them, and every other tenant is told they do not exist (404).
    Opaque ids are a namespace per tenant: the same id in two tenants is two learners. The
    embedded set-up, and everything that existed before tenants, is in the tenant "default".
    """

    name = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Learner(models.Model):
    """An opaque id known to one tenant: created when that tenant first mints a token for it.

    Tokens of this learner issued at or before `revoked_ms` are refused. The row outlives an
    erasure, so that the revocation still holds afterwards.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, db_index=False, related_name="+")
    opaque_id = models.CharField(max_length=OPAQUE_ID_MAX)
    revoked_ms = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "opaque_id"], name="learner_tenant_opaque")
        ]

    def __str__(self) -> str:
        return self.opaque_id


class Event(models.Model):
    """One learner interaction, stored once per idempotency key (`event_id`)."""

    seq = models.BigAutoField(primary_key=True)  # arrival order, for stable sorting of ties
    # No foreign-key constraint and no index of its own: this is the hottest table, every read
    # filters by learner first, and tenants are never deleted (PROTECT on every other table).
    tenant = models.ForeignKey(
        Tenant, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    event_id = models.UUIDField()
    learner = models.CharField(max_length=OPAQUE_ID_MAX)
    session = models.CharField(max_length=SESSION_ID_MAX)
    widget = models.CharField(max_length=64)
    type = models.CharField(max_length=64)
    t = models.BigIntegerField(help_text="Client time, epoch ms, as sent.")
    time = models.BigIntegerField(
        help_text="Client time corrected for clock skew with the batch's sent_at, epoch ms."
    )
    received = models.BigIntegerField(help_text="Server receive time, epoch ms.")
    data = models.JSONField(default=dict)
    # sha256 of the client-sent content: tells a harmless retry from a conflicting reuse of an id.
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [
            # Per tenant, so that a reused id can neither collide with nor reveal another
            # tenant's event.
            models.UniqueConstraint(fields=["tenant", "event_id"], name="event_tenant_event_id")
        ]
        indexes = [
            models.Index(fields=["learner", "session", "t"], name="event_learner_session_t"),
            models.Index(fields=["learner", "widget", "time"], name="event_learner_widget_time"),
        ]

    def __str__(self) -> str:
        return f"{self.type} at {self.t} ({self.event_id})"


class SessionStatus(models.TextChoices):
    STARTED = "started"
    RESUMED = "resumed"
    COMPLETED = "completed"


class Session(models.Model):
    """What is known of one learner's part in one session of one widget, kept up to date at ingest.

    A session id may be reused across days (resume widgets) and shared by several learners
    (multiplayer): each learner who sent events in it has a row of their own.
    """

    # Indexed by the unique constraint below, which starts with it.
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, db_index=False, related_name="+")
    learner = models.CharField(max_length=OPAQUE_ID_MAX)
    widget = models.CharField(max_length=64)
    session = models.CharField(max_length=SESSION_ID_MAX)
    first_time = models.BigIntegerField()
    last_time = models.BigIntegerField()
    # The largest client `t` seen so far: an event arriving with a smaller t is out of order.
    max_t = models.BigIntegerField(null=True)
    event_count = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    out_of_order = models.PositiveIntegerField(default=0)
    # Events of this session refused for validity (kept in the quarantine while within its
    # bound). A database default, so that ingest's raw upsert need not name it.
    refused = models.PositiveIntegerField(default=0, db_default=0)
    status = models.CharField(max_length=16, choices=SessionStatus, default=SessionStatus.STARTED)
    status_t = models.BigIntegerField(null=True, help_text="Client t of the lifecycle event.")
    updated_at = models.DateTimeField(auto_now=True)

    # --- The session's measures (widgets/measures.py), computed from all of its events ----------
    # `event_count` when the measures below were last computed: they are stale while it differs,
    # and `sessions_summarise` brings them up to date (in the background within seconds of
    # ingest, and always before a data request reads them).
    summarised_count = models.PositiveIntegerField(default=0, db_default=0)
    # Database defaults too: ingestion writes session rows with raw SQL (collector/ingest.py).
    active_ms = models.BigIntegerField(default=0, db_default=0, help_text="Active time, ms.")
    sittings = models.PositiveIntegerField(default=0, db_default=0)
    work_events = models.PositiveIntegerField(
        default=0,
        db_default=0,
        help_text="Events that are the learner's own work (not lifecycle).",
    )
    score = models.FloatField(null=True, help_text="Points over attempted items; null: none.")
    maximum = models.FloatField(null=True, help_text="Points available over attempted items.")
    full_maximum = models.FloatField(null=True, help_text="Points available over all items.")
    items_attempted = models.PositiveIntegerField(default=0, db_default=0)
    items_total = models.PositiveIntegerField(default=0, db_default=0)
    items = models.JSONField(
        default=list, db_default=[], help_text="Per item: tries, hints, solved on try N."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "learner", "widget", "session"],
                name="session_tenant_learner_widget_session",
            )
        ]
        indexes = [
            models.Index(fields=["session"], name="session_session"),
            models.Index(fields=["learner", "widget", "last_time"], name="session_learner_last"),
        ]

    def __str__(self) -> str:
        return f"{self.widget} session {self.session}"

    @property
    def span_ms(self) -> int:
        """First event to last: kept for reference; a resumed session's span includes days away."""
        return self.last_time - self.first_time

    @property
    def is_stale(self) -> bool:
        return self.summarised_count != self.event_count


class QuarantinedEvent(models.Model):
    """An event the ingestion API refused for validity, kept so that widget or schema drift is
    visible to operators (Django admin, `GET /api/v1/quarantine`) instead of lost in a console.

    Only the event's own fields are kept, as sent (a `learner` or other field in the body is
    dropped, as ingestion drops it); the learner is the token's opaque id. At most
    QUARANTINE_PER_TOKEN_PER_DAY rows per learner token and UTC day (collector/quarantine.py);
    erased with the learner, deleted QUARANTINE_RETENTION_DAYS after it was received.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, db_index=False, related_name="+")
    learner = models.CharField(max_length=OPAQUE_ID_MAX)
    session = models.CharField(max_length=SESSION_ID_MAX, blank=True, help_text="If known.")
    widget = models.CharField(max_length=64, blank=True, help_text="As sent, if a string.")
    raw = models.TextField(help_text="The event's JSON as sent, cut at 16 KiB.")
    truncated = models.BooleanField(default=False)
    reason = models.TextField()
    # sha256 of `raw`: the same event sent again (a retried request) is kept once.
    digest = models.CharField(max_length=64)
    token_digest = models.CharField(max_length=32, help_text="For the bound per token and day.")
    received_at = models.DateTimeField()

    class Meta:
        verbose_name = "quarantined event"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "learner", "digest"], name="quarantine_tenant_learner_digest"
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "-received_at"], name="quarantine_tenant_received"),
            models.Index(fields=["token_digest", "received_at"], name="quarantine_token_received"),
        ]

    def __str__(self) -> str:
        return f"{self.widget or '?'} event refused at {self.received_at:%Y-%m-%d %H:%M}"


class ApiKey(models.Model):
    """A server-to-server credential for the read side. Only a hash of the secret is stored."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    is_internal = models.BooleanField(
        default=False, help_text="The school side's in-process client (no HTTP, no secret)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class DataRequestKind(models.TextChoices):
    SESSIONS = "sessions"
    SCORES = "scores"
    # The learners' events and other activities' statements as xAPI statements (xAPI out).
    STATEMENTS = "statements"


class DataRequestStatus(models.TextChoices):
    PROCESSING = "PROCESSING"
    DONE = "DONE"
    FAILED = "FAILED"


class DataRequest(models.Model):
    """An asynchronous read: created, processed by a Celery task, then its results are read."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="data_requests")
    # The key's tenant, kept on the row: every key of the tenant may read the request (so a key
    # can be replaced while requests are in flight), and processing reads only its events.
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=DataRequestKind)
    learners = models.JSONField(default=list)
    widgets = models.JSONField(default=list)
    time_from = models.DateTimeField(null=True)
    time_to = models.DateTimeField(null=True)
    status = models.CharField(
        max_length=16, choices=DataRequestStatus, default=DataRequestStatus.PROCESSING
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent, 0–100.")
    reason = models.TextField(blank=True)
    result_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    # A `statements` request is not materialised (it would copy every event): processing notes
    # the last event and statement it covers, and its pages read up to them, so that the answer
    # does not change under a client that is still paging (collector/xapi/export.py).
    events_upto = models.BigIntegerField(null=True)
    statements_upto = models.BigIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="datarequest_status")]

    def __str__(self) -> str:
        return f"{self.kind} request {self.id} ({self.status})"


class DataRequestResult(models.Model):
    """One session's row in a finished data request, materialised so reading is a plain scan."""

    request = models.ForeignKey(DataRequest, on_delete=models.CASCADE, related_name="results")
    learner = models.CharField(max_length=OPAQUE_ID_MAX)
    widget = models.CharField(max_length=64)
    session = models.CharField(max_length=SESSION_ID_MAX)
    start = models.BigIntegerField(help_text="epoch ms")
    end = models.BigIntegerField(help_text="epoch ms")
    events = models.PositiveIntegerField()
    score = models.FloatField(null=True)
    maximum = models.FloatField(null=True)
    active_ms = models.BigIntegerField(default=0)
    sittings = models.PositiveIntegerField(default=0)
    work_events = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=16, default="")
    full_maximum = models.FloatField(null=True)
    items_attempted = models.PositiveIntegerField(default=0)
    items_total = models.PositiveIntegerField(default=0)
    items = models.JSONField(default=list)

    class Meta:
        indexes = [models.Index(fields=["request", "id"], name="result_request_id")]

    def __str__(self) -> str:
        return f"{self.widget} session {self.session}"


# The xAPI, RAGE, Segment and webhook records are collector models too, each kept in a module of
# its own.
from collector.rage.models import RagePlayer, RageSession, RageTrackingCode  # noqa: E402, F401
from collector.segment.models import SegmentWriteKey  # noqa: E402, F401
from collector.webhooks.models import (  # noqa: E402, F401
    WebhookChange,
    WebhookDelivery,
    WebhookPending,
    WebhookSubscription,
)
from collector.xapi.models import (  # noqa: E402, F401
    ActivityState,
    AttemptResult,
    LrsForwarding,
    Statement,
    StatementAttachment,
    StatementPending,
)
