"""The platform's read side: data requests (create → process → results), replay reads, erasure.

Processing reads each session's measures (collector/summaries.py), summarising first the sessions
that received events since their last summary: a request over a million events whose sessions
are up to date is one INSERT … SELECT from the session rows, and reads no event.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connections, transaction
from django.db.models import Max, Min, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from collector.models import (
    ApiKey,
    DataRequest,
    DataRequestKind,
    DataRequestResult,
    DataRequestStatus,
    Event,
    Learner,
    QuarantinedEvent,
    Session,
    WebhookChange,
)
from collector.rage.models import RagePlayer
from collector.rage.sessions import rage_players_move
from collector.summaries import event_streams, measures_of, session_values, sessions_summarise
from collector.tokens import learner_tokens_revoke, now_ms
from collector.xapi.export import statements_snapshot
from collector.xapi.models import ActivityState, AttemptResult, Statement, StatementAttachment
from config.routers import ANALYTICS_ALIAS as ALIAS
from core.measures import measure_rules
from widgets.registry import get_widget

DELETE_BATCH = 500
# A request no worker has started this long after it was created lost its task: requeue it.
REQUEUE_UNSTARTED_AFTER = timedelta(minutes=5)
# One started this long ago and still PROCESSING lost its worker: requeue it. The sweep runs every
# BEAT_INTERVAL (60 s), so on the filesystem broker, which cannot redeliver, a dead worker's
# request is back within 2.5 minutes; never before Redis would redeliver it (its visibility
# timeout, config/settings.py). A request really running this long is delivered again and the
# second delivery skips it (docs/deploy.md, "When a worker dies").
REQUEUE_STARTED_AFTER = timedelta(seconds=90)
# One still PROCESSING this long after it was created will not finish: fail it, with a reason.
GIVE_UP_AFTER = timedelta(hours=24)
log = logging.getLogger("pathlens.collector")


@dataclass(frozen=True)
class DataRequestParams:
    kind: str
    learners: list[str]
    widgets: list[str]
    time_from: datetime | None
    time_to: datetime | None


def data_request_create(*, api_key: ApiKey, params: DataRequestParams) -> DataRequest:
    from collector.tasks import process_data_request

    with transaction.atomic(using=ALIAS):
        request = DataRequest.objects.create(
            api_key=api_key,
            tenant_id=api_key.tenant_id,
            kind=params.kind,
            learners=params.learners,
            widgets=params.widgets,
            time_from=params.time_from,
            time_to=params.time_to,
        )
        transaction.on_commit(lambda: process_data_request.delay(str(request.id)), using=ALIAS)
    return request


def _epoch_ms(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)


def matching_events(request: DataRequest, *, learner: str | None = None) -> QuerySet[Event]:
    """The request's events: its learners' (or one of them's), in its widgets (all if none), in
    its window."""
    events = Event.objects.using(ALIAS).filter(tenant_id=request.tenant_id)
    events = (
        events.filter(learner=learner) if learner else events.filter(learner__in=request.learners)
    )
    if request.widgets:
        events = events.filter(widget__in=request.widgets)
    if request.time_from is not None:
        events = events.filter(time__gte=_epoch_ms(request.time_from))
    if request.time_to is not None:
        events = events.filter(time__lt=_epoch_ms(request.time_to))
    return events


def data_request_process(*, request_id: str) -> None:
    """Computes and materialises the results of one request; marks it DONE."""
    request = DataRequest.objects.using(ALIAS).filter(pk=request_id).first()
    if request is None:
        log.warning("data request %s is gone; nothing to process", request_id)
        return
    if request.status != DataRequestStatus.PROCESSING:
        return  # a redelivered or requeued task: the request is finished already
    DataRequest.objects.using(ALIAS).filter(
        pk=request.pk, status=DataRequestStatus.PROCESSING
    ).update(started_at=timezone.now(), progress=0)
    with transaction.atomic(using=ALIAS):
        # Two deliveries of one request (a redelivery, or a requeue by the sweep) must not both
        # write results: the row lock makes the second skip on PostgreSQL; on SQLite the
        # IMMEDIATE transaction makes it wait, and it then sees the request finished.
        locked = (
            DataRequest.objects.using(ALIAS)
            .select_for_update(skip_locked=True)
            .filter(pk=request.pk, status=DataRequestStatus.PROCESSING)
            .first()
        )
        if locked is None:
            log.info("data request %s is finished or being processed elsewhere", request_id)
            return
        DataRequestResult.objects.using(ALIAS).filter(request=request).delete()
        if request.kind == DataRequestKind.STATEMENTS:
            found = statements_snapshot(request)
        else:
            found = {"result_count": _materialise(request)}
        DataRequest.objects.using(ALIAS).filter(pk=request.pk).update(
            status=DataRequestStatus.DONE, progress=100, finished_at=timezone.now(), **found
        )


def data_request_fail(*, request_id: str, reason: str) -> bool:
    """Marks a PROCESSING request FAILED; False if it had finished meanwhile (it stays as it is)."""
    return bool(
        DataRequest.objects.using(ALIAS)
        .filter(pk=request_id, status=DataRequestStatus.PROCESSING)
        .update(status=DataRequestStatus.FAILED, reason=reason[:2000], finished_at=timezone.now())
    )


def data_requests_sweep() -> dict[str, int]:
    """Requeues PROCESSING requests that no worker seems to be processing; fails hopeless ones.

    A request's task can be lost: the broker was unreachable when it was enqueued (the row is
    committed first), or a worker died and the broker did not deliver the task again. Such a
    request would stay PROCESSING for ever, and the project waiting on it with it. Requeuing is
    safe however often it happens: `data_request_process` does nothing for a finished request
    and skips one that another worker is processing.
    """
    from collector.tasks import process_data_request

    now = timezone.now()
    processing = DataRequest.objects.using(ALIAS).filter(status=DataRequestStatus.PROCESSING)
    hopeless = processing.filter(created_at__lt=now - GIVE_UP_AFTER)
    failed = 0
    for request_id in hopeless.values_list("pk", flat=True):
        failed += data_request_fail(
            request_id=str(request_id),
            reason="No worker finished this request within "
            f"{int(GIVE_UP_AFTER.total_seconds() // 3600)} hours. Submit it again.",
        )
    stuck = processing.filter(created_at__gte=now - GIVE_UP_AFTER).filter(
        Q(started_at__isnull=True, created_at__lt=now - REQUEUE_UNSTARTED_AFTER)
        | Q(started_at__lt=now - REQUEUE_STARTED_AFTER)
    )
    requeued = [str(request_id) for request_id in stuck.values_list("pk", flat=True)]
    for request_id in requeued:
        # Copies expire, so those sent while no worker runs do not pile up in the broker.
        process_data_request.apply_async(
            args=[request_id], expires=REQUEUE_UNSTARTED_AFTER.total_seconds()
        )
    if requeued or failed:
        log.warning(
            "data requests swept: %d requeued (task lost), %d failed (unfinished after %s)",
            len(requeued),
            failed,
            GIVE_UP_AFTER,
        )
    return {"requeued": len(requeued), "failed": failed}


def data_requests_delete_finished(*, finished_before: datetime) -> int:
    """Deletes DONE and FAILED requests, with their results, that finished before the moment.

    Results are materialised for the client to fetch; a project imports them within minutes of
    DONE, so after the retention period they are only taking room.
    """
    old = DataRequest.objects.using(ALIAS).filter(
        status__in=[DataRequestStatus.DONE, DataRequestStatus.FAILED],
        finished_at__lt=finished_before,
    )
    deleted = 0
    while batch := list(old.values_list("pk", flat=True)[:DELETE_BATCH]):
        with transaction.atomic(using=ALIAS):
            # Results first, in one DELETE, so the cascade does not load them into memory.
            DataRequestResult.objects.using(ALIAS).filter(request_id__in=batch).delete()
            AttemptResult.objects.using(ALIAS).filter(request_id__in=batch).delete()
            deleted += (
                DataRequest.objects.using(ALIAS)
                .filter(pk__in=batch)
                .delete()[1]
                .get(DataRequest._meta.label, 0)
            )
    if deleted:
        log.info("deleted %d data requests finished before %s", deleted, finished_before)
    return deleted


def _sessions_in_scope(request: DataRequest) -> QuerySet[Session]:
    """The sessions of the request's learners and widgets with at least one event in its window."""
    sessions = Session.objects.using(ALIAS).filter(
        tenant_id=request.tenant_id, learner__in=request.learners, event_count__gt=0
    )
    if request.widgets:
        sessions = sessions.filter(widget__in=request.widgets)
    if request.time_from is not None:
        sessions = sessions.filter(last_time__gte=_epoch_ms(request.time_from))
    if request.time_to is not None:
        sessions = sessions.filter(first_time__lt=_epoch_ms(request.time_to))
    return sessions


