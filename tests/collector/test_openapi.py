"""The OpenAPI document describes what the server accepts, no looser: a client that checks its
events against the document sends nothing the server refuses for shape, and the served document
is the one built here."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from collector.openapi import openapi_document
from collector.validation import BatchInvalid, parse_batch
from widgets.registry import all_widgets

FIXTURES = Path(__file__).parents[1] / "widgets" / "fixtures"
DOCUMENT = openapi_document()
EVENT = DOCUMENT["components"]["schemas"]["Event"]
EVENT_DATA = EVENT["x-pathlens-event-data"]
ROOT = {"components": DOCUMENT["components"]}
ACCEPTED_EVENT = {
    "id": "0b9e8a43-3f6e-4d43-9a49-6f0f6c2b1a11",
    "session": "s-1",
    "widget": "BLL002",
    "type": "session_started",
    "t": 1_741_684_440_000,
}


def test_it_is_served_as_built(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(DOCUMENT))


def test_it_lists_exactly_the_registered_widgets_and_their_event_types():
    widgets = {widget.id: widget for widget in all_widgets()}
    assert sorted(EVENT["properties"]["widget"]["enum"]) == sorted(widgets)
    assert sorted(EVENT_DATA) == sorted(widgets)
    for widget_id, types in EVENT_DATA.items():
        assert sorted(types) == sorted(widgets[widget_id].all_event_schemas)
        for schema in types.values():
            jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*_session.json")), ids=lambda p: p.stem)
def test_recorded_sessions_match_the_document_and_the_server_accepts_them(fixture):
    events = json.loads(fixture.read_text())
    batch = {"sent_at": events[-1]["t"], "events": events}
    root = {"components": DOCUMENT["components"]}
    jsonschema.validate(batch, {**DOCUMENT["components"]["schemas"]["Batch"], **root})
    for event in events:
        jsonschema.validate(event.get("data", {}), EVENT_DATA[event["widget"]][event["type"]])
    assert len(parse_batch(json.dumps(batch).encode()).events) == len(events)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"widget": "NOPE01"}, "widget"),
        ({"t": 1_000}, "t"),  # seconds sent as milliseconds: a unit mistake
        ({"type": "weight_placed", "data": {"peg": "left"}}, "data"),
    ],
)
def test_what_the_document_refuses_the_server_refuses_too(change, field):
    event = {
        "id": "0b9e8a43-3f6e-4d43-9a49-6f0f6c2b1a11",
        "session": "s-1",
        "widget": "BLL002",
        "type": "session_started",
        "t": 1_741_684_440_000,
        "data": {},
        **change,
    }
    document_ok = jsonschema.Draft202012Validator(
        {**EVENT, "components": DOCUMENT["components"]}
    ).is_valid(event) and jsonschema.Draft202012Validator(
        EVENT_DATA.get(event["widget"], {}).get(event["type"], {"not": {}})
    ).is_valid(event["data"])
    assert not document_ok
    with pytest.raises(BatchInvalid) as refused:
        parse_batch(json.dumps({"events": [event]}).encode())
    assert [problem.field for problem in refused.value.problems] == [field]


def test_what_the_document_calls_an_integer_the_server_takes_as_one():
    # JSON Schema counts 1.0 as an integer, so a client may send the time as 1741684440000.0.
    event = {
        "id": "0b9e8a43-3f6e-4d43-9a49-6f0f6c2b1a11",
        "session": "s-1",
        "widget": "BLL002",
        "type": "session_started",
        "t": 1_741_684_440_000.0,
    }
    batch = {"sent_at": 1_741_684_441_000.0, "events": [event]}
    jsonschema.validate(batch, {**DOCUMENT["components"]["schemas"]["Batch"], **ROOT})
    parsed = parse_batch(json.dumps(batch).encode())
    assert parsed.events[0].t == 1_741_684_440_000
    assert type(parsed.events[0].t) is int
    assert parsed.sent_at == 1_741_684_441_000


def test_each_event_type_is_one_variant_with_its_data_schema():
    variants = EVENT["oneOf"]
    pairs = {
        (v["properties"]["widget"]["const"], v["properties"]["type"]["const"]) for v in variants
    }
    assert pairs == {(w, t) for w, types in EVENT_DATA.items() for t in types}
    validator = jsonschema.Draft202012Validator({**EVENT, **ROOT})
    event = {
        "id": "0b9e8a43-3f6e-4d43-9a49-6f0f6c2b1a11",
        "session": "s-1",
        "widget": "BLL002",
        "type": "prediction_made",
        "t": 1_741_684_440_000,
    }
    assert not validator.is_valid(event)  # its data is required: {} is not a prediction
    assert validator.is_valid({**event, "data": {"answer": "left"}})
    assert not validator.is_valid({**event, "type": "no_such_type"})


def test_every_operation_has_an_id_an_example_and_json_errors():
    # The /xapi/ and /segment/ paths (their own `servers`) are checked in tests/xapi/ and
    # tests/segment/.
    api = [item for item in DOCUMENT["paths"].values() if "servers" not in item]
    operations = [op for item in api for op in item.values()]
    ids = [op["operationId"] for op in operations]
    assert len(set(ids)) == len(ids) == 16
    for operation in operations:
        responses = operation["responses"]
        assert {"401", "404", "405"} <= set(responses), operation["operationId"]
        assert "WWW-Authenticate" in responses["401"]["headers"]
        for status, response in responses.items():
            assert "application/json" in response["content"], (operation["operationId"], status)
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        has_example = "example" in body or any(
            "example" in (p.get("schema", {})) or "example" in p
            for p in operation.get("parameters", [])
        )
        schema = body.get("schema", {})
        if "$ref" in schema:
            schema = DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        assert has_example or "example" in schema, operation["operationId"]
    assert "Retry-After" in DOCUMENT["paths"]["/events"]["post"]["responses"]["429"]["headers"]


@pytest.mark.parametrize(
    "event_id",
    [
        "0b9e8a433f6e4d439a496f0f6c2b1a11",
        "{0b9e8a43-3f6e-4d43-9a49-6f0f6c2b1a11}",
        "urn:uuid:0b9e8a43-3f6e-4d43-9a49-6f0f6c2b1a11",
    ],
)
def test_an_id_the_uuid_format_refuses_the_server_refuses(event_id):
    event = {"id": event_id, "session": "s-1", "widget": "BLL002", "type": "session_started"}
    event["t"] = 1_741_684_440_000
    checker = jsonschema.Draft202012Validator(
        {**EVENT, **ROOT}, format_checker=jsonschema.FormatChecker()
    )
    assert not checker.is_valid(event)
    with pytest.raises(BatchInvalid) as refused:
        parse_batch(json.dumps({"events": [event]}).encode())
    assert [problem.field for problem in refused.value.problems] == ["id"]


def test_a_null_sent_at_is_as_good_as_none_for_both():
    batch = {"sent_at": None, "events": [{**ACCEPTED_EVENT}]}
    jsonschema.validate(batch, {**DOCUMENT["components"]["schemas"]["Batch"], **ROOT})
    assert parse_batch(json.dumps(batch).encode()).sent_at is None
