"""A batch of Segment messages stored whole or not at all.

Events of our widgets go through the ingestion API's write path (collector/ingest.py), other
activities through the xAPI endpoint's (collector/xapi/statements.py), in one transaction: a
refusal anywhere stores nothing. A messageId seen before is dropped, as
Segment drops it. Every learner the batch names becomes known to the tenant (so
that erasing them through the API finds them), as a learner token's first use does.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from collector.ingest import ALIAS, IdConflict, events_ingest
from collector.models import Learner
from collector.segment.auth import Sender
from collector.segment.mapping import other_statement, widget_event
from collector.segment.messages import Message
from collector.validation import CleanBatch, CleanEvent
from collector.xapi.statements import Conflict, statements_store
from collector.xapi.validation import CleanStatement


@dataclass
class Mapped:
    events: dict[str, list[CleanEvent]] = field(default_factory=lambda: defaultdict(list))
    statements: list[CleanStatement] = field(default_factory=list)
    learners: set[str] = field(default_factory=set)


def _mapped(sender: Sender, messages: list[Message], received_ms: int) -> Mapped:
    """What the messages become, each messageId once: the first message of an id wins, as at
    Segment, and a later one (a retry, or a client that reused the id) is dropped."""
    mapped = Mapped()
    seen: dict[str, tuple[str, object]] = {}
    for message in messages:
        if message.type in ("identify", "group", "alias"):
            continue  # accepted, nothing stored (docs/collector.md)
        kept: CleanEvent | CleanStatement | None
        kept = widget_event(message, tenant_id=sender.tenant_id, received_ms=received_ms)
        if kept is None:
            kept = other_statement(message, tenant_id=sender.tenant_id)
        earlier = seen.setdefault(message.message_id, (message.learner, kept))
        if earlier[1] is not kept:
            # A repeat: an identical event goes on, for the ingest to count it as a duplicate.
            if isinstance(kept, CleanEvent) and earlier == (message.learner, kept):
                mapped.events[message.learner].append(kept)
            continue
        if isinstance(kept, CleanEvent):
            mapped.events[message.learner].append(kept)
        else:
            mapped.statements.append(kept)
        mapped.learners.add(message.learner)
    return mapped


def _store(sender: Sender, mapped: Mapped, sent_at: int | None, received_ms: int) -> None:
    with transaction.atomic(using=ALIAS):
        Learner.objects.using(ALIAS).bulk_create(
            [Learner(tenant_id=sender.tenant_id, opaque_id=one) for one in sorted(mapped.learners)],
            ignore_conflicts=True,
        )
        for learner, events in sorted(mapped.events.items()):
            if events:
                events_ingest(
                    tenant_id=sender.tenant_id,
                    learner=learner,
                    batch=CleanBatch(sent_at=sent_at, events=events),
                    received_ms=received_ms,
                )
        if mapped.statements:
            statements_store(
                tenant_id=sender.tenant_id,
                cleans=mapped.statements,
                authority=sender.authority,
                batch=True,
            )


def messages_store(
    *, sender: Sender, messages: list[Message], sent_at: int | None, received_ms: int
) -> None:
    """Stores what the messages map onto, all or nothing; raises Invalid (400).

    A message whose id is stored already is a duplicate: with the same content the core counts
    it as one (a session's `duplicates`); with other content the core refuses the batch, and it
    is stored again without that message, as Segment drops a repeated messageId whatever it
    holds. Each try drops at least one message, so this ends."""
    mapped = _mapped(sender, messages, received_ms)
    while True:
        try:
            _store(sender, mapped, sent_at, received_ms)
            return
        except (IdConflict, Conflict) as conflict:
            if not _drop(mapped, conflict):
                raise  # a conflict about none of our ids: a bug, not a loop


def _drop(mapped: Mapped, conflict: IdConflict | Conflict) -> bool:
    """Drops the messages a conflict names; whether there were any."""
    before = len(mapped.statements) + sum(len(events) for events in mapped.events.values())
    if isinstance(conflict, IdConflict):
        taken = set(conflict.event_ids)
        for learner, events in mapped.events.items():
            mapped.events[learner] = [one for one in events if one.event_id not in taken]
    else:
        taken = set(conflict.ids)
        mapped.statements = [one for one in mapped.statements if one.statement_id not in taken]
    return len(mapped.statements) + sum(len(events) for events in mapped.events.values()) < before
