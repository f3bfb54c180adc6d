"""Forwarding of a tenant's statements to another LRS (an LrsForwarding row, made in the admin).

At least once, in stored order: each statement the tenant stores gets a StatementPending row per
forwarding of the tenant, in the transaction that stores it (`statements_queue`), and the
forwarder POSTs each forwarding's pending statements in batches of the lowest seqs to
`<endpoint>statements` (xAPI 1.0.3, Basic auth); they stop being pending only once the other LRS
answered 2xx. Rows rather than a cursor over seqs because a seq is taken when the statement is
inserted and committed whenever its transaction ends: one with a lower seq can become visible
after higher ones were sent, and a cursor would have moved past it for good. Rows are also the
simpler of the correct designs: a cursor that only moves past seqs that can no longer be filled
in needs the database's transaction ids (PostgreSQL only, and subtle) or a lag window that is
only right while every transaction is shorter than it. The same reasoning made webhooks use
rows (collector/webhooks/models.py, WebhookPending). A forwarding's `send_after` queues the
history as well (all of it, for a new one), at its next run.

A batch whose answer was lost is sent again; its statement ids make that a no-op there (an LRS
answers a resent statement with the same content as if it were new). A 409 (the other LRS holds
another statement under one of the ids) is answered by sending that batch's statements one at a
time, so that one conflict does not hold back the rest; a statement refused with 409 on its own
counts as delivered (no resend could change the answer) and is counted.

Any other failure (unreachable, timeout, 4xx/5xx) keeps them pending, records the error, and
sets the next attempt after an exponential backoff; runs claim a forwarding with a lease, so two
never send the same batch at once (collector/sending.py, shared with webhook delivery).
"""

from __future__ import annotations

import base64
import json
import urllib.request
from datetime import datetime

from django.db import connections
from django.db.models import F, Q, QuerySet

from collector import sending
from collector.ingest import ALIAS
from collector.sending import SendFailed
from collector.xapi.attachments import sendable_as_json
from collector.xapi.models import LrsForwarding, Statement, StatementPending

BATCH = 100
TIMEOUT = 30  # seconds, per request
# Set by the LRS that stores a statement: the other LRS sets its own.
NOT_SENT = ("stored", "authority")

# statements_queue on PostgreSQL: one round trip, in which a tenant with no forwarding costs
# one look at a tiny table (COPY stored the statements, so their seqs are looked up by id).
QUEUE = """
INSERT INTO collector_statementpending (forwarding_id, statement_id)
SELECT f.id, s.seq FROM collector_lrsforwarding AS f
JOIN collector_statement AS s ON s.tenant_id = f.tenant_id AND s.statement_id = ANY(%s::uuid[])
WHERE f.tenant_id = %s
"""
# A forwarding's history after its `send_after`; what is pending already stays so.
QUEUE_AFTER = """
INSERT INTO collector_statementpending (forwarding_id, statement_id)
SELECT %s, seq FROM collector_statement WHERE tenant_id = %s AND seq > %s
ON CONFLICT DO NOTHING
"""


def statements_queue(*, tenant_id: int, statement_ids: list[str]) -> None:
    """Makes the newly stored statements pending for every forwarding of their tenant. Call it
    in the transaction that stores them, so that a statement is pending if and only if it is
    stored."""
    if not statement_ids:
        return
    connection = connections[ALIAS]
    assert connection.in_atomic_block, "statements are queued in the transaction storing them"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(QUEUE, ["{" + ",".join(statement_ids) + "}", tenant_id])
        return
    forwardings = LrsForwarding.objects.using(ALIAS).filter(tenant_id=tenant_id)
    forwarding_ids = list(forwardings.values_list("id", flat=True))
    if not forwarding_ids:
        return
    stored = Statement.objects.using(ALIAS).filter(
        tenant_id=tenant_id, statement_id__in=statement_ids
    )
    StatementPending.objects.using(ALIAS).bulk_create(
        [
            StatementPending(forwarding_id=forwarding_id, statement_id=seq)
            for seq in stored.values_list("seq", flat=True)
            for forwarding_id in forwarding_ids
        ]
    )


