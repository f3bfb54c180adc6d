"""Starting a RAGE tracking session, and finding the session of an authToken.

RAGE's contract (e-UCM's rage-analytics-backend, `lib/collector.js` and `lib/players.js`): a
start names its tracking code (unknown: 404) and its player: `Authorization: Bearer <JWT>` for an
identified player (a header that is not a valid one: 400), a body `{"anonymous": <playerId>}` to
continue an anonymous player (unknown: 404), or neither for a new anonymous player. Each start
adds one to the player's sessions and answers a new authToken.

Here the JWT's part is played by a learner token of the tracking code's tenant (collector/tokens.py:
signed by the school side, it carries the learner's opaque id and nothing else), and an anonymous
player is a new random opaque id of the tenant, made like the school side's: pseudonymous by
construction, it names nobody. Whoever holds an anonymous player's id may continue it, so it is as
unguessable as a token (128 random bits); an identified player's opaque id never continues
anything without a learner token.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from collector.ingest import ALIAS
from collector.models import Learner
from collector.rage.models import RagePlayer, RageSession, RageTrackingCode
from collector.tokens import TokenRefused, learner_token_check
from collector.xapi.iris import learner_home_page

TOKEN_PREFIX = "rage_"  # noqa: S105  # a prefix, to tell our authTokens at a glance


class UnknownTrackingCode(Exception):
    """No such tracking code, or it is switched off (404, as RAGE answers)."""


class PlayerTokenInvalid(Exception):
    """The Authorization of a start is not a valid learner token of the code's tenant (400)."""


class UnknownAnonymousPlayer(Exception):
    """No anonymous player of that id in the code's tenant (404)."""


class SessionRefused(Exception):
    """An authToken that opens no session (401)."""


@dataclass(frozen=True)
class Started:
    token: str  # the authToken, shown once: only its SHA-256 is kept
    session: RageSession
    player: RagePlayer
    tracking_code: RageTrackingCode
    count: int  # the player's sessions with this tracking code, this one included
    first_started: datetime


def player_actor(learner: str) -> dict[str, Any]:
    """The xAPI actor a game puts in its statements: an account of ours, never a name."""
    return {"objectType": "Agent", "account": {"homePage": learner_home_page(), "name": learner}}


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def rage_tracking_code_create(*, tenant_id: int, name: str, activity: str) -> RageTrackingCode:
    return RageTrackingCode.objects.create(
        tenant_id=tenant_id, code=new_tracking_code(), name=name, activity=activity
    )


def new_tracking_code() -> str:
    return secrets.token_urlsafe(18)


def _tracking_code(code: str) -> RageTrackingCode:
    found = RageTrackingCode.objects.filter(code=code, enabled=True).first()
    if found is None:
        raise UnknownTrackingCode(
            "Tracking code not available: no tracking code of that value is in use here."
        )
    return found


def _identified(token: str, tenant_id: int) -> str:
    try:
        grant = learner_token_check(token)
    except TokenRefused as refusal:
        raise PlayerTokenInvalid(
            f"{refusal} An identified player is started with 'Authorization: Bearer <learner "
            "token>'; leave the header out for an anonymous player."
        ) from None
    if grant.tenant_id != tenant_id:
        raise PlayerTokenInvalid("The learner token is not valid for this tracking code.")
    return grant.learner


def _player(tenant_id: int, bearer: str | None, anonymous: str | None) -> RagePlayer:
    """The player of a start, locked until the transaction ends (so that counts stay exact)."""
    players = RagePlayer.objects.using(ALIAS).select_for_update()
    if bearer is not None:
        learner = _identified(bearer, tenant_id)
        Learner.objects.using(ALIAS).get_or_create(tenant_id=tenant_id, opaque_id=learner)
        RagePlayer.objects.using(ALIAS).get_or_create(
            tenant_id=tenant_id, learner=learner, defaults={"anonymous": False}
        )
        return players.get(tenant_id=tenant_id, learner=learner)
    if anonymous is not None:
        found = players.filter(tenant_id=tenant_id, learner=anonymous, anonymous=True).first()
        if found is None:
            raise UnknownAnonymousPlayer(
                "No anonymous player of that id for this tracking code. Start a new anonymous "
                "player by sending no body (and no Authorization)."
            )
        return found
    learner = secrets.token_hex(16)
    Learner.objects.using(ALIAS).create(tenant_id=tenant_id, opaque_id=learner)
    return RagePlayer.objects.using(ALIAS).create(
        tenant_id=tenant_id, learner=learner, anonymous=True
    )


def rage_session_start(*, code: str, bearer: str | None, anonymous: str | None) -> Started:
    """A new session of the player (see the module's docstring), one more in its count.

    Raises UnknownTrackingCode, PlayerTokenInvalid, UnknownAnonymousPlayer."""
    tracking_code = _tracking_code(code)
    with transaction.atomic(using=ALIAS):
        player = _player(tracking_code.tenant_id, bearer, anonymous)
        RagePlayer.objects.using(ALIAS).filter(pk=player.pk).update(sessions=F("sessions") + 1)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        session = RageSession.objects.using(ALIAS).create(
            player=player,
            tracking_code=tracking_code,
            registration=uuid.uuid4(),
            token_digest=token_digest(token),
            started=timezone.now(),
        )
        mine = RageSession.objects.using(ALIAS).filter(player=player, tracking_code=tracking_code)
        count = mine.count()
        first = mine.aggregate(first=Min("started"))["first"]
    player.refresh_from_db(fields=["sessions"])
    return Started(token, session, player, tracking_code, count, first)


def rage_session_of(token: str) -> RageSession:
    """The session an authToken opens (with its player and tracking code). Raises SessionRefused
    for an unknown token, a tracking code switched off, or a player revoked since the start."""
    session = (
        RageSession.objects.using(ALIAS)
        .select_related("player", "tracking_code")
        .filter(token_digest=token_digest(token))
        .first()
    )
    if session is None:
        raise SessionRefused(
            "The authToken is not valid: send the authToken that POST "
            "/api/collector/start/<trackingCode> answered, as 'Authorization: <authToken>'."
        )
    if not session.tracking_code.enabled:
        raise SessionRefused("This session's tracking code is no longer in use.")
    revoked = (
        Learner.objects.using(ALIAS)
        .filter(tenant_id=session.player.tenant_id, opaque_id=session.player.learner)
        .values_list("revoked_ms", flat=True)
        .first()
    )
    if revoked is not None and int(session.started.timestamp() * 1000) <= revoked:
        raise SessionRefused("This session's player has been revoked; start a new session.")
    return session


def rage_players_move(*, tenant_id: int, learner: str, to: str) -> None:
    """A learner's player (its sessions and count) moved to another opaque id (rotation)."""
    players = RagePlayer.objects.using(ALIAS).filter(tenant_id=tenant_id)
    old = players.filter(learner=learner).select_for_update().first()
    if old is None:
        return
    existing = players.filter(learner=to).select_for_update().first()
    if existing is None:
        old.learner = to
        old.save(update_fields=["learner"])
        return
    RageSession.objects.using(ALIAS).filter(player=old).update(player=existing)
    players.filter(pk=existing.pk).update(sessions=F("sessions") + old.sessions)
    old.delete()
