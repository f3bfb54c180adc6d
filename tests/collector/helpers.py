from __future__ import annotations

import gzip
import json
import time
import uuid

from django.test import Client

from collector.tenants import tenant_default
from collector.tokens import learner_token_issue

OPAQUE = "0f" * 16  # an opaque id as the school side makes them
OTHER_OPAQUE = "1e" * 16


def issue_token(learner: str = OPAQUE) -> str:
    """A learner token of the default tenant (the embedded set-up's), as the school side mints."""
    return learner_token_issue(tenant_id=tenant_default().pk, learner=learner)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def event(**overrides) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "session": "sess-1",
        "widget": "BLL002",
        "type": "session_started",
        "t": now_ms(),
        "data": {},
        **overrides,
    }


def post_events(
    client: Client,
    events: list[dict] | None = None,
    *,
    token: str | None = None,
    body: bytes | None = None,
    sent_at: int | None = None,
    gzipped: bool = False,
    content_type: str = "application/json",
    learner: str = OPAQUE,
):
    if body is None:
        payload: dict = {"events": events if events is not None else [event()]}
        if sent_at is not None:
            payload["sent_at"] = sent_at
        body = json.dumps(payload).encode()
    headers = {}
    if gzipped:
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    if token is None:
        token = issue_token(learner)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.generic(
        "POST", "/api/v1/events", body, content_type=content_type, headers=headers
    )
