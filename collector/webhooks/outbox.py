"""The outbox: each session change is a WebhookChange row, written in the transaction that makes
the change (ingest for a status, the summariser for a score), so that a change is recorded if and
only if it is committed, and a crash between the two cannot lose one.

Cheap for the ingest path: a tenant with no enabled subscription wanting a kind pays one lookup
in a per-process map (reloaded every HOOKED_TTL seconds) and writes nothing. A new subscription
is therefore heard of by other processes within HOOKED_TTL seconds; changes before that are not
recorded, which is what a new subscription expects (it starts at the latest change anyway).

Each change also gets a WebhookPending row per enabled subscription of its tenant that wants its
kind (read at write time, not from the map), which the deliverer sends in change-id order and
deletes once acknowledged. Within a session, ids rise with `seq`: both are taken while the
writer holds the session's row (ingest's upsert, the summariser's SELECT … FOR UPDATE), so the
next writer of that session starts after this one committed, and its `seq` is the last + 1.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from collections import defaultdict
from typing import Any, NamedTuple

from django.db import connections
from django.db.models import Max
from django.utils import timezone

from collector.models import Session
from collector.webhooks.kinds import KINDS, SCORED, STATUS_KINDS
from collector.webhooks.models import WebhookChange, WebhookPending, WebhookSubscription
from config.routers import ANALYTICS_ALIAS as ALIAS

HOOKED_TTL = 10.0  # seconds

_hooked: tuple[float, dict[int, frozenset[str]]] = (-math.inf, {})


class NewChange(NamedTuple):
    tenant_id: int
    kind: str
    learner: str
    widget: str
    session: str
    data: dict[str, Any]


class StatusChange(NamedTuple):
    """A session whose status a batch set: its lifecycle event won (collector/ingest.py)."""

    widget: str
    session: str
    status: str
    t: int  # the lifecycle event's client time
    events: int  # the session's events so far


def hooked_kinds(tenant_id: int) -> frozenset[str]:
    """The kinds of change some enabled subscription of the tenant wants (at most HOOKED_TTL
    seconds old)."""
    global _hooked
    loaded_at, kinds = _hooked
    now = time.monotonic()
    if now - loaded_at > HOOKED_TTL:
        kinds = _hooked_load()
        _hooked = (now, kinds)
    return kinds.get(tenant_id, frozenset())


def _hooked_load() -> dict[int, frozenset[str]]:
    wanted: dict[int, set[str]] = defaultdict(set)
    subscriptions = WebhookSubscription.objects.using(ALIAS).filter(enabled=True)
    for tenant_id, kinds in subscriptions.values_list("tenant_id", "kinds"):
        wanted[tenant_id].update(kind for kind in kinds if kind in KINDS)
    return {tenant_id: frozenset(kinds) for tenant_id, kinds in wanted.items()}


def hooked_forget() -> None:
    """Makes this process read the subscriptions again (after one was made or edited here)."""
    global _hooked
    _hooked = (-math.inf, {})


def status_changes_write(*, tenant_id: int, learner: str, statuses: list[StatusChange]) -> None:
    """Records the statuses a batch set, of the kinds the tenant listens for."""
    wanted = hooked_kinds(tenant_id)
    changes = [
        NewChange(
            tenant_id=tenant_id,
            kind=STATUS_KINDS[status.status],
            learner=learner,
            widget=status.widget,
            session=status.session,
            data={"status": status.status, "t": status.t, "events": status.events},
        )
        for status in statuses
        if STATUS_KINDS.get(status.status) in wanted
    ]
    changes_write(changes)


def scored_candidates(
    rows: list[Session], before: dict[int, tuple[float | None, float | None]]
) -> list[Session]:
    """The summarised rows whose score or maximum changed, of tenants listening for scores."""
    return [
        row
        for row in rows
        if (row.score, row.maximum) != before.get(row.pk) and SCORED in hooked_kinds(row.tenant_id)
    ]


def scored_changes(rows: list[Session]) -> list[NewChange]:
    """Locks these sessions (by id) and answers a change for each whose stored score still
    differs from the new one: a concurrent summary that wrote the same score first has told."""
    stored = {
        pk: (score, maximum)
        for pk, score, maximum in Session.objects.using(ALIAS)
        .select_for_update()
        .filter(pk__in=[row.pk for row in rows])
        .order_by("pk")
        .values_list("pk", "score", "maximum")
    }
    return [
        NewChange(
            tenant_id=row.tenant_id,
            kind=SCORED,
            learner=row.learner,
            widget=row.widget,
            session=row.session,
            data={
                "score": row.score,
                "maximum": row.maximum,
                "full_maximum": row.full_maximum,
                "items_attempted": row.items_attempted,
                "items_total": row.items_total,
                "events": row.summarised_count,
            },
        )
        for row in rows
        if row.pk in stored and stored[row.pk] != (row.score, row.maximum)
    ]


def changes_write(changes: list[NewChange]) -> None:
    """Inserts the changes, each numbered after its session's last one, and queues each for the
    subscriptions that want it. Call it inside the transaction that makes them, while it holds
    their sessions' rows (see the module's docstring)."""
    if not changes:
        return
    connection = connections[ALIAS]
    assert connection.in_atomic_block, "changes are written in the transaction making them"
    if connection.vendor == "postgresql":
        _changes_write_postgres(changes)
        return
    last = _last_seqs(changes)
    now = timezone.now()
    rows = []
    for change in changes:
        key = (change.tenant_id, change.learner, change.widget, change.session)
        last[key] = last.get(key, 0) + 1
        rows.append(
            WebhookChange(
                tenant_id=change.tenant_id,
                kind=change.kind,
                learner=change.learner,
                widget=change.widget,
                session=change.session,
                seq=last[key],
                data=change.data,
                created=now,
            )
        )
    made = WebhookChange.objects.using(ALIAS).bulk_create(rows)  # with their ids
    subscriptions = WebhookSubscription.objects.using(ALIAS).filter(
        tenant_id__in={change.tenant_id for change in changes}, enabled=True
    )
    wanted = list(subscriptions.values_list("id", "tenant_id", "kinds"))
    WebhookPending.objects.using(ALIAS).bulk_create(
        [
            WebhookPending(subscription_id=subscription_id, change_id=change.id)
            for change in made
            for subscription_id, tenant_id, kinds in wanted
            if tenant_id == change.tenant_id and change.kind in kinds
        ]
    )


# changes_write on PostgreSQL, in one statement: the ORM's four (last seqs, the changes, the
# subscriptions, the pending rows) cost some 5 ms of CPU per batch, which halved the ingestion
# of small batches that each changed a status (benchmarks/README.md, "Webhooks on the ingest
# path"). `ord` numbers a session's new changes 1, 2, … after its last seq; `pos` keeps the
# given order for the ids.
CHANGES_INSERT = """
WITH made AS (
    INSERT INTO collector_webhookchange
        (change_id, tenant_id, kind, learner, widget, session, seq, data, created)
    SELECT v.change_id, v.tenant_id, v.kind, v.learner, v.widget, v.session,
        COALESCE((SELECT max(c.seq) FROM collector_webhookchange AS c
                  WHERE c.tenant_id = v.tenant_id AND c.learner = v.learner
                    AND c.widget = v.widget AND c.session = v.session), 0) + v.ord,
        v.data::jsonb, %s
    FROM unnest(%s::uuid[], %s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[],
                %s::int[], %s::text[], %s::int[])
        AS v(change_id, tenant_id, kind, learner, widget, session, ord, data, pos)
    ORDER BY v.pos
    RETURNING id, tenant_id, kind
)
INSERT INTO collector_webhookpending (subscription_id, change_id)
SELECT s.id, made.id FROM made JOIN collector_webhooksubscription AS s
    ON s.tenant_id = made.tenant_id AND s.enabled AND s.kinds ? made.kind
