"""The xAPI resources: /xapi/about, /xapi/statements, /xapi/activities/state."""

from __future__ import annotations

import hashlib
import json
import urllib.parse
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.http import http_date

from collector.api import _rate_limit as rate_limit  # the learner token's ingest limit
from collector.http import ApiError, read_body
from collector.validation import JsonUnreadable, read_json
from collector.xapi import iris, params
from collector.xapi.attachments import (
    MAX_ATTACHMENT_BYTES,
    Part,
    attachments_match,
    multipart_answer,
    multipart_read,
)
from collector.xapi.auth import Credential, xapi_credential
from collector.xapi.formats import formatted
from collector.xapi.http import VERSION, xapi_view
from collector.xapi.problems import Invalid
from collector.xapi.state import (
    StateKey,
    state_delete,
    state_get,
    state_ids,
    state_post,
    state_put,
)
from collector.xapi.statements import (
    statement_attachments,
    statement_get,
    statements_query,
    statements_store,
)
from collector.xapi.validation import MAYBE_UNSTORABLE, CleanStatement, statement_check

MAX_BATCH = 1000
MAX_STATEMENTS_BYTES = 4 * 1024 * 1024
# A multipart body: the statements, and their attachments' content.
MAX_MULTIPART_BYTES = MAX_STATEMENTS_BYTES + 4 * MAX_ATTACHMENT_BYTES
MAX_STATE_BYTES = 1024 * 1024


@xapi_view({"GET"}, versioned=False)
def about(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "version": [VERSION, "1.0.2", "1.0.1", "1.0.0"],
            "extensions": {
                f"{iris.site()}/xapi/extensions/learner-home-page": iris.learner_home_page(),
                f"{iris.site()}/xapi/extensions/widget-activities": iris.widget_activity(""),
            },
        }
    )


@dataclass(frozen=True)
class StatementsBody:
    payload: object  # the statements' JSON
    careful: bool  # whether its strings must be searched for unstorable text
    parts: list[Part]  # the attachments' content, from a multipart/mixed body


def _statements_body(request: HttpRequest) -> StatementsBody:
    parts: list[Part] = []
    content_type = request.content_type or ""
    if content_type.startswith("multipart/") and content_type != "multipart/mixed":
        # The spec asks for a 400 here (Communication 1.5, XAPI-00127), not read_body's 415.
        raise Invalid(
            "", "Statements with their attachments' content are sent as multipart/mixed, "
            f"not {content_type}.",
        )  # fmt: skip
    if content_type == "multipart/mixed":  # statements with attachments (signatures)
        body = read_body(request, limit=MAX_MULTIPART_BYTES, any_type=True)
        body, parts = multipart_read(body, request.headers.get("Content-Type", ""))
        if len(body) > MAX_STATEMENTS_BYTES:
            raise ApiError(
                413, f"The statements are larger than {MAX_STATEMENTS_BYTES // 1024} KiB."
            )
    else:
        body = read_body(request, limit=MAX_STATEMENTS_BYTES)
    try:
        payload = read_json(body)
    except JsonUnreadable as unreadable:
        raise Invalid("", str(unreadable)) from None
    return StatementsBody(payload, MAYBE_UNSTORABLE.search(body) is not None, parts)


def _checked(credential: Credential, value: object, at: str, careful: bool) -> CleanStatement:
    clean = statement_check(value, at, careful=careful)
    actor = clean.statement["actor"]
    learner = actor.get("account", {}).get("name") if "member" not in actor else None
    if not credential.may_write_for(learner or ""):
        raise ApiError(
            403,
            f"{at}/actor: a learner token sends its own learner's statements only: the actor "
            f'must be {{"account": {{"homePage": "{iris.learner_home_page()}", "name": '
            "<the token's opaque id>}}.",
        )
    return clean


def _store(credential: Credential, sent: StatementsBody, *, single: bool = False) -> list[str]:
    if credential.token is not None:
        rate_limit(credential.token)
    payload = sent.payload
    batch = isinstance(payload, list) and not single
    if batch and not 1 <= len(payload) <= MAX_BATCH:  # type: ignore[arg-type]
        raise Invalid("", f"Send 1 to {MAX_BATCH} statements in one request.")
    items = payload if batch else [payload]
    cleans = [
        _checked(credential, item, f"/{index}" if batch else "", sent.careful)
        for index, item in enumerate(items)  # type: ignore[arg-type]
    ]
    return statements_store(
        tenant_id=credential.tenant_id,
        cleans=cleans,
        authority=credential.authority,
        batch=batch,
        attachments=attachments_match(cleans, sent.parts, batch=batch),
    )


