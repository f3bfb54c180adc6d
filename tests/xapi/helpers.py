"""Statements and requests for the xAPI tests."""

from __future__ import annotations

import base64
import json
import uuid

from django.test import Client
from hypothesis import strategies as st

from collector.apikeys import api_key_create
from collector.models import Tenant
from collector.tenants import tenant_default
from collector.xapi import iris
from tests.collector.helpers import OPAQUE, issue_token

VERSION = {"X-Experience-API-Version": "1.0.3"}
OTHER_ACTIVITY = "https://content.example/h5p/quiz-7"
# Values a statement's fields commonly hold, so that a mutation is often nearly valid.
near_values = st.sampled_from(
    [
        "",
        "Ada",
        "mailto:ada@school.example",
        "https://x.example/a",
        str(uuid.uuid4()),
        "Group",
        "Agent",
        "StatementRef",
        "SubStatement",
        "2026-12-06T09:30:00Z",
        "PT1M",
        "\x00",
        "\ud800",
        -2,
        0.5,
        1e308,
        [],
        {},
    ]
)


def basic(tenant: Tenant | None = None) -> str:
    """An API key of the tenant (the default one if none) as an HTTP Basic header."""
    _, key = api_key_create(name="lms", tenant=tenant or tenant_default())
    # A key's secret may contain "_": split after the prefix, as the LRS does.
    prefix, _, rest = key.partition("_")
    key_id, _, secret = rest.partition("_")
    return "Basic " + base64.b64encode(f"{prefix}_{key_id}:{secret}".encode()).decode()


def bearer(learner: str = OPAQUE) -> str:
    return f"Bearer {issue_token(learner)}"


def account(learner: str = OPAQUE) -> dict:
    return {
        "objectType": "Agent",
        "account": {"homePage": iris.learner_home_page(), "name": learner},
    }


def statement(**overrides) -> dict:
    """A statement about content that is not one of our widgets."""
    return {
        "id": str(uuid.uuid4()),
        "actor": account(),
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
        "object": {"objectType": "Activity", "id": OTHER_ACTIVITY},
        **overrides,
    }


def widget_statement(
    event_type: str = "session_started",
    *,
    session: str | None = None,
    data: dict | None = None,
    learner: str = OPAQUE,
    **overrides,
) -> dict:
    made = statement(
        **{
            "actor": account(learner),
            "verb": {"id": iris.verb_of(event_type)},
            "object": {"objectType": "Activity", "id": iris.widget_activity("BLL002")},
            "context": {"registration": session or str(uuid.uuid4())},
            "timestamp": "2026-12-06T09:30:00.000Z",
            **overrides,
        }
    )
    if data is not None:
        made["result"] = {"extensions": {iris.data_extension(): data}}
    return made


def post(client: Client, body, auth: str, *, path: str = "/xapi/statements", **headers):
    return client.post(
        path, json.dumps(body), content_type="application/json",
        headers={"Authorization": auth, **VERSION, **headers},
    )  # fmt: skip


def put(client: Client, body, auth: str, statement_id: str):
    return client.put(
        f"/xapi/statements?statementId={statement_id}", json.dumps(body),
        content_type="application/json", headers={"Authorization": auth, **VERSION},
    )  # fmt: skip


def get(client: Client, auth: str, path: str = "/xapi/statements", **params):
    return client.get(path, params, headers={"Authorization": auth, **VERSION})