def _inside_window(sessions: QuerySet[Session], request: DataRequest) -> Q:
    inside = Q()
    if request.time_from is not None:
        inside &= Q(first_time__gte=_epoch_ms(request.time_from))
    if request.time_to is not None:
        inside &= Q(last_time__lt=_epoch_ms(request.time_to))
    return inside


# A result row from a session's stored measures: both kinds of request read the same summaries
# (`scores` rows are shown with their score and items, `sessions` rows without).
RESULT_FROM_SESSION = """
INSERT INTO {results} (request_id, learner, widget, session, start, "end", events, score, maximum,
    active_ms, sittings, work_events, outcome, full_maximum, items_attempted, items_total, items)
SELECT %s, learner, widget, session, first_time, last_time, event_count, score, maximum,
    active_ms, sittings, work_events,
    CASE WHEN status = 'completed' THEN 'completed'
         WHEN work_events = 0 THEN 'not_started'
         ELSE 'in_progress' END,
    full_maximum, items_attempted, items_total, items
FROM ({sessions}) AS inside
"""


def _materialise(request: DataRequest) -> int:
    """Every session of the request, one result row each, from the sessions' measures.

    Stale sessions in scope are summarised first (the only part that reads events, and only
    for sessions that received events since their last summary). A session wholly inside the
    time window is copied from its row in one INSERT … SELECT; one that straddles an edge of the
    window is measured anew over its events inside the window.
    """
    scope = _sessions_in_scope(request)

    def report(done: int, total: int) -> None:
        DataRequest.objects.using(ALIAS).filter(pk=request.pk).update(
            progress=min(90, int(90 * done / max(total, 1)))
        )

    sessions_summarise(sessions=scope, progress=report)
    inside = _inside_window(scope, request)
    columns = scope.filter(inside).values(
        "learner",
        "widget",
        "session",
        "first_time",
        "last_time",
        "event_count",
        "score",
        "maximum",
        "active_ms",
        "sittings",
        "work_events",
        "status",
        "full_maximum",
        "items_attempted",
        "items_total",
        "items",
    )
    select_sql, params = columns.query.sql_with_params()
    request_key = request.pk.hex if connections[ALIAS].vendor == "sqlite" else request.pk
    with connections[ALIAS].cursor() as cursor:
        cursor.execute(
            RESULT_FROM_SESSION.format(
                results=DataRequestResult._meta.db_table, sessions=select_sql
            ),
            [request_key, *params],
        )
        count = cursor.rowcount
    if inside:  # a window: sessions across its edges count only their events inside it
        count += _materialise_clipped(request, scope.exclude(inside))
    _mark_abandoned(request)
    _materialise_attempts(request)
    return count


