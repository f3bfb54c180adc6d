"""Issuing and checking Segment write keys (`sgk_` and 32 random characters)."""

from __future__ import annotations

import secrets

from django.utils import timezone

from collector.ingest import ALIAS
from collector.models import Tenant
from collector.segment.models import SegmentWriteKey

KEY_PREFIX = "sgk_"


class WriteKeyRefused(Exception):
    pass


def write_key_new() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(24)


def write_key_create(*, tenant: Tenant, name: str) -> SegmentWriteKey:
    return SegmentWriteKey.objects.using(ALIAS).create(
        tenant=tenant, name=name, key=write_key_new()
    )


def write_key_check(key: str) -> SegmentWriteKey:
    """The live write key `key`; WriteKeyRefused says why not."""
    # Looked up by equality: a write key is semi-public by design (it sits in an app's code), so
    # unlike an API key's secret it is not hashed, and guessing one is the random part's work.
    found = SegmentWriteKey.objects.using(ALIAS).filter(key=key).first() if key else None
    if found is None:
        raise WriteKeyRefused("Unknown write key: send a Segment write key issued by Pathlens.")
    if found.revoked is not None:
        raise WriteKeyRefused("This write key was revoked; ask the operator for a new one.")
    return found


def write_keys_revoke(keys) -> int:
    return keys.filter(revoked__isnull=True).update(revoked=timezone.now())
