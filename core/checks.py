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


@register(Tags.security, deploy=True)
def learner_pick_signin_is_off(app_configs, **kwargs):
    """Picking a name from a list needs no password: on a public site, anyone can be any learner
    (write events as them, see their widgets). Fine for a classroom demo, not for production."""
    if not settings.LEARNER_PICK_SIGNIN:
        return []
    return [
        Warning(
            "LEARNER_PICK_SIGNIN is on: anyone who can open the sign-in page can sign in as any "
            "learner by picking a name from the list, with no password.",
            hint="Set LEARNER_PICK_SIGNIN=false (the default with DEBUG off) unless this site is "
            "a classroom demo that only a trusted network can reach.",
            id="pathlens.W002",
        )
    ]