def _materialise_attempts(request: DataRequest) -> None:
    """Other activities' attempts (xAPI content that is not a widget), kept beside the session
    rows and not counted in them: `result_count` stays the sessions'."""
    from collector.xapi.attempts import attempts_materialise  # it imports this module's users

    AttemptResult.objects.using(ALIAS).filter(request=request).delete()
    attempts_materialise(request)


def _materialise_clipped(request: DataRequest, straddling: QuerySet[Session]) -> int:
    rules = measure_rules()
    keys = list(straddling.values_list("tenant_id", "learner", "widget", "session"))
    streams = event_streams(
        keys, time_from=_epoch_ms(request.time_from), time_to=_epoch_ms(request.time_to)
    )
    rows = []
    for key, stream in streams.items():
        _, learner, widget, session = key
        measures = measures_of(widget, stream, rules)
        times = _times_in_window(request, key[1:])
        rows.append(
            DataRequestResult(
                request=request,
                learner=learner,
                widget=widget,
                session=session,
                start=times[0],
                end=times[1],
                events=len(stream),
                outcome=(
                    "completed"
                    if measures.completed
                    else "not_started"
                    if measures.opened_without_work
                    else "in_progress"
                ),
                **session_values(widget, stream, rules, measures),
            )
        )
    DataRequestResult.objects.using(ALIAS).bulk_create(rows, batch_size=1000)
    return len(rows)


