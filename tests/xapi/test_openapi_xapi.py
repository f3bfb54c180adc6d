"""The OpenAPI document lists every /xapi/ URL and method, under its own server, and what it
calls a valid statement the server stores."""

from __future__ import annotations

import jsonschema
import pytest
from django.urls import get_resolver

from collector.openapi import openapi_document
from collector.xapi import iris
from collector.xapi.openapi import EXAMPLE_STATEMENT
from tests.xapi.helpers import basic, post

DOCUMENT = openapi_document()
XAPI_PATHS = {
    path: item
    for path, item in DOCUMENT["paths"].items()
    if item.get("servers", [{}])[0].get("url") == "/xapi"
}


def test_every_xapi_url_and_method_is_documented_under_its_own_server():
    resolver = get_resolver()
    routes = {
        "/" + str(pattern.pattern)
        for include in resolver.url_patterns
        if str(getattr(include, "pattern", "")) == "xapi/"
        for pattern in include.url_patterns
    }
    assert routes == set(XAPI_PATHS)
    for item in XAPI_PATHS.values():
        assert item["servers"][0]["url"] == "/xapi"
        for method, operation in item.items():
            if method == "servers":
                continue
            assert operation["tags"] == ["xapi"]
            assert "405" in operation["responses"]
            assert "401" in operation["responses"] or operation["security"] == []
    assert set(XAPI_PATHS["/activities/state"]) == {"servers", "get", "put", "post", "delete"}
    assert set(XAPI_PATHS["/statements"]) == {"servers", "get", "post", "put"}


@pytest.mark.django_db(databases=["default", "analytics"])
def test_the_documented_example_matches_its_schema_and_is_stored(client, settings):
    settings.SITE_URL = "https://pathlens.example"
    schemas = {"components": DOCUMENT["components"]}
    jsonschema.validate(
        EXAMPLE_STATEMENT, {**DOCUMENT["components"]["schemas"]["XapiStatement"], **schemas}
    )
    jsonschema.validate(
        EXAMPLE_STATEMENT["actor"], {**DOCUMENT["components"]["schemas"]["XapiAgent"], **schemas}
    )
    assert EXAMPLE_STATEMENT["actor"]["account"]["homePage"] == iris.learner_home_page()
    assert post(client, EXAMPLE_STATEMENT, basic()).status_code == 200
