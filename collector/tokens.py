"""Learner tokens: signed, expiring, revocable, bound to one opaque id of one tenant, append-only.

A token is Django's signed `{"sub": <opaque id>, "iat": <issued, epoch ms>, "ten": <tenant id>}`
under a salt of its own. It grants one thing: appending events for `sub` in tenant `ten`, so a
token minted by one tenant can never write as another tenant's learner of the same opaque id.
Tokens signed before tenants existed carry no `ten`; they belong to the default tenant, where all
earlier data went. Revoking a learner records a moment on its row; every token issued up to that
moment is refused from then on, by every process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from collector.models import OPAQUE_ID_MAX, Learner
from collector.tenants import tenant_default

SALT = "pathlens.collector.learner-token.v1"


class TokenRefused(Exception):
    """The message is safe to show the client; it never contains the token or the learner."""


@dataclass(frozen=True)
class LearnerGrant:
    tenant_id: int
    learner: str
    issued_ms: int


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def learner_token_issue(*, tenant_id: int, learner: str) -> str:
    """Mints a token, making `learner` known to the tenant if it was not yet."""
    if not learner or len(learner) > OPAQUE_ID_MAX:
        raise ValueError("A learner token needs an opaque learner id of 1 to 64 characters.")
    row, _ = Learner.objects.get_or_create(tenant_id=tenant_id, opaque_id=learner)
    # Issued after a revocation in the same millisecond, a token must still count as newer.
    revoked = row.revoked_ms
    issued = now_ms() if revoked is None else max(now_ms(), revoked + 1)
    return signing.dumps({"sub": learner, "iat": issued, "ten": tenant_id}, salt=SALT)


def learner_known(*, tenant_id: int, learner: str) -> bool:
    return Learner.objects.filter(tenant_id=tenant_id, opaque_id=learner).exists()


def learner_token_check(token: str) -> LearnerGrant:
    try:
        claims = signing.loads(token, salt=SALT, max_age=settings.LEARNER_TOKEN_TTL)
    except signing.SignatureExpired:
        raise TokenRefused("The learner token has expired; reload the page.") from None
    except signing.BadSignature:
        raise TokenRefused("The learner token is not valid.") from None
    if not isinstance(claims, dict) or not isinstance(claims.get("sub"), str):
        raise TokenRefused("The learner token is not valid.")
    tenant_id = claims.get("ten")
    signed_before_tenants = tenant_id is None
    if signed_before_tenants:
        tenant_id = tenant_default().pk
    grant = LearnerGrant(
        tenant_id=int(tenant_id), learner=claims["sub"], issued_ms=int(claims.get("iat", 0))
    )
    row = (
        Learner.objects.filter(tenant_id=grant.tenant_id, opaque_id=grant.learner)
        .values_list("revoked_ms")
        .first()
    )
    if row is None and signed_before_tenants:
        # Minting makes the row; only a token signed before tenants existed, for a learner who
        # had no data then, can lack one. Made here, so that the learner can still be erased.
        Learner.objects.get_or_create(tenant_id=grant.tenant_id, opaque_id=grant.learner)
    elif row is not None and row[0] is not None and grant.issued_ms <= row[0]:
        raise TokenRefused("The learner token has been revoked; reload the page.")
    return grant


def learner_tokens_revoke(*, tenant_id: int, learner: str) -> bool:
    """Refuses every token of the tenant's `learner` issued until now, at once.

    False when the tenant does not know the learner (nothing to revoke).
    """
    return bool(
        Learner.objects.filter(tenant_id=tenant_id, opaque_id=learner).update(revoked_ms=now_ms())
    )
