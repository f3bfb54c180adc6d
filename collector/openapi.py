"""The OpenAPI 3.1 document of the collector's API, served at /api/v1/openapi.json.

Exact, not merely indicative: what it calls valid the server accepts, what it calls invalid the
server refuses, and every answer the server can give is listed with its headers. The event
schemas come from the widget registry (the same JSON Schemas the server validates with), the
limits from the modules that enforce them, so the two cannot drift apart; a generic fuzzer
(schemathesis, tests/collector/test_openapi_schemathesis.py) checks the rest against a live server.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import fastjsonschema

from collector.api import DEFAULT_RESULTS_PAGE, MAX_RESULTS_PAGE
from collector.learner_ids import LEARNER_ID_SCHEMA
from collector.metacx.openapi import add_metacx
from collector.models import OPAQUE_ID_MAX, DataRequestKind, DataRequestStatus, SessionStatus
from collector.rage.openapi import add_rage
from collector.schemas import MAX_REQUEST_LEARNERS
from collector.segment.openapi import add_segment
from collector.selectors import MAX_SESSION_COUNT_LEARNERS
from collector.validation import (
    MAX_DATA_BYTES,
    MAX_EPOCH_MS,
    MAX_EVENTS,
    MIN_EPOCH_MS,
    SESSION_PATTERN,
    TYPE_PATTERN,
)
from collector.xapi.openapi import add_xapi
from widgets.registry import all_widgets

OUTCOMES = ["not_started", "in_progress", "completed", "abandoned"]
# Text a database can store: no NUL. (Nor a lone surrogate, which is not Unicode text at all, and
# which a pattern cannot portably exclude: docs/collector.md, "Errors".)
STORABLE = r"^[^\x00]+$"
# In a URL path, also no "/", which would end the segment, and not "." or "..", which clients
# resolve away before sending (written without lookahead, which not every regex engine has).
STORABLE_SEGMENT = r"^(?:[^/\x00.]|\.[^/\x00.]|\.\.[^/\x00])[^/\x00]*$"
EXAMPLE_LEARNER = "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f"
EXAMPLE_OTHER_LEARNER = "1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e"
EXAMPLE_REQUEST_ID = "9b2d2c4e-3f0a-4c1b-8e44-2f6a1d0c5e77"
EXAMPLE_SESSION = "s-1741684440000"

OPAQUE_ID = {
    "type": "string",
    "minLength": 1,
    "maxLength": OPAQUE_ID_MAX,
    "pattern": STORABLE,
    "description": "An opaque learner id: 1 to 64 characters, no NUL or lone surrogate.",
    "example": EXAMPLE_LEARNER,
}
# A learner the request makes known (a token minted for it, a learner moved to it): the form
# Pathlens issues (collector/learner_ids.py); lookups take any stored id (OPAQUE_ID).
NEW_LEARNER_ID = {
    **LEARNER_ID_SCHEMA,
    "description": "An opaque learner id as Pathlens issues them: 32 lowercase hex digits.",
    "example": EXAMPLE_LEARNER,
}
EPOCH_MS = {"type": "integer", "minimum": MIN_EPOCH_MS, "maximum": MAX_EPOCH_MS}
WIDGET_ID = {"enum": sorted(widget.id for widget in all_widgets())}
SESSION_ID = {
    "type": "string",
    "pattern": SESSION_PATTERN.pattern,
    "description": "1 to 128 characters of letters, digits, '_', '.', ':' or '-'.",
}
NULLABLE_DATE_TIME = {"type": ["string", "null"], "format": "date-time"}

HEADERS = {
    "X-Request-ID": {
        "description": "The id under which the server logged this request.",
        "schema": {"type": "string"},
    },
}
ERROR_TEXT = {
    400: "Malformed input; the message says what to fix and `field` names it.",
    401: "Missing, malformed, expired or revoked credential.",
    404: "Not found for this credential (or no such URL).",
    405: "This URL does not take this method; `Allow` lists those it takes.",
    409: "Conflict; the message says which.",
    411: "A chunked body sent to a server that cannot read one: send a Content-Length.",
    413: "Too large; the message gives the limit.",
    415: "Not `application/json`, or an unsupported Content-Encoding.",
    429: "Too many batches from this token; wait `Retry-After` seconds.",
}
ERROR_HEADERS = {
    401: {
        "WWW-Authenticate": {
            "required": True,
            "description": 'Always `Bearer realm="pathlens"`.',
            "schema": {"type": "string", "const": 'Bearer realm="pathlens"'},
        }
    },
    405: {"Allow": {"required": True, "schema": {"type": "string"}}},
    429: {"Retry-After": {"required": True, "schema": {"type": "string", "pattern": "^[0-9]+$"}}},
}
BODY_ERRORS = (400, 411, 413, 415)


def _json(schema: dict[str, Any], example: Any = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": schema}
    if example is not None:
        media["example"] = example
    return {"content": {"application/json": media}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _answer(description: str, schema: dict[str, Any], **headers: Any) -> dict[str, Any]:
    return {"description": description, "headers": {**HEADERS, **headers}, **_json(schema)}


def _errors(*codes: int) -> dict[str, Any]:
    return {
        str(code): _answer(ERROR_TEXT[code], _ref("Error"), **ERROR_HEADERS.get(code, {}))
        for code in sorted({*codes, 401, 404, 405})
    }


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(properties) if required is None else required,
        "properties": properties,
    }


def event_data_schemas() -> dict[str, dict[str, Any]]:
    """Per widget, its event types and the JSON Schema of each one's `data`: what the server
    checks an event against, so a client can check before sending."""
    return {
        widget.id: {
            event_type: dict(schema)
            for event_type, schema in sorted(widget.all_event_schemas.items())
            if TYPE_PATTERN.match(event_type)
        }
        for widget in all_widgets()
    }


def _accepts_empty(schema: dict[str, Any]) -> bool:
    try:
        fastjsonschema.compile(schema)({})
    except fastjsonschema.JsonSchemaValueException:
        return False
    return True


def _event_variants() -> list[dict[str, Any]]:
    """One schema per (widget, event type): the pair and the JSON Schema of its `data`, which may
    be omitted (meaning {}) only where {} is valid data."""
    return [
        {
            "type": "object",
            "required": [] if _accepts_empty(schema) else ["data"],
            "properties": {
                "widget": {"const": widget_id},
                "type": {"const": event_type},
                "data": schema,
            },
        }
        for widget_id, types in event_data_schemas().items()
        for event_type, schema in types.items()
    ]


EXAMPLE_EVENT = {
    "id": "0b9e8a43-3f6e-4d43-9a49-6f0f6c2b1a11",
    "session": EXAMPLE_SESSION,
    "widget": "BLL002",
    "type": "session_started",
    "t": 1_741_684_440_000,
    "data": {},
}

RESULT_PROPERTIES = {
    "learner": OPAQUE_ID,
    "widget": WIDGET_ID,
    "session": {"type": "string"},
    "start": {"type": "integer", "description": "First event, epoch ms."},
    "end": {"type": "integer", "description": "Last event, epoch ms."},
    "duration": {"type": "integer", "minimum": 0, "description": "end - start, ms (reference)."},
    "events": {"type": "integer", "minimum": 0},
    "active_ms": {"type": "integer", "minimum": 0, "description": "Active time, ms."},
    "sittings": {"type": "integer", "minimum": 0},
    "work_events": {
        "type": "integer",
        "minimum": 0,
        "description": "Events that are the learner's own work (0: opened without work).",
    },
    "outcome": {"enum": OUTCOMES},
}
SCORE_PROPERTIES = {
    "score": {"type": ["number", "null"], "description": "Over the items attempted."},
    "maximum": {"type": ["number", "null"], "description": "Over the items attempted."},
    "full_maximum": {"type": ["number", "null"]},
    "items_attempted": {"type": "integer", "minimum": 0},
    "items_total": {"type": "integer", "minimum": 0},
    "items": {
        "type": "array",
        "items": _object(
            {
                "item": {"type": "string"},
                "tries": {"type": "integer", "minimum": 0},
                "hints": {"type": "integer", "minimum": 0},
                "solved_on": {"type": ["integer", "null"]},
                "gave_up": {"type": "boolean"},
                "tries_at": {
                    "type": "array",
                    "items": {"type": "integer"},
                    "description": "Client time (epoch ms) of each try.",
                },
                "hints_at": {
                    "type": "array",
                    "items": {"type": "integer"},
                    "description": "Client time (epoch ms) of each hint.",
                },
                "reading": {
                    "type": ["object", "null"],
                    "description": (
                        "The widget's reading of the item (null: not worked on): `order` among "
                        "the items worked on, `active_ms` spent on it, `wrong` answers as "
                        "[t, group, words] and `spotted` error patterns as [id, t]."
                    ),
                },
            },
            required=["item", "tries", "hints", "solved_on", "gave_up"],
        ),
    },
}


def _schemas() -> dict[str, Any]:
    return {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {"type": "string", "minLength": 1},
                "field": {"type": "string", "description": "The input at fault, if one is."},
            },
        },
        "OpaqueId": OPAQUE_ID,
        "Event": {
            "type": "object",
            "required": ["id", "session", "widget", "type", "t"],
            "properties": {
                "id": {"type": "string", "format": "uuid", "description": "Idempotency key."},
                "session": SESSION_ID,
                "widget": WIDGET_ID,
                "type": {
                    "type": "string",
                    "pattern": TYPE_PATTERN.pattern,
                    "description": "One of the widget's event types (see oneOf).",
                },
                "t": {**EPOCH_MS, "description": "Client time, epoch ms (2000 to 2100)."},
                "data": {
                    "type": "object",
                    "description": (
                        f"At most {MAX_DATA_BYTES // 1024} KiB encoded; must match the JSON "
                        "Schema of the widget's event type. Omitted means {}."
                    ),
                },
            },
            "oneOf": _event_variants(),
            "x-pathlens-event-data": event_data_schemas(),
            "example": EXAMPLE_EVENT,
        },
        "Batch": {
            "type": "object",
            "required": ["events"],
            "properties": {
                "sent_at": {
                    **EPOCH_MS,
                    "type": ["integer", "null"],
                    "description": "Client clock when sent: corrects skew. null: not given.",
                },
                "events": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": MAX_EVENTS,
                    "items": _ref("Event"),
                },
            },
            "example": {"sent_at": 1_741_684_441_000, "events": [EXAMPLE_EVENT]},
        },
        "BatchProblems": {
            "type": "object",
            "required": ["error", "errors"],
            "properties": {
                "error": {"type": "string", "minLength": 1},
                "errors": {
                    "type": "array",
                    "minItems": 1,
                    "items": _object(
                        {
                            "index": {"type": ["integer", "null"], "minimum": 0},
                            "field": {"type": "string"},
                            "message": {"type": "string", "minLength": 1},
                        }
                    ),
                },
            },
        },
        "DataRequestInput": {
            "type": "object",
            "required": ["kind", "learners"],
            "properties": {
                "kind": {"enum": list(DataRequestKind.values)},
                "learners": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": MAX_REQUEST_LEARNERS,
                    "items": _ref("OpaqueId"),
                },
                "widgets": {"type": "array", "items": WIDGET_ID, "description": "[]: all."},
                "from": {
                    **NULLABLE_DATE_TIME,
                    "description": "Inclusive; before `to` (else a 400).",
                    "example": "2025-03-01T00:00:00+00:00",
                },
                "to": {
                    **NULLABLE_DATE_TIME,
                    "description": "Exclusive; after `from`.",
                    "example": "2025-04-01T00:00:00+00:00",
                },
            },
            "example": {
                "kind": "scores",
                "learners": [EXAMPLE_LEARNER],
                "widgets": ["BLL002"],
                "from": "2025-03-01T00:00:00+00:00",
                "to": "2025-04-01T00:00:00+00:00",
            },
        },
        "DataRequest": _object(
            {
                "id": {"type": "string", "format": "uuid"},
                "kind": {"enum": list(DataRequestKind.values)},
                "status": {"enum": list(DataRequestStatus.values)},
                "progress": {"type": "integer", "minimum": 0, "maximum": 100},
                "reason": {"type": ["string", "null"]},
                "result_count": {"type": "integer", "minimum": 0},
                "parameters": _object(
                    {
                        "learners": {"type": "array", "items": _ref("OpaqueId")},
                        "widgets": {"type": "array", "items": WIDGET_ID},
                        "from": NULLABLE_DATE_TIME,
                        "to": NULLABLE_DATE_TIME,
                    }
                ),
                "created_at": {"type": "string", "format": "date-time"},
                "started_at": NULLABLE_DATE_TIME,
                "finished_at": NULLABLE_DATE_TIME,
            }
        ),
        "Result": {
            **_object(
                {**RESULT_PROPERTIES, **SCORE_PROPERTIES},
                required=["learner", "widget", "session", "start", "end", "duration", "events"],
            ),
            "description": (
                "One session. `scores` requests add score, maximum, full_maximum, "
                "items_attempted, items_total and items."
            ),
        },
    }


def _learner_in_path(example: str = EXAMPLE_LEARNER) -> dict[str, Any]:
    return {
        "name": "learner",
        "in": "path",
        "required": True,
        "schema": {**OPAQUE_ID, "pattern": STORABLE_SEGMENT, "example": example},
    }


REQUEST_ID_IN_PATH = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "format": "uuid", "example": EXAMPLE_REQUEST_ID},
}


def _body(schema: dict[str, Any], example: Any) -> dict[str, Any]:
    return {"required": True, **_json(schema, example)}


def _paths() -> dict[str, Any]:
    api_key = [{"apiKey": []}]
    return {
        "/events": {
            "post": {
                "operationId": "appendEvents",
                "summary": "Append a batch of a learner's events (idempotent by event id).",
                "security": [{"learnerToken": []}],
                "requestBody": {"required": True, **_json(_ref("Batch"))},
                "responses": {
                    "202": _answer(
                        "Stored whole.",
                        _object(
                            {
                                "accepted": {"type": "integer", "minimum": 0},
                                "duplicates": {"type": "integer", "minimum": 0},
                            }
                        ),
                    ),
                    **_errors(409, 411, 413, 415, 429),
                    "400": _answer("Refused whole; nothing stored.", _ref("BatchProblems")),
                },
            }
        },
        "/data-requests": {
            "post": {
                "operationId": "createDataRequest",
                "summary": "Ask for sessions or scores; processed asynchronously.",
                "security": api_key,
                "requestBody": {"required": True, **_json(_ref("DataRequestInput"))},
                "responses": {
                    "201": _answer(
                        "Accepted, PROCESSING.",
                        _object(
                            {
                                "id": {"type": "string", "format": "uuid"},
                                "status": {"enum": list(DataRequestStatus.values)},
                            }
                        ),
                        Location={
                            "required": True,
                            "description": "The request's URL.",
                            "schema": {"type": "string"},
                        },
                    ),
                    **_errors(*BODY_ERRORS),
                },
            }
        },
        "/data-requests/{id}": {
            "get": {
                "operationId": "getDataRequest",
                "summary": "Status and progress of a data request.",
                "security": api_key,
                "parameters": [REQUEST_ID_IN_PATH],
                "responses": {
                    "200": _answer("The request.", _ref("DataRequest")),
                    **_errors(),
                },
            }
        },
        "/data-requests/{id}/results": {
            "get": {
                "operationId": "getDataRequestResults",
                "summary": "Results of a DONE request, one row per session, paginated.",
                "security": api_key,
                "parameters": [
                    REQUEST_ID_IN_PATH,
                    {
                        "name": "offset",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 0, "maximum": 10**9},
                        "example": 0,
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "description": "0 is read as 1.",
                        "schema": {
                            "type": "integer",
                            "minimum": 0,
                            "maximum": MAX_RESULTS_PAGE,
                            "default": DEFAULT_RESULTS_PAGE,
                        },
                        "example": 100,
                    },
                ],
                "responses": {
                    "200": _answer(
                        "A page of results.",
                        _object(
                            {
                                "id": {"type": "string", "format": "uuid"},
                                "kind": {"enum": list(DataRequestKind.values)},
                                "count": {"type": "integer", "minimum": 0},
                                "offset": {"type": "integer", "minimum": 0},
                                "limit": {"type": "integer", "minimum": 1},
                                "next": {"type": ["string", "null"]},
                                "results": {"type": "array", "items": _ref("Result")},
                            }
                        ),
                    ),
                    **_errors(400, 409),
                },
            }
        },
        "/sessions/{session}/events": {
            "get": {
                "operationId": "getSessionEvents",
                "summary": "One learner's events in a session, in time order (for replay).",
                "security": api_key,
                "parameters": [
                    {
                        "name": "session",
                        "in": "path",
                        "required": True,
                        "schema": {**SESSION_ID, "example": EXAMPLE_SESSION},
                    },
                    {
                        "name": "learner",
                        "in": "query",
                        "required": True,
                        "schema": OPAQUE_ID,
                    },
                    {
                        "name": "widget",
                        "in": "query",
                        "schema": {**WIDGET_ID, "example": "BLL002"},
                    },
                ],
                "responses": {
                    "200": _answer(
                        "The session's figures and events.",
                        _object(
                            {
                                "learner": OPAQUE_ID,
                                "session": {"type": "string"},
                                "sessions": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": _object(
                                        {
                                            "widget": WIDGET_ID,
                                            "start": {"type": "integer"},
                                            "end": {"type": "integer"},
                                            "duration": {"type": "integer"},
                                            "events": {"type": "integer", "minimum": 0},
                                            "duplicates": {"type": "integer", "minimum": 0},
                                            "out_of_order": {"type": "integer", "minimum": 0},
                                            "status": {"enum": list(SessionStatus.values)},
                                        }
                                    ),
                                },
                                "events": {
                                    "type": "array",
                                    "items": _object(
                                        {
                                            "id": {"type": "string", "format": "uuid"},
                                            "widget": WIDGET_ID,
                                            "type": {"type": "string"},
                                            "t": {"type": "integer"},
                                            "time": {"type": "integer"},
                                            "data": {"type": "object"},
                                        }
                                    ),
                                },
                            }
                        ),
                    ),
                    **_errors(400),
                },
            }
        },
        "/learners/{learner}": {
            "delete": {
                "operationId": "eraseLearner",
                "summary": "Erase a learner's events and sessions, and revoke their tokens.",
                "security": api_key,
                "parameters": [_learner_in_path()],
                "responses": {
                    "200": _answer(
                        "What was erased (0 and 0 for a learner with nothing stored).",
                        _object(
                            {
                                "events_deleted": {"type": "integer", "minimum": 0},
                                "sessions_deleted": {"type": "integer", "minimum": 0},
                            }
                        ),
                    ),
                    **_errors(400),
                },
            }
        },
        "/learners/{learner}/revoke": {
            "post": {
                "operationId": "revokeLearnerTokens",
                "summary": "Revoke every token issued to a learner so far.",
                "security": api_key,
                "parameters": [_learner_in_path()],
                "responses": {
                    "200": _answer("Revoked.", _object({"revoked": {"const": True}})),
                    **_errors(400),
                },
            }
        },
        "/learners/{learner}/move": {
            "post": {
                "operationId": "moveLearner",
                "summary": "Move a learner's events to another opaque id (after rotation).",
                "security": api_key,
                "parameters": [_learner_in_path()],
                "requestBody": _body(
                    _object(
                        {
                            "to": {
                                **NEW_LEARNER_ID,
                                "description": "Differs from `learner` (else a 400).",
                                "example": EXAMPLE_OTHER_LEARNER,
                            }
                        }
                    ),
                    {"to": EXAMPLE_OTHER_LEARNER},
                ),
                "responses": {
                    "200": _answer(
                        "Moved.", _object({"events_moved": {"type": "integer", "minimum": 0}})
                    ),
                    **_errors(*BODY_ERRORS),
                },
            }
        },
        "/learners/session-counts": {
            "post": {
                "operationId": "countLearnerSessions",
                "summary": "How many sessions each listed learner has (0 when none).",
                "security": api_key,
                "requestBody": _body(
                    _object(
                        {
                            "learners": {
                                "type": "array",
                                "maxItems": MAX_SESSION_COUNT_LEARNERS,
                                "items": _ref("OpaqueId"),
                            }
                        }
                    ),
                    {"learners": [EXAMPLE_LEARNER, EXAMPLE_OTHER_LEARNER]},
                ),
                "responses": {
                    "200": _answer(
                        "One count per listed learner.",
                        _object(
                            {
                                "counts": {
                                    "type": "object",
                                    "additionalProperties": {"type": "integer", "minimum": 0},
                                }
                            }
                        ),
                    ),
                    **_errors(*BODY_ERRORS),
                },
            }
        },
        "/learner-tokens": {
            "post": {
                "operationId": "issueLearnerToken",
                "summary": "Issue a learner token for one opaque id.",
                "security": api_key,
                "requestBody": _body(
                    _object({"learner": NEW_LEARNER_ID}), {"learner": EXAMPLE_LEARNER}
                ),
                "responses": {
                    "201": _answer(
                        "The token.",
                        _object(
                            {
                                "token": {"type": "string", "minLength": 1},
                                "expires_in": {"type": "integer", "minimum": 1},
                            }
                        ),
                    ),
                    **_errors(*BODY_ERRORS),
                },
            }
        },
    }


@functools.cache
def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Pathlens collector API",
            "version": "1",
            "description": (
                "The analytics platform side of Pathlens. It knows learners only by opaque ids. "
                "Browsers append events with a learner token; servers read with an API key. "
                'Every error is JSON: {"error": <message>, "field": <input at fault>}.'
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {
                "learnerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Signed, expiring, revocable; may append events only.",
                },
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Server-to-server key 'plk_<prefix>_<secret>'.",
                },
            },
            "schemas": _schemas(),
        },
        "paths": _paths(),
    }


# --- Tenants and the quarantine --------------------------------------------------------------
# Added to the document above by one function, kept apart so that the two can be edited
# independently; fold it into the document when convenient.


def _with_tenants_and_quarantine(document: dict[str, Any]) -> dict[str, Any]:
    schemas, paths = document["components"]["schemas"], document["paths"]
    problems = copy.deepcopy(schemas["BatchProblems"]["properties"]["errors"])
    document["info"]["description"] += (
        " Every API key belongs to a tenant (a school); learners, sessions, events, tokens, data "
        "requests and quarantined events belong to the tenant that created them, and any other "
        "tenant gets 404 for them. Opaque ids are a namespace per tenant."
    )
    schemes = document["components"]["securitySchemes"]
    schemes["apiKey"]["description"] += " Sees only its tenant's data."
    schemes["learnerToken"]["description"] += " Writes into the tenant that minted it."
    schemas["QuarantinedEvent"] = {
        "type": "object",
        "required": ["id", "learner", "reason", "raw", "truncated", "received_at"],
        "properties": {
            "id": {"type": "integer"},
            "learner": {"type": "string", "maxLength": 64, "description": "Opaque id."},
            "session": {"type": ["string", "null"]},
            "widget": {"type": ["string", "null"]},
            "reason": {"type": "string", "description": "'field: message' problems, '; '-joined."},
            "raw": {"type": "string", "description": "The event's JSON as sent (own fields)."},
            "truncated": {"type": "boolean", "description": "raw was cut at 16 KiB."},
            "received_at": {"type": "string", "format": "date-time"},
        },
    }
    events = paths["/events"]["post"]
    events["summary"] = (
        "Append a batch of a learner's events (idempotent by event id); valid events are stored, "
        "invalid ones named and quarantined."
    )
    events["responses"]["202"] = {
        "description": (
            "The valid events stored, all or nothing. With refused events, also how many, how "
            "many were kept in the quarantine, and why, by index."
        ),
        **_json(
            {
                "type": "object",
                "required": ["accepted", "duplicates"],
                "properties": {
                    "accepted": {"type": "integer"},
                    "duplicates": {"type": "integer"},
                    "refused": {"type": "integer", "minimum": 1},
                    "quarantined": {"type": "integer", "minimum": 0},
                    "errors": problems,
                },
            }
        ),
    }
    events["responses"]["400"] = {
        "description": (
            "Nothing stored: no event is valid (each is named by index and quarantined), or the "
            "batch is wrong as a whole (index null: not JSON, empty, bad sent_at)."
        ),
        **_json(
            {
                "allOf": [{"$ref": "#/components/schemas/BatchProblems"}],
                "properties": {"quarantined": {"type": "integer", "minimum": 0}},
            }
        ),
    }
    for path in ("/learners/{learner}", "/learners/{learner}/revoke", "/learners/{learner}/move"):
        for operation in paths[path].values():
            operation["responses"].update(_errors(404))
            operation["responses"]["404"]["description"] = (
                "This tenant never minted a token for this learner (whatever other tenants did)."
            )
    paths["/quarantine"] = {
        "get": {
            "operationId": "listQuarantinedEvents",
            "summary": "The tenant's quarantined events (refused for validity), newest first.",
            "security": [{"apiKey": []}],
            "parameters": [
                {
                    "name": "offset",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 0},
                    "example": 0,
                },
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 0, "maximum": 1000},
                },
                {"name": "widget", "in": "query", "schema": {"type": "string"}},
            ],
            "responses": {
                "200": {
                    "description": "A page of quarantined events.",
                    **_json(
                        {
                            "type": "object",
                            "properties": {
                                "count": {"type": "integer"},
                                "offset": {"type": "integer"},
                                "limit": {"type": "integer"},
                                "next": {"type": ["string", "null"]},
                                "results": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/QuarantinedEvent"},
                                },
                            },
                        }
                    ),
                },
                **_errors(400, 401),
            },
        }
    }
    _add_live_now(paths)
    _add_other_activities(paths)
    _add_other_attempts(paths)
    return document


def _add_live_now(paths: dict[str, Any]) -> None:
    paths["/learners/live"] = {
        "post": {
            "operationId": "listLiveSessions",
            "summary": (
                "The listed learners' sessions with an event in the last `within` seconds, "
                "newest first (the teacher's live now): one indexed read, no event."
            ),
            "security": [{"apiKey": []}],
            "requestBody": _body(
                _object(
                    {
                        "learners": {
                            "type": "array",
                            "maxItems": MAX_SESSION_COUNT_LEARNERS,
                            "items": _ref("OpaqueId"),
                        },
                        "within": {"type": "integer", "minimum": 1, "maximum": 3600},
                    },
                    required=["learners"],
                ),
                {"learners": [EXAMPLE_LEARNER], "within": 120},
            ),
            "responses": {
                "200": _answer(
                    "The sessions in progress.",
                    _object(
                        {
                            "sessions": {
                                "type": "array",
                                "items": _object(
                                    {
                                        "learner": {"type": "string"},
                                        "widget": {"type": "string"},
                                        "session": {"type": "string"},
                                        "last_time": {"type": "integer"},
                                        "events": {"type": "integer", "minimum": 0},
                                        "status": {"type": "string"},
                                    }
                                ),
                            }
                        }
                    ),
                ),
                **_errors(*BODY_ERRORS),
            },
        }
    }


def _add_other_activities(paths: dict[str, Any]) -> None:
    number = {"type": "integer", "minimum": 0}
    paths["/learners/other-activities"] = {
        "post": {
            "operationId": "listOtherActivities",
            "summary": (
                "The listed learners' generic measures in activities that are not our widgets, "
                "from their xAPI statements: one row per (learner, activity); learners with "
                "none are left out."
            ),
            "security": [{"apiKey": []}],
            "requestBody": _body(
                _object(
                    {
                        "learners": {
                            "type": "array",
                            "maxItems": MAX_SESSION_COUNT_LEARNERS,
                            "items": _ref("OpaqueId"),
                        }
                    },
                    required=["learners"],
                ),
                {"learners": [EXAMPLE_LEARNER]},
            ),
            "responses": {
                "200": _answer(
                    "The measures, per learner and activity.",
                    _object(
                        {
                            "activities": {
                                "type": "array",
                                "items": _object(
                                    {
                                        "learner": {"type": "string"},
                                        "activity": {"type": "string"},
                                        "name": {"type": "string"},
                                        "attempts": number,
                                        "completed": {"type": "boolean"},
                                        "passed": {"type": "boolean"},
                                        "best_score": {
                                            "type": ["number", "null"],
                                            "minimum": -1,
                                            "maximum": 1,
                                        },
                                        "active_ms": number,
                                        "last_time": {"type": "integer"},
                                    }
                                ),
                            }
                        }
                    ),
                ),
                **_errors(*BODY_ERRORS),
            },
        }
    }


def _add_other_attempts(paths: dict[str, Any]) -> None:
    number = {"type": "integer", "minimum": 0}
    attempt = _object(
        {
            "learner": {"type": "string"},
            "activity": {"type": "string"},
            "name": {"type": "string"},
            "registration": {"type": "string", "description": '"" for no registration.'},
            "start": {"type": "integer"},
            "end": {"type": "integer"},
            "statements": number,
            "completed": {"type": "boolean"},
            "passed": {"type": "boolean"},
            "score": {"type": ["number", "null"], "minimum": -1, "maximum": 1},
            "active_ms": number,
        }
    )
    paths["/data-requests/{id}/other-attempts"] = {
        "get": {
            "operationId": "getDataRequestOtherAttempts",
            "summary": (
                "A DONE request's attempts at activities that are not our widgets (xAPI "
                "content), in its window: one row per (learner, activity, registration)."
            ),
            "security": [{"apiKey": []}],
            "parameters": [REQUEST_ID_IN_PATH],
            "responses": {
                "200": _answer(
                    "The attempts.",
                    _object(
                        {"id": {"type": "string"}, "attempts": {"type": "array", "items": attempt}}
                    ),
                ),
                **_errors(409),
            },
        }
    }
    paths["/learners/{learner}/attempt-statements"] = {
        "get": {
            "operationId": "getAttemptStatements",
            "summary": (
                "One attempt's statements at an activity that is not one of our widgets, in "
                "time order: what its replay shows."
            ),
            "security": [{"apiKey": []}],
            "parameters": [
                _learner_in_path(),
                {
                    "name": "activity",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "minLength": 1, "maxLength": 2000},
                    "example": "https://content.example/h5p/quiz-7",
                },
                {
                    "name": "registration",
                    "in": "query",
                    "description": "The attempt's registration; empty for statements without one.",
                    "schema": {"type": "string"},
                    "example": "",
                },
            ],
            "responses": {
                "200": _answer(
                    "The attempt's statements.",
                    _object(
                        {
                            "learner": {"type": "string"},
                            "activity": {"type": "string"},
                            "registration": {"type": "string"},
                            "statements": {"type": "array", "items": {"type": "object"}},
                        }
                    ),
                ),
                **_errors(400),
            },
        }
    }


_document_without_tenants_and_quarantine = openapi_document


@functools.cache
def openapi_document() -> dict[str, Any]:  # the document above, amended
    return add_metacx(
        add_segment(
            add_rage(
                add_xapi(
                    _with_tenants_and_quarantine(
                        copy.deepcopy(_document_without_tenants_and_quarantine())
                    )
                )
            )
        )
    )
