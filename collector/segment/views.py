"""The Segment-style tracking API: POST /segment/v1/batch, /track, /page, /identify.

Every answer but success is JSON with `error` (a message a person can act on) and, for a field
at fault, `field` (its JSON pointer); `code` and `message` repeat it in the shape Segment's SDKs
print, so the sender's log says what to fix.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from collector.http import ApiError, read_body
from collector.segment.auth import Sender, segment_sender
from collector.segment.messages import MAX_BATCH_BYTES, Message, message_check
from collector.segment.store import messages_store
from collector.tokens import now_ms
from collector.validation import JsonUnreadable, read_json
from collector.xapi.problems import Invalid, pointer
from collector.xapi.validation import moment


def _error(status: int, message: str, **extra: Any) -> JsonResponse:
    code = {400: "invalid_request", 401: "unauthorized"}.get(status, "error")
    return JsonResponse(
        {"error": message, **extra, "code": code, "message": message}, status=status
    )


def _answer(request: HttpRequest, view: Callable[..., HttpResponse]) -> HttpResponse:
    try:
        return view(request)
    except ApiError as refusal:
        # Segment answers a body past its limits with a 400; so does this door.
        status = 400 if refusal.status == 413 else refusal.status
        message = refusal.message
        if refusal.status == 413:
            message = f"{message} Segment's limits: 500 KB a batch, 32 KB a message."
        response = _error(status, message)
        if "authenticate" in refusal.extra:
            response["WWW-Authenticate"] = refusal.extra["authenticate"]
        return response
    except Invalid as invalid:
        return _error(400, f"{invalid.pointer or '/'}: {invalid.message}", field=invalid.pointer)


def segment_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """POST only, refusals as JSON, no CSRF (no cookies are read)."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        response: HttpResponse
        if request.method != "POST":
            response = _error(405, "Use POST on this URL.")
            response["Allow"] = "POST"
        else:
            response = _answer(request, view)
        response["Cache-Control"] = "no-store"
        return response

    wrapper.pathlens_access = "api"  # type: ignore[attr-defined]  # read by the URL audit
    return wrapper


def _payload(request: HttpRequest) -> dict[str, Any]:
    body = read_body(request, limit=MAX_BATCH_BYTES)
    try:
        payload = read_json(body)
    except JsonUnreadable as unreadable:
        raise Invalid("", str(unreadable)) from None
    if not isinstance(payload, dict):
        raise Invalid("", "The body must be a JSON object.")
    return payload


def _sent_at(payload: dict[str, Any]) -> int | None:
    if payload.get("sentAt") is None:
        return None
    return int(moment(payload["sentAt"], "/sentAt").timestamp() * 1000)


def _store(sender: Sender, payload: dict[str, Any], messages: list[Message]) -> JsonResponse:
    messages_store(
        sender=sender,
        messages=messages,
        sent_at=_sent_at(payload),
        received_ms=now_ms(),
    )
    return JsonResponse({"success": True})


@segment_view
def batch(request: HttpRequest) -> HttpResponse:
    sender = segment_sender(request)  # a wrong key is a 401 before anything about the body
    payload = _payload(request)
    items = payload.get("batch")
    if not isinstance(items, list) or not items:
        raise Invalid("/batch", "Required: a list of 1 or more messages.")
    at = pointer("", "batch")
    messages = [message_check(item, pointer(at, index)) for index, item in enumerate(items)]
    return _store(sender, payload, messages)


def _single(kind: str) -> Callable[[HttpRequest], HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        sender = segment_sender(request)
        payload = _payload(request)
        return _store(sender, payload, [message_check(payload, "", kind=kind)])

    view.__name__ = kind
    view.__doc__ = f"POST /segment/v1/{kind}: one {kind} message."
    return segment_view(view)


track = _single("track")
page = _single("page")
identify = _single("identify")
