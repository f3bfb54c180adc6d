"""The RAGE collector's two endpoints: POST /api/collector/start/<trackingCode> and
POST /api/collector/track (docs/collector.md, "RAGE analytics collector")."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.http import HttpRequest, JsonResponse

from collector.http import ApiError, api_view, json_body, read_body
from collector.rage.sessions import (
    PlayerTokenInvalid,
    SessionRefused,
    UnknownAnonymousPlayer,
    UnknownTrackingCode,
    player_actor,
    rage_session_of,
    rage_session_start,
)
from collector.rage.track import NotThePlayer, rage_track
from collector.validation import JsonUnreadable, read_json
from collector.xapi.problems import Invalid
from collector.xapi.statements import Conflict, iso
from collector.xapi.validation import MAYBE_UNSTORABLE
from config.ratelimit import count_hit

MAX_STATEMENTS_BYTES = 4 * 1024 * 1024  # as on /xapi/statements


def _rate_limit(kind: str, credential: str, what: str) -> None:
    """INGEST_RATE_LIMIT a minute, as batches per learner token (collector/api.py): starts per
    tracking code (an anonymous start needs nothing but the code, which ships inside a game),
    tracks per authToken."""
    now = time.time()
    window = int(now // 60)
    key = f"rage-{kind}:{hashlib.sha256(credential.encode()).hexdigest()[:32]}:{window}"
    if count_hit(key, window_seconds=60) > settings.INGEST_RATE_LIMIT:
        raise ApiError(
            429,
            f"Too many {kind}s: at most {settings.INGEST_RATE_LIMIT} a minute per {what}.",
            retry_after=max(1, int(60 - now % 60) + 1),
        )


def _player_token(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "").strip()
    if not header:
        return None
    scheme, _, credential = header.partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise ApiError(
            400,
            "The Authorization header must be 'Bearer <learner token>' for an identified "
            "player; leave it out for an anonymous player.",
            field="Authorization",
        )
    return credential.strip()


def _has_body(request: HttpRequest) -> bool:
    length = request.headers.get("Content-Length", "").strip()
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    return chunked or (length not in ("", "0"))


def _anonymous(request: HttpRequest) -> str | None:
    """The anonymous player to continue, if the body names one (RAGE: no body, `{}` or an empty
    id start a new anonymous player)."""
    if not _has_body(request):
        return None
    payload = json_body(request, "anonymous")
    anonymous = payload.get("anonymous")
    if anonymous is None or anonymous == "":
        return None
    if not isinstance(anonymous, str):
        raise ApiError(400, "'anonymous' must be the playerId a start answered.", field="anonymous")
    return anonymous.strip()


@api_view({"POST"}, cors=True)
def start(request: HttpRequest, tracking_code: str) -> JsonResponse:
    _rate_limit("start", tracking_code, "tracking code")
    bearer = _player_token(request)
    anonymous = None if bearer is not None else _anonymous(request)
    try:
        started = rage_session_start(code=tracking_code, bearer=bearer, anonymous=anonymous)
    except (UnknownTrackingCode, UnknownAnonymousPlayer) as unknown:
        raise ApiError(404, str(unknown)) from None
    except PlayerTokenInvalid as invalid:
        raise ApiError(400, str(invalid), field="Authorization") from None
    learner = started.player.learner
    return JsonResponse(
        {
            "authToken": started.token,
            "actor": player_actor(learner),
            "playerId": learner,
            "objectId": started.tracking_code.activity,
            "session": started.count,
            "firstSessionStarted": iso(started.first_started),
            "currentSessionStarted": iso(started.session.started),
            "registration": str(started.session.registration),
        }
    )


def _auth_token(request: HttpRequest) -> str:
    token = request.headers.get("Authorization", "").strip()
    if token[:7].lower() == "bearer ":  # RAGE sends the token bare; some clients add a scheme
        token = token[7:].strip()
    if not token:
        raise ApiError(
            401,
            "Send the authToken that POST /api/collector/start/<trackingCode> answered, as "
            "'Authorization: <authToken>'.",
        )
    return token


@api_view({"POST"}, cors=True)
def track(request: HttpRequest) -> JsonResponse:
    token = _auth_token(request)
    try:
        session = rage_session_of(token)
    except SessionRefused as refused:
        raise ApiError(401, str(refused)) from None
    _rate_limit("track", token, "authToken")
    body = read_body(request, limit=MAX_STATEMENTS_BYTES)
    try:
        payload = read_json(body)
        ids = rage_track(
            session=session, payload=payload, careful=MAYBE_UNSTORABLE.search(body) is not None
        )
    except JsonUnreadable as unreadable:
        raise ApiError(400, str(unreadable), field="") from None
    except Invalid as invalid:
        raise ApiError(
            400, f"{invalid.pointer or '/'}: {invalid.message}", field=invalid.pointer
        ) from None
    except NotThePlayer as other:
        raise ApiError(403, str(other)) from None
    except Conflict as conflict:
        raise ApiError(
            409,
            "These statement ids are already stored with other content; nothing was stored.",
            ids=conflict.ids[:100],
        ) from None
    return JsonResponse({"message": "Success.", "ids": ids})
