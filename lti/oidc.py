"""OIDC login initiation and the check of a launch's id_token (LTI 1.3 Security Framework §5.1).

Login: the LMS names itself (iss, client_id) and the user it is about to send (login_hint); we
keep a fresh state and nonce on the server and send the browser to the LMS's authentication
URL. Launch: the LMS posts back a signed id_token and the state. The state is consumed (one
use, LOGIN_MAX_AGE), the token's signature is checked against the platform's published keys,
then its issuer, audience, expiry, nonce, deployment and message. Any failure is a
`LaunchRefused` whose message says what to fix, for the person who sees the refusal page.

The state also travels in a `SameSite=None; Secure` cookie set at login, which binds the launch
to the browser that started it (no one can make someone else's browser finish their launch).
docs/lti.md says what happens when a browser blocks that cookie inside the LMS's frame.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import jwt
from django.db import transaction
from django.utils import timezone

from lti import claims as c
from lti.models import LoginState, Platform
from lti.platform_keys import KeysUnavailable, platform_key

log = logging.getLogger("pathlens.lti")

LOGIN_MAX_AGE = timedelta(minutes=10)
CLOCK_LEEWAY = 60  # seconds of clock difference allowed between the LMS and us
STATE_COOKIE_PREFIX = "lti-state-"
LOGIN_PARAMS = (
    "iss",
    "login_hint",
    "target_link_uri",
    "lti_message_hint",
    "client_id",
    "lti_deployment_id",
)


class LaunchRefused(Exception):
    """A login or launch that must not go on; `str()` is the sentence for the refusal page."""

    def __init__(self, message: str, *, status: int = 403, retry_query: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.retry_query = retry_query  # login parameters to start again in a new window


def state_cookie_name(state: str) -> str:
    # One cookie per login: two Pathlens links on one LMS page launch side by side.
    return STATE_COOKIE_PREFIX + state[:16]


def find_platform(*, issuer: str, client_id: str = "") -> Platform:
    platforms = Platform.objects.filter(issuer=issuer)
    if client_id:
        platforms = platforms.filter(client_id=client_id)
    found = list(platforms[:2])
    if not found:
        raise LaunchRefused(
            f"No LMS with the issuer “{issuer}”"
            + (f" and client id “{client_id}”" if client_id else "")
            + " is registered in Pathlens. An administrator registers it (docs/lti.md).",
            status=403,
        )
    if len(found) > 1:
        raise LaunchRefused(
            f"Several registrations share the issuer “{issuer}”: the LMS must send its "
            "client_id with the login.",
            status=400,
        )
    return found[0]


def login_start(*, params: dict[str, str], launch_url: str) -> tuple[LoginState, str]:
    """Checks the LMS's login request; returns the new state and the URL to send the browser."""
    missing = [name for name in ("iss", "login_hint", "target_link_uri") if not params.get(name)]
    if missing:
        raise LaunchRefused(
            "The LMS's login request lacks " + ", ".join(missing) + ": check the tool's "
            "login URL in the LMS (it must be Pathlens's /lti/login/).",
            status=400,
        )
    platform = find_platform(issuer=params["iss"], client_id=params.get("client_id", ""))
    deployment = params.get("lti_deployment_id", "")
    if deployment and deployment not in platform.deployments:
        raise LaunchRefused(deployment_refusal(platform, deployment))
    LoginState.objects.filter(created_at__lt=timezone.now() - LOGIN_MAX_AGE).delete()
    kept = {name: params[name] for name in LOGIN_PARAMS if params.get(name)}
    login = LoginState.objects.create(platform=platform, login_params=kept)
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": launch_url,
        "login_hint": params["login_hint"],
        "state": login.state,
        "nonce": login.nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform.auth_login_url else "?"
    return login, platform.auth_login_url + separator + urlencode(query)


def deployment_refusal(platform: Platform, deployment: str) -> str:
    return (
        f"The deployment “{deployment}” of {platform.name} is not registered in Pathlens. "
        "An administrator adds it to the platform's deployment ids (docs/lti.md)."
    )


