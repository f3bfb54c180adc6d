"""What a subscription may ask for: the kinds of session change."""

from __future__ import annotations

from collector.models import SessionStatus

STARTED = "session.started"
RESUMED = "session.resumed"
COMPLETED = "session.completed"
SCORED = "session.scored"
KINDS = (STARTED, RESUMED, COMPLETED, SCORED)
# A session's lifecycle status (collector/ingest.py) → the kind of change it reports.
STATUS_KINDS: dict[str, str] = {
    SessionStatus.STARTED: STARTED,
    SessionStatus.RESUMED: RESUMED,
    SessionStatus.COMPLETED: COMPLETED,
}
LABELS = {
    STARTED: "session started",
    RESUMED: "session resumed",
    COMPLETED: "session completed",
    SCORED: "score set or changed",
}
