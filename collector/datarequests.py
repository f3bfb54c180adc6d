"""The platform's read side: data requests (create → process → results), replay reads, erasure.

Processing pushes the `sessions` aggregation into the database as one INSERT … SELECT … GROUP BY;
`scores` streams each session's events in time order through the widget's scoring rule.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from django.db import connections, transaction
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from collector.models import (
    ApiKey,
    DataRequest,
    DataRequestKind,
    DataRequestResult,
    DataRequestStatus,
    Event,
    Session,
)
from collector.tokens import learner_tokens_revoke
from widgets.registry import get_widget

ALIAS = "analytics"
SCORE_CHUNK = 2000
DELETE_BATCH = 500
# A request no worker has started this long after it was created lost its task: requeue it.
REQUEUE_UNSTARTED_AFTER = timedelta(minutes=5)
# One started this long ago and still PROCESSING lost its worker: requeue it.
REQUEUE_STARTED_AFTER = timedelta(hours=1)
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
            kind=params.kind,
            learners=params.learners,
            widgets=params.widgets,
            time_from=params.time_from,
            time_to=params.time_to,
        )
        transaction.on_commit(lambda: process_data_request.delay(str(request.id)), using=ALIAS)
    return request


def data_request_retry(*, request: DataRequest) -> DataRequest:
    """Puts a FAILED (or stuck) request back into processing, with its results cleared."""
    from collector.tasks import process_data_request

    with transaction.atomic(using=ALIAS):
        request.results.all().delete()
        request.status = DataRequestStatus.PROCESSING
        request.progress = 0
        request.reason = ""
        request.result_count = 0
        request.started_at = request.finished_at = None
        request.save()
        transaction.on_commit(lambda: process_data_request.delay(str(request.id)), using=ALIAS)
    return request


def _epoch_ms(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)


def _matching_events(request: DataRequest) -> QuerySet[Event]:
    events = Event.objects.using(ALIAS).filter(learner__in=request.learners)
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
        if request.kind == DataRequestKind.SESSIONS:
            count = _materialise_sessions(request)
        else:
            count = _materialise_scores(request)
        DataRequest.objects.using(ALIAS).filter(pk=request.pk).update(
            status=DataRequestStatus.DONE,
            progress=100,
            result_count=count,
            finished_at=timezone.now(),
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
            deleted += (
                DataRequest.objects.using(ALIAS)
                .filter(pk__in=batch)
                .delete()[1]
                .get(DataRequest._meta.label, 0)
            )
    if deleted:
        log.info("deleted %d data requests finished before %s", deleted, finished_before)
    return deleted


def _materialise_sessions(request: DataRequest) -> int:
    grouped = (
        _matching_events(request)
        .order_by()
        .values("learner", "widget", "session")
        .annotate(start=Min("time"), end=Max("time"), events=Count("*"))
        .values_list("learner", "widget", "session", "start", "end", "events")
    )
    select_sql, params = grouped.query.sql_with_params()
    table = DataRequestResult._meta.db_table
    with connections[ALIAS].cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} (request_id, learner, widget, session, start, "end", events) '  # noqa: S608
            f"SELECT %s, * FROM ({select_sql}) AS grouped",
            [request.pk.hex if connections[ALIAS].vendor == "sqlite" else request.pk, *params],
        )
        return cursor.rowcount


def _session_streams(events: QuerySet[Event]) -> Iterator[tuple[tuple, list[dict]]]:
    rows = (
        events.order_by("learner", "widget", "session", "t", "seq")
        .values_list("learner", "widget", "session", "type", "t", "time", "data")
        .iterator(chunk_size=SCORE_CHUNK)
    )
    for key, group in groupby(rows, key=lambda row: row[:3]):
        yield key, [{"type": r[3], "t": r[4], "time": r[5], "data": r[6]} for r in group]


def _materialise_scores(request: DataRequest) -> int:
    events = _matching_events(request)
    expected = max(1, events.values("learner", "widget", "session").distinct().count())
    results: list[DataRequestResult] = []
    done = 0
    for (learner, widget_id, session), stream in _session_streams(events):
        widget = get_widget(widget_id)
        score = widget.score(stream) if widget else None
        results.append(
            DataRequestResult(
                request=request,
                learner=learner,
                widget=widget_id,
                session=session,
                start=min(e["time"] for e in stream),
                end=max(e["time"] for e in stream),
                events=len(stream),
                score=score.score if score else None,
                maximum=score.maximum if score else None,
            )
        )
        if len(results) >= SCORE_CHUNK:
            done += _flush_results(request, results, expected, done)
            results = []
    done += _flush_results(request, results, expected, done)
    return done


def _flush_results(
    request: DataRequest, results: list[DataRequestResult], expected: int, done: int
) -> int:
    DataRequestResult.objects.using(ALIAS).bulk_create(results, batch_size=1000)
    # Progress is written on its own connection's view of the row; readers see it after commit.
    progress = min(99, int(100 * (done + len(results)) / expected))
    DataRequest.objects.using(ALIAS).filter(pk=request.pk).update(progress=progress)
    return len(results)


def data_request_results(*, request: DataRequest, offset: int, limit: int) -> list[dict]:
    rows = (
        DataRequestResult.objects.using(ALIAS)
        .filter(request=request)
        .order_by("id")
        .values_list("learner", "widget", "session", "start", "end", "events", "score", "maximum")
    )[offset : offset + limit]
    with_scores = request.kind == DataRequestKind.SCORES
    return [
        {
            "learner": learner,
            "widget": widget,
            "session": session,
            "start": start,
            "end": end,
            "duration": end - start,
            "events": events,
            **({"score": score, "maximum": maximum} if with_scores else {}),
        }
        for learner, widget, session, start, end, events, score, maximum in rows
    ]


def session_events(*, learner: str, session: str, widget: str | None = None) -> list[dict]:
    """A learner's events in one session in client-time order (ties: arrival order)."""
    events = Event.objects.using(ALIAS).filter(learner=learner, session=session)
    if widget:
        events = events.filter(widget=widget)
    return [
        {"id": str(event_id), "widget": w, "type": type_, "t": t, "time": time, "data": data}
        for event_id, w, type_, t, time, data in events.order_by("t", "seq").values_list(
            "event_id", "widget", "type", "t", "time", "data"
        )
    ]


