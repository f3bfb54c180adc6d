"""Tracking codes, starts and tracks for the RAGE tests, with statements as RAGE's trackers build
them (e-UCM's csharp-tracker: the start's actor, object ids under its objectId, no id and no
registration)."""

from __future__ import annotations

import json

from django.test import Client

from collector.models import Tenant
from collector.rage.models import RageTrackingCode
from collector.rage.sessions import rage_tracking_code_create
from collector.tenants import tenant_default

GAME = "https://games.example/fractions-quest"
ACCESSED = "https://w3id.org/xapi/seriousgames/verbs/accessed"


def tracking_code(tenant: Tenant | None = None, activity: str = GAME) -> RageTrackingCode:
    return rage_tracking_code_create(
        tenant_id=(tenant or tenant_default()).pk, name="Fractions quest", activity=activity
    )


def start(client: Client, code: str, *, bearer: str | None = None, body=None, **headers):
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    if body is None:  # as RAGE's trackers start a new anonymous player: no body at all
        return client.generic("POST", f"/api/collector/start/{code}", headers=headers)
    return client.post(
        f"/api/collector/start/{code}", json.dumps(body), content_type="application/json",
        headers=headers,
    )  # fmt: skip


def trace(started: dict, target: str = "screen/menu", verb: str = ACCESSED, **extra) -> dict:
    """A statement as a RAGE tracker makes it from the start's answer."""
    return {
        "actor": started["actor"],
        "verb": {"id": verb},
        "object": {
            "id": f"{started['objectId'].rstrip('/')}/{target}",
            "definition": {"type": "https://w3id.org/xapi/seriousgames/activity-types/screen"},
        },
        "timestamp": "2026-12-06T09:30:00.000Z",
        **extra,
    }


def track(client: Client, auth_token: str | None, body) -> object:
    headers = {"Authorization": auth_token} if auth_token is not None else {}
    return client.post(
        "/api/collector/track", json.dumps(body), content_type="application/json",
        headers=headers,
    )  # fmt: skip
