"""The RAGE collector's paths in the collector's OpenAPI document (collector/openapi.py adds
them), under their own server (`/api/collector`, the path RAGE's clients call) and tag `rage`.

The generic fuzzer skips them (tag `rage`): they have their own fuzzing and live-server tests
(tests/rage/), since a start needs a tracking code the fuzzer cannot know.
"""

from __future__ import annotations

from typing import Any

SERVERS = [{"url": "/api/collector", "description": "The RAGE analytics collector (games)."}]
ERROR = {"$ref": "#/components/schemas/Error"}
EXAMPLE_TRACE = {
    "actor": {
        "objectType": "Agent",
        "account": {"homePage": "https://pathlens.example/learners", "name": "0f" * 16},
    },
    "verb": {"id": "https://w3id.org/xapi/seriousgames/verbs/accessed"},
    "object": {
        "id": "https://games.example/fractions-quest/screen/menu",
        "definition": {"type": "https://w3id.org/xapi/seriousgames/activity-types/screen"},
    },
    "timestamp": "2026-12-06T09:30:00.000Z",
}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(texts: dict[int, str]) -> dict[str, Any]:
    answers = {str(status): _json(text, ERROR) for status, text in texts.items()}
    answers["405"] = {
        **_json("This URL takes POST only.", ERROR),
        "headers": {"Allow": {"required": True, "schema": {"type": "string"}}},
    }
    if "401" in answers:
        answers["401"]["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    if "429" in answers:
        answers["429"]["headers"] = {
            "Retry-After": {"required": True, "schema": {"type": "integer"}}
        }
    return dict(sorted(answers.items()))


def _started() -> dict[str, Any]:
    moment = {"type": "string", "format": "date-time"}
    return {
        "type": "object",
        "required": ["authToken", "actor", "playerId", "objectId", "session"],
        "properties": {
            "authToken": {"type": "string", "description": "Sent as 'Authorization' to /track."},
            "actor": {"$ref": "#/components/schemas/XapiAgent"},
            "playerId": {"type": "string", "description": "The player's opaque id."},
            "objectId": {"type": "string", "description": "The tracking code's activity IRI."},
            "session": {"type": "integer", "minimum": 1, "description": "Sessions of this game."},
            "firstSessionStarted": moment,
            "currentSessionStarted": moment,
            "registration": {"type": "string", "format": "uuid"},
        },
    }


def _start() -> dict[str, Any]:
    body = {
        "type": "object",
        "properties": {"anonymous": {"type": ["string", "null"], "description": "A playerId."}},
    }
    return {
        "operationId": "postRageStart",
        "tags": ["rage"],
        "security": [{}, {"learnerToken": []}],
        "summary": "Starts a tracking session: an identified player (a learner token as Bearer), "
        "a new anonymous one (no header, no body) or an anonymous one continued "
        '({"anonymous": <playerId>}).',
        "parameters": [
            {
                "name": "trackingCode",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "pattern": "^[^/]+$"},
                "example": "Jqqpe7RWY4QTK-gjtNgmdlNz",
            }
        ],
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": body, "example": {"anonymous": "ab" * 16}}},
        },
        "responses": {
            "200": _json("The session started.", _started()),
            **_errors(
                {
                    400: "Authorization is not a valid learner token of the code's tenant, or "
                    "the body is not a JSON object with a string `anonymous`.",
                    404: "No such tracking code, or no anonymous player of that id.",
                    413: "The body is too large.",
                    415: "A body that is not application/json.",
                    429: "Too many starts with this tracking code this minute.",
                }
            ),
        },
    }


def _track() -> dict[str, Any]:
    statements = {
        "type": "array",
        "minItems": 1,
        "maxItems": 1000,
        "items": {"$ref": "#/components/schemas/XapiStatement"},
    }
    return {
        "operationId": "postRageTrack",
        "tags": ["rage"],
        "security": [{"rageAuthToken": []}],
        "summary": "Stores xAPI statements of the session (all or none); `actor` and "
        "`context.registration` are filled in when left out.",
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": statements, "example": [EXAMPLE_TRACE]}},
        },
        "responses": {
            "200": _json(
                "Stored (or already stored, the same).",
                {
                    "type": "object",
                    "required": ["message", "ids"],
                    "properties": {
                        "message": {"const": "Success."},
                        "ids": {"type": "array", "items": {"type": "string", "format": "uuid"}},
                    },
                },
            ),
            **_errors(
                {
                    400: "Invalid; `field` is the JSON pointer at fault (`/2/verb/id`).",
                    401: "No authToken, or one that opens no session.",
                    403: "A statement whose actor is not the session's player.",
                    409: "A statement id already stored with other content; `ids` lists them.",
                    413: "The body is over 4 MiB.",
                    415: "Statements must be application/json.",
                    429: "Too many requests with this authToken this minute.",
                }
            ),
        },
    }


def add_rage(document: dict[str, Any]) -> dict[str, Any]:
    """The document with the RAGE collector's two paths and its authToken scheme."""
    document["info"]["description"] += (
        " The RAGE analytics collector (serious games) is at /api/collector/: its paths below "
        "carry their own server."
    )
    document["components"]["securitySchemes"]["rageAuthToken"] = {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "The authToken a start answered, as it is (no scheme).",
    }
    document["paths"]["/start/{trackingCode}"] = {"servers": SERVERS, "post": _start()}
    document["paths"]["/track"] = {"servers": SERVERS, "post": _track()}
    return document
