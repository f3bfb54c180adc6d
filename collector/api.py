"""The collector's HTTP API, version 1 (documented in collector/openapi.py)."""

from __future__ import annotations

import hashlib
import logging
import time
import urllib.parse

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import reverse

from collector import datarequests, schemas
from collector.http import ApiError, api_view, bearer, json_body, read_body, require_api_key
from collector.ingest import IdConflict
from collector.models import DataRequest, DataRequestKind, DataRequestStatus
from collector.quarantine import REJECTED, batch_store, quarantine_page
from collector.selectors import live_sessions_of, session_counts_of
from collector.tokens import (
    TokenRefused,
    learner_known,
    learner_token_check,
    learner_token_issue,
    learner_tokens_revoke,
    now_ms,
)
from collector.validation import BatchInvalid, BatchTooLarge, parse_batch_keeping_valid
from collector.xapi.export import CURSOR, offset_cursor, statements_page
from config.ratelimit import count_hit

log = logging.getLogger("pathlens.collector")

MAX_RESULTS_PAGE = 10_000
DEFAULT_RESULTS_PAGE = 1_000
# Statements are larger than result rows: a page of them is kept under a few megabytes.
MAX_STATEMENTS_PAGE = 2_000
MAX_QUARANTINE_PAGE = 1_000


