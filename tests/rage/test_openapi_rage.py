"""The OpenAPI document lists both RAGE URLs under their own server, and what the server answers
matches what it documents."""

from __future__ import annotations

import jsonschema
import pytest
from django.urls import get_resolver

from collector.openapi import openapi_document
from collector.rage.openapi import EXAMPLE_TRACE
from tests.collector.helpers import issue_token
from tests.rage.helpers import start, track, tracking_code

DOCUMENT = openapi_document()
ROOT = {"components": DOCUMENT["components"]}
RAGE_PATHS = {
    path: item
    for path, item in DOCUMENT["paths"].items()
    if item.get("servers", [{}])[0].get("url") == "/api/collector"
}


def _schema(path: str, status: str) -> dict:
    answer = RAGE_PATHS[path]["post"]["responses"][status]
    return {**answer["content"]["application/json"]["schema"], **ROOT}


def test_every_rage_url_is_documented_under_its_own_server():
    routes = {
        "/" + str(pattern.pattern).replace("<str:tracking_code>", "{trackingCode}")
        for include in get_resolver().url_patterns
        if str(getattr(include, "pattern", "")) == "api/collector/"
        for pattern in include.url_patterns
    }
    assert routes == set(RAGE_PATHS) == {"/start/{trackingCode}", "/track"}
    for item in RAGE_PATHS.values():
        assert set(item) == {"servers", "post"}
        operation = item["post"]
        assert operation["tags"] == ["rage"]
        assert {"400", "405", "429"} <= set(operation["responses"])


@pytest.mark.django_db(databases=["default", "analytics"])
def test_the_answers_and_the_example_match_the_document(client, settings):
    settings.SITE_URL = "https://pathlens.example"
    code = tracking_code(activity="https://games.example/fractions-quest")
    started = start(client, code.code, bearer=issue_token())
    jsonschema.validate(started.json(), _schema("/start/{trackingCode}", "200"))
    assert EXAMPLE_TRACE["actor"] == started.json()["actor"]
    body = RAGE_PATHS["/track"]["post"]["requestBody"]["content"]["application/json"]
    jsonschema.validate(body["example"], {**body["schema"], **ROOT})
    stored = track(client, started.json()["authToken"], body["example"])
    assert stored.status_code == 200, stored.content
    jsonschema.validate(stored.json(), _schema("/track", "200"))
    refused = track(client, started.json()["authToken"], [{}])
    jsonschema.validate(refused.json(), _schema("/track", "400"))