def forwardings_run(*, now: datetime | None = None) -> dict[str, int]:
    """Runs every enabled forwarding that is due; answers how many statements were delivered
    and how many forwardings failed."""
    return sending.targets_run(
        LrsForwarding,
        now=now,
        run=lambda target_id, at: forwarding_run(forwarding_id=target_id, now=at),
    )


def forwarding_run(*, forwarding_id: int, now: datetime | None = None) -> tuple[int, bool]:
    """Sends what waits for one forwarding, if it is due: (statements delivered, whether an
    attempt failed)."""
    return sending.target_run(
        LrsForwarding, target_id=forwarding_id, now=now, send_batch=_send_batch
    )


def _queue_after(forwarding: LrsForwarding) -> None:
    """Makes the statements after the forwarding's `send_after` pending too, then clears it
    (unless an operator set it again meanwhile)."""
    after = forwarding.send_after
    if after is None:
        return
    with connections[ALIAS].cursor() as cursor:
        cursor.execute(QUEUE_AFTER, [forwarding.pk, forwarding.tenant_id, after])
    rows = LrsForwarding.objects.using(ALIAS).filter(id=forwarding.pk, send_after=after)
    rows.update(send_after=None)
    forwarding.send_after = None


def waiting_statements(forwarding: LrsForwarding) -> QuerySet[Statement]:
    """The statements pending for the forwarding, in the order stored."""
    return (
        Statement.objects.using(ALIAS).filter(pending__forwarding_id=forwarding.pk).order_by("seq")
    )


def _send_batch(forwarding: LrsForwarding) -> int:
    """Delivers the forwarding's next batch (or raises SendFailed) and stops it waiting;
    answers how many statements it carried."""
    _queue_after(forwarding)
    batch = list(waiting_statements(forwarding).values_list("seq", "body")[:BATCH])
    if not batch:
        return 0
    conflicts = _send(forwarding, [body for _, body in batch])
    done = StatementPending.objects.using(ALIAS).filter(forwarding_id=forwarding.pk)
    done.filter(statement_id__in=[seq for seq, _ in batch]).delete()
    if conflicts:
        LrsForwarding.objects.using(ALIAS).filter(id=forwarding.pk).update(
            conflicts=F("conflicts") + conflicts
        )
    return len(batch)


def _payload(bodies: list[str]) -> bytes:
    statements = []
    for body in bodies:
        statement = json.loads(body)
        for key in NOT_SENT:
            statement.pop(key, None)
        statements.append(sendable_as_json(statement))  # a signature's content stays here
    return json.dumps(statements, ensure_ascii=False, separators=(",", ":")).encode()


def _send(forwarding: LrsForwarding, bodies: list[str]) -> int:
    """Delivers the statements (or raises SendFailed); answers how many were conflicts."""
    status = _post(forwarding, _payload(bodies))
    if status != 409:
        return 0
    if len(bodies) == 1:
        return 1
    return sum(_send(forwarding, [body]) for body in bodies)


def statements_url(endpoint: str) -> str:
    return f"{endpoint.rstrip('/')}/statements"


def _post(forwarding: LrsForwarding, payload: bytes) -> int:
    """POSTs to the other LRS: its status if 2xx or 409; raises SendFailed otherwise."""
    credential = base64.b64encode(f"{forwarding.username}:{forwarding.password}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 (an operator-set http(s) URL: URLField)
        statements_url(forwarding.endpoint),
        data=payload,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Experience-API-Version": "1.0.3",
            "Authorization": f"Basic {credential}",
        },
    )
    try:
        return sending.post(request, timeout=TIMEOUT, receiver="LRS")
    except SendFailed as failure:
        if failure.status == 409:
            return 409
        raise


def forwarding_lag(forwarding: LrsForwarding) -> tuple[int, datetime | None]:
    """How many statements wait to be forwarded (pending, or to be queued after `send_after`),
    and when the oldest of them was stored."""
    pending = StatementPending.objects.using(ALIAS).filter(forwarding_id=forwarding.pk)
    waiting = Q(seq__in=pending.values("statement_id"))
    if forwarding.send_after is not None:
        waiting |= Q(seq__gt=forwarding.send_after)
    statements = Statement.objects.using(ALIAS).filter(waiting, tenant_id=forwarding.tenant_id)
    oldest = statements.order_by("seq").values_list("stored", flat=True).first()
    return statements.count(), oldest
