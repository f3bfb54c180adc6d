"""The Statements resource: store (atomic, idempotent), fetch one, query, void.

A batch is stored whole or not at all: its statements, the events that statements about our
widgets map onto (through the ingestion API's write path, collector/ingest.py), and the voiding
they do, in one transaction. A statement sent again with the same id and content is a no-op; the
same id with other content is a conflict (409) and nothing of the batch is stored.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from django.db import IntegrityError, connections, transaction
from django.db.models import Q
from django.utils import timezone

from collector.ingest import ALIAS, IdConflict, events_ingest
from collector.models import Learner
from collector.pgcopy import binary_copy_into
from collector.validation import CANONICAL_JSON, CleanBatch, CleanEvent
from collector.xapi.agents import agent_key
from collector.xapi.attachments import Part
from collector.xapi.forwarding import statements_queue
from collector.xapi.mapping import EventInvalid, epoch_ms, events_checked, widget_event
from collector.xapi.models import Statement, StatementAttachment
from collector.xapi.problems import Invalid
from collector.xapi.validation import CleanStatement, comparable

SEPARATOR = "\x1f"
# A string as CANONICAL_JSON writes it (ensure_ascii off), without an encoder's call overhead.
quoted = json.encoder.encode_basestring
MAX_QUERY_LIMIT = 500
STORE_ATTEMPTS = 3  # as if all new; looking first; looking again after a concurrent insert


class Conflict(Exception):
    """Statement ids already stored (or repeated in the batch) with other content."""

    def __init__(self, ids: list[str]) -> None:
        super().__init__(", ".join(ids))
        self.ids = ids


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _joined(keys: list[str]) -> str:
    if len(keys) == 1:  # the common case (one actor, one activity): nothing to deduplicate
        return f"{SEPARATOR}{keys[0]}{SEPARATOR}"
    return SEPARATOR + SEPARATOR.join(dict.fromkeys(keys)) + SEPARATOR


@dataclass(slots=True)
class Mapped:
    clean: CleanStatement
    learner: str  # the actor's opaque id; "" for a Group
    event: CleanEvent | None  # the event it maps onto, if it is about one of our widgets


def _unique(cleans: list[CleanStatement]) -> list[CleanStatement]:
    """The batch without repeats of a statement; a repeated id with other content is refused."""
    seen: dict[str, CleanStatement] = {}
    for index, clean in enumerate(cleans):
        earlier = seen.setdefault(clean.statement_id, clean)
        if earlier is not clean and not (
            earlier.timestamp == clean.timestamp
            and comparable(earlier.statement) == comparable(clean.statement)
        ):
            raise Invalid(f"/{index}/id", "This id is used twice in the batch, for two statements.")
    return list(seen.values())


@dataclass(frozen=True)
class Taken:
    """A stored statement whose id a new one has: what the two are compared by."""

    body: str
    timestamp: datetime
    stored: datetime

    def same_as(self, clean: CleanStatement) -> bool:
        """The spec's comparison: the same content but for what the LRS sets, the timestamp as
        a moment. One sent without a timestamp gets the LRS's `stored` as its own, so it matches
        a stored one that came without a timestamp too."""
        return (clean.timestamp or self.stored) == self.timestamp and comparable(
            json.loads(self.body)
        ) == comparable(clean.statement)


def _mapped(cleans: list[CleanStatement], stored: datetime, batch: bool) -> list[Mapped]:
    """Each statement with its learner and the event it maps onto, the events checked in one
    call; the first statement that cannot be mapped or checked is refused, as if one by one."""
    raws: list[tuple[int, dict[str, Any]]] = []  # (statement index, raw event)
    unmapped: Invalid | None = None
    for index, clean in enumerate(cleans):
        try:
            raw = widget_event(clean, stored=stored)
        except Invalid as invalid:
            unmapped = invalid.within(f"/{index}" if batch else "")
            break
        if raw is not None:
            raws.append((index, raw))
    try:
        checked = events_checked([raw for _, raw in raws])
    except EventInvalid as invalid:
        index = raws[invalid.index][0]
        raise invalid.within(f"/{index}" if batch else "") from None
    if unmapped is not None:
        raise unmapped
    events = dict(zip([index for index, _ in raws], checked, strict=True))
    return [Mapped(clean, _learner(clean), events.get(index)) for index, clean in enumerate(cleans)]


def _learner(clean: CleanStatement) -> str:
    actor = clean.statement["actor"]
    return actor["account"]["name"] if "account" in actor and "member" not in actor else ""


def statements_store(
    *,
    tenant_id: int,
    cleans: list[CleanStatement],
    authority: dict[str, Any],
    batch: bool,
    attachments: list[tuple[str, Part]] | None = None,
) -> list[str]:
    """Stores the statements (all or none), with the content of their attachments (statement
    id, part; collector/xapi/attachments.py), and answers their ids, in the order sent. Raises
    Invalid (400), Conflict (409)."""
    now = timezone.now()
    # To the millisecond, as `stored` is written: `since` and `until` compare with that text.
    stored = now.replace(microsecond=now.microsecond // 1000 * 1000)
    mapped = _mapped(_unique(cleans), stored, batch)
    # First as if every id were new, as nearly every one is: the unique index looks the ids up as
    # the rows go in, and a taken one rolls the attempt back whole. Then the careful way (a
    # resend, a conflict): look first; once more if a concurrent request stored one of the ids
    # between our look and our insert.
    for attempt in range(STORE_ATTEMPTS):
        try:
            _store(tenant_id, mapped, authority, stored, attachments or [], look=attempt > 0)
            break
        except IntegrityError:
            if attempt == STORE_ATTEMPTS - 1:
                raise
    return [clean.statement_id for clean in cleans]


def _attachments_insert(tenant_id: int, new: list[Mapped], attachments: list[tuple[str, Part]]):
    """The attachments of the statements stored now (a resent statement has its own already)."""
    ids = {item.clean.statement_id for item in new}
    rows = {
        (statement_id, part.sha2): StatementAttachment(
            tenant_id=tenant_id,
            statement_id=statement_id,
            sha2=part.sha2,
            content_type=part.content_type,
            content=part.content,
        )
        for statement_id, part in attachments
        if statement_id in ids
    }
    StatementAttachment.objects.using(ALIAS).bulk_create(rows.values(), ignore_conflicts=True)


def _store(
    tenant_id: int,
    mapped: list[Mapped],
    authority: dict[str, Any],
    stored: datetime,
    attachments: list[tuple[str, Part]],
    *,
    look: bool,
) -> None:
    with transaction.atomic(using=ALIAS):
        ids = [item.clean.statement_id for item in mapped]
        # Not looking: only which of them stored voiding statements target (a small index).
        known, voided_before = (
            _known(tenant_id, ids) if look else ({}, set(_values(tenant_id, "voids", ids, "voids")))
        )
        conflicts = [
            item.clean.statement_id
            for item in mapped
            if item.clean.statement_id in known
            and not known[item.clean.statement_id].same_as(item.clean)
        ]
        if conflicts:
            raise Conflict(conflicts)
        new = [item for item in mapped if item.clean.statement_id not in known]
        if not new:
            return
        voided = _void(tenant_id, new, voided_before)
        tail = f',"stored":"{iso(stored)}","authority":{CANONICAL_JSON.encode(authority)}'
        by = _authority_keys(authority)
        _insert([_row(tenant_id, item, tail, by, stored, voided) for item in new])
        statements_queue(
            tenant_id=tenant_id, statement_ids=[item.clean.statement_id for item in new]
        )
        _attachments_insert(tenant_id, new, attachments)
        learners = {item.learner for item in new if item.learner}
        Learner.objects.using(ALIAS).bulk_create(
            [Learner(tenant_id=tenant_id, opaque_id=learner) for learner in sorted(learners)],
            ignore_conflicts=True,
        )
        _ingest(tenant_id, new, stored)


LOOKUP = """
SELECT {column}::text, {value} FROM collector_statement
WHERE tenant_id = %s AND {column} = ANY(%s::uuid[])
"""


def _values(tenant_id: int, column: str, ids: list[str], value: str) -> dict:
    """{id: value} of the tenant's statements whose `column` is one of `ids`: on PostgreSQL one
    query with the ids as one array literal (the ORM adapts 500 UUIDs one by one)."""
    if not ids:
        return {}
    if connections[ALIAS].vendor != "postgresql":
        rows = Statement.objects.using(ALIAS).filter(tenant_id=tenant_id, **{f"{column}__in": ids})
        return {str(key): found for key, found in rows.values_list(column, value)}
    with connections[ALIAS].cursor() as cursor:
        cursor.execute(
            LOOKUP.format(column=column, value=value), [tenant_id, "{" + ",".join(ids) + "}"]
        )
        return dict(cursor.fetchall())


KNOWN = """
SELECT statement_id::text, body, timestamp, stored, voids::text FROM collector_statement
WHERE tenant_id = %s AND (statement_id = ANY(%s::uuid[]) OR voids = ANY(%s::uuid[]))
"""


def _known(tenant_id: int, ids: list[str]) -> tuple[dict[str, Taken], set[str]]:
    """The tenant's stored statements among `ids`, and the ids among them that stored
    statements void; on PostgreSQL in one query (a round trip less per request)."""
    if connections[ALIAS].vendor != "postgresql":
        voided = _values(tenant_id, "voids", ids, "voids")
        rows = Statement.objects.using(ALIAS).filter(tenant_id=tenant_id, statement_id__in=ids)
        found = rows.values_list("statement_id", "body", "timestamp", "stored")
        return {str(key): Taken(body, at, stored) for key, body, at, stored in found}, set(voided)
    array = "{" + ",".join(ids) + "}"
    with connections[ALIAS].cursor() as cursor:
        cursor.execute(KNOWN, [tenant_id, array, array])
        rows = cursor.fetchall()
    wanted = set(ids)
    known = {
        key: Taken(body, timestamp, stored)
        for key, body, timestamp, stored, _ in rows
        if key in wanted
    }
    return known, {voids for *_, voids in rows if voids in wanted}


def _void(tenant_id: int, new: list[Mapped], voided_before: set[str]) -> set[str]:
    """Voids what the new voiding statements target; the ids of new statements already voided
    by an earlier (`voided_before`) or a fellow voiding statement."""
    statements = Statement.objects.using(ALIAS).filter(tenant_id=tenant_id)
    targets = {item.clean.voids for item in new if item.clean.voids}
    if targets:
        voiding = {item.clean.statement_id for item in new if item.clean.voids}
        stored_targets = _values(tenant_id, "statement_id", sorted(targets), "voids")
        if targets & voiding or any(stored_targets.values()):
            raise Invalid("/object/id", "A voiding statement cannot be voided.")
        statements.filter(statement_id__in=targets).update(voided=True)
    ids = {item.clean.statement_id for item in new}
    return (voided_before | targets) & ids


COLUMNS = (
    "tenant_id",
    "statement_id",
    "learner",
    "verb",
    "activity",
    "widget",
    "registration",
    "agents",
    "related_agents",
    "related_activities",
    "stored",
    "timestamp",
    "voided",
    "voids",
    "body",
)
# PostgreSQL's types of COLUMNS, for the binary COPY (a type that is not the column's is an error
# on every statement stored: tests/xapi/test_statement_rows.py stores every kind of value).
COLUMN_TYPES = (
    "int8", "uuid", "varchar", "text", "text", "varchar", "uuid", "text", "text", "text",
    "timestamptz", "timestamptz", "bool", "uuid", "text",
)  # fmt: skip
COPY_STATEMENTS = f"COPY collector_statement ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)"


def _row(
    tenant_id: int, item: Mapped, tail: str, by: list[str], stored: datetime, voided: set[str]
) -> tuple:
    """The statement's row, in COLUMNS' order. Its body is the checked statement's JSON text
    with `timestamp` and what the LRS sets appended (`tail`: stored and authority, whose agent
    keys are `by`)."""
    clean, found = item.clean, item.clean.found
    statement = clean.statement
    timestamp = statement.get("timestamp") or iso(stored)
    version = statement.get("version") or "1.0.0"
    body = f'{clean.text[:-1]},"timestamp":{quoted(timestamp)}{tail},"version":{quoted(version)}}}'
    return (
        tenant_id,
        clean.statement_id,
        item.learner,
        statement["verb"]["id"],
        found.activity,
        item.event.widget if item.event else "",
        statement.get("context", {}).get("registration"),
        _joined(found.agents),
        _joined(found.agents + found.related_agents + by),
        _joined(found.related_activities),
        stored,
        clean.timestamp or stored,
        clean.statement_id in voided,
        clean.voids,
        body,
    )


def _insert(rows: list[tuple]) -> None:
    """COPY on PostgreSQL, in the binary format, several times faster than an INSERT of as many
    rows (a taken id there raises IntegrityError, like the INSERT elsewhere)."""
    if connections[ALIAS].vendor != "postgresql":
        Statement.objects.using(ALIAS).bulk_create(
            [Statement(**dict(zip(COLUMNS, row, strict=True))) for row in rows], batch_size=500
        )
        return
    with connections[ALIAS].cursor() as cursor:
        try:  # on psycopg's own cursor, for COPY
            binary_copy_into(cursor.cursor, COPY_STATEMENTS, COLUMN_TYPES, rows)
        except psycopg.errors.UniqueViolation as taken:
            raise IntegrityError(str(taken)) from None


def _authority_keys(authority: dict[str, Any]) -> list[str]:
    account = authority.get("account") or {}
    return [agent_key(account["name"])] if "name" in account else []


def _ingest(tenant_id: int, new: list[Mapped], stored: datetime) -> None:
    by_learner: dict[str, list[CleanEvent]] = defaultdict(list)
    for item in new:
        if item.event is not None:
            by_learner[item.learner].append(item.event)
    for learner, events in sorted(by_learner.items()):
        try:
            events_ingest(
                tenant_id=tenant_id,
                learner=learner,
                batch=CleanBatch(sent_at=None, events=events),
                received_ms=epoch_ms(stored),
            )
        except IdConflict as conflict:
            raise Conflict(conflict.event_ids) from None


# --- Reading --------------------------------------------------------------------------------------


def statement_get(*, tenant_id: int, statement_id: str, voided: bool) -> dict[str, Any] | None:
    """The statement of that id, if the tenant has it and it is (voided) or is not (not voided)
    voided: the spec answers a voided statement only to `voidedStatementId`."""
    body = (
        Statement.objects.using(ALIAS)
        .filter(tenant_id=tenant_id, statement_id=statement_id, voided=voided)
        .values_list("body", flat=True)
        .first()
    )
    return None if body is None else json.loads(body)


def statement_attachments(*, tenant_id: int, statement_ids: list[str]) -> list[Part]:
    """The stored content of these statements' attachments, once per hash."""
    rows = StatementAttachment.objects.using(ALIAS).filter(
        tenant_id=tenant_id, statement_id__in=statement_ids
    )
    found = {
        sha2: Part(content_type, sha2, bytes(content))
        for sha2, content_type, content in rows.order_by("id").values_list(
            "sha2", "content_type", "content"
        )
    }
    return list(found.values())