def _rate_limit(token: str) -> None:
    """Fixed one-minute window per token, in the shared cache so it holds across processes."""
    now = time.time()
    window = int(now // 60)
    key = f"ingest-rate:{hashlib.sha256(token.encode()).hexdigest()[:32]}:{window}"
    count = count_hit(key, window_seconds=60)
    if count > settings.INGEST_RATE_LIMIT:
        retry_after = max(1, int(60 - now % 60) + 1)
        raise ApiError(
            429,
            f"Too many batches: at most {settings.INGEST_RATE_LIMIT} a minute per learner token.",
            retry_after=retry_after,
        )


@api_view({"POST"}, cors=True)
def events(request: HttpRequest) -> JsonResponse:
    received = now_ms()
    token = bearer(request)
    try:
        grant = learner_token_check(token)
    except TokenRefused as refusal:
        raise ApiError(401, str(refusal)) from None
    _rate_limit(token)
    body = read_body(request)
    try:
        batch, refused = parse_batch_keeping_valid(body)
    except BatchTooLarge as error:
        raise ApiError(413, str(error)) from None
    except BatchInvalid as invalid:
        return JsonResponse(
            {"error": REJECTED, "errors": [problem.as_dict() for problem in invalid.problems]},
            status=400,
        )
    try:
        stored = batch_store(grant=grant, token=token, batch=batch, refused=refused, now=received)
    except IdConflict as conflict:
        raise ApiError(
            409,
            "These event ids were already used for different content; nothing was stored.",
            ids=conflict.event_ids[:100],
        ) from None
    return JsonResponse(stored.answer(), status=202 if batch.events else 400)


@api_view({"POST"})
def data_requests(request: HttpRequest) -> JsonResponse:
    api_key = require_api_key(request)
    params = schemas.request_params(json_body(request, *schemas.REQUEST_FIELDS))
    data_request = datarequests.data_request_create(api_key=api_key, params=params)
    response = JsonResponse({"id": str(data_request.id), "status": data_request.status}, status=201)
    response["Location"] = reverse("collector:data_request", args=[data_request.id])
    return response


def _own_request(api_key, request_id) -> DataRequest:
    """The data request if the key's tenant made it; 404 otherwise, as if it did not exist."""
    found = DataRequest.objects.filter(pk=request_id, tenant_id=api_key.tenant_id).first()
    if found is None:
        raise ApiError(404, "No such data request for this API key.")
    return found


def _own_done_request(request: HttpRequest, request_id) -> DataRequest:
    """The caller's own data request once its results are ready; 409 while it is not DONE (the
    answer names its status, so a client knows to keep polling or to give up)."""
    data_request = _own_request(require_api_key(request), request_id)
    if data_request.status != DataRequestStatus.DONE:
        raise ApiError(
            409,
            f"The request is {data_request.status}; results are ready once it is DONE.",
            request_status=data_request.status,
        )
    return data_request


def _own_learner(api_key, learner: str) -> str:
    """The opaque id if the key's tenant knows that learner; 404 otherwise, as if it did not
    exist, whether or not another tenant uses the same opaque id."""
    learner = schemas.opaque_id(learner, "learner")
    if not learner_known(tenant_id=api_key.tenant_id, learner=learner):
        raise ApiError(404, "No such learner for this API key.")
    return learner


@api_view({"GET"})
def data_request(request: HttpRequest, request_id) -> JsonResponse:
    api_key = require_api_key(request)
    return JsonResponse(schemas.describe(_own_request(api_key, request_id)))


def _page_param(request: HttpRequest, name: str, default: int, maximum: int) -> int:
    raw = request.GET.get(name, str(default))
    if not (raw.isascii() and raw.isdigit()) or int(raw) > maximum:
        raise ApiError(400, f"'{name}' must be a whole number from 0 to {maximum}.", field=name)
    return int(raw)


@api_view({"GET"})
def data_request_results(request: HttpRequest, request_id) -> JsonResponse:
    data_request = _own_done_request(request, request_id)
    cursor = request.GET.get("cursor")
    if cursor is not None and not CURSOR.fullmatch(cursor):
        raise ApiError(400, "'cursor' must be one that a page's 'next' gave.", field="cursor")
    if data_request.kind == DataRequestKind.STATEMENTS:
        return _statement_results(request, data_request)
    offset = _page_param(request, "offset", 0, 10**9)
    limit = _page_param(request, "limit", DEFAULT_RESULTS_PAGE, MAX_RESULTS_PAGE) or 1
    results = datarequests.data_request_results(request=data_request, offset=offset, limit=limit)
    following = offset + len(results)
    next_url = None
    if following < data_request.result_count:
        next_url = f"{request.path}?offset={following}&limit={limit}"
    return JsonResponse(
        {
            "id": str(data_request.id),
            "kind": data_request.kind,
            "count": data_request.result_count,
            "offset": offset,
            "limit": limit,
            "next": next_url,
            "results": results,
        }
    )


def _statement_results(request: HttpRequest, data_request: DataRequest) -> JsonResponse:
    """A page of a `statements` request: statements, paged by the cursor its `next` carries (a
    position in the events and statements it covers: no page reads those before it). An offset
    is honoured where no cursor is given (finding its place reads the seqs before it once)."""
    offset = _page_param(request, "offset", 0, 10**9)
    # Above MAX_STATEMENTS_PAGE a page is that long (`limit` in the answer says so).
    limit = (
        min(
            _page_param(request, "limit", DEFAULT_RESULTS_PAGE, MAX_RESULTS_PAGE),
            MAX_STATEMENTS_PAGE,
        )
        or 1
    )
    cursor = request.GET.get("cursor") or offset_cursor(data_request, offset)
    page, following = statements_page(data_request, cursor=cursor, limit=limit)
    next_url = None if following is None else f"{request.path}?cursor={following}&limit={limit}"
    return JsonResponse(
        {
            "id": str(data_request.id),
            "kind": data_request.kind,
            "count": data_request.result_count,
            "limit": limit,
            "next": next_url,
            "results": page,
        }
    )


@api_view({"GET"})
def data_request_attempts(request: HttpRequest, request_id) -> JsonResponse:
    """A DONE request's attempts at activities that are not our widgets (xAPI content)."""
    from collector.xapi.attempts import attempt_rows  # xapi's views import this module

    data_request = _own_done_request(request, request_id)
    return JsonResponse(
        {"id": str(data_request.id), "attempts": attempt_rows(request=data_request)}
    )


@api_view({"GET"})
def learner_attempt_statements(request: HttpRequest, learner: str) -> JsonResponse:
    """One attempt's statements at an activity that is not one of our widgets, in time order."""
    from collector.xapi.attempts import attempt_statements_payload

    api_key = require_api_key(request)
    return JsonResponse(
        attempt_statements_payload(
            tenant_id=api_key.tenant_id,
            learner=learner,
            activity=request.GET.get("activity"),
            registration=request.GET.get("registration"),
        )
    )


@api_view({"GET"})
def session_events(request: HttpRequest, session: str) -> JsonResponse:
    api_key = require_api_key(request)
    return JsonResponse(
        schemas.session_events_payload(
            tenant_id=api_key.tenant_id,
            learner=request.GET.get("learner"),
            session=session,
            widget=request.GET.get("widget") or None,
        )
    )


@api_view({"GET"})
def session_statements(request: HttpRequest, session: str) -> JsonResponse:
    """The session's events as xAPI statements (xAPI out)."""
    from collector.xapi.export import session_statements_payload  # xapi's views import this

    api_key = require_api_key(request)
    return JsonResponse(
        session_statements_payload(
            tenant_id=api_key.tenant_id,
            learner=request.GET.get("learner"),
            session=session,
            widget=request.GET.get("widget") or None,
        )
    )


@api_view({"DELETE"})
def learner(request: HttpRequest, learner: str) -> JsonResponse:
    api_key = require_api_key(request)
    learner = _own_learner(api_key, learner)
    return JsonResponse(datarequests.learner_erase(tenant_id=api_key.tenant_id, learner=learner))


@api_view({"POST"})
def learner_revoke(request: HttpRequest, learner: str) -> JsonResponse:
    api_key = require_api_key(request)
    learner = _own_learner(api_key, learner)
    learner_tokens_revoke(tenant_id=api_key.tenant_id, learner=learner)
    return JsonResponse({"revoked": True})


@api_view({"POST"})
def learner_move(request: HttpRequest, learner: str) -> JsonResponse:
    api_key = require_api_key(request)
    learner = _own_learner(api_key, learner)
    target = schemas.new_learner_id(json_body(request, "to").get("to"), "to")
    if target == learner:
        raise ApiError(400, "'to' must differ from the learner being moved.", field="to")
    return JsonResponse(
        datarequests.learner_move(tenant_id=api_key.tenant_id, learner=learner, to=target)
    )


@api_view({"POST"})
def learner_session_counts(request: HttpRequest) -> JsonResponse:
    api_key = require_api_key(request)
    return JsonResponse(
        {"counts": session_counts_of(json_body(request, "learners"), tenant_id=api_key.tenant_id)}
    )


@api_view({"POST"})
def learners_live(request: HttpRequest) -> JsonResponse:
    api_key = require_api_key(request)
    sessions = live_sessions_of(
        json_body(request, "learners"), tenant_id=api_key.tenant_id, at_ms=now_ms()
    )
    return JsonResponse({"sessions": sessions})


@api_view({"POST"})
def learners_other_activities(request: HttpRequest) -> JsonResponse:
    """The listed learners' generic measures in activities that are not our widgets (xAPI)."""
    from collector.xapi.other import other_activities_of  # xapi's views import this module

    api_key = require_api_key(request)
    activities = other_activities_of(json_body(request, "learners"), tenant_id=api_key.tenant_id)
    return JsonResponse({"activities": activities})


@api_view({"POST"})
def learner_tokens(request: HttpRequest) -> JsonResponse:
    api_key = require_api_key(request)
    learner_id = schemas.new_learner_id(json_body(request, "learner").get("learner"), "learner")
    return JsonResponse(
        {
            # Opaque ids are a namespace per tenant: this makes (or finds) the tenant's own
            # learner of this id, never another tenant's.
            "token": learner_token_issue(tenant_id=api_key.tenant_id, learner=learner_id),
            "expires_in": settings.LEARNER_TOKEN_TTL,
        },
        status=201,
    )


@api_view({"GET"})
def quarantine(request: HttpRequest) -> JsonResponse:
    """The key's tenant's quarantined events, newest first, a page at a time."""
    api_key = require_api_key(request)
    offset = _page_param(request, "offset", 0, 10**9)
    limit = _page_param(request, "limit", 100, MAX_QUARANTINE_PAGE) or 1
    widget = request.GET.get("widget") or None
    count, rows = quarantine_page(
        tenant_id=api_key.tenant_id, offset=offset, limit=limit, widget=widget
    )
    following = offset + len(rows)
    next_url = None
    if following < count:
        next_url = f"{request.path}?offset={following}&limit={limit}"
        next_url += f"&widget={urllib.parse.quote(widget)}" if widget else ""
    return JsonResponse(
        {"count": count, "offset": offset, "limit": limit, "next": next_url, "results": rows}
    )


@api_view({"GET"})
def openapi(request: HttpRequest) -> JsonResponse:
    from collector.openapi import openapi_document  # it reads this module's limits

    return JsonResponse(openapi_document())
