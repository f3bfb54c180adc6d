"""The /xapi/ paths of the collector's OpenAPI document (collector/openapi.py adds them).

Each path item carries its own `servers` (`/xapi`), since the document's server is `/api/v1`. The
statement schema states what JSON Schema can (required properties, UUIDs, the account-only
agents); the server's own check (collector/xapi/validation.py) is the full one, and the generic
fuzzer skips these operations (tag `xapi`): they have their own fuzzing and real-client tests
(tests/xapi/)."""

from __future__ import annotations

import copy
from typing import Any

from collector.learner_ids import LEARNER_ID_SCHEMA

SERVERS = [{"url": "/xapi", "description": "The xAPI 1.0.3 endpoint (an LRS)."}]
EXAMPLE_STATEMENT = {
    "id": "6fa459ea-ee8a-3ca4-894e-db77e160355e",
    "actor": {
        "objectType": "Agent",
        "account": {"homePage": "https://pathlens.example/learners", "name": "0f" * 16},
    },
    "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
    "object": {"objectType": "Activity", "id": "https://content.example/h5p/quiz-7"},
}
ERROR = {"$ref": "#/components/schemas/XapiError"}
ERROR_TEXT = {
    400: "Invalid; `field` is the JSON pointer (or the parameter or header) at fault.",
    401: "Missing or wrong credential.",
    403: "A learner token used beyond its learner: another actor or agent, or a read.",
    404: "No such statement or document for this credential.",
    405: "This URL does not take this method.",
    409: "A statement id already stored with other content; `ids` lists them.",
    413: "Too large; the message gives the limit.",
    415: "Neither `application/json` nor multipart (`multipart/mixed` with attachments).",
    429: "Too many requests from this learner token; wait `Retry-After` seconds.",
}
VERSION_HEADER = {
    "name": "X-Experience-API-Version",
    "in": "header",
    "required": True,
    "schema": {"type": "string", "pattern": r"^1\.0(\.[0-9]+)?$", "example": "1.0.3"},
}
RESPONSE_HEADERS = {
    "X-Experience-API-Version": {"required": True, "schema": {"const": "1.0.3"}},
    "X-Experience-API-Consistent-Through": {"required": True, "schema": {"type": "string"}},
}


def _answer(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description, "headers": RESPONSE_HEADERS}
    if schema is not None:
        answer["content"] = {"application/json": {"schema": schema}}
    return answer


def _errors(*codes: int) -> dict[str, Any]:
    errors = {str(code): _answer(ERROR_TEXT[code], ERROR) for code in {*codes, 401, 405}}
    errors["401"]["headers"] = {
        **RESPONSE_HEADERS,
        "WWW-Authenticate": {"required": True, "schema": {"type": "string"}},
    }
    return dict(sorted(errors.items()))


def _query(name: str, schema: dict[str, Any], description: str, required: bool = False):
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": description,
    }


def _schemas() -> dict[str, Any]:
    agent = {
        "type": "object",
        "required": ["account"],
        "additionalProperties": False,
        "description": (
            "A learner, by opaque id only: mbox, mbox_sha1sum, openid and name are refused "
            "(400 naming the field). `homePage` is the one `GET /xapi/about` gives."
        ),
        "properties": {
            "objectType": {"const": "Agent"},
            "account": {
                "type": "object",
                "required": ["homePage", "name"],
                "additionalProperties": False,
                "properties": {
                    "homePage": {"type": "string", "format": "iri"},
                    "name": LEARNER_ID_SCHEMA,
                },
            },
        },
    }
    statement = {
        "type": "object",
        "required": ["actor", "verb", "object"],
        "description": (
            "An xAPI 1.0.3 statement. Its `attachments` list their content's metadata; the "
            "content itself comes as parts of a multipart/mixed body (unless at a `fileUrl`), and "
            "a signature must be a JWS of the statement (docs/collector.md, 'Attachments')."
        ),
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "actor": {"type": "object"},
            "verb": {"type": "object", "required": ["id"]},
            "object": {"type": "object"},
            "result": {"type": "object"},
            "context": {"type": "object"},
            "timestamp": {"type": "string", "format": "date-time"},
            "version": {"type": "string"},
            "attachments": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/XapiAttachment"},
            },
        },
        "example": EXAMPLE_STATEMENT,
    }
    attachment = {
        "type": "object",
        "required": ["usageType", "display", "contentType", "length", "sha2"],
        "additionalProperties": False,
        "properties": {
            "usageType": {"type": "string", "format": "iri"},
            "display": {"type": "object"},
            "description": {"type": "object"},
            "contentType": {"type": "string", "minLength": 1, "maxLength": 255},
            "length": {"type": "integer", "minimum": 0},
            "sha2": {"type": "string", "pattern": "^[0-9a-fA-F]{56,128}$"},
            "fileUrl": {"type": "string", "format": "iri"},
        },
    }
    return {
        "XapiAgent": agent,
        "XapiStatement": statement,
        "XapiAttachment": attachment,
        "XapiError": {
            "type": "object",
            "required": ["error"],
            "properties": {"error": {"type": "string"}, "field": {"type": "string"}},
        },
    }


