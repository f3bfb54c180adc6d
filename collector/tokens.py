"""Learner tokens: signed, expiring, revocable, bound to one opaque id, append-only.

A token is Django's signed `{"sub": <opaque id>, "iat": <issued, epoch ms>}` under a salt of its
own. It grants one thing: appending events for `sub`. Revoking a learner records a moment; every
token issued up to that moment is refused from then on, by every process (it is a database row).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from collector.models import OPAQUE_ID_MAX, LearnerRevocation

SALT = "pathlens.collector.learner-token.v1"


class TokenRefused(Exception):
    """The message is safe to show the client; it never contains the token or the learner."""


@dataclass(frozen=True)
class LearnerGrant:
    learner: str
    issued_ms: int


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def learner_token_issue(*, learner: str) -> str:
    if not learner or len(learner) > OPAQUE_ID_MAX:
        raise ValueError("A learner token needs an opaque learner id of 1 to 64 characters.")
    # Issued after a revocation in the same millisecond, a token must still count as newer.
    revoked = _revoked_ms(learner)
    issued = now_ms() if revoked is None else max(now_ms(), revoked + 1)
    return signing.dumps({"sub": learner, "iat": issued}, salt=SALT)


def _revoked_ms(learner: str) -> int | None:
    return (
        LearnerRevocation.objects.filter(learner=learner)
        .values_list("revoked_ms", flat=True)
        .first()
    )


def learner_token_check(token: str) -> LearnerGrant:
    try:
        claims = signing.loads(token, salt=SALT, max_age=settings.LEARNER_TOKEN_TTL)
    except signing.SignatureExpired:
        raise TokenRefused("The learner token has expired; reload the page.") from None
    except signing.BadSignature:
        raise TokenRefused("The learner token is not valid.") from None
    if not isinstance(claims, dict) or not isinstance(claims.get("sub"), str):
        raise TokenRefused("The learner token is not valid.")
    grant = LearnerGrant(learner=claims["sub"], issued_ms=int(claims.get("iat", 0)))
    revoked = _revoked_ms(grant.learner)
    if revoked is not None and grant.issued_ms <= revoked:
        raise TokenRefused("The learner token has been revoked; reload the page.")
    return grant


def learner_tokens_revoke(*, learner: str) -> None:
    """Refuses every token of `learner` issued until now, at once."""
    LearnerRevocation.objects.update_or_create(learner=learner, defaults={"revoked_ms": now_ms()})
