"""xAPI out: a learner's session as the xAPI statements its events map onto
(collector/xapi/mapping.py), for another LRS. Served by `GET /api/v1/sessions/<session>/statements`
(and the local client), which the school side offers teachers as a JSON download."""

from __future__ import annotations

from typing import Any

from collector import schemas
from collector.xapi.mapping import event_statement


def session_statements_payload(
    *, tenant_id: int, learner: str, session: str, widget: str | None
) -> dict[str, Any]:
    """The session's events, in time order, as statements; 404 (ApiError) as for its events."""
    found = schemas.session_events_payload(
        tenant_id=tenant_id, learner=learner, session=session, widget=widget
    )
    return {
        "learner": found["learner"],
        "session": session,
        "statements": [
            event_statement({**event, "session": session}, learner=found["learner"])
            for event in found["events"]
        ],
    }
