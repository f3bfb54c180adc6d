"""The write path: a validated batch becomes stored events and updated sessions, all or nothing.

PostgreSQL gets a lean path, because Django's bulk_create is several times slower than the
database can write. Nearly every batch carries only new ids, so it is first COPY-ed straight into
collector_event, the cheapest write there is; the unique index on (tenant, event_id) refuses the
COPY if any id is already stored in the tenant (a retried batch, or a twin sent at the same
moment), and that batch is then stored the careful way in a fresh transaction: COPY into a
temporary staging table, one INSERT … SELECT … ON CONFLICT DO NOTHING, and a digest comparison
for the ids not inserted. Session figures are one upsert per session. SQLite (the embedded set-up)
uses plain bulk inserts; its writers are serialised anyway. Both paths give the same answers and
are tested against the same suite; benchmarks/README.md has the figures.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

import psycopg
from django.db import connections, transaction
from django.utils import timezone

from collector.models import Event, Session, SessionStatus
from collector.validation import CleanBatch, CleanEvent
from collector.webhooks.kinds import STATUS_KINDS
from collector.webhooks.outbox import StatusChange, hooked_kinds, status_changes_write
from config.routers import ANALYTICS_ALIAS as ALIAS

LIFECYCLE_STATUS = {
    "session_started": SessionStatus.STARTED,
    "session_resumed": SessionStatus.RESUMED,
    "session_completed": SessionStatus.COMPLETED,
}


@dataclass(frozen=True)
class IngestResult:
    accepted: int
    duplicates: int


class IdConflict(Exception):
    """An event id is already stored (or repeated in the batch) with different content."""

    def __init__(self, event_ids: list[str]) -> None:
        super().__init__(", ".join(event_ids))
        self.event_ids = event_ids


class _SomeIdsStored(Exception):
    """The all-new COPY met an id that is already stored: roll back, take the careful path."""


class Row(NamedTuple):
    event: CleanEvent
    time: int
    digest: str


def _digest(learner: str, event: CleanEvent) -> str:
    """sha256 of the client-sent content, fields joined by the unit separator \x1f."""
    content = (
        f"{learner}\x1f{event.session}\x1f{event.widget}\x1f{event.type}\x1f{event.t}"
        f"\x1f{event.data_json}"
    )
    return hashlib.sha256(content.encode()).hexdigest()


def events_ingest(
    *, tenant_id: int, learner: str, batch: CleanBatch, received_ms: int
) -> IngestResult:
    """Stores the new events of `batch` for the tenant's `learner` and updates their sessions,
    atomically.

    Event ids are unique per tenant: another tenant's use of an id is neither a duplicate nor a
    conflict here. Resending an event with the same id and content is a harmless duplicate; the
    same id with other content raises IdConflict and nothing of the batch is stored.
    """
    # Clock skew: the client's clock read `sent_at` when ours read `received_ms`.
    skew = received_ms - batch.sent_at if batch.sent_at is not None else 0

    rows: list[Row] = []
    seen: dict[str, str] = {}
    in_batch_duplicates: dict[tuple[str, str], int] = defaultdict(int)
    conflicts: list[str] = []
    for event in batch.events:
        digest = _digest(learner, event)
        earlier = seen.get(event.event_id)
        if earlier is None:
            seen[event.event_id] = digest
            rows.append(Row(event, event.t + skew, digest))
        elif earlier == digest:
            in_batch_duplicates[(event.widget, event.session)] += 1
        else:
            conflicts.append(event.event_id)
    if conflicts:
        raise IdConflict(conflicts)

    if connections[ALIAS].vendor == "postgresql":
        try:
            with transaction.atomic(using=ALIAS):
                _copy_new_events(tenant_id, learner, rows, received_ms)
                _update_sessions(tenant_id, learner, rows, in_batch_duplicates)
            return IngestResult(accepted=len(rows), duplicates=sum(in_batch_duplicates.values()))
        except _SomeIdsStored:
            pass  # rolled back whole; the careful path below tells duplicates from conflicts

    with transaction.atomic(using=ALIAS):
        if connections[ALIAS].vendor == "postgresql":
            inserted_ids = _insert_postgres(tenant_id, learner, rows, received_ms)
        else:
            inserted_ids = _insert_generic(tenant_id, learner, rows, received_ms)

        not_inserted = [row for row in rows if row.event.event_id not in inserted_ids]
        if not_inserted:
            stored = {
                str(event_id): digest
                for event_id, digest in Event.objects.using(ALIAS)
                .filter(
                    tenant_id=tenant_id,
                    event_id__in=[row.event.event_id for row in not_inserted],
                )
                .values_list("event_id", "digest")
            }
            conflicts = [
                row.event.event_id
                for row in not_inserted
                if stored.get(row.event.event_id) != row.digest
            ]
            if conflicts:
                raise IdConflict(conflicts)  # rolls the whole batch back

        duplicates = defaultdict(int, in_batch_duplicates)
        for row in not_inserted:
            duplicates[(row.event.widget, row.event.session)] += 1
        new_rows = [row for row in rows if row.event.event_id in inserted_ids]
        _update_sessions(tenant_id, learner, new_rows, duplicates)

    return IngestResult(accepted=len(new_rows), duplicates=sum(duplicates.values()))


def _insert_generic(tenant_id: int, learner: str, rows: list[Row], received_ms: int) -> set[str]:
    ids = [row.event.event_id for row in rows]
    existing = {
        str(event_id)
        for event_id in Event.objects.using(ALIAS)
        .filter(tenant_id=tenant_id, event_id__in=ids)
        .values_list("event_id", flat=True)
    }
    Event.objects.using(ALIAS).bulk_create(
        [
            Event(
                tenant_id=tenant_id,
                event_id=row.event.event_id,
                learner=learner,
                session=row.event.session,
                widget=row.event.widget,
                type=row.event.type,
                t=row.event.t,
                time=row.time,
                received=received_ms,
                data=row.event.data,
                digest=row.digest,
            )
            for row in rows
            if row.event.event_id not in existing
        ],
        batch_size=500,
    )
    return set(ids) - existing


COPY_EVENTS = """
COPY collector_event
    (tenant_id, event_id, learner, session, widget, type, t, time, received, data, digest)
