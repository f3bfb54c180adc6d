"""Reads of the collector's session rows that the HTTP API and the in-process client share: how
many sessions each learner has, and who is working right now. Each checks its payload as the API
does (the same messages whichever client asks).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from collector import datarequests, schemas
from collector.http import ApiError
from collector.models import Session

MAX_SESSION_COUNT_LEARNERS = 1_000


def learners_list(payload: dict[str, Any]) -> list[Any]:
    """The payload's `learners`: a list of at most MAX_SESSION_COUNT_LEARNERS (ids unchecked)."""
    learners = payload.get("learners")
    if not isinstance(learners, list):
        raise ApiError(400, "'learners' must be a list of opaque ids.", field="learners")
    if len(learners) > MAX_SESSION_COUNT_LEARNERS:
        raise ApiError(
            400,
            f"At most {MAX_SESSION_COUNT_LEARNERS} learners per call; split the list.",
            field="learners",
        )
    return learners


def session_counts_of(payload: dict[str, Any], *, tenant_id: int) -> dict[str, int]:
    """How many sessions each listed learner of the tenant has: the API's rules, shared with the
    local client.

    Every listed id gets a count, 0 included, so a caller need not tell "none" from "unknown"
    (nor learn whether another tenant uses the id).
    """
    learners = learners_list(payload)
    ids = {schemas.opaque_id(value, "learners") for value in learners}
    counts = dict.fromkeys(ids, 0)
    counts.update(
        Session.objects.using(datarequests.ALIAS)
        .filter(tenant_id=tenant_id, learner__in=ids)
        .order_by()
        .values("learner")
        .annotate(n=Count("id"))
        .values_list("learner", "n")
    )
    return counts


LIVE_WITHIN_DEFAULT = 120  # seconds: "live now" is an event in the last two minutes
LIVE_WITHIN_MAX = 3600


def live_sessions_of(
    payload: dict[str, Any], *, tenant_id: int, at_ms: int
) -> list[dict[str, Any]]:
    """The listed learners' sessions with an event in the last `within` seconds, newest first:
    one indexed read of the session rows, no event (the API's rules, shared with the local
    client)."""
    learners = learners_list(payload)
    within = payload.get("within", LIVE_WITHIN_DEFAULT)
    if isinstance(within, float) and within.is_integer():
        within = int(within)  # 120.0 is a whole number, as JSON Schema counts them
    if (
        not isinstance(within, int)
        or isinstance(within, bool)
        or not 1 <= within <= LIVE_WITHIN_MAX
    ):
        raise ApiError(
            400,
            f"'within' must be a whole number of seconds, 1 to {LIVE_WITHIN_MAX}.",
            field="within",
        )
    ids = {schemas.opaque_id(value, "learners") for value in learners}
    rows = (
        Session.objects.using(datarequests.ALIAS)
        .filter(tenant_id=tenant_id, learner__in=ids, last_time__gte=at_ms - within * 1000)
        .order_by("-last_time")
        .values("learner", "widget", "session", "last_time", "event_count", "status")
    )
    return [
        {
            "learner": row["learner"],
            "widget": row["widget"],
            "session": row["session"],
            "last_time": row["last_time"],
            "events": row["event_count"],
            "status": row["status"],
        }
        for row in rows
    ]
