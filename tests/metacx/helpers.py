"""Credentials, objects and requests for the MetaCX-style door's tests."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from collector.apikeys import api_key_create
from collector.models import Tenant
from collector.tenants import tenant_default
from tests.collector.helpers import OPAQUE, now_ms


def client_credentials(tenant: Tenant | None = None) -> dict[str, str]:
    """An API key of the tenant (the default one if none) as MetaCX's clientId and clientSecret:
    the key's id (`plk_<prefix>`) and the rest (a secret may itself contain "_")."""
    _, key = api_key_create(name="metacx", tenant=tenant or tenant_default())
    prefix, _, rest = key.partition("_")
    key_id, _, secret = rest.partition("_")
    return {"clientId": f"{prefix}_{key_id}", "clientSecret": secret}


def access_token(client: Client, tenant: Tenant | None = None) -> str:
    response = client.post(
        "/metacx/getToken", client_credentials(tenant), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["accessToken"]


def post(client: Client, body: Any, token: str):
    """The body as JSON, whatever it is (Django's test client would send a string as it is)."""
    return client.post(
        "/metacx/events",
        body if isinstance(body, bytes) else json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def widget_object(**overrides) -> dict[str, Any]:
    """A BLL002 session start: eventKey "session_started"."""
    return {"learner": OPAQUE, "widget": "BLL002", "session": "mcx-1", **overrides}


def other_object(**overrides) -> dict[str, Any]:
    """An object of an activity that is not one of our widgets (eventKey "course_quiz")."""
    return {"learner": OPAQUE, "eventDate": now_ms(), "score": 0.8, "passed": True, **overrides}