def _statements_parameters() -> list[dict[str, Any]]:
    flag = {"type": "string", "enum": ["true", "false"]}
    return [
        VERSION_HEADER,
        _query("statementId", {"type": "string", "format": "uuid"}, "One statement."),
        _query("voidedStatementId", {"type": "string", "format": "uuid"}, "One voided one."),
        _query("agent", {"type": "string"}, "An Agent as JSON (account only)."),
        _query("verb", {"type": "string"}, "A verb IRI."),
        _query("activity", {"type": "string"}, "An activity IRI: the object's id."),
        _query("registration", {"type": "string", "format": "uuid"}, "context.registration"),
        _query("related_activities", flag, "Match `activity` anywhere in the statement."),
        _query("related_agents", flag, "Match `agent` anywhere in the statement."),
        _query("since", {"type": "string", "format": "date-time"}, "Stored after."),
        _query("until", {"type": "string", "format": "date-time"}, "Stored at or before."),
        _query("limit", {"type": "integer", "minimum": 0}, "0: the server's most (500)."),
        _query("format", {"enum": ["exact", "ids", "canonical"]}, "How much to answer."),
        _query(
            "attachments",
            flag,
            "true: the answer is multipart/mixed, the statements' JSON then their attachments' "
            "content, one part each (X-Experience-API-Hash: its sha2).",
        ),
        _query("ascending", flag, "Oldest first."),
        _query("cursor", {"type": "integer"}, "Set in `more` URLs; do not build it yourself."),
    ]


# Statements with their attachments' content (Communication 1.5.2): the first part the
# statements' JSON, then one part per attachment.
MULTIPART = {
    "schema": {
        "type": "string",
        "format": "binary",
        "description": (
            "First part: the statements (application/json). Then one part per attachment: "
            "its Content-Type, 'Content-Transfer-Encoding: binary' and 'X-Experience-API-Hash: "
            "<sha2>', at most 1 MiB each. A signature (usageType "
            "http://adlnet.gov/expapi/attachments/signature) is a JWS (RS256/384/512) of the "
            "statement, sent as application/octet-stream."
        ),
    }
}


def _with_multipart(answer: dict[str, Any]) -> dict[str, Any]:
    """With `attachments=true`, the same JSON as the first part of a multipart/mixed answer."""
    answer["content"]["multipart/mixed"] = {
        "schema": {
            "type": "string",
            "format": "binary",
            "description": "attachments=true: the JSON, then one part per attachment's content.",
        }
    }
    return answer


def _statements_path() -> dict[str, Any]:
    statements = {"type": "array", "items": {"$ref": "#/components/schemas/XapiStatement"}}
    one_or_many = {"oneOf": [{"$ref": "#/components/schemas/XapiStatement"}, statements]}
    body = {
        "required": True,
        "content": {
            "application/json": {"schema": one_or_many, "example": EXAMPLE_STATEMENT},
            "multipart/mixed": MULTIPART,
        },
    }
    security: list[dict[str, list[str]]] = [{"xapiBasic": []}, {"apiKey": []}, {"learnerToken": []}]
    return {
        "servers": SERVERS,
        "get": {
            "operationId": "getXapiStatements",
            "tags": ["xapi"],
            "security": security[:2],
            "summary": "One statement (statementId, voidedStatementId) or a query, with `more`.",
            "parameters": _statements_parameters(),
            "responses": {
                "200": _with_multipart(
                    _answer("A statement, or {statements, more}.", {"type": "object"})
                ),
                **_errors(400, 403, 404),
            },
        },
        "post": {
            "operationId": "postXapiStatements",
            "tags": ["xapi"],
            "security": security,
            "summary": "Stores one statement or a list, all or none; answers their ids.",
            "parameters": [VERSION_HEADER],
            "requestBody": body,
            "responses": {
                "200": _answer(
                    "The ids, in order.",
                    {"type": "array", "items": {"type": "string", "format": "uuid"}},
                ),
                **_errors(400, 403, 409, 413, 415, 429),
            },
        },
        "put": {
            "operationId": "putXapiStatement",
            "tags": ["xapi"],
            "security": security,
            "summary": "Stores one statement under `statementId`.",
            "parameters": [
                VERSION_HEADER,
                _query(
                    "statementId", {"type": "string", "format": "uuid"}, "Its id.", required=True
                ),
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/XapiStatement"},
                        "example": EXAMPLE_STATEMENT,
                    },
                    "multipart/mixed": MULTIPART,
                },
            },
            "responses": {
                "204": _answer("Stored (or already stored, the same)."),
                **_errors(400, 403, 409, 413, 415, 429),
            },
        },
    }


