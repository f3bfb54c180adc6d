"""Messages and requests for the Segment door's tests."""

from __future__ import annotations

import base64
import json
import uuid

from django.test import Client

from collector.models import Tenant
from collector.segment.keys import write_key_create
from collector.tenants import tenant_default
from tests.collector.helpers import OPAQUE


def write_key(tenant: Tenant | None = None) -> str:
    return write_key_create(tenant=tenant or tenant_default(), name="app").key


def basic(key: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


def track(event: str = "weight_placed", **properties) -> dict:
    return {
        "type": "track",
        "messageId": str(uuid.uuid4()),
        "userId": OPAQUE,
        "event": event,
        "properties": properties,
        "timestamp": "2026-12-06T09:30:00.000Z",
    }


def widget_track(event: str = "weight_placed", **data) -> dict:
    data = data or ({"peg": 2, "mass": 1} if event == "weight_placed" else {})
    return track(event, widget="BLL002", session="seg-1", **data)


def post(client: Client, key: str, body: dict, path: str = "batch", **headers):
    return client.post(
        f"/segment/v1/{path}",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": basic(key), **headers},
    )
