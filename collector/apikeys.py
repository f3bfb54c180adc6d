"""API keys for the platform's server-to-server read side. Only a hash of each secret is kept."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from collector.models import ApiKey, Tenant
from collector.tenants import tenant_default

KEY_PREFIX = "plk"


class KeyRefused(Exception):
    pass


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_create(*, name: str, tenant: Tenant) -> tuple[ApiKey, str]:
    """Returns the key and its full text, which is shown once and never stored."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(tenant=tenant, name=name, prefix=prefix, secret_hash=_hash(secret))
    return key, f"{KEY_PREFIX}_{prefix}_{secret}"


def api_key_check(text: str) -> ApiKey:
    parts = text.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        raise KeyRefused("The API key is malformed.")
    _, prefix, secret = parts
    key = (
        ApiKey.objects.select_related("tenant")
        .filter(prefix=prefix, revoked_at__isnull=True, is_internal=False)
        .first()
    )
    # Compare even when no key matched, so timing does not tell which prefixes exist.
    expected = key.secret_hash if key else _hash("no-such-key")
    if not hmac.compare_digest(expected, _hash(secret)) or key is None:
        raise KeyRefused("The API key is not valid.")
    return key


def internal_api_key() -> ApiKey:
    """The school side's in-process identity, in the default tenant: owns what it makes."""
    key = (
        ApiKey.objects.select_related("tenant").filter(is_internal=True, prefix="internal").first()
    )
    if key is None:
        key, _ = ApiKey.objects.get_or_create(
            is_internal=True,
            prefix="internal",
            defaults={
                "name": "school side (in-process)",
                "secret_hash": "",
                "tenant": tenant_default(),
            },
        )
    return key