@dataclass(frozen=True)
class Query:
    agent: str | None = None  # an agent key
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 0
    ascending: bool = False
    after: int | None = None  # the `more` cursor: the last seq of the previous page


def statements_query(*, tenant_id: int, query: Query) -> tuple[list[str], int | None]:
    """A page of the tenant's statements as JSON texts (voided ones left out) and the cursor of
    the next page, if there is one."""
    rows = Statement.objects.using(ALIAS).filter(tenant_id=tenant_id, voided=False)
    if query.agent:
        wrapped = SEPARATOR + query.agent + SEPARATOR
        column = "related_agents" if query.related_agents else "agents"
        rows = rows.filter(**{f"{column}__contains": wrapped})
    if query.verb:
        rows = rows.filter(verb=query.verb)
    if query.activity:
        if query.related_activities:
            rows = rows.filter(related_activities__contains=SEPARATOR + query.activity + SEPARATOR)
        else:
            rows = rows.filter(activity=query.activity)
    if query.registration:
        rows = rows.filter(registration=query.registration)
    if query.since:
        rows = rows.filter(stored__gt=query.since)
    if query.until:
        rows = rows.filter(stored__lte=query.until)
    if query.after is not None:
        rows = rows.filter(Q(seq__gt=query.after) if query.ascending else Q(seq__lt=query.after))
    limit = min(query.limit or MAX_QUERY_LIMIT, MAX_QUERY_LIMIT)
    page = list(
        rows.order_by("seq" if query.ascending else "-seq").values_list("seq", "body")[: limit + 1]
    )
    following = page[limit - 1][0] if len(page) > limit else None
    return [body for _, body in page[:limit]], following
