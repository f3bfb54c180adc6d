"""The quarantine: events the ingestion API refused for validity, kept where operators see them.

A batch with one bad event used to be refused whole, and the browser logger dropped it, valid
events included. Now the valid events of a batch are stored (all or nothing, as before) and the
invalid ones come here with their reason, so that a widget logging a type or `data` its registry
schema does not allow shows up in the Django admin and in `GET /api/v1/quarantine` at once.

Bounded: at most QUARANTINE_PER_TOKEN_PER_DAY events per learner token and UTC day are kept, so a
broken or hostile page cannot fill the database (the ingest rate limit bounds the batches, this
bounds what is kept of them). Past the bound, refused events are still refused by index in the
answer and still counted on their session, but not kept, and a warning is logged. The same event
sent twice (a retried request) is kept once. Nothing here ever holds a real learner id: the
learner is the token's opaque id, and of the event only its own fields are kept.

Bounded in time too: celery beat deletes what was received more than QUARANTINE_RETENTION_DAYS
ago (`quarantine_delete_old`), as it deletes old data requests. A quarantined event is evidence
of drift for an operator to act on, not a record to keep; the session's count of refused events
stays.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from collector.ingest import IngestResult, events_ingest
from collector.models import QuarantinedEvent, Session, Tenant
from collector.pruning import delete_in_batches
from collector.tokens import LearnerGrant
from collector.validation import MAX_REPORTED_PROBLEMS, SESSION_PATTERN, CleanBatch, RefusedEvent
from config.routers import ANALYTICS_ALIAS as ALIAS

QUARANTINE_PER_TOKEN_PER_DAY = 200
DELETE_BATCH = 1000
RAW_MAX_CHARS = 16 * 1024
REASON_MAX_CHARS = 2000
# The fields of an event; anything else in a refused event's object is not kept.
EVENT_FIELDS = ("id", "session", "widget", "type", "t", "data")
WIDGET_LIKE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
log = logging.getLogger("pathlens.collector")


REJECTED = "The batch was rejected; nothing was stored."


@dataclass(frozen=True)
class StoredBatch:
    """What became of a batch: its valid events stored (or not), its invalid ones quarantined."""

    result: IngestResult | None  # None: no event of the batch was valid; nothing was stored
    refused: list[RefusedEvent]
    quarantined: int

    def answer(self) -> dict[str, Any]:
        """The API's answer: 202 `{accepted, duplicates}`, and when events were refused also
        `refused` (how many), `quarantined` (how many of them were kept) and `errors` (why, by
        index); 400 `{error, errors, quarantined}` when none was valid."""
        errors = [p.as_dict() for event in self.refused for p in event.problems]
        errors = errors[:MAX_REPORTED_PROBLEMS]
        if self.result is None:
            return {"error": REJECTED, "errors": errors, "quarantined": self.quarantined}
        answer: dict[str, Any] = {
            "accepted": self.result.accepted,
            "duplicates": self.result.duplicates,
        }
        if self.refused:
            answer.update(refused=len(self.refused), quarantined=self.quarantined, errors=errors)
        return answer


def batch_store(
    *, grant: LearnerGrant, token: str, batch: CleanBatch, refused: list[RefusedEvent], now: int
) -> StoredBatch:
    """Stores a batch's valid events, all or nothing, and quarantines its invalid ones, in one
    transaction (a 409 on the valid ones keeps nothing of the batch). The API and the in-process
    client both go through here."""
    ingest = {"tenant_id": grant.tenant_id, "learner": grant.learner}
    if not refused:  # nearly every batch: the plain write path, with its own transaction
        return StoredBatch(events_ingest(**ingest, batch=batch, received_ms=now), [], 0)
    with transaction.atomic(using=ALIAS):
        result = events_ingest(**ingest, batch=batch, received_ms=now) if batch.events else None
        kept = events_quarantine(**ingest, token=token, refused=refused)
    return StoredBatch(result, refused, kept)


def token_digest(token: str) -> str:
    """A learner token's fingerprint (the token itself is a credential: never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def _kept_fields(raw: Any) -> Any:
    if isinstance(raw, dict):
        return {name: raw[name] for name in EVENT_FIELDS if name in raw}
    return raw


def _storable(text: str) -> str:
    """Text any database takes: NUL bytes and lone surrogates written out as escapes."""
    return text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")


def _text(raw: Any) -> str:
    """The event as JSON, ASCII-escaped (so whatever was sent is storable and shown as sent)."""
    try:
        return json.dumps(_kept_fields(raw), ensure_ascii=True, sort_keys=True)
    except (TypeError, ValueError, RecursionError):
        return _storable(repr(raw))


