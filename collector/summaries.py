"""Each session's learning measures, kept in its row: computed from all of its events, once.

Ingestion keeps counts and times exact under any delivery order (collector/ingest.py) and leaves
the measures that need the whole stream (active time, sittings, work, the widget's per-item
results and score: widgets/measures.py; and the widget's reading of each item, its wrong
answers, time spent and misconceptions: widgets/responses/, kept inside `items` for the item
analysis) to this module. A session is *stale* while its
`event_count` differs from the `summarised_count` its measures were computed at; summarising
folds every event of the session in play order, so the result is the same whatever order the
events arrived in, and a session is folded again only when it received new events.

Who summarises: celery beat every SUMMARY_INTERVAL seconds (`collector.summarise_sessions`), so
the rows are seconds behind ingestion; every data request first summarises the stale sessions
it is about to read, so a read is never behind; and `manage.py summarise_sessions` for stored
data after an upgrade or a change of the MEASURE_* settings. Concurrent summarisers are harmless:
they compute the same figures from the same events, and a batch that lands meanwhile leaves
the session stale for the next round.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connections, transaction
from django.db.models import F, QuerySet

from collector.models import Event, Session
from collector.webhooks.outbox import changes_write, scored_candidates, scored_changes
from config.routers import ANALYTICS_ALIAS as ALIAS
from core.measures import measure_rules
from widgets.measures import MeasureRules, SessionMeasures, measure
from widgets.registry import get_widget
from widgets.responses import SessionReading, items_with_reading, read_session

SUMMARY_CHUNK = 500  # sessions folded per round: some 10,000–50,000 events in memory
MEASURE_FIELDS = [
    "summarised_count",
    "active_ms",
    "sittings",
    "work_events",
    "score",
    "maximum",
    "full_maximum",
    "items_attempted",
    "items_total",
    "items",
]
log = logging.getLogger("pathlens.collector")

SessionKey = tuple[int, str, str, str]  # tenant id, learner, widget, session


def measures_of(
    widget_id: str, events: list[dict[str, Any]], rules: MeasureRules
) -> SessionMeasures:
    """The measures of one session's events by its widget's rules (generic for an unknown one)."""
    widget = get_widget(widget_id)
    return measure(
        events,
        work_types=widget.work_types if widget else frozenset(),
        assess=widget.assess if widget else None,
        rules=rules,
    )


def measure_values(measures: SessionMeasures) -> dict[str, Any]:
    """The Session (and result) columns for a session's measures."""
    assessment = measures.assessment
    return {
        "active_ms": measures.active_ms,
        "sittings": len(measures.sittings),
        "work_events": measures.work_events,
        "score": assessment.score,
        "maximum": assessment.maximum,
        "full_maximum": assessment.full_maximum if assessment.items else None,
        "items_attempted": len(assessment.attempted),
        "items_total": len(assessment.items),
        "items": [item.as_dict() for item in assessment.items],
    }


def session_values(
    widget_id: str,
    events: list[dict[str, Any]],
    rules: MeasureRules,
    measures: SessionMeasures | None = None,
) -> dict[str, Any]:
    """The Session (and result) columns for a session's events (in play order): its measures,
    and in `items` the widget's reading of each item (its wrong answers, time spent and
    misconceptions: widgets/responses/), which the item analysis reads instead of the events.
    `measures`: these events' measures, when the caller has them already."""
    if measures is None:
        measures = measures_of(widget_id, events, rules)
    values = measure_values(measures)
    try:
        reading = read_session(widget_id, events)
    except Exception:  # a rule's bug must not stop every session after this one being summarised
        log.exception("%s: its item rules failed on a session; kept without a reading", widget_id)
        reading = SessionReading()
    values["items"] = items_with_reading(values["items"], reading)
    return values


def event_streams(
    keys: Iterable[SessionKey], *, time_from: int | None = None, time_to: int | None = None
) -> dict[SessionKey, list[dict[str, Any]]]:
    """The events of these sessions in play order (client t, ties in arrival order).

    One query for all of them, through the (learner, session, t) index; `time_from`/`time_to`
    (epoch ms, server-corrected `time`) clip every stream to a window.
    """
    keys = set(keys)
    streams: dict[SessionKey, list[dict[str, Any]]] = defaultdict(list)
    if not keys:
        return streams
    events = Event.objects.using(ALIAS).filter(
        learner__in={key[1] for key in keys}, session__in={key[3] for key in keys}
    )
    if time_from is not None:
        events = events.filter(time__gte=time_from)
    if time_to is not None:
        events = events.filter(time__lt=time_to)
    rows = events.order_by("learner", "widget", "session", "t", "seq").values_list(
        "tenant_id", "learner", "widget", "session", "type", "t", "data"
    )
    for tenant_id, learner, widget, session, type_, t, data in rows.iterator(chunk_size=5000):
        key = (tenant_id, learner, widget, session)  # another tenant's same ids are not this
        if key in keys:
            streams[key].append({"type": type_, "t": t, "data": data})
    return streams


