"""The API's input and output shapes, shared by the HTTP views and the in-process client."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils.dateparse import parse_datetime

from collector import datarequests
from collector.http import ApiError
from collector.learner_ids import learner_id_problem
from collector.models import OPAQUE_ID_MAX, DataRequest, DataRequestKind
from collector.validation import UNSTORABLE_TEXT, unstorable_text
from widgets.registry import get_widget

MAX_REQUEST_LEARNERS = 20_000
REQUEST_FIELDS = ("kind", "learners", "widgets", "from", "to")


def opaque_id(value: Any, field: str) -> str:
    """A learner the request looks up (revoke, erase, data requests): any opaque id the tenant
    may hold, including one stored before new ids had to be in the issued form."""
    if not isinstance(value, str) or not value or len(value) > OPAQUE_ID_MAX:
        raise ApiError(
            400, f"'{field}' must be an opaque learner id of 1 to 64 characters.", field=field
        )
    if unstorable_text(value, field):
        raise ApiError(400, f"'{field}' {UNSTORABLE_TEXT}.", field=field)
    return value


def new_learner_id(value: Any, field: str) -> str:
    """A learner the request makes known to the collector (a token minted for it, a learner moved
    to it): an opaque id in the form Pathlens issues, so that a school's own student number can
    never become one (collector/learner_ids.py)."""
    problem = learner_id_problem(value)
    if problem is not None:
        raise ApiError(400, f"'{field}': {problem}", field=field)
    return value


def moment(payload: dict, field: str) -> datetime | None:
    raw = payload.get(field)
    if raw is None:
        return None
    try:
        moment = parse_datetime(raw) if isinstance(raw, str) else None
        if moment is not None and moment.tzinfo is not None:
            # The same instant in UTC: PostgreSQL refuses offsets past ±15:59, which ISO 8601
            # and Python allow (+22:12). Year 1 at +01:00 is before year 1 in UTC: no moment.
            moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):  # well formed, but no such moment: 30 February
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ApiError(
            400, f"'{field}' must be an ISO-8601 date-time with a time zone, or null.", field=field
        )
    return moment


def request_params(payload: dict) -> datarequests.DataRequestParams:
    kind = payload.get("kind")
    if kind not in DataRequestKind.values:
        raise ApiError(400, "'kind' must be 'sessions', 'scores' or 'statements'.", field="kind")
    learners = payload.get("learners")
    if not isinstance(learners, list) or not learners:
        raise ApiError(400, "'learners' must be a non-empty list of opaque ids.", field="learners")
    if len(learners) > MAX_REQUEST_LEARNERS:
        raise ApiError(400, f"At most {MAX_REQUEST_LEARNERS} learners per request.")
    learners = sorted({opaque_id(value, "learners") for value in learners})
    widgets = payload.get("widgets", [])
    if not isinstance(widgets, list) or not all(isinstance(w, str) for w in widgets):
        raise ApiError(400, "'widgets' must be a list of widget ids.", field="widgets")
    unknown = [w for w in widgets if get_widget(w) is None]
    if unknown:
        raise ApiError(400, f"Unknown widget(s): {', '.join(unknown[:10])}.", field="widgets")
    time_from, time_to = moment(payload, "from"), moment(payload, "to")
    if time_from and time_to and time_from >= time_to:
        raise ApiError(400, "'from' must be earlier than 'to'.", field="from")
    return datarequests.DataRequestParams(
        kind=kind,
        learners=learners,
        widgets=sorted(set(widgets)),
        time_from=time_from,
        time_to=time_to,
    )


def describe(data_request: DataRequest) -> dict[str, Any]:
    def iso(moment):
        return moment.isoformat() if moment else None

    return {
        "id": str(data_request.id),
        "kind": data_request.kind,
        "status": data_request.status,
        "progress": data_request.progress,
        "reason": data_request.reason or None,
        "result_count": data_request.result_count,
        "parameters": {
            "learners": data_request.learners,
            "widgets": data_request.widgets,
            "from": iso(data_request.time_from),
            "to": iso(data_request.time_to),
        },
        "created_at": iso(data_request.created_at),
        "started_at": iso(data_request.started_at),
        "finished_at": iso(data_request.finished_at),
    }


def session_events_payload(
    *, tenant_id: int, learner: str, session: str, widget: str | None
) -> dict:
    learner = opaque_id(learner, "learner")
    stats = datarequests.session_stats(tenant_id=tenant_id, learner=learner, session=session)
    if widget:
        stats = [s for s in stats if s.widget == widget]
    if not stats:
        raise ApiError(404, "This learner has no events in this session.")
    return {
        "learner": learner,
        "session": session,
        "sessions": [
            {
                "widget": s.widget,
                "start": s.first_time,
                "end": s.last_time,
                "duration": s.span_ms,
                "events": s.event_count,
                "duplicates": s.duplicates,
                "out_of_order": s.out_of_order,
                "refused": s.refused,
                "status": s.status,
            }
            for s in stats
        ],
        "events": datarequests.session_events(
            tenant_id=tenant_id, learner=learner, session=session, widget=widget
        ),
    }
