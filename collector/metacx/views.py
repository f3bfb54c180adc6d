"""The MetaCX-style resources: POST /metacx/getToken and POST /metacx/events."""

from __future__ import annotations

import logging
import uuid

from django.http import HttpRequest, JsonResponse

from collector.http import ApiError, api_view, json_body, read_body
from collector.metacx.access import (
    GET_ONE,
    SCOPE,
    TTL_SECONDS,
    Access,
    AccessRefused,
    access_token_check,
    access_token_issue,
)
from collector.metacx.mapping import body_check, statements_of
from collector.metacx.store import events_store
from collector.tokens import now_ms
from collector.validation import JsonUnreadable, read_json
from collector.xapi.problems import Invalid
from collector.xapi.statements import Conflict

log = logging.getLogger("pathlens.collector")

# 1,000 objects of a few hundred bytes each, with room to spare; the xAPI endpoint's limit.
MAX_EVENTS_BYTES = 4 * 1024 * 1024


@api_view({"POST"})
def get_token(request: HttpRequest) -> JsonResponse:
    payload = json_body(request, "clientId", "clientSecret")
    client_id, client_secret = payload.get("clientId"), payload.get("clientSecret")
    if not isinstance(client_id, str) or not client_id:
        raise ApiError(400, "'clientId' is required: the API key's id (plk_…).", field="clientId")
    if not isinstance(client_secret, str) or not client_secret:
        raise ApiError(
            400, "'clientSecret' is required: the rest of the API key.", field="clientSecret"
        )
    try:
        token = access_token_issue(client_id=client_id, client_secret=client_secret)
    except AccessRefused as refusal:
        raise ApiError(401, str(refusal)) from None
    return JsonResponse(
        {"accessToken": token, "scope": SCOPE, "expiresIn": TTL_SECONDS, "tokenType": "Bearer"}
    )


def _access(request: HttpRequest) -> Access:
    """The access token's grant; only getToken's tokens count here, not an API key or a learner
    token (each door has its own credential, so a leaked one opens one door)."""
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, f"Send 'Authorization: Bearer <accessToken>'; {GET_ONE}.")
    try:
        return access_token_check(token.strip())
    except AccessRefused as refusal:
        raise ApiError(401, str(refusal)) from None


@api_view({"POST"})
def events(request: HttpRequest) -> JsonResponse:
    """Checks every object, stores the new ones (all or none), then answers 202: processing is
    done by then, so a client never needs to ask how its request went."""
    received = now_ms()
    access = _access(request)
    body = read_body(request, limit=MAX_EVENTS_BYTES)
    try:
        event_key, objects = body_check(read_json(body))
        cleans = statements_of(
            tenant_id=access.tenant_id, event_key=event_key, objects=objects, received_ms=received
        )
        new = events_store(access=access, cleans=cleans)
    except JsonUnreadable as unreadable:
        raise ApiError(400, str(unreadable)) from None
    except Invalid as invalid:
        raise ApiError(
            400, f"{invalid.pointer or '/'}: {invalid.message}", field=invalid.pointer
        ) from None
    except Conflict as conflict:  # an event id taken by another door (not expected)
        raise ApiError(
            409,
            "These ids are already stored with other content; nothing was stored.",
            ids=conflict.ids[:100],
        ) from None
    request_id = str(uuid.uuid4())
    log.info("metacx request %s: %d objects, %d new", request_id, len(objects), new)
    return JsonResponse({"requestId": request_id}, status=202)
