"""Deployment checks of our own, run by `manage.py check --deploy`."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register

PER_PROCESS_CACHES = {"django.core.cache.backends.locmem.LocMemCache"}


@register(Tags.security, deploy=True)
def rate_limits_are_shared(app_configs, **kwargs):
    """The sign-in and ingestion rate limits count in the cache: a cache of each process's own
    lets every gunicorn worker (and every machine) grant the whole budget again."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            "CACHE_URL is a per-process cache (locmem://), so the sign-in and ingestion rate "
            "limits are counted by each process on its own and multiply with the number of web "
            "processes.",
            hint="Set CACHE_URL=redis://host:6379/1 (or file:///var/cache/pathlens on a single "
            "machine).",
            id="pathlens.W001",
        )
    ]
