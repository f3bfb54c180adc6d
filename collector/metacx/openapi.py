"""The /metacx/ paths of the collector's OpenAPI document (collector/openapi.py adds them).

Each path item carries its own `servers` (the site's root: a MetaCX-style client's base URL is
`<site>/metacx`), since the document's server is `/api/v1`, and is keyed by its whole path so
that `/metacx/events` is not taken for the ingestion API's `/events`. The schemas state what
JSON Schema can; the server's own check (collector/metacx/mapping.py) is the full one. The
generic fuzzer skips these operations (tag `metacx`): they have their own fuzzing and live-client
tests (tests/metacx/).
"""

from __future__ import annotations

from typing import Any

from collector.learner_ids import LEARNER_ID_SCHEMA
from collector.metacx.access import SCOPE, TTL_SECONDS
from collector.metacx.mapping import EVENT_KEY_MAX, IDEMPOTENCY_KEY_MAX, MAX_OBJECTS
from collector.validation import MAX_EPOCH_MS, MIN_EPOCH_MS

SERVERS = [{"url": "/", "description": "The site's root: MetaCX-style clients use /metacx."}]
ERROR = {"$ref": "#/components/schemas/MetacxError"}
ERROR_TEXT = {
    400: "Invalid; `field` is the JSON pointer of the field at fault (`/data/3/eventDate`). "
    "Nothing of the request was stored.",
    401: "Missing, wrong, expired or revoked credential; the message says which.",
    404: "No such URL.",
    405: "This URL does not take this method.",
    409: "An id already stored with other content (not expected at this door); nothing stored.",
    411: "A chunked body this server cannot read; send a Content-Length.",
    413: "Too large; the message gives the limit.",
    415: "The body must be `application/json` (gzip allowed).",
}
EXAMPLE_EVENTS = {
    "eventKey": "unit_quiz",
    "data": [
        {
            "learner": "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f",
            "eventDate": 1_741_684_440_000,
            "idempotencyKey": "quiz-7-attempt-1",
            "score": 0.8,
            "passed": True,
            "questions": 10,
        }
    ],
}


def _errors(*codes: int) -> dict[str, Any]:
    errors = {
        str(code): {
            "description": ERROR_TEXT[code],
            "content": {"application/json": {"schema": ERROR}},
        }
        for code in {*codes, 401, 404, 405}
    }
    errors["401"]["headers"] = {
        "WWW-Authenticate": {"required": True, "schema": {"type": "string"}}
    }
    return dict(sorted(errors.items()))


def _schemas() -> dict[str, Any]:
    event_object = {
        "type": "object",
        "required": ["learner"],
        "description": (
            "One occurrence. For an eventKey that is an event type of a widget, `widget` and "
            "`session` are required and every other field is the event's data, checked against "
            "the widget's schema (EventData). Otherwise the eventKey is an activity of its own: "
            "`score`, `completed` and `passed` are its result, other fields kept beside them. "
            "The learner is named in `learner` only. Fields naming a real person (name, userId, "
            "email, firstName, lastName, phone, …) and text that looks like an e-mail address "
            "are refused."
        ),
        "properties": {
            "learner": {
                **LEARNER_ID_SCHEMA,
                "description": "The learner's opaque id as Pathlens issues it (32 lowercase hex "
                "digits); anything else, an e-mail address, a name or a school's own student "
                "number, is refused.",
            },
            "eventDate": {
                "type": "integer",
                "minimum": MIN_EPOCH_MS,
                "maximum": MAX_EPOCH_MS,
                "description": "Epoch milliseconds; the time received when left out.",
            },
            "idempotencyKey": {
                "type": "string",
                "minLength": 1,
                "maxLength": IDEMPOTENCY_KEY_MAX,
                "description": "A repeat (same tenant, eventKey and key) is received, not stored.",
            },
            "widget": {"type": "string"},
            "session": {"type": "string"},
            "score": {"type": "number", "minimum": 0, "maximum": 1},
            "completed": {"type": "boolean"},
            "passed": {"type": "boolean"},
        },
    }
    return {
        "MetacxEvents": {
            "type": "object",
            "required": ["eventKey", "data"],
            "additionalProperties": False,
            "properties": {
                "eventKey": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": EVENT_KEY_MAX,
                    "pattern": r"^[^$:.][^:.]*$",
                    "description": "The one event type of the request: no ':' or '.', not "
                    "starting with '$'.",
                },
                "data": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": MAX_OBJECTS,
                    "items": {"$ref": "#/components/schemas/MetacxObject"},
                },
            },
            "example": EXAMPLE_EVENTS,
        },
        "MetacxObject": event_object,
        "MetacxError": {
            "type": "object",
            "required": ["error"],
            "properties": {"error": {"type": "string"}, "field": {"type": "string"}},
        },
    }


def _token_path() -> dict[str, Any]:
    credentials = {
        "type": "object",
        "required": ["clientId", "clientSecret"],
        "properties": {
            "clientId": {"type": "string", "description": "The API key's id, plk_<prefix>."},
            "clientSecret": {"type": "string", "description": "The rest of the API key."},
        },
    }
    token = {
        "type": "object",
        "required": ["accessToken", "scope", "expiresIn", "tokenType"],
        "properties": {
            "accessToken": {"type": "string"},
            "scope": {"const": SCOPE},
            "expiresIn": {"const": TTL_SECONDS},
            "tokenType": {"const": "Bearer"},
        },
    }
    example = {"clientId": "plk_3f2a9c1b7d4e", "clientSecret": "<the key's secret>"}
    return {
        "servers": SERVERS,
        "post": {
            "operationId": "getMetacxToken",
            "tags": ["metacx"],
            "security": [],
            "summary": "Trades an API key (clientId, clientSecret) for a day-long access token.",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": credentials, "example": example}},
            },
            "responses": {
                "200": {
                    "description": "The token.",
                    "content": {"application/json": {"schema": token}},
                },
                **_errors(400, 411, 413, 415),
            },
        },
    }


def _events_path() -> dict[str, Any]:
    accepted = {
        "type": "object",
        "required": ["requestId"],
        "properties": {"requestId": {"type": "string", "format": "uuid"}},
    }
    return {
        "servers": SERVERS,
        "post": {
            "operationId": "postMetacxEvents",
            "tags": ["metacx"],
            "security": [{"metacxToken": []}],
            "summary": (
                f"1 to {MAX_OBJECTS} objects of one event type, stored all or none; repeats of "
                "an idempotencyKey are received and not stored again. Stored when answered."
            ),
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/MetacxEvents"},
                        "example": EXAMPLE_EVENTS,
                    }
                },
            },
            "responses": {
                "202": {
                    "description": "Received (and already stored).",
                    "content": {"application/json": {"schema": accepted}},
                },
                **_errors(400, 409, 411, 413, 415),
            },
        },
    }


def add_metacx(document: dict[str, Any]) -> dict[str, Any]:
    """The document with the /metacx/ paths, their schemas and the access-token scheme."""
    document["info"]["description"] += (
        " The MetaCX-style events API is at /metacx/ (getToken, events): its paths below carry "
        "their own server, the site's root."
    )
    document["components"]["securitySchemes"]["metacxToken"] = {
        "type": "http",
        "scheme": "bearer",
        "description": "The accessToken of POST /metacx/getToken: a day long, its key's tenant.",
    }
    document["components"]["schemas"].update(_schemas())
    document["paths"]["/metacx/getToken"] = _token_path()
    document["paths"]["/metacx/events"] = _events_path()
    return document