def _state_path() -> dict[str, Any]:
    parameters = [
        VERSION_HEADER,
        _query("activityId", {"type": "string"}, "The activity's IRI.", required=True),
        _query("agent", {"type": "string"}, "The learner, an Agent as JSON.", required=True),
        _query("registration", {"type": "string", "format": "uuid"}, "Optional."),
        _query("stateId", {"type": "string"}, "The document; without it, all of them."),
    ]
    since = _query("since", {"type": "string", "format": "date-time"}, "Ids updated after.")
    document = {"required": True, "content": {"*/*": {"schema": {}}}}
    security: list[dict[str, list[str]]] = [{"xapiBasic": []}, {"apiKey": []}, {"learnerToken": []}]

    def operation(name: str, summary: str, answer: dict[str, Any], **extra) -> dict[str, Any]:
        return {
            "operationId": name,
            "tags": ["xapi"],
            "security": security,
            "summary": summary,
            "parameters": parameters,
            "responses": {**answer, **_errors(400, 403)},
            **extra,
        }

    stored = {"204": _answer("Stored.")}
    return {
        "servers": SERVERS,
        "get": {
            **operation(
                "getXapiState",
                "A document (with ETag), or the list of state ids.",
                {
                    "200": {
                        "description": "The document as stored, or a JSON list of ids.",
                        "headers": RESPONSE_HEADERS,
                        "content": {"*/*": {"schema": {}}},
                    },
                    "404": _answer(ERROR_TEXT[404], ERROR),
                },
            ),
            "parameters": [*parameters, since],
        },
        "put": operation(
            "putXapiState", "Stores a document (any type).", stored, requestBody=document
        ),
        "post": operation(
            "postXapiState",
            "Merges a JSON object into the stored one.",
            stored,
            requestBody=document,
        ),
        "delete": operation(
            "deleteXapiState",
            "Deletes one document, or all without stateId.",
            {"204": _answer("Deleted.")},
        ),
    }


def _session_statements_path(document: dict[str, Any]) -> dict[str, Any]:
    """xAPI out, on the read side (/api/v1): the parameters and refusals of the session's events,
    and the events as the statements they map onto."""
    operation = copy.deepcopy(document["paths"]["/sessions/{session}/events"]["get"])
    operation["operationId"] = "getSessionStatements"
    operation["summary"] = (
        "One learner's session as xAPI statements, in time order (xAPI out; docs/collector.md)."
    )
    answer = operation["responses"]["200"]
    answer["description"] = "The session's events as statements."
    answer["content"]["application/json"]["schema"] = {
        "type": "object",
        "required": ["learner", "session", "statements"],
        "properties": {
            "learner": {"type": "string"},
            "session": {"type": "string"},
            "statements": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/XapiStatement"},
            },
        },
    }
    return {"get": operation}


def _statements_results(document: dict[str, Any]) -> None:
    """xAPI out for a run: a `statements` request's pages are statements, paged by `cursor`."""
    operation = document["paths"]["/data-requests/{id}/results"]["get"]
    operation["summary"] += (
        " A `statements` request answers xAPI statements instead, paged by a cursor: follow "
        "`next` (docs/collector.md, 'xAPI out')."
    )
    operation["parameters"].append(
        {
            "name": "cursor",
            "in": "query",
            "description": (
                "`statements` requests: the position a page's `next` gives (an `offset` "
                "is honoured where there is none). Other kinds ignore it."
            ),
            "schema": {"type": "string", "pattern": r"^(e[0-9]{1,9}-[0-9]{1,19}|s[0-9]{1,19})$"},
            "example": "e3-1042",
        }
    )
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]
    page["required"].remove("offset")  # `statements` pages have a cursor, not an offset
    page["properties"]["results"]["items"] = {
        "oneOf": [
            {"$ref": "#/components/schemas/Result"},
            {"$ref": "#/components/schemas/XapiStatement"},
        ]
    }


def add_xapi(document: dict[str, Any]) -> dict[str, Any]:
    """The document with the /xapi/ paths, their schemas and the Basic scheme."""
    document["info"]["description"] += (
        " The xAPI 1.0.3 endpoint (an LRS) is at /xapi/: its paths below carry their own server. "
        "Credentials: an API key as HTTP Basic (user: the key's id plk_<prefix>, password: its "
        "secret) or Bearer, or a learner token as Bearer for its own learner only."
    )
    document["components"]["securitySchemes"]["xapiBasic"] = {
        "type": "http",
        "scheme": "basic",
        "description": "An API key: user 'plk_<prefix>', password '<secret>'.",
    }
    document["components"]["schemas"].update(_schemas())
    document["paths"]["/about"] = {
        "servers": SERVERS,
        "get": {
            "operationId": "getXapiAbout",
            "tags": ["xapi"],
            "security": [],
            "summary": "The xAPI versions spoken, and our learners' account home page.",
            "responses": {
                "200": _answer("Versions and extensions.", {"type": "object"}),
                "405": _answer(ERROR_TEXT[405], ERROR),
            },
        },
    }
    document["paths"]["/statements"] = _statements_path()
    document["paths"]["/sessions/{session}/statements"] = _session_statements_path(document)
    document["paths"]["/activities/state"] = _state_path()
    _statements_results(document)
    return document
