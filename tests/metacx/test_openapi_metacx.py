"""The OpenAPI document lists every /metacx/ URL and method under the site's root, and what it
calls a valid request the server stores."""

from __future__ import annotations

import jsonschema
import pytest
from django.urls import get_resolver

from collector.metacx.openapi import EXAMPLE_EVENTS
from collector.openapi import openapi_document
from collector.xapi.models import Statement
from tests.metacx.helpers import access_token, post

DOCUMENT = openapi_document()
METACX_PATHS = {path: item for path, item in DOCUMENT["paths"].items() if "/metacx/" in path}


def test_every_metacx_url_and_method_is_documented_under_the_root():
    routes = {
        "/metacx/" + str(pattern.pattern)
        for include in get_resolver().url_patterns
        if str(getattr(include, "pattern", "")) == "metacx/"
        for pattern in include.url_patterns
    }
    assert routes == set(METACX_PATHS) == {"/metacx/getToken", "/metacx/events"}
    for item in METACX_PATHS.values():
        assert item["servers"][0]["url"] == "/"
        assert set(item) == {"servers", "post"}
        operation = item["post"]
        assert operation["tags"] == ["metacx"]
        assert {"400", "401", "404", "405"} <= set(operation["responses"])
        assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]


@pytest.mark.django_db(databases=["default", "analytics"])
def test_the_documented_example_matches_its_schema_and_is_stored(client):
    root = {"components": DOCUMENT["components"]}
    jsonschema.validate(
        EXAMPLE_EVENTS, {**DOCUMENT["components"]["schemas"]["MetacxEvents"], **root}
    )
    response = post(client, EXAMPLE_EVENTS, access_token(client))
    assert response.status_code == 202, response.content
    jsonschema.validate(
        response.json(),
        DOCUMENT["paths"]["/metacx/events"]["post"]["responses"]["202"]["content"][
            "application/json"
        ]["schema"],
    )
    assert Statement.objects.count() == 1
    for event_key in ("a.b", "a:b", "$x"):
        body = {**EXAMPLE_EVENTS, "eventKey": event_key}
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(body, {**DOCUMENT["components"]["schemas"]["MetacxEvents"], **root})
