"""HTTP plumbing for the collector's JSON API: errors, authentication, body reading, CORS."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from collector.apikeys import KeyRefused, api_key_check
from collector.validation import UNSTORABLE_TEXT, JsonUnreadable, read_json, unstorable_text
from config.logging import request_id_var

MAX_BODY_BYTES = 1024 * 1024


class ApiError(Exception):
    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


def error_response(status: int, message: str, **extra: Any) -> JsonResponse:
    response = JsonResponse({"error": message, **extra}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="pathlens"'
    return response


def bearer(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise ApiError(401, "Send the credential as 'Authorization: Bearer <token>'.")
    return credential.strip()


def _raw_body(request: HttpRequest, limit: int) -> bytes:
    """Up to `limit + 1` bytes of the body as sent, with a Content-Length or chunked."""
    declared = request.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"The body is larger than {limit // 1024} KiB.")
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if not declared and chunked and not isinstance(request, ASGIRequest):
        # Django reads a WSGI body only up to its Content-Length, so a chunked one would read as
        # empty. gunicorn decodes chunks and ends the stream (wsgi.input_terminated), so it can be
        # read to its end; a server that does not (runserver's wsgiref) cannot, and says so.
        if not request.META.get("wsgi.input_terminated"):
            raise ApiError(
                411,
                "Send the body with a Content-Length header: this server cannot read a chunked "
                "body (Transfer-Encoding: chunked).",
            )
        return request.META["wsgi.input"].read(limit + 1)
    return request.read(limit + 1)


def read_body(
    request: HttpRequest, *, limit: int = MAX_BODY_BYTES, any_type: bool = False
) -> bytes:
    """The request body, gunzipped if so encoded; 413 past `limit` bytes either way.

    gzip is read strictly: a stream cut short (no end marker or checksum) or followed by anything
    (a second member, garbage) is a 400, so a client never has half its body taken for all."""
    content_type = request.content_type or ""
    if content_type != "application/json" and not any_type:  # any_type: xAPI State documents
        raise ApiError(415, "Send the body as JSON with 'Content-Type: application/json'.")
    body = _raw_body(request, limit)
    if len(body) > limit:
        raise ApiError(413, f"The body is larger than {limit // 1024} KiB.")
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding == "gzip":
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            body = inflater.decompress(body, limit + 1)
        except zlib.error:
            raise ApiError(400, "The body is not valid gzip.") from None
        if len(body) > limit or inflater.unconsumed_tail:
            raise ApiError(413, f"The decompressed body is larger than {limit // 1024} KiB.")
        if not inflater.eof:
            raise ApiError(
                400,
                "The gzip body is incomplete: it ends before the gzip end marker and checksum "
                "(cut short in transit?). Send the whole gzip stream.",
            )
        if inflater.unused_data:
            raise ApiError(
                400,
                "The body has bytes after the end of its gzip stream; send exactly one gzip "
                "stream (a single member) and nothing after it.",
            )
    elif encoding not in ("identity", ""):
        raise ApiError(415, f"Content-Encoding {encoding!r} is not supported; use gzip or none.")
    return body


def json_body(request: HttpRequest, *fields: str) -> dict[str, Any]:
    """The body's JSON object; 400 if any of `fields` (the ones the view reads; other keys are
    ignored) holds text no database can store."""
    body = read_body(request)
    try:
        payload = read_json(body)
    except JsonUnreadable as error:
        raise ApiError(400, str(error)) from None
    if not isinstance(payload, dict):
        raise ApiError(400, "The body must be a JSON object.")
    refuse_unstorable({field: payload[field] for field in fields if field in payload})
    return payload


def refuse_unstorable(values: dict[str, Any]) -> None:
    """400 naming the field (a body's top-level key, a path or query parameter) whose text, at
    any depth, a database cannot store: refused here once for every endpoint, rather than as a
    500 from wherever the text would have reached PostgreSQL or an encoder."""
    found = unstorable_text(values, "")
    if found is None:
        return
    field = found.split(".")[0].split("[")[0]
    if not found:  # a top-level key itself
        raise ApiError(400, f"A key of the body {UNSTORABLE_TEXT}.", field="")
    raise ApiError(400, f"'{field}' {UNSTORABLE_TEXT}.", field=field)


def api_view(
    methods: set[str], *, cors: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """JSON API view: method check, ApiError → JSON answer, optional CORS, no CSRF (no cookies)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            origin = request.headers.get("Origin", "")
            allowed_origin = cors and origin in settings.COLLECTOR_CORS_ORIGINS
            if request.method == "OPTIONS" and cors:
                response = HttpResponse(status=204 if allowed_origin else 403)
            elif request.method not in methods:
                response = error_response(
                    405, f"Use {' or '.join(sorted(methods))} on this URL.", allowed=sorted(methods)
                )
                response["Allow"] = ", ".join(sorted(methods))
            else:
                try:
                    refuse_unstorable({**dict(request.GET.lists()), **kwargs})
                    response = view(request, *args, **kwargs)
                except ApiError as error:
                    response = error_response(error.status, error.message, **error.extra)
                    if "retry_after" in error.extra:
                        response["Retry-After"] = str(error.extra["retry_after"])
            if allowed_origin:
                response["Access-Control-Allow-Origin"] = origin
                response["Access-Control-Allow-Headers"] = (
                    "Authorization, Content-Type, Content-Encoding"
                )
                response["Access-Control-Allow-Methods"] = ", ".join(sorted(methods))
                response["Access-Control-Max-Age"] = "600"
                response["Vary"] = "Origin"
            response["Cache-Control"] = "no-store"
            return response

        wrapper.pathlens_access = "api"
        return wrapper

    return decorate


def require_api_key(request: HttpRequest):
    try:
        return api_key_check(bearer(request))
    except KeyRefused as refusal:
        raise ApiError(401, str(refusal)) from None


API_PREFIX = ("/api/", "/xapi/", "/segment/", "/metacx/")
# Headers of an error answer that a client acts on, kept when the body is replaced.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Access-Control-Allow-Origin", "Vary")


def _error_message(status: int, request: HttpRequest) -> str:
    if status == 404:
        return (
            f"No such URL in the API: {request.path_info[:200]}. "
            "The document at /api/v1/openapi.json lists every URL and method."
        )
    if status == 405:
        return f"This URL does not take {request.method}; /api/v1/openapi.json lists its methods."
    if status == 400:
        return "The request could not be read: a malformed host, header or body."
    if status >= 500:
        return (
            "The server failed on this request; it is logged under request id "
            f"{request_id_var.get()}. Try again later, or report the id."
        )
    try:
        return f"The request failed: {status} {HTTPStatus(status).phrase}."
    except ValueError:
        return f"The request failed with status {status}."


class ApiJsonErrorsMiddleware:
    """Every error under /api/ answered as JSON ({"error": ...}), whoever made it: Django's URL
    resolver (404, in DEBUG too), its host check (400), an unforeseen exception (500). Our own
    views already answer JSON; this catches the rest, so an API client parses one format.

    Outermost but for the request id, so that it sees the answers Django makes of exceptions
    raised anywhere inside."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path_info.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        replacement = error_response(
            response.status_code, _error_message(response.status_code, request)
        )
        for header in KEPT_HEADERS:
            if header in response:
                replacement[header] = response[header]
        if request.path_info.startswith("/xapi/"):  # xAPI: the header on every answer
            replacement["X-Experience-API-Version"] = "1.0.3"
        replacement["Cache-Control"] = "no-store"
        return replacement
