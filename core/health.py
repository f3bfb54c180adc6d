"""GET /healthz: are the databases and the broker reachable? 200, or 503 naming what is not."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app as celery_app
from config.routers import ANALYTICS_ALIAS
from core.access import public

log = logging.getLogger("pathlens.health")


def _database(alias: str) -> str | None:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


def _broker() -> str | None:
    try:
        with celery_app.connection_for_write(url=settings.CELERY_BROKER_URL) as connection:
            connection.ensure_connection(max_retries=1, timeout=3)
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


@require_GET
@never_cache
@public
def healthz(request: HttpRequest) -> JsonResponse:
    problems = {
        name: problem
        for name, problem in (
            ("database", _database("default")),
            ("analytics_database", _database(ANALYTICS_ALIAS)),
            ("broker", _broker()),
        )
        if problem
    }
    if problems:
        log.error("health check failed: %s", ", ".join(sorted(problems)))
        return JsonResponse({"status": "unavailable", "failing": problems}, status=503)
    return JsonResponse({"status": "ok"})
