"""The signature on every delivery, as Stripe and GitHub sign theirs.

`Pathlens-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the secret>`.
The timestamp is inside what is signed, so a receiver that refuses a `t` older than a few
minutes cannot be fed an old delivery again by whoever recorded it (a replay); the body is
signed as sent, byte for byte, so a receiver verifies before it parses. `v1` names the scheme:
a later one would be added beside it, not instead.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

HEADER = "Pathlens-Signature"
DELIVERY_HEADER = "Pathlens-Delivery"
TOLERANCE = 300  # seconds a receiver should accept a signature's timestamp for (docs)
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix that marks secrets, not one)


def secret_new() -> str:
    """A signing secret: 256 random bits, prefixed so that it is recognised when leaked."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={_mac(secret, timestamp, body)}"


def signature_verify(
    *, secret: str, body: bytes, header: str, tolerance: int = TOLERANCE, now: float | None = None
) -> bool:
    """What a receiver does (docs/collector.md has the same in ten lines): the header's v1 is the
    body's signature at its t, and t is within `tolerance` seconds of now."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(fields.get("v1", ""), _mac(secret, timestamp, body))
