"""The OpenAPI document lists every /segment/ URL under its own server, and its example message
validates against its schema and is stored."""

from __future__ import annotations

import jsonschema
import pytest
from django.urls import get_resolver

from collector.models import Event
from collector.openapi import openapi_document
from collector.segment.openapi import EXAMPLE_TRACK
from tests.segment.helpers import post, write_key

DOCUMENT = openapi_document()
SEGMENT_PATHS = {
    path: item
    for path, item in DOCUMENT["paths"].items()
    if item.get("servers", [{}])[0].get("url") == "/segment"
}


def test_every_segment_url_is_documented_under_its_own_server():
    routes = {
        "/" + str(pattern.pattern)
        for include in get_resolver().url_patterns
        if str(getattr(include, "pattern", "")) == "segment/"
        for pattern in include.url_patterns
    }
    assert routes == set(SEGMENT_PATHS) == {"/v1/batch", "/v1/track", "/v1/page", "/v1/identify"}
    for item in SEGMENT_PATHS.values():
        assert set(item) == {"servers", "post"}
        operation = item["post"]
        assert operation["tags"] == ["segment"]
        assert {"200", "400", "401", "405"} <= set(operation["responses"])


@pytest.mark.django_db(databases=["default", "analytics"])
def test_the_documented_example_matches_its_schema_and_is_stored(client):
    schemas = {"components": DOCUMENT["components"]}
    batch = DOCUMENT["components"]["schemas"]["SegmentBatch"]
    jsonschema.validate(batch["example"], {**batch, **schemas})
    assert post(client, write_key(), batch["example"]).status_code == 200
    assert post(client, write_key(), EXAMPLE_TRACK, "track").status_code == 200
    assert Event.objects.count() == 1  # the same messageId, sent twice