"""


def _changes_write_postgres(changes: list[NewChange]) -> None:
    ords: dict[tuple[int, str, str, str], int] = defaultdict(int)
    columns: list[list[Any]] = [[] for _ in range(9)]
    for pos, change in enumerate(changes):
        key = (change.tenant_id, change.learner, change.widget, change.session)
        ords[key] += 1
        values = (
            uuid.uuid4(), change.tenant_id, change.kind, change.learner, change.widget,
            change.session, ords[key], json.dumps(change.data), pos,
        )  # fmt: skip
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    with connections[ALIAS].cursor() as cursor:
        cursor.execute(CHANGES_INSERT, [timezone.now(), *columns])


def _last_seqs(changes: list[NewChange]) -> dict[tuple[int, str, str, str], int]:
    keys = {(change.tenant_id, change.learner, change.widget, change.session) for change in changes}
    found = (
        WebhookChange.objects.using(ALIAS)
        .filter(
            tenant_id__in={key[0] for key in keys},
            learner__in={key[1] for key in keys},
            session__in={key[3] for key in keys},
        )
        .values("tenant_id", "learner", "widget", "session")
        .annotate(top=Max("seq"))
        .values_list("tenant_id", "learner", "widget", "session", "top")
    )
    return {
        (tenant_id, learner, widget, session): top
        for tenant_id, learner, widget, session, top in found
        if (tenant_id, learner, widget, session) in keys
    }