def session_stats(*, learner: str, session: str) -> list[Session]:
    return list(Session.objects.using(ALIAS).filter(learner=learner, session=session))


def learner_erase(*, learner: str) -> dict[str, int]:
    """Erases every event, session and result row of one opaque id, and revokes its tokens."""
    with transaction.atomic(using=ALIAS):
        events, _ = Event.objects.using(ALIAS).filter(learner=learner).delete()
        sessions, _ = Session.objects.using(ALIAS).filter(learner=learner).delete()
        DataRequestResult.objects.using(ALIAS).filter(learner=learner).delete()
        learner_tokens_revoke(learner=learner)
    return {"events_deleted": events, "sessions_deleted": sessions}


def learner_move(*, learner: str, to: str) -> dict[str, int]:
    """Moves one opaque id's events and sessions to another (after an opaque-id rotation)."""
    with transaction.atomic(using=ALIAS):
        moved = Event.objects.using(ALIAS).filter(learner=learner).update(learner=to)
        sessions = Session.objects.using(ALIAS)
        for old in sessions.filter(learner=learner).select_for_update():
            existing = sessions.filter(learner=to, widget=old.widget, session=old.session).first()
            if existing is None:
                old.learner = to
                old.save(update_fields=["learner"])
                continue
            _merge_session(into=existing, other=old)
            old.delete()
        DataRequestResult.objects.using(ALIAS).filter(learner=learner).update(learner=to)
    return {"events_moved": moved}


def _merge_session(*, into: Session, other: Session) -> None:
    into.first_time = min(into.first_time, other.first_time)
    into.last_time = max(into.last_time, other.last_time)
    known = [x for x in (into.max_t, other.max_t) if x is not None]
    into.max_t = max(known) if known else None
    into.event_count += other.event_count
    into.duplicates += other.duplicates
    into.out_of_order += other.out_of_order
    if other.status_t is not None and (into.status_t is None or other.status_t > into.status_t):
        into.status, into.status_t = other.status, other.status_t
    into.save()
