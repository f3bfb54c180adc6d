"""Which URLs may receive a tenant's changes.

HTTPS only, so that neither the changes nor their signatures travel in the clear, with one
exception: plain HTTP to this machine itself (localhost, 127.0.0.0/8, ::1), whose traffic never
leaves it (a receiver beside Pathlens, and the tests' receiver). The rule does not depend on
DEBUG: a development set-up runs its receiver on localhost anyway.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

LOOPBACK_NAMES = {"localhost"}


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def webhook_url_validate(url: str) -> None:
    """Raises ValidationError (naming what to change) for a URL changes must not go to."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and host and is_loopback(host):
        return
    raise ValidationError(
        "The URL must start with https:// (plain http:// only to this machine: localhost, "
        "127.0.0.1 or ::1).",
        code="webhook_url",
    )