FROM STDIN
"""


def _copy_new_events(tenant_id: int, learner: str, rows: list[Row], received_ms: int) -> None:
    """COPY in arrival order (so `seq` keeps it); raises _SomeIdsStored if an id is taken."""
    with connections[ALIAS].cursor() as cursor:
        try:
            with cursor.cursor.copy(COPY_EVENTS) as copy:  # psycopg's own cursor, for COPY
                for event, time, digest in rows:
                    copy.write_row(
                        (
                            tenant_id,
                            event.event_id,
                            learner,
                            event.session,
                            event.widget,
                            event.type,
                            event.t,
                            time,
                            received_ms,
                            event.data_json,
                            digest,
                        )
                    )
        except psycopg.errors.UniqueViolation:
            raise _SomeIdsStored from None


STAGE_DDL = """
CREATE TEMPORARY TABLE IF NOT EXISTS collector_event_stage (
    ord integer, event_id uuid, session varchar(128), widget varchar(64), type varchar(64),
    t bigint, time bigint, data jsonb, digest varchar(64)
) ON COMMIT DELETE ROWS
"""
STAGE_INSERT = """
INSERT INTO collector_event
    (tenant_id, event_id, learner, session, widget, type, t, time, received, data, digest)
SELECT %s, event_id, %s, session, widget, type, t, time, %s, data, digest
FROM collector_event_stage ORDER BY ord
ON CONFLICT (tenant_id, event_id) DO NOTHING
RETURNING event_id::text
"""
STAGE_COPY = """
COPY collector_event_stage (ord, event_id, session, widget, type, t, time, data, digest) FROM STDIN
"""


def _insert_postgres(tenant_id: int, learner: str, rows: list[Row], received_ms: int) -> set[str]:
    with connections[ALIAS].cursor() as cursor:
        cursor.execute(STAGE_DDL)
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(STAGE_COPY) as copy:
            for ord_, row in enumerate(rows):
                event = row.event
                copy.write_row(
                    (
                        ord_,
                        event.event_id,
                        event.session,
                        event.widget,
                        event.type,
                        event.t,
                        row.time,
                        event.data_json,
                        row.digest,
                    )
                )
        cursor.execute(STAGE_INSERT, [tenant_id, learner, received_ms])
        return {record[0] for record in cursor.fetchall()}


# --- Sessions ------------------------------------------------------------------------------------


class SessionChange(NamedTuple):
    """What one batch brings to one session, worked out before the session row is locked.

    Merging it into the stored row (_merge in Python, SESSION_UPSERT in SQL) gives the figures
    that applying the batch's new events one by one, in arrival order, would give.
    """

    widget: str
    session: str
    count: int  # new events
    duplicates: int
    first_time: int  # 0 when there are no new events
    last_time: int
    max_t: int | None  # largest t among the new events
    out_of_order: int  # new events with a t below an earlier new event's t
    # t of the other new events (each at least every earlier one's), in arrival order: those
    # below the stored max_t are out of order too.
    rising_ts: list[int]
    # The lifecycle event that would win within the batch: the last one with the largest t.
    status: str | None
    status_t: int | None


def _session_changes(
    rows: list[Row], duplicates: dict[tuple[str, str], int]
) -> list[SessionChange]:
    by_session: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        by_session[(row.event.widget, row.event.session)].append(row)
    changes = []
    # Sorted, so that concurrent batches lock the rows of shared sessions in the same order.
    for widget, session in sorted(set(by_session) | set(duplicates)):
        batch_rows = by_session.get((widget, session), [])
        times = [row.time for row in batch_rows] or [0]
        out_of_order, rising_ts, running_max = 0, [], None
        status = status_t = None
        for row in batch_rows:  # arrival order
            t = row.event.t
            if running_max is not None and t < running_max:
                out_of_order += 1
            else:
                running_max = t
                rising_ts.append(t)
            lifecycle = LIFECYCLE_STATUS.get(row.event.type)
            if lifecycle and (status_t is None or t >= status_t):
                status, status_t = lifecycle, t
        changes.append(
            SessionChange(
                widget=widget,
                session=session,
                count=len(batch_rows),
                duplicates=duplicates.get((widget, session), 0),
                first_time=min(times),
                last_time=max(times),
                max_t=running_max,
                out_of_order=out_of_order,
                rising_ts=rising_ts,
                status=status,
                status_t=status_t,
            )
        )
    return changes


def _update_sessions(
    tenant_id: int, learner: str, rows: list[Row], duplicates: dict[tuple[str, str], int]
) -> None:
    changes = _session_changes(rows, duplicates)
    if not changes:
        return
    # Only a tenant with a webhook subscription for status changes pays for knowing which
    # lifecycle events won: one lookup in a per-process map for every other batch.
    listening = any(change.status for change in changes) and bool(
        hooked_kinds(tenant_id) & set(STATUS_KINDS.values())
    )
    if connections[ALIAS].vendor == "postgresql":
        statuses = _upsert_sessions_postgres(tenant_id, learner, changes, returning=listening)
    else:
        statuses = _update_sessions_generic(tenant_id, learner, changes)
    if listening:  # while the session rows are held: seq is the last + 1 (webhooks/outbox.py)
        status_changes_write(tenant_id=tenant_id, learner=learner, statuses=statuses)


# The upsert takes the row lock, so concurrent batches of one session queue here and the counts
# stay exact. Every SET expression reads the stored row as it was before this statement.
SESSION_UPSERT = """
INSERT INTO collector_session AS stored
    (tenant_id, learner, widget, session, first_time, last_time, max_t, event_count, duplicates,
     out_of_order, status, status_t, updated_at)
