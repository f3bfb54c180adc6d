"""The xAPI records of the platform side: statements and activity state documents.

Imported by collector/models.py, so that they are the collector app's models, in the `analytics`
database like every platform-side table. No real learner id is ever stored here: every agent a
statement names is an opaque id (collector/xapi/agents.py refuses the rest).
"""

from __future__ import annotations

from django.db import models

from collector.models import OPAQUE_ID_MAX, Tenant


class Statement(models.Model):
    """One xAPI statement as the LRS returns it (`body`: with `stored`, `authority`, `version`).

    Statements about one of our widgets are also stored as events (collector/xapi/mapping.py);
    this row is what `GET /xapi/statements` answers from. The text columns below exist for the
    query filters, so that a query reads no JSON.
    """

    seq = models.BigAutoField(primary_key=True)  # arrival order: the `more` cursor
    tenant = models.ForeignKey(
        Tenant, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    statement_id = models.UUIDField()
    # The actor's opaque id when it is one learner (an Agent); empty for a Group.
    learner = models.CharField(max_length=OPAQUE_ID_MAX, blank=True)
    verb = models.TextField()
    # The object's id when it is an Activity; empty otherwise.
    activity = models.TextField(blank=True)
    # The widget the statement is about, when it is one of ours (and so also an event).
    widget = models.CharField(max_length=64, blank=True)
    registration = models.UUIDField(null=True)
    # Keys of agents (collector/xapi/agents.py) and activity ids, each between unit separators
    # (\x1f) so that a `contains` filter matches whole keys: the actor and an Agent/Group object
    # ("agents"), then also authority, instructor, team and sub-statement ones ("related_…").
    agents = models.TextField()
    related_agents = models.TextField()
    related_activities = models.TextField()
    stored = models.DateTimeField()
    timestamp = models.DateTimeField()
    voided = models.BooleanField(default=False)
    # The statement this one voids, if its verb is "voided".
    voids = models.UUIDField(null=True)
    # The statement as answered, as JSON text: written and answered without a jsonb round trip
    # (PostgreSQL's parse of every body was most of the cost of storing one).
    body = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "statement_id"], name="statement_tenant_statement_id"
            )
        ]
        indexes = [
            # Queries page by arrival (the primary key, seq); erasure finds a learner's here.
            models.Index(fields=["tenant", "learner"], name="statement_tenant_learner"),
            # Only voiding statements have `voids`: the index stays small and costs others nothing.
            models.Index(
                fields=["tenant", "voids"],
                name="statement_tenant_voids",
                condition=models.Q(voids__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"statement {self.statement_id}"


class ActivityState(models.Model):
    """One document of the State resource: what packaged content keeps to resume where a learner
    left off, keyed by activity, agent, registration (optional) and state id."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, db_index=False, related_name="+")
    learner = models.CharField(max_length=OPAQUE_ID_MAX)  # the agent's opaque id
    activity = models.TextField()
    registration = models.UUIDField(null=True)
    state_id = models.TextField()
    # sha256 of (activity, learner, registration, state id): the unique key, whatever their length.
    key = models.CharField(max_length=64)
    content = models.BinaryField()
    content_type = models.CharField(max_length=255)
    updated = models.DateTimeField()

    class Meta:
        verbose_name = "activity state"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="activitystate_tenant_key")
        ]
        indexes = [
            models.Index(fields=["tenant", "learner", "activity"], name="activitystate_agent"),
        ]

    def __str__(self) -> str:
        return f"state {self.state_id[:40]}"


class LrsForwarding(models.Model):
    """Where a tenant's new statements are also sent: another LRS, by its statements endpoint and
    Basic credentials (collector/xapi/forwarding.py). Made and edited in the admin; the rest of the
    columns are the forwarder's bookkeeping, shown to operators there and never to teachers."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    endpoint = models.URLField(
        max_length=500,
        help_text="The other LRS's xAPI base, e.g. https://lrs.example.org/xapi/ "
        "(statements are POSTed to <endpoint>statements).",
    )
    username = models.CharField(max_length=255, help_text="Its Basic auth user (a key id).")
    # Needed in the clear to send it; shown nowhere (the admin form never renders it back).
    password = models.CharField(max_length=255, help_text="Its Basic auth password (secret).")
    enabled = models.BooleanField(default=True)
    # What waits is StatementPending rows, made as statements are stored. This queues, at the
    # next run, every statement of the tenant after this seq as well (then it is cleared): 0,
    # a new forwarding's default, sends the whole history; an operator sets it to send again.
    send_after = models.BigIntegerField(
        null=True,
        blank=True,
        default=0,
        help_text="Send (again) every statement stored after this sequence number, in order, "
        "from the next run on: 0 for the whole history. Cleared once queued.",
    )
    last_success = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Failed attempts since the last success: the backoff's exponent.
    failures = models.PositiveIntegerField(default=0)
    next_attempt = models.DateTimeField(null=True, blank=True)
    # Statements the other LRS already held with other content under the same id (409): counted
    # as delivered, as there is nothing a resend could change.
    conflicts = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "LRS forwarding"

    def __str__(self) -> str:
        return f"forwarding to {self.endpoint}"


class StatementPending(models.Model):
    """A statement a forwarding has not delivered yet: made in the transaction that stores the
    statement (collector/xapi/statements.py), for every forwarding of its tenant, enabled or
    not (a disabled one is paused); deleted when the other LRS answered 2xx for a batch
    carrying it.

    Rows, not a cursor over seqs: seqs are taken at insert and committed in any order, so a
    statement with a lower seq may commit after the forwarder has sent higher ones, and a cursor
    would skip it for good (WebhookPending says the same of webhook changes, and why keeping
    seqs in commit order is not the way). No foreign-key constraints: written on the ingest
    path, next to forwardings that may be deleted at that moment.
    """

    forwarding = models.ForeignKey(
        LrsForwarding, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, db_constraint=False, related_name="pending"
    )

    class Meta:
        verbose_name = "pending forwarded statement"
        constraints = [
            # Also the index a run reads its forwarding's next batch from, by seq.
            models.UniqueConstraint(
                fields=["forwarding", "statement"], name="statementpending_forwarding_statement"
            )
        ]

    def __str__(self) -> str:
        return f"statement {self.statement_id} for forwarding {self.forwarding_id}"


class AttemptResult(models.Model):
    """One attempt at an activity that is not one of our widgets (its statements of one
    registration; those without one are one attempt together), as a data request found it in its
    window: materialised beside the request's session rows (collector/xapi/other.py)."""

    request = models.ForeignKey(
        "collector.DataRequest", on_delete=models.CASCADE, related_name="attempts"
    )
    learner = models.CharField(max_length=OPAQUE_ID_MAX)
    activity = models.TextField()
    name = models.CharField(max_length=200)
    registration = models.CharField(max_length=36, blank=True)  # "" for no registration
    start = models.BigIntegerField(help_text="epoch ms")
    end = models.BigIntegerField(help_text="epoch ms")
    statements = models.PositiveIntegerField()
    completed = models.BooleanField(default=False)
    passed = models.BooleanField(default=False)
    score = models.FloatField(null=True, help_text="The best result.score.scaled, -1 to 1.")
    active_ms = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["request", "id"], name="attempt_request_id")]

    def __str__(self) -> str:
        return f"attempt at {self.name}"


class StatementAttachment(models.Model):
    """One attachment sent with a statement in a multipart/mixed body (a signature, usually):
    its content, which `GET /xapi/statements?attachments=true` answers. Kept per statement, not
    per hash, so that erasing a learner's statements erases their attachments with them."""

    tenant = models.ForeignKey(
        Tenant, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    statement_id = models.UUIDField()
    sha2 = models.CharField(max_length=128)  # as the statement's attachment names it
    content_type = models.CharField(max_length=255)
    content = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "statement_id", "sha2"], name="attachment_tenant_statement"
            )
        ]

    def __str__(self) -> str:
        return f"attachment {self.sha2[:12]} of {self.statement_id}"
