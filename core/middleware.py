"""Request ids for the logs and the response (config/logging.py puts them on every line)."""

from __future__ import annotations

import re
import uuid

from django.http import HttpRequest

from config.logging import request_id_var


class RequestIdMiddleware:
    """Gives every request an id (or keeps a sane one from the proxy) for logs and the response."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        incoming = request.headers.get("X-Request-ID", "")
        sane = re.fullmatch(r"[A-Za-z0-9._-]{8,64}", incoming)
        request_id = incoming if sane else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response