VALUES (%(tenant_id)s, %(learner)s, %(widget)s, %(session)s, %(first_time)s, %(last_time)s,
        %(max_t)s, %(count)s, %(duplicates)s, %(out_of_order)s, %(status)s, %(status_t)s,
        %(now)s)
ON CONFLICT (tenant_id, learner, widget, session) DO UPDATE SET
    first_time = CASE
        WHEN EXCLUDED.event_count = 0 THEN stored.first_time
        WHEN stored.event_count = 0 THEN EXCLUDED.first_time
        ELSE LEAST(stored.first_time, EXCLUDED.first_time) END,
    last_time = CASE
        WHEN EXCLUDED.event_count = 0 THEN stored.last_time
        WHEN stored.event_count = 0 THEN EXCLUDED.last_time
        ELSE GREATEST(stored.last_time, EXCLUDED.last_time) END,
    max_t = GREATEST(stored.max_t, EXCLUDED.max_t),
    event_count = stored.event_count + EXCLUDED.event_count,
    duplicates = stored.duplicates + EXCLUDED.duplicates,
    out_of_order = stored.out_of_order + EXCLUDED.out_of_order
        + (SELECT count(*) FROM unnest(%(rising_ts)s::bigint[]) AS t WHERE t < stored.max_t),
    status = CASE
        WHEN EXCLUDED.status_t IS NOT NULL
            AND (stored.status_t IS NULL OR EXCLUDED.status_t >= stored.status_t)
        THEN EXCLUDED.status ELSE stored.status END,
    status_t = CASE
        WHEN EXCLUDED.status_t IS NOT NULL
            AND (stored.status_t IS NULL OR EXCLUDED.status_t >= stored.status_t)
        THEN EXCLUDED.status_t ELSE stored.status_t END,
    updated_at = EXCLUDED.updated_at
