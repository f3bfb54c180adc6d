"""The xAPI side of HTTP: the version header on every request and answer, the consistent-through
header, CORS for browser content, and refusals as JSON that name the field."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from collector.http import ApiError, refuse_unstorable
from collector.xapi.problems import Invalid
from collector.xapi.statements import Conflict, iso

VERSION = "1.0.3"
VERSION_HEADER = "X-Experience-API-Version"
ACCEPTED_VERSION = re.compile(r"1\.0(\.\d+)?")
ALLOWED_HEADERS = (
    "Authorization, Content-Type, Content-Encoding, X-Experience-API-Version, If-Match, "
    "If-None-Match"
)
EXPOSED_HEADERS = (
    "X-Experience-API-Version, X-Experience-API-Consistent-Through, ETag, Last-Modified, Location"
)


def error(status: int, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _answer(request: HttpRequest, view, args, kwargs, *, versioned: bool) -> HttpResponse:
    version = request.headers.get(VERSION_HEADER)
    if versioned and not (version and ACCEPTED_VERSION.fullmatch(version.strip())):
        return error(
            400,
            f"Send the header '{VERSION_HEADER}: {VERSION}' (this LRS speaks xAPI 1.0.0–1.0.3).",
            field=VERSION_HEADER,
        )
    try:
        refuse_unstorable(dict(request.GET.lists()))
        return view(request, *args, **kwargs)
    except ApiError as refusal:
        named = {"field": refusal.extra["field"]} if "field" in refusal.extra else {}
        response = error(refusal.status, refusal.message, **named)
        if "authenticate" in refusal.extra:
            response["WWW-Authenticate"] = refusal.extra["authenticate"]
        if "retry_after" in refusal.extra:
            response["Retry-After"] = str(refusal.extra["retry_after"])
        return response
    except Invalid as invalid:
        return error(400, f"{invalid.pointer or '/'}: {invalid.message}", field=invalid.pointer)
    except Conflict as conflict:
        return error(
            409,
            "These statement ids are already stored with other content; nothing was stored.",
            ids=conflict.ids[:100],
        )


def xapi_view(
    methods: set[str], *, versioned: bool = True
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """An xAPI resource: method check, version header, refusals as JSON, CORS, no CSRF (no
    cookies are read)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            origin = request.headers.get("Origin", "")
            allowed_origin = origin in settings.COLLECTOR_CORS_ORIGINS
            head = request.method == "HEAD" and "GET" in methods
            if request.method == "OPTIONS":
                response = HttpResponse(status=204 if allowed_origin else 403)
            elif head:  # the spec: answered as the GET would be, without its body
                request.method = "GET"
                response = _answer(request, view, args, kwargs, versioned=versioned)
                request.method = "HEAD"
                response.content = b""
            elif request.method not in methods:
                response = error(405, f"Use {' or '.join(sorted(methods))} on this URL.")
                response["Allow"] = ", ".join(sorted(methods))
            else:
                response = _answer(request, view, args, kwargs, versioned=versioned)
            if allowed_origin:
                response["Access-Control-Allow-Origin"] = origin
                response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
                response["Access-Control-Allow-Methods"] = ", ".join(sorted(methods))
                response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
                response["Access-Control-Max-Age"] = "600"
                response["Vary"] = "Origin"
            response[VERSION_HEADER] = VERSION
            response["X-Experience-API-Consistent-Through"] = iso(timezone.now())
            response["Cache-Control"] = "no-store"
            return response

        wrapper.pathlens_access = "api"  # type: ignore[attr-defined]  # read by the URL audit
        return wrapper

    return decorate
