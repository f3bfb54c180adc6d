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
