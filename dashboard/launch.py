"""Opening a widget for a learner: choose the session and mint the page's configuration.

The configuration carries the learner's token (for their opaque id only) and never any real id.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.urls import reverse

from collector.client import CollectorError, get_client
from dashboard.models import LearnerIdentity, WidgetOpening
from widgets.registry import SessionMode, Widget


def _events_endpoint() -> str:
    if settings.COLLECTOR_URL:
        return f"{settings.COLLECTOR_URL}/api/v1/events"
    return reverse("collector:events")


def widget_open(*, learner: LearnerIdentity, widget: Widget) -> dict[str, Any]:
    """Records the opening and returns the `#widget-config` for the page (record mode)."""
    client = get_client()
    history: list[dict[str, Any]] = []
    session = None
    if widget.session_mode == SessionMode.RESUME:
        latest = (
            WidgetOpening.objects.filter(learner=learner, widget=widget.id)
            .order_by("-opened_at")
            .first()
        )
        if latest is not None:
            session = latest.session
            try:
                recorded = client.session_events(
                    learner=learner.opaque_id, session=session, widget=widget.id
                )
                history = [
                    {"id": e["id"], "type": e["type"], "t": e["t"], "data": e["data"]}
                    for e in recorded["events"]
                ]
            except CollectorError as error:
                if error.status != 404:  # 404: opened before, but nothing was recorded yet
                    raise
    if session is None:
        session = uuid.uuid4().hex
    WidgetOpening.objects.create(learner=learner, widget=widget.id, session=session)
    return {
        "widget": widget.id,
        "session": session,
        "mode": "record",
        "endpoint": _events_endpoint(),
        "token": client.issue_learner_token(learner.opaque_id),
        "history": history,
    }