def _times_in_window(request: DataRequest, key: tuple[str, str, str]) -> tuple[int, int]:
    events = matching_events(request).filter(learner=key[0], widget=key[1], session=key[2])
    found = events.aggregate(start=Min("time"), end=Max("time"))
    return found["start"], found["end"]


def _mark_abandoned(request: DataRequest) -> None:
    """Sessions with work, not completed, untouched for their widget's abandon time: left."""
    now = now_ms()
    results = DataRequestResult.objects.using(ALIAS).filter(request=request, outcome="in_progress")
    for widget_id in results.values_list("widget", flat=True).distinct():
        widget = get_widget(widget_id)
        if widget is None:
            continue
        results.filter(widget=widget_id, end__lt=now - widget.abandon_after_ms).update(
            outcome="abandoned"
        )


RESULT_FIELDS = ["learner", "widget", "session", "start", "end", "events", "active_ms", "sittings",
    "work_events", "outcome"]  # fmt: skip
SCORE_FIELDS = ["score", "maximum", "full_maximum", "items_attempted", "items_total", "items"]


def result_fields(kind: str) -> list[str]:
    """The columns of a request's result rows, in order: `scores` rows add the score and items."""
    return RESULT_FIELDS + (SCORE_FIELDS if kind == DataRequestKind.SCORES else [])


def data_request_rows(
    *, request: DataRequest, offset: int = 0, limit: int | None = None, items_as_text: bool = False
) -> list[tuple]:
    """Result rows as tuples in `result_fields(request.kind)` order, by id.

    The school side's import reads every row of a request at once: tuples instead of a dict
    per row took 30,000 rows from 2.1–7.3 s to 0.9–2.6 s (benchmarks/README.md). With
    `items_as_text`, `items` is the stored JSON text, not decoded: decoding it was three
    quarters of what was left, and an import writes it straight back as JSON.
    """
    fields = result_fields(request.kind)
    rows = DataRequestResult.objects.using(ALIAS).filter(request=request).order_by("id")
    if items_as_text and "items" in fields:
        rows = rows.annotate(items_text=Cast("items", TextField()))
        fields = [name if name != "items" else "items_text" for name in fields]
    rows = rows.values_list(*fields)
    return list(rows[offset:] if limit is None else rows[offset : offset + limit])


def data_request_results(*, request: DataRequest, offset: int, limit: int) -> list[dict]:
    """One page of results: each session's times and measures (`duration` is the span, first
    event to last; `active_ms` is the time a teacher should read), and for `scores` requests its
    score over attempted items and per-item results."""
    fields = result_fields(request.kind)
    start, end = fields.index("start"), fields.index("end")
    return [
        {**dict(zip(fields, row, strict=True)), "duration": row[end] - row[start]}
        for row in data_request_rows(request=request, offset=offset, limit=limit)
    ]


def session_events(
    *, tenant_id: int, learner: str, session: str, widget: str | None = None
) -> list[dict]:
    """A learner's events in one session in client-time order (ties: arrival order)."""
    events = Event.objects.using(ALIAS).filter(
        tenant_id=tenant_id, learner=learner, session=session
    )
    if widget:
        events = events.filter(widget=widget)
    return [
        {"id": str(event_id), "widget": w, "type": type_, "t": t, "time": time, "data": data}
        for event_id, w, type_, t, time, data in events.order_by("t", "seq").values_list(
            "event_id", "widget", "type", "t", "time", "data"
        )
    ]