def _consume_state(state: str) -> LoginState:
    with transaction.atomic():
        login = (
            LoginState.objects.select_for_update()
            .select_related("platform")
            .filter(state=state, created_at__gte=timezone.now() - LOGIN_MAX_AGE)
            .first()
        )
        if login is None:
            raise LaunchRefused(
                "This launch was already used, or took longer than ten minutes. Open the "
                "activity again from your LMS."
            )
        login.delete()
    return login


def _verified_claims(platform: Platform, id_token: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError as error:
        raise LaunchRefused("The LMS sent a launch that is not a signed token.") from error
    if header.get("alg") != "RS256":
        raise LaunchRefused("The launch token is not signed with RS256, as LTI 1.3 requires.")
    try:
        key = platform_key(platform, header.get("kid"))
    except KeysUnavailable as error:
        raise LaunchRefused(str(error), status=502) from error
    if key is None:
        raise LaunchRefused(
            f"The launch token is signed with a key that {platform.name} does not publish: "
            "it was not made by this LMS."
        )
    try:
        return jwt.decode(
            id_token,
            key,
            algorithms=["RS256"],
            audience=platform.client_id,
            issuer=platform.issuer,
            leeway=CLOCK_LEEWAY,
            options={"require": ["exp", "iat", "iss", "aud", "nonce"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise LaunchRefused(
            "The launch token has expired. Open the activity again from your LMS; if this "
            "keeps happening, the LMS's clock may be wrong."
        ) from error
    except jwt.InvalidAudienceError as error:
        raise LaunchRefused(
            f"The launch token is meant for another tool, not for Pathlens's client id "
            f"“{platform.client_id}” on {platform.name}."
        ) from error
    except jwt.InvalidSignatureError as error:
        raise LaunchRefused(
            f"The launch token's signature does not match {platform.name}'s keys: it was "
            "altered or forged."
        ) from error
    except jwt.PyJWTError as error:
        raise LaunchRefused(f"The launch token was refused: {error}.") from error


def launch_check(*, id_token: str, state: str, cookie_states: set[str]) -> c.Launch:
    """The whole check of a launch; `cookie_states` are the state cookies the browser sent."""
    if not id_token or not state:
        raise LaunchRefused(
            "The launch lacks its id_token or state: open the activity from your LMS.",
            status=400,
        )
    login = _consume_state(state)
    platform = login.platform
    if state_cookie_name(state) not in cookie_states:
        raise LaunchRefused(
            "Your browser did not send back the cookie Pathlens set a moment ago (browsers "
            "may block cookies inside another site's page). Open the activity in a new window.",
            status=401,
            retry_query=urlencode(login.login_params),
        )
    claims = _verified_claims(platform, id_token)
    several = isinstance(claims["aud"], list) and len(claims["aud"]) > 1
    if several and claims.get("azp") != platform.client_id:
        raise LaunchRefused("The launch token names several audiences but not Pathlens.")
    if claims["nonce"] != login.nonce:
        raise LaunchRefused(
            "The launch token was already used (its nonce does not match this launch). Open "
            "the activity again from your LMS."
        )
    deployment = claims.get(c.DEPLOYMENT_ID, "")
    if deployment not in platform.deployments:
        raise LaunchRefused(deployment_refusal(platform, deployment))
    if claims.get(c.VERSION) != "1.3.0":
        raise LaunchRefused("The launch is not an LTI 1.3.0 launch.", status=400)
    if claims.get(c.MESSAGE_TYPE) not in (c.RESOURCE_LINK_REQUEST, c.DEEP_LINKING_REQUEST):
        raise LaunchRefused(
            f"Pathlens cannot handle an LTI message of type “{claims.get(c.MESSAGE_TYPE)}”.",
            status=400,
        )
    log.info("LTI launch from platform %s checked", platform.pk)
    return c.Launch(platform_id=platform.pk, claims=claims)