"""
# What the webhooks need to know of each upserted row: whether the batch's lifecycle event won.
SESSION_RETURNING = " RETURNING widget, session, status, status_t, event_count"


def _upsert_sessions_postgres(
    tenant_id: int, learner: str, changes: list[SessionChange], *, returning: bool = False
) -> list[StatusChange]:
    """Upserts the sessions; with `returning`, answers the statuses the batch set."""
    now = timezone.now()
    params = [
        {
            **change._asdict(),
            "tenant_id": tenant_id,
            "learner": learner,
            "status": str(change.status or SessionStatus.STARTED),
            # An array literal: psycopg would quote each of up to 1000 numbers on its own.
            "rising_ts": "{" + ",".join(map(str, change.rising_ts)) + "}",
            "now": now,
        }
        for change in changes
    ]
    with connections[ALIAS].cursor() as cursor:
        if returning and len(params) == 1:
            cursor.execute(SESSION_UPSERT + SESSION_RETURNING, params[0])
            return _statuses_set(changes, cursor.fetchall())
        if returning:
            raw = cursor.cursor  # psycopg's own cursor: its executemany can return rows
            raw.executemany(SESSION_UPSERT + SESSION_RETURNING, params, returning=True)
            stored = list(raw.fetchall())
            while raw.nextset():
                stored.extend(raw.fetchall())
            return _statuses_set(changes, stored)
        if len(params) == 1:  # the usual batch: one session, without pipeline mode's set-up
            cursor.execute(SESSION_UPSERT, params[0])
        else:
            cursor.executemany(SESSION_UPSERT, params)
    return []


def _statuses_set(
    changes: list[SessionChange], stored: list[tuple[str, str, str, int | None, int]]
) -> list[StatusChange]:
    """The sessions whose stored status is now the batch's lifecycle event (it won: no later one
    was stored before it)."""
    by_key = {(change.widget, change.session): change for change in changes}
    statuses = []
    for widget, session, status, status_t, events in stored:
        change = by_key.get((widget, session))
        won = change is not None and change.status_t is not None
        if won and (status, status_t) == (change.status, change.status_t):
            statuses.append(StatusChange(widget, session, status, status_t, events))
    return statuses


def _update_sessions_generic(
    tenant_id: int, learner: str, changes: list[SessionChange]
) -> list[StatusChange]:
    """Updates the sessions; answers the statuses the batch set (see _statuses_set)."""
    sessions = Session.objects.using(ALIAS)
    sessions.bulk_create(
        [
            Session(
                tenant_id=tenant_id,
                learner=learner,
                widget=change.widget,
                session=change.session,
                first_time=change.first_time,
                last_time=change.last_time,
                max_t=None,
            )
            for change in changes
        ],
        ignore_conflicts=True,
    )
    by_key = {(change.widget, change.session): change for change in changes}
    # Lock this learner's rows for these sessions: concurrent batches of one session queue here,
    # so counts and out-of-order detection stay exact.
    locked = (
        sessions.select_for_update()
        .filter(
            tenant_id=tenant_id,
            learner=learner,
            session__in={change.session for change in changes},
        )
        .order_by("pk")
    )
    changed = []
    for record in locked:
        change = by_key.get((record.widget, record.session))
        if change is not None:
            _merge(record, change)
            changed.append(record)
    stored = [
        (record.widget, record.session, record.status, record.status_t, record.event_count)
        for record in changed
    ]
    sessions.bulk_update(
        changed,
        [
            "first_time",
            "last_time",
            "max_t",
            "event_count",
            "duplicates",
            "out_of_order",
            "status",
            "status_t",
            "updated_at",
        ],
    )
    return _statuses_set(changes, stored)


def _merge(record: Session, change: SessionChange) -> None:
    """SESSION_UPSERT, in Python."""
    record.duplicates += change.duplicates
    if change.count:
        fresh = record.event_count == 0
        record.first_time = (
            change.first_time if fresh else min(record.first_time, change.first_time)
        )
        record.last_time = change.last_time if fresh else max(record.last_time, change.last_time)
        if record.max_t is not None:
            record.out_of_order += sum(1 for t in change.rising_ts if t < record.max_t)
            record.max_t = max(record.max_t, change.max_t)
        else:
            record.max_t = change.max_t
        record.out_of_order += change.out_of_order
        record.event_count += change.count
        if change.status_t is not None and (
            record.status_t is None or change.status_t >= record.status_t
        ):
            record.status, record.status_t = change.status, change.status_t
    record.updated_at = timezone.now()  # bulk_update does not apply auto_now
