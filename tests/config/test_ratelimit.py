"""count_hit: the counter behind the sign-in and ingestion rate limits, on whichever cache the
run uses (locmem in the SQLite suite, Redis in the PostgreSQL + Redis one)."""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache

from config.ratelimit import count_hit


def test_it_counts_each_key_on_its_own_and_the_cache_reads_the_count():
    first, second = f"test-rate:{uuid.uuid4().hex}", f"test-rate:{uuid.uuid4().hex}"
    assert [count_hit(first, window_seconds=60) for _ in range(3)] == [1, 2, 3]
    assert count_hit(second, window_seconds=60) == 1
    assert cache.get(first) == 3
    cache.delete_many([first, second])


def test_a_count_expires_shortly_after_its_window():
    key = f"test-rate:{uuid.uuid4().hex}"
    count_hit(key, window_seconds=60)
    count_hit(key, window_seconds=60)  # a later hit does not push the expiry back
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=False)
        assert 60 < client.ttl(cache.make_and_validate_key(key)) <= 70
    else:
        assert cache.has_key(key)
    cache.delete(key)
    assert count_hit(key, window_seconds=60) == 1  # a new window starts from one
    cache.delete(key)