@xapi_view({"GET", "POST", "PUT"})
def statements(request: HttpRequest) -> HttpResponse:
    credential = xapi_credential(request)
    if request.method == "POST":
        return JsonResponse(_store(credential, _statements_body(request)), safe=False)
    if request.method == "PUT":
        params.refuse_unknown(request, {"statementId"})
        statement_id = params.uuid_param(request, "statementId", required=True)
        sent = _statements_body(request)
        if isinstance(sent.payload, dict):
            sent_id = sent.payload.setdefault("id", statement_id)
            if not isinstance(sent_id, str) or sent_id.lower() != statement_id:
                raise Invalid("/id", "Must be the statementId of the URL (or left out).")
        _store(credential, sent, single=True)
        return HttpResponse(status=204)
    if credential.learner is not None:
        raise ApiError(403, "A learner token sends statements; it cannot read them.")
    if SINGLE_PARAMS & set(request.GET):
        return _one(request, credential)
    return _query(request, credential)


SINGLE_PARAMS = {"statementId", "voidedStatementId"}


def _one(request: HttpRequest, credential: Credential) -> JsonResponse:
    params.refuse_unknown(request, {"statementId", "voidedStatementId", "format", "attachments"})
    if set(request.GET) >= SINGLE_PARAMS:
        raise Invalid("statementId", "Send statementId or voidedStatementId, not both.")
    voided = "voidedStatementId" in request.GET
    statement_id = params.uuid_param(request, "voidedStatementId" if voided else "statementId")
    form = request.GET.get("format", "exact")
    if form not in params.FORMATS:
        raise Invalid("format", f"'format' must be one of {', '.join(params.FORMATS)}.")
    with_attachments = params.bool_param(request, "attachments")
    found = statement_get(tenant_id=credential.tenant_id, statement_id=statement_id, voided=voided)
    if found is None:
        raise ApiError(404, "No such statement" + (" voided." if voided else "."))
    text = json.dumps(formatted(found, form))
    if with_attachments:
        response = _with_attachments(credential, text, [found["id"]])
    else:
        response = HttpResponse(text, content_type="application/json")
    response["Last-Modified"] = found["stored"]
    return response


def _with_attachments(credential: Credential, text: str, ids: list[str]) -> HttpResponse:
    """`attachments=true`: the statements' JSON, then their attachments' content, as
    multipart/mixed (Communication 1.5.2)."""
    parts = statement_attachments(tenant_id=credential.tenant_id, statement_ids=ids)
    body, content_type = multipart_answer(text, parts)
    return HttpResponse(body, content_type=content_type)


def _query(request: HttpRequest, credential: Credential) -> HttpResponse:
    query = params.statement_query(request)
    page, following = statements_query(tenant_id=credential.tenant_id, query=query)
    form = request.GET.get("format", "exact")
    more = ""
    if following is not None:
        kept = [(name, value) for name, value in request.GET.items() if name != "cursor"]
        more = f"{request.path}?{urllib.parse.urlencode([*kept, ('cursor', following)])}"
    if form == "ids":
        page = [json.dumps(formatted(json.loads(text), form)) for text in page]
    # The stored JSON texts as they are: no decoding and encoding of every statement.
    text = f'{{"statements":[{",".join(page)}],"more":{json.dumps(more)}}}'
    if params.bool_param(request, "attachments"):
        return _with_attachments(credential, text, [json.loads(body)["id"] for body in page])
    return HttpResponse(text, content_type="application/json")


def _state_key(request: HttpRequest, credential: Credential) -> StateKey:
    activity = params.iri_param(request, "activityId", required=True)
    learner = params.agent_param(request, required=True)
    if not credential.may_write_for(learner):
        raise ApiError(403, "agent: a learner token reads and writes its own learner's state only.")
    registration = params.uuid_param(request, "registration")
    return StateKey(credential.tenant_id, learner, activity, registration)


@xapi_view({"GET", "PUT", "POST", "DELETE"})
def activity_state(request: HttpRequest) -> HttpResponse:
    credential = xapi_credential(request)
    allowed = {"activityId", "agent", "registration", "stateId"}
    params.refuse_unknown(request, allowed | ({"since"} if request.method == "GET" else set()))
    key = _state_key(request, credential)
    state_id = params.text(request, "stateId", required=request.method in ("PUT", "POST"))
    if request.method in ("PUT", "POST"):
        content = read_body(request, limit=MAX_STATE_BYTES, any_type=True)
        content_type = request.content_type or "application/octet-stream"
        write = state_put if request.method == "PUT" else state_post
        write(key=key, state_id=state_id, content=content, content_type=content_type)
        return HttpResponse(status=204)
    if request.method == "DELETE":
        state_delete(key=key, state_id=state_id)
        return HttpResponse(status=204)
    if state_id is None:
        since = params.moment_param(request, "since")
        return JsonResponse(state_ids(key=key, since=since), safe=False)
    document = state_get(key=key, state_id=state_id)
    if document is None:
        raise ApiError(404, "No such state document.")
    content = bytes(document.content)
    response = HttpResponse(content, content_type=document.content_type)
    response["ETag"] = f'"{hashlib.sha1(content, usedforsecurity=False).hexdigest()}"'
    response["Last-Modified"] = http_date(document.updated.timestamp())
    return response
