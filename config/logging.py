"""Log wiring: one JSON object per line in production, with the request id on every line.

The request id comes from RequestIdMiddleware (core/middleware.py) through a context
variable, so log calls anywhere in a request, including the collector's, carry it without
passing it around.
"""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime

# Extra record attributes that become JSON keys when a log call (or AccessLogFilter) sets them.
ACCESS_FIELDS = (
    "status_code",
    "event",
    "user_id",
    "method",
    "path",
    "duration_ms",
    "bytes",
    "remote_addr",
)

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON: time, level, logger, message, request id."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key in ACCESS_FIELDS:
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class AccessLogFilter(logging.Filter):
    """Turns gunicorn's access-log atoms into JSON keys (config/gunicorn.conf.py uses it).

    The request id is the response's X-Request-ID, so an access line and the application's own
    lines about the same request share it. The query string is left out: it can hold ids.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args
        if not isinstance(atoms, Mapping):
            return True
        record.request_id = atoms["{x-request-id}o"]
        record.method = atoms["m"]
        record.path = atoms["U"]
        status = str(atoms["s"])
        record.status_code = int(status) if status.isdigit() else atoms["s"]
        record.duration_ms = atoms["M"]
        record.bytes = atoms["B"]
        record.remote_addr = atoms["h"]
        return True