def session_stats(*, tenant_id: int, learner: str, session: str) -> list[Session]:
    return list(
        Session.objects.using(ALIAS).filter(tenant_id=tenant_id, learner=learner, session=session)
    )


def learner_erase(*, tenant_id: int, learner: str) -> dict[str, int]:
    """Erases every event, session and result row of one of the tenant's opaque ids, and revokes
    its tokens. Another tenant's learner of the same opaque id is not touched."""
    mine = {"tenant_id": tenant_id, "learner": learner}
    with transaction.atomic(using=ALIAS):
        events, _ = Event.objects.using(ALIAS).filter(**mine).delete()
        sessions, _ = Session.objects.using(ALIAS).filter(**mine).delete()
        QuarantinedEvent.objects.using(ALIAS).filter(**mine).delete()
        # xAPI: the statements whose actor is the learner, their attachments, and their State
        # documents.
        theirs = Statement.objects.using(ALIAS).filter(**mine)
        StatementAttachment.objects.using(ALIAS).filter(
            tenant_id=tenant_id, statement_id__in=theirs.values("statement_id")
        ).delete()
        theirs.delete()
        ActivityState.objects.using(ALIAS).filter(**mine).delete()
        # RAGE: the player, with its sessions (their authTokens stop working with them).
        RagePlayer.objects.using(ALIAS).filter(**mine).delete()
        # Webhook changes not delivered yet are not delivered (the log keeps only their ids).
        WebhookChange.objects.using(ALIAS).filter(**mine).delete()
        DataRequestResult.objects.using(ALIAS).filter(
            request__tenant_id=tenant_id, learner=learner
        ).delete()
        AttemptResult.objects.using(ALIAS).filter(
            request__tenant_id=tenant_id, learner=learner
        ).delete()
        learner_tokens_revoke(tenant_id=tenant_id, learner=learner)
    return {"events_deleted": events, "sessions_deleted": sessions}


def learner_move(*, tenant_id: int, learner: str, to: str) -> dict[str, int]:
    """Moves one of the tenant's opaque ids' events and sessions to another (after an opaque-id
    rotation), within the tenant."""
    with transaction.atomic(using=ALIAS):
        Learner.objects.using(ALIAS).get_or_create(tenant_id=tenant_id, opaque_id=to)
        rage_players_move(tenant_id=tenant_id, learner=learner, to=to)
        moved = (
            Event.objects.using(ALIAS)
            .filter(tenant_id=tenant_id, learner=learner)
            .update(learner=to)
        )
        quarantine = QuarantinedEvent.objects.using(ALIAS).filter(tenant_id=tenant_id)
        taken = quarantine.filter(learner=to).values("digest")  # kept once per learner
        quarantine.filter(learner=learner, digest__in=taken).delete()
        quarantine.filter(learner=learner).update(learner=to)
        sessions = Session.objects.using(ALIAS).filter(tenant_id=tenant_id)
        for old in sessions.filter(learner=learner).select_for_update():
            existing = sessions.filter(learner=to, widget=old.widget, session=old.session).first()
            if existing is None:
                old.learner = to
                old.save(update_fields=["learner"])
                continue
            _merge_session(into=existing, other=old)
            old.delete()
        DataRequestResult.objects.using(ALIAS).filter(
            request__tenant_id=tenant_id, learner=learner
        ).update(learner=to)
        AttemptResult.objects.using(ALIAS).filter(
            request__tenant_id=tenant_id, learner=learner
        ).update(learner=to)
    return {"events_moved": moved}


def _merge_session(*, into: Session, other: Session) -> None:
    into.first_time = min(into.first_time, other.first_time)
    into.last_time = max(into.last_time, other.last_time)
    known = [x for x in (into.max_t, other.max_t) if x is not None]
    into.max_t = max(known) if known else None
    into.event_count += other.event_count
    into.duplicates += other.duplicates
    into.out_of_order += other.out_of_order
    into.refused += other.refused
    into.summarised_count = 0  # two sessions' events in one: its measures must be worked out anew
    if other.status_t is not None and (into.status_t is None or other.status_t > into.status_t):
        into.status, into.status_t = other.status, other.status_t
    into.save()