def _field(raw: Any, name: str, pattern: re.Pattern) -> str:
    """The event's `name` if it looks like one (for filtering), else empty: shown in `raw`."""
    value = raw.get(name) if isinstance(raw, dict) else None
    return value if isinstance(value, str) and pattern.fullmatch(value) else ""


def _reason(refused: RefusedEvent) -> str:
    text = "; ".join(
        f"{problem.field or 'event'}: {problem.message}" for problem in refused.problems
    )
    return _storable(text[:REASON_MAX_CHARS])


def _start_of_day(moment: datetime) -> datetime:
    return datetime.combine(moment.astimezone(UTC).date(), time.min, tzinfo=UTC)


def events_quarantine(
    *, tenant_id: int, learner: str, token: str, refused: list[RefusedEvent]
) -> int:
    """Keeps the refused events of one batch (within the bound) and counts them on their
    sessions. Returns how many were kept. Run it in the transaction that stores the batch's
    valid events, after them, so that the sessions they create are counted too."""
    now = timezone.now()
    fingerprint = token_digest(token)
    rows = []
    for event in refused:
        raw = _text(event.raw)
        rows.append(
            QuarantinedEvent(
                tenant_id=tenant_id,
                learner=learner,
                session=_field(event.raw, "session", SESSION_PATTERN),
                widget=_field(event.raw, "widget", WIDGET_LIKE),
                raw=raw[:RAW_MAX_CHARS],
                truncated=len(raw) > RAW_MAX_CHARS,
                reason=_reason(event),
                digest=hashlib.sha256(raw.encode()).hexdigest(),
                token_digest=fingerprint,
                received_at=now,
            )
        )
    quarantine = QuarantinedEvent.objects.using(ALIAS)
    known = set(
        quarantine.filter(
            tenant_id=tenant_id, learner=learner, digest__in={row.digest for row in rows}
        ).values_list("digest", flat=True)
    )
    fresh, seen = [], set(known)
    for row in rows:
        if row.digest not in seen:
            seen.add(row.digest)
            fresh.append(row)
    kept_today = quarantine.filter(
        token_digest=fingerprint, received_at__gte=_start_of_day(now)
    ).count()
    room = max(0, QUARANTINE_PER_TOKEN_PER_DAY - kept_today)
    kept = fresh[:room]
    quarantine.bulk_create(kept, ignore_conflicts=True)
    if len(fresh) > room:
        log.warning(
            "quarantine bound reached: %d refused events of one learner token not kept today "
            "(at most %d a day are kept; they were still refused and counted)",
            len(fresh) - room,
            QUARANTINE_PER_TOKEN_PER_DAY,
        )
    by_session = Counter((row.widget, row.session) for row in fresh if row.session and row.widget)
    for (widget, session), count in sorted(by_session.items()):
        Session.objects.using(ALIAS).filter(
            tenant_id=tenant_id, learner=learner, widget=widget, session=session
        ).update(refused=F("refused") + count)
    return len(kept)


def quarantine_page(*, tenant_id: int, offset: int, limit: int, widget: str | None) -> tuple:
    """One page of the tenant's quarantine, newest first, and how many there are in all."""
    rows = QuarantinedEvent.objects.using(ALIAS).filter(tenant_id=tenant_id)
    if widget:
        rows = rows.filter(widget=widget)
    page = rows.order_by("-received_at", "-id")[offset : offset + limit]
    return rows.count(), [
        {
            "id": row.pk,
            "learner": row.learner,
            "session": row.session or None,
            "widget": row.widget or None,
            "reason": row.reason,
            "raw": row.raw,
            "truncated": row.truncated,
            "received_at": row.received_at.isoformat(),
        }
        for row in page
    ]


def quarantine_delete_old(*, received_before: datetime) -> int:
    """Deletes the quarantined events received before the moment, a batch at a time (each its
    own short transaction, so ingestion is never held up); returns how many.

    Tenant by tenant, so that each DELETE reads the (tenant, received_at) index rather than the
    whole table."""
    deleted = 0
    quarantine = QuarantinedEvent.objects.using(ALIAS)
    for tenant_id in Tenant.objects.using(ALIAS).values_list("pk", flat=True):
        old = quarantine.filter(tenant_id=tenant_id, received_at__lt=received_before)
        deleted += delete_in_batches(old, size=DELETE_BATCH)
    if deleted:
        log.info("deleted %d quarantined events received before %s", deleted, received_before)
    return deleted
