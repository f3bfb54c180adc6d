"""Other activities in a project's run and its replay: attempts, and one attempt's statements.

A data request also finds its learners' attempts at activities that are not our widgets, in its
time window, whatever widgets it names (they are not widgets): one row per (learner, activity,
registration), with `other.generic_attempts`' measures, materialised beside its session rows so
`GET /api/v1/data-requests/<id>/other-attempts` is a plain read. One attempt's statements, in
time order, are `GET /api/v1/learners/<id>/attempt-statements`: the replay of such an attempt is
its statement timeline (there is no widget to play back).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.db.models import QuerySet

from collector import schemas
from collector.http import ApiError
from collector.models import DataRequest
from collector.validation import UNSTORABLE_TEXT, unstorable_text
from collector.xapi.models import AttemptResult, Statement
from collector.xapi.other import generic_attempts
from config.routers import ANALYTICS_ALIAS as ALIAS
from core.measures import measure_rules

ATTEMPT_FIELDS = ["learner", "activity", "name", "registration", "start", "end", "statements",
    "completed", "passed", "score", "active_ms"]  # fmt: skip
ACTIVITY_MAX = 2000  # characters of an activity id asked for (the IRIs content sends are short)


def _other_statements(tenant_id: int) -> QuerySet[Statement]:
    """The tenant's statements about activities that are not our widgets, not voided."""
    return (
        Statement.objects.using(ALIAS)
        .filter(tenant_id=tenant_id, widget="", voided=False)
        .exclude(activity="")
        .order_by("timestamp", "seq")
    )


def attempts_materialise(request: DataRequest) -> int:
    """Stores the request's attempts (its learners' statements inside its window); how many."""
    statements = _other_statements(request.tenant_id).filter(learner__in=request.learners)
    if request.time_from is not None:
        statements = statements.filter(timestamp__gte=request.time_from)
    if request.time_to is not None:
        statements = statements.filter(timestamp__lt=request.time_to)
    bodies = statements.values_list("body", flat=True).iterator(chunk_size=2000)
    attempts = generic_attempts(
        (json.loads(body) for body in bodies), idle_cap_ms=measure_rules().idle_cap_ms
    )
    rows = [
        AttemptResult(
            request=request,
            score=attempt["best_score"],
            **{name: attempt[name] for name in ATTEMPT_FIELDS if name != "score"},
        )
        for attempt in attempts
    ]
    AttemptResult.objects.using(ALIAS).bulk_create(rows, batch_size=1000)
    return len(rows)


def attempt_rows(*, request: DataRequest) -> list[dict[str, Any]]:
    """The request's attempts, in `ATTEMPT_FIELDS`, in the order they were found."""
    rows = AttemptResult.objects.using(ALIAS).filter(request=request).order_by("id")
    return [
        dict(zip(ATTEMPT_FIELDS, row, strict=True)) for row in rows.values_list(*ATTEMPT_FIELDS)
    ]


def _registration(value: Any) -> str:
    if value in (None, ""):
        return ""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise ApiError(
            400,
            "'registration' must be a UUID, or empty for the statements without one.",
            field="registration",
        ) from None


def attempt_statements_payload(
    *, tenant_id: int, learner: Any, activity: Any, registration: Any
) -> dict[str, Any]:
    """One attempt's statements in time order (as the LRS answers them); 404 when none."""
    learner = schemas.opaque_id(learner, "learner")
    if not isinstance(activity, str) or not activity or len(activity) > ACTIVITY_MAX:
        raise ApiError(400, "'activity' must be the activity's id (an IRI).", field="activity")
    if unstorable_text(activity, "activity"):
        raise ApiError(400, f"'activity' {UNSTORABLE_TEXT}.", field="activity")
    registration = _registration(registration)
    statements = _other_statements(tenant_id).filter(
        learner=learner, activity=activity, registration=registration or None
    )
    bodies = [json.loads(body) for body in statements.values_list("body", flat=True)]
    if not bodies:
        raise ApiError(404, "This learner has no statements in this attempt.")
    return {
        "learner": learner,
        "activity": activity,
        "registration": registration,
        "statements": bodies,
    }
