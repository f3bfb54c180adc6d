"""The platforms' public keys, fetched from their JWKS URLs and cached.

A platform rotates its keys by publishing a new one and signing with it: a token whose `kid` is
not in the cached keyset makes us fetch the keyset again, but not again for that reason within
REFETCH_AFTER seconds, so a stream of made-up kids cannot turn us into a load on the LMS.
"""

from __future__ import annotations

import logging
from typing import Any

import jwt
import requests
from django.core.cache import cache

from lti.models import Platform

log = logging.getLogger("pathlens.lti")

CACHE_SECONDS = 3600
REFETCH_AFTER = 30
FETCH_TIMEOUT = 10


class KeysUnavailable(Exception):
    """The platform's keyset could not be fetched or read; the message says which and why."""


def _cache_key(platform: Platform) -> str:
    return f"lti-jwks:{platform.pk}:{platform.jwks_url}"


def _fetch(platform: Platform) -> dict[str, Any]:
    try:
        response = requests.get(platform.jwks_url, timeout=FETCH_TIMEOUT)
        response.raise_for_status()
        keyset = response.json()
        jwt.PyJWKSet.from_dict(keyset)  # refuses a keyset it cannot read
    except (requests.RequestException, ValueError, jwt.PyJWTError) as error:
        log.warning("keyset of platform %s unavailable: %s", platform.pk, error)
        raise KeysUnavailable(
            f"Pathlens could not read the public keyset of {platform.name} at "
            f"{platform.jwks_url}. Check that address in the platform's registration."
        ) from error
    cache.set(_cache_key(platform), keyset, CACHE_SECONDS)
    return keyset


def _find(keyset: dict[str, Any], kid: str | None) -> jwt.PyJWK | None:
    for key in jwt.PyJWKSet.from_dict(keyset).keys:
        if kid is None or key.key_id == kid:
            return key
    return None


def platform_key(platform: Platform, kid: str | None) -> jwt.PyJWK | None:
    """The platform's public key with this kid, or None if the platform has no such key."""
    keyset = cache.get(_cache_key(platform))
    if keyset is None:
        keyset = _fetch(platform)
    key = _find(keyset, kid)
    if key is None and cache.add(_cache_key(platform) + ":refetched", True, REFETCH_AFTER):
        log.info("unknown kid from platform %s: fetching its keyset again", platform.pk)
        key = _find(_fetch(platform), kid)
    return key
