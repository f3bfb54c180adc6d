"""The OpenAPI 3.1 document of the collector's API, served at /api/v1/openapi.json."""

from __future__ import annotations

import functools
from typing import Any

from collector.validation import MAX_EPOCH_MS, MAX_EVENTS, MIN_EPOCH_MS, TYPE_PATTERN
from widgets.registry import all_widgets

ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    text = {
        400: "Malformed input; the message says what to fix.",
        401: "Missing, malformed, expired or revoked credential.",
        404: "Not found for this credential.",
        409: "Conflict (see message).",
        413: "Too large.",
        415: "Not JSON, or an unsupported Content-Encoding.",
        429: "Too fast; wait for Retry-After seconds.",
    }
    return {str(code): {"description": text[code], **_json(ERROR)} for code in codes}


LEARNER_PATH_PARAM = {
    "name": "learner",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "minLength": 1, "maxLength": 64},
}


EPOCH_MS = {"type": "integer", "minimum": MIN_EPOCH_MS, "maximum": MAX_EPOCH_MS}


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


@functools.cache
def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Pathlens collector API",
            "version": "1",
            "description": (
                "The analytics platform side of Pathlens. It knows learners only by opaque ids. "
                "Browsers append events with a learner token; servers read with an API key."
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
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}},
                },
                "Event": {
                    "type": "object",
                    "required": ["id", "session", "widget", "type", "t"],
                    "properties": {
                        "id": {"type": "string", "format": "uuid"},
                        "session": {
                            "type": "string",
                            "pattern": "^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$",
                        },
                        "widget": {"enum": sorted(widget.id for widget in all_widgets())},
                        "type": {
                            "type": "string",
                            "pattern": TYPE_PATTERN.pattern,
                            "description": (
                                "One of the widget's event types: the keys of "
                                "x-pathlens-event-data[widget]."
                            ),
                        },
                        "t": {
                            **EPOCH_MS,
                            "description": "Client time, epoch ms (2000-01-01 to 2100-01-01).",
                        },
                        "data": {
                            "type": "object",
                            "description": (
                                "At most 8 KiB encoded; must match "
                                "x-pathlens-event-data[widget][type]. Omitted means {}."
                            ),
                        },
                    },
                    "x-pathlens-event-data": event_data_schemas(),
                },
                "Batch": {
                    "type": "object",
                    "required": ["events"],
                    "properties": {
                        "sent_at": {
                            **EPOCH_MS,
                            "description": "Client clock when sent, epoch ms: corrects skew.",
                        },
                        "events": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": MAX_EVENTS,
                            "items": {"$ref": "#/components/schemas/Event"},
                        },
                    },
                },
                "BatchProblems": {
                    "type": "object",
                    "properties": {
                        "error": {"type": "string"},
                        "errors": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "index": {"type": ["integer", "null"]},
                                    "field": {"type": "string"},
                                    "message": {"type": "string"},
                                },
                            },
                        },
                    },
                },
                "DataRequestInput": {
                    "type": "object",
                    "required": ["kind", "learners"],
                    "properties": {
                        "kind": {"enum": ["sessions", "scores"]},
                        "learners": {
                            "type": "array",
                            "minItems": 1,
                            "items": {"type": "string", "maxLength": 64},
                        },
                        "widgets": {"type": "array", "items": {"type": "string"}},
                        "from": {"type": ["string", "null"], "format": "date-time"},
                        "to": {"type": ["string", "null"], "format": "date-time"},
                    },
                },
                "DataRequest": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string", "format": "uuid"},
                        "kind": {"enum": ["sessions", "scores"]},
                        "status": {"enum": ["PROCESSING", "DONE", "FAILED"]},
                        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
                        "reason": {"type": ["string", "null"]},
                        "result_count": {"type": "integer"},
                        "parameters": {"type": "object"},
                        "created_at": {"type": "string", "format": "date-time"},
                        "started_at": {"type": ["string", "null"], "format": "date-time"},
                        "finished_at": {"type": ["string", "null"], "format": "date-time"},
                    },
                },
                "Result": {
                    "type": "object",
                    "properties": {
                        "learner": {"type": "string"},
                        "widget": {"type": "string"},
                        "session": {"type": "string"},
                        "start": {"type": "integer"},
                        "end": {"type": "integer"},
                        "duration": {"type": "integer", "description": "ms"},
                        "events": {"type": "integer"},
                        "score": {"type": ["number", "null"], "description": "scores only"},
                        "maximum": {"type": ["number", "null"], "description": "scores only"},
                    },
                },
            },
        },
        "paths": {
            "/events": {
                "post": {
                    "summary": "Append a batch of a learner's events (idempotent by event id).",
                    "security": [{"learnerToken": []}],
                    "requestBody": {
                        "required": True,
                        **_json({"$ref": "#/components/schemas/Batch"}),
                    },
                    "responses": {
                        "202": {
                            "description": "Stored whole.",
                            **_json(
                                {
                                    "type": "object",
                                    "properties": {
                                        "accepted": {"type": "integer"},
                                        "duplicates": {"type": "integer"},
                                    },
                                }
                            ),
                        },
                        "400": {
                            "description": "Rejected; nothing stored.",
                            **_json({"$ref": "#/components/schemas/BatchProblems"}),
                        },
                        **_errors(401, 409, 413, 415, 429),
                    },
                }
            },
            "/data-requests": {
                "post": {
                    "summary": "Ask for sessions or scores; processed asynchronously.",
                    "security": [{"apiKey": []}],
                    "requestBody": {
                        "required": True,
                        **_json({"$ref": "#/components/schemas/DataRequestInput"}),
                    },
                    "responses": {
                        "201": {
                            "description": "Accepted, PROCESSING.",
                            **_json({"$ref": "#/components/schemas/DataRequest"}),
                        },
                        **_errors(400, 401, 413, 415),
                    },
                }
            },
            "/data-requests/{id}": {
                "get": {
                    "summary": "Status and progress of a data request.",
                    "security": [{"apiKey": []}],
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "200": {
                            "description": "The request.",
                            **_json({"$ref": "#/components/schemas/DataRequest"}),
                        },
                        **_errors(401, 404),
                    },
                }
            },
            "/data-requests/{id}/results": {
                "get": {
                    "summary": "Results of a DONE request, one row per session, paginated.",
                    "security": [{"apiKey": []}],
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {"name": "offset", "in": "query", "schema": {"type": "integer"}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    ],
                    "responses": {
                        "200": {
                            "description": "A page of results.",
                            **_json(
                                {
                                    "type": "object",
                                    "properties": {
                                        "count": {"type": "integer"},
                                        "next": {"type": ["string", "null"]},
                                        "results": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/Result"},
                                        },
                                    },
                                }
                            ),
                        },
                        **_errors(400, 401, 404, 409),
                    },
                }
            },
            "/sessions/{session}/events": {
                "get": {
                    "summary": "One learner's events in a session, in time order (for replay).",
                    "security": [{"apiKey": []}],
                    "parameters": [
                        {
                            "name": "session",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "learner",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {"name": "widget", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {"200": {"description": "Events."}, **_errors(400, 401, 404)},
                }
            },
            "/learners/{learner}": {
                "delete": {
                    "summary": "Erase a learner's events and sessions, and revoke their tokens.",
                    "security": [{"apiKey": []}],
                    "parameters": [LEARNER_PATH_PARAM],
                    "responses": {"200": {"description": "Counts erased."}, **_errors(400, 401)},
                }
            },
            "/learners/{learner}/revoke": {
                "post": {
                    "summary": "Revoke every token issued to a learner so far.",
                    "security": [{"apiKey": []}],
                    "parameters": [LEARNER_PATH_PARAM],
                    "responses": {"200": {"description": "Revoked."}, **_errors(400, 401)},
                }
            },
            "/learners/{learner}/move": {
                "post": {
                    "summary": "Move a learner's events to another opaque id (after rotation).",
                    "security": [{"apiKey": []}],
                    "parameters": [LEARNER_PATH_PARAM],
                    "requestBody": {
                        "required": True,
                        **_json(
                            {
                                "type": "object",
                                "required": ["to"],
                                "properties": {"to": {"type": "string"}},
                            }
                        ),
                    },
                    "responses": {"200": {"description": "Moved."}, **_errors(400, 401, 415)},
                }
            },
            "/learners/session-counts": {
                "post": {
                    "summary": "How many sessions each listed learner has (0 when none).",
                    "security": [{"apiKey": []}],
                    "requestBody": {
                        "required": True,
                        **_json(
                            {
                                "type": "object",
                                "required": ["learners"],
                                "properties": {
                                    "learners": {
                                        "type": "array",
                                        "maxItems": 1000,
                                        "items": {"type": "string", "maxLength": 64},
                                    }
                                },
                            }
                        ),
                    },
                    "responses": {
                        "200": {
                            "description": "One count per listed learner.",
                            **_json(
                                {
                                    "type": "object",
                                    "properties": {
                                        "counts": {
                                            "type": "object",
                                            "additionalProperties": {"type": "integer"},
                                        }
                                    },
                                }
                            ),
                        },
                        **_errors(400, 401, 413, 415),
                    },
                }
            },
            "/learner-tokens": {
                "post": {
                    "summary": "Issue a learner token for one opaque id.",
                    "security": [{"apiKey": []}],
                    "requestBody": {
                        "required": True,
                        **_json(
                            {
                                "type": "object",
                                "required": ["learner"],
                                "properties": {"learner": {"type": "string", "maxLength": 64}},
                            }
                        ),
                    },
                    "responses": {"201": {"description": "The token."}, **_errors(400, 401, 415)},
                }
            },
        },
    }
