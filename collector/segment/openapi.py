"""The /segment/ paths of the collector's OpenAPI document (collector/openapi.py adds them).

Each path item carries its own `servers` (`/segment`), since the document's server is `/api/v1`.
The message schema states what JSON Schema can (the types, the opaque user id, the documented
properties); the server's own check (collector/segment/messages.py, mapping.py) is the full one,
with the widgets' event schemas and the real-identity refusals. The generic fuzzer skips these
operations (tag `segment`): they have their own fuzzing and real-client tests (tests/segment/).
"""

from __future__ import annotations

from typing import Any

from collector.learner_ids import LEARNER_ID_SCHEMA
from collector.segment.messages import MESSAGE_ID_MAX, TYPES

SERVERS = [{"url": "/segment", "description": "The Segment-style tracking API."}]
ERROR = {"$ref": "#/components/schemas/SegmentError"}
ERROR_TEXT = {
    400: "Invalid, too large (32 KB a message, 500 KB a batch) or a real identity; `field` is "
    "the JSON pointer at fault. Nothing of the batch was stored.",
    401: "Missing, unknown or revoked write key.",
    405: "This URL takes POST only.",
    415: "Send `application/json` (gzip allowed).",
}
EXAMPLE_TRACK = {
    "type": "track",
    "messageId": "0b6f3c1e-6a55-4f3e-9e59-2f0a6c1d8e21",
    "userId": "0f" * 16,
    "event": "weight_placed",
    "properties": {"widget": "BLL002", "session": "s-1", "peg": 2, "mass": 1},
    "timestamp": "2026-12-06T09:30:00.000Z",
}


def _schemas() -> dict[str, Any]:
    text = {"type": "string", "minLength": 1}
    message = {
        "type": "object",
        "required": ["messageId", "userId"],
        "properties": {
            "type": {"enum": list(TYPES)},
            "messageId": {**text, "maxLength": MESSAGE_ID_MAX},
            "userId": {
                **LEARNER_ID_SCHEMA,
                "description": "The learner's opaque id as Pathlens issues it (32 lowercase hex "
                "digits); anything else, an e-mail address, a name or a school's own student "
                "number, is refused.",
            },
            "anonymousId": {"description": "Not read: a message without userId is refused."},
            "timestamp": {"type": "string", "format": "date-time"},
            "originalTimestamp": {"type": "string", "format": "date-time"},
            "event": {**text, "maxLength": 200, "description": "A track's event name."},
            "name": {"type": "string", "description": "A page's or screen's name."},
            "properties": {
                "type": "object",
                "description": "widget, session and the event's data (a widget's track); "
                "activity, scaled_score, completed, passed, session, url (other activities).",
            },
            "traits": {
                "type": "object",
                "description": "identify: accepted, not stored; a real identity is refused.",
            },
            "context": {"type": "object", "description": "Not stored."},
        },
        "example": EXAMPLE_TRACK,
    }
    return {
        "SegmentMessage": message,
        "SegmentBatch": {
            "type": "object",
            "required": ["batch"],
            "properties": {
                "batch": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"$ref": "#/components/schemas/SegmentMessage"},
                },
                "sentAt": {"type": "string", "format": "date-time"},
            },
            "example": {"batch": [EXAMPLE_TRACK], "sentAt": "2026-12-06T09:30:01.000Z"},
        },
        "SegmentError": {
            "type": "object",
            "required": ["error", "code", "message"],
            "properties": {
                "error": {"type": "string"},
                "field": {"type": "string", "description": "The JSON pointer at fault."},
                "code": {"type": "string"},
                "message": {"type": "string", "description": "`error` again, for SDKs."},
            },
        },
    }


def _answer(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _operation(kind: str, schema: str, summary: str) -> dict[str, Any]:
    errors = {str(code): _answer(text, ERROR) for code, text in ERROR_TEXT.items()}
    errors["401"]["headers"] = {
        "WWW-Authenticate": {"required": True, "schema": {"type": "string"}}
    }
    errors["405"]["headers"] = {"Allow": {"required": True, "schema": {"const": "POST"}}}
    success = {"type": "object", "properties": {"success": {"const": True}}}
    return {
        "post": {
            "operationId": f"postSegment{kind.title()}",
            "tags": ["segment"],
            "security": [{"segmentWriteKey": []}],
            "summary": summary,
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}
                },
            },
            "responses": {
                "200": _answer("Stored (a messageId seen before is dropped).", success),
                **errors,
            },
        },
        "servers": SERVERS,
    }


def add_segment(document: dict[str, Any]) -> dict[str, Any]:
    """The document with the /segment/ paths, their schemas and the write key's scheme."""
    document["info"]["description"] += (
        " The Segment-style tracking API is at /segment/ (a Segment SDK's host: <site>/segment): "
        "its paths below carry their own server. Credential: a Segment write key as HTTP Basic "
        "(user: the key, password empty)."
    )
    document["components"]["securitySchemes"]["segmentWriteKey"] = {
        "type": "http",
        "scheme": "basic",
        "description": "A Segment write key (sgk_…) as the user, an empty password.",
    }
    document["components"]["schemas"].update(_schemas())
    paths = document["paths"]
    paths["/v1/batch"] = _operation("batch", "SegmentBatch", "Messages of any type, all or none.")
    for kind in ("track", "page", "identify"):
        paths[f"/v1/{kind}"] = _operation(kind, "SegmentMessage", f"One {kind} message.")
    return document
