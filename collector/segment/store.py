"""A batch of Segment messages stored whole or not at all.

Events of our widgets go through the ingestion API's write path (collector/ingest.py), other
activities through the xAPI endpoint's (collector/xapi/statements.py), in one transaction: a
conflict anywhere stores nothing. Every learner the batch names becomes known to the tenant (so
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
from collector.xapi.problems import Invalid, pointer
from collector.xapi.statements import Conflict, statements_store
from collector.xapi.validation import CleanStatement


class MessageConflict(Exception):
    """messageIds already stored with other content: nothing of the batch was stored."""

    def __init__(self, message_ids: list[str]) -> None:
        super().__init__(", ".join(message_ids))
        self.message_ids = message_ids


@dataclass
class Mapped:
    events: dict[str, list[CleanEvent]] = field(default_factory=lambda: defaultdict(list))
    statements: list[CleanStatement] = field(default_factory=list)
    learners: set[str] = field(default_factory=set)
    message_ids: dict[str, str] = field(default_factory=dict)  # stored id → messageId


def _mapped(sender: Sender, messages: list[Message], received_ms: int) -> Mapped:
    """What the messages become, each messageId once; Invalid for one used twice in the batch
    for two different messages."""
    mapped = Mapped()
    seen: dict[str, object] = {}
    for message in messages:
        if message.type in ("identify", "group", "alias"):
            continue  # accepted, nothing stored (docs/collector.md)
        kept: CleanEvent | CleanStatement | None
        kept = widget_event(message, tenant_id=sender.tenant_id, received_ms=received_ms)
        if kept is None:
            kept = other_statement(message, tenant_id=sender.tenant_id)
        content = (message.learner, kept if isinstance(kept, CleanEvent) else kept.digest)
        earlier = seen.setdefault(message.message_id, content)
        if earlier != content:
            raise Invalid(
                pointer(message.at, "messageId"),
                "This messageId is used twice in the batch, for two different messages.",
            )
        if earlier is not content:
            continue  # the same message twice: stored once
        if isinstance(kept, CleanEvent):
            mapped.events[message.learner].append(kept)
            mapped.message_ids[kept.event_id] = message.message_id
        else:
            mapped.statements.append(kept)
            mapped.message_ids[kept.statement_id] = message.message_id
        mapped.learners.add(message.learner)
    return mapped


def messages_store(
    *, sender: Sender, messages: list[Message], sent_at: int | None, received_ms: int
) -> None:
    """Stores what the messages map onto, all or nothing. Raises Invalid (400) or
    MessageConflict (409)."""
    mapped = _mapped(sender, messages, received_ms)
    try:
        with transaction.atomic(using=ALIAS):
            Learner.objects.using(ALIAS).bulk_create(
                [
                    Learner(tenant_id=sender.tenant_id, opaque_id=one)
                    for one in sorted(mapped.learners)
                ],
                ignore_conflicts=True,
            )
            for learner, events in sorted(mapped.events.items()):
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
    except IdConflict as conflict:
        raise MessageConflict(
            [mapped.message_ids.get(one, one) for one in conflict.event_ids]
        ) from None
    except Conflict as conflict:
        raise MessageConflict([mapped.message_ids.get(one, one) for one in conflict.ids]) from None
