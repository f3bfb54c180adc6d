"""Storing simulated visits: events through the collector's client, openings on the school side.

The one module of the package that writes. Events take the way every learner's events take: a
learner token for the learner's opaque id, then `ingest_events`, which runs the ingestion API's
own checks and write path (in-process, or over HTTP to a remote collector). Openings become
WidgetOpening rows dated when the visit began, so the learner's catalogue shows their progress
and a resume widget continues the simulated session.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from collector.client import Collector, get_client
from dashboard.demo.simulate import Simulated
from dashboard.models import LearnerIdentity, WidgetOpening


@dataclass(frozen=True)
class Stored:
    learners: int
    openings: int
    accepted: int
    duplicates: int


def stored_event_id(opaque_id: str, event_id: str) -> str:
    """The id an event is stored under: the simulated id, made the learner's own.

    Simulated ids repeat for a given seed; mixed with the (random) opaque id they stay unique, so
    seeding again after the learners were deleted (and their events kept) cannot collide.
    """
    digest = hashlib.sha256(f"{opaque_id}:{event_id}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def learner_events_store(
    *, learner: LearnerIdentity, events: Iterable[dict[str, Any]], client: Collector | None = None
) -> dict[str, int]:
    """Sends one learner's events, with a learner token of their own, as their browser would.

    Raises CollectorError when the collector refuses a batch.
    """
    client = client or get_client()
    mine = [{**event, "id": stored_event_id(learner.opaque_id, event["id"])} for event in events]
    if not mine:
        return {"accepted": 0, "duplicates": 0}
    return client.ingest_events(client.issue_learner_token(learner.opaque_id), mine)


def openings_record(*, visits: Iterable[tuple[LearnerIdentity, Simulated]]) -> int:
    """A WidgetOpening per visit, dated when the visit began."""
    openings, opened_at = [], []
    for learner, simulated in visits:
        openings.append(
            WidgetOpening(learner=learner, widget=simulated.widget, session=simulated.session)
        )
        opened_at.append(datetime.fromtimestamp(simulated.start_ms / 1000, tz=UTC))
    created = WidgetOpening.objects.bulk_create(openings, batch_size=1000)
    # `opened_at` is auto_now_add, which bulk_create overrides; the visits happened in the past.
    for opening, moment in zip(created, opened_at, strict=True):
        opening.opened_at = moment
    WidgetOpening.objects.bulk_update(created, ["opened_at"], batch_size=1000)
    return len(created)


def visits_store(*, visits: Iterable[tuple[LearnerIdentity, Simulated]]) -> Stored:
    """Sends each learner's events (all their visits, in order) and records every opening.

    Raises CollectorError when the collector refuses a batch; openings are written only after
    every learner's events were accepted.
    """
    visits = list(visits)
    client = get_client()
    by_learner: dict[int, list[dict[str, Any]]] = defaultdict(list)
    learners: dict[int, LearnerIdentity] = {}
    for learner, simulated in visits:
        learners[learner.pk] = learner
        by_learner[learner.pk].extend(simulated.events)
    accepted = duplicates = 0
    for pk, events in by_learner.items():
        result = learner_events_store(learner=learners[pk], events=events, client=client)
        accepted += result["accepted"]
        duplicates += result["duplicates"]
    openings = openings_record(visits=visits)
    return Stored(
        learners=len(learners), openings=openings, accepted=accepted, duplicates=duplicates
    )