def sessions_summarise(
    *,
    sessions: QuerySet[Session] | None = None,
    everything: bool = False,
    chunk: int = SUMMARY_CHUNK,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Brings the measures of stale sessions up to date (of every session with `everything`).

    Works through the sessions by id in chunks, committing each, so an interrupted run loses
    nothing and the next one starts with what is still stale. `progress(done, total)` is
    called after every chunk. Returns how many sessions were summarised.
    """
    rules = measure_rules()
    scope = sessions if sessions is not None else Session.objects.using(ALIAS).all()
    if not everything:
        scope = scope.exclude(summarised_count=F("event_count"))
    total = scope.count() if progress else 0
    done = 0
    last_pk = 0
    while True:
        rows = list(
            scope.filter(pk__gt=last_pk)
            .order_by("pk")
            .only(
                "pk", "tenant_id", "learner", "widget", "session", "event_count", "score",
                "maximum",
            )[:chunk]
        )  # fmt: skip
        if not rows:
            break
        last_pk = rows[-1].pk
        streams = event_streams(
            (row.tenant_id, row.learner, row.widget, row.session) for row in rows
        )
        scores_before = {row.pk: (row.score, row.maximum) for row in rows}
        for row in rows:
            stream = streams.get((row.tenant_id, row.learner, row.widget, row.session), [])
            for name, value in session_values(row.widget, stream, rules).items():
                setattr(row, name, value)
            row.summarised_count = len(stream)
        _write_measures(rows, chunk=chunk, scores_before=scores_before)
        done += len(rows)
        if progress:
            progress(done, total)
    if done and sessions is None:
        log.info("summarised %d sessions", done)
    return done


# PostgreSQL: the measures go through a temporary table, COPY in and one UPDATE … FROM. Django's
# bulk_update builds a CASE WHEN per field and row, and building it (resolve_expression) is
# 70–78% of a summary's time: 10–18.5 s per 3,000 sessions against 0.2–1.1 s this way
# (benchmarks/README.md, "The cold summary").
MEASURES_STAGE_DDL = """
CREATE TEMPORARY TABLE IF NOT EXISTS collector_session_measures_stage (
    id bigint, summarised_count integer, active_ms bigint, sittings integer, work_events integer,
    score double precision, maximum double precision, full_maximum double precision,
    items_attempted integer, items_total integer, items jsonb
) ON COMMIT DELETE ROWS
"""
MEASURES_STAGE_COPY = (
    f"COPY collector_session_measures_stage (id, {', '.join(MEASURE_FIELDS)}) FROM STDIN"
)
MEASURES_UPDATE = """
UPDATE collector_session AS s SET summarised_count = m.summarised_count,
    active_ms = m.active_ms, sittings = m.sittings, work_events = m.work_events,
    score = m.score, maximum = m.maximum, full_maximum = m.full_maximum,
    items_attempted = m.items_attempted, items_total = m.items_total, items = m.items
FROM collector_session_measures_stage AS m WHERE s.id = m.id
"""


def _write_measures(
    rows: list[Session],
    *,
    chunk: int,
    scores_before: dict[int, tuple[float | None, float | None]] | None = None,
) -> None:
    """Stores the measures set on these rows, and, for tenants with a webhook subscription for
    scores, a change for each score that changed, in the same transaction
    (collector/webhooks/outbox.py: with those sessions' rows locked first)."""
    scored = scored_candidates(rows, scores_before) if scores_before is not None else []
    if not scored:
        _store_measures(rows, chunk=chunk)
        return
    with transaction.atomic(using=ALIAS):
        changes = scored_changes(scored)
        _store_measures(rows, chunk=chunk)
        changes_write(changes)


def _store_measures(rows: list[Session], *, chunk: int) -> None:
    """Stores the measures set on these rows (and nothing else: not `updated_at`, as before)."""
    connection = connections[ALIAS]
    if connection.vendor != "postgresql":
        Session.objects.using(ALIAS).bulk_update(rows, MEASURE_FIELDS, batch_size=chunk)
        return
    with transaction.atomic(using=ALIAS), connection.cursor() as cursor:
        cursor.execute(MEASURES_STAGE_DDL)
        # Rows of an earlier chunk in the same transaction are still there until it commits.
        cursor.execute("TRUNCATE collector_session_measures_stage")
        with cursor.cursor.copy(MEASURES_STAGE_COPY) as copy:  # psycopg's own cursor, for COPY
            for row in rows:
                copy.write_row(
                    (
                        row.pk,
                        *(getattr(row, name) for name in MEASURE_FIELDS[:-1]),
                        json.dumps(row.items),
                    )
                )
        cursor.execute(MEASURES_UPDATE)
