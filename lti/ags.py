"""Assignment and Grade Services 2.0: the OAuth2 token, the line item, the score.

The token comes from the platform's token URL by the client-credentials grant, with a client
assertion signed by the tool's key (LTI Security Framework §4.1); it is cached until a minute
before it expires. Every call raises `GradebookUnavailable` when the LMS cannot take it now
(network, 5xx, 429), which the task retries, and `GradebookRefused` when retrying cannot help.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from django.core.cache import cache

from lti import claims as c
from lti.keys import sign
from lti.models import Platform, ResourceLink

TIMEOUT = 15
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


class GradebookUnavailable(Exception):
    """The LMS could not take the call now; trying again later may work."""


class GradebookRefused(Exception):
    """The LMS refused the call; trying again will not help."""


def _checked(response: requests.Response, what: str) -> requests.Response:
    if response.status_code >= 500 or response.status_code == 429:
        raise GradebookUnavailable(f"{what}: the LMS answered {response.status_code}")
    if response.status_code >= 400:
        raise GradebookRefused(f"{what}: the LMS answered {response.status_code}")
    return response


def _call(method: str, url: str, what: str, **kwargs: Any) -> requests.Response:
    try:
        response = requests.request(method, url, timeout=TIMEOUT, **kwargs)
    except requests.RequestException as error:
        raise GradebookUnavailable(f"{what}: {type(error).__name__}") from error
    return _checked(response, what)


def _token_key(platform: Platform, scopes: list[str]) -> str:
    return f"lti-ags-token:{platform.pk}:{platform.auth_token_url}:{' '.join(sorted(scopes))}"


def access_token(platform: Platform, scopes: list[str]) -> str:
    key = _token_key(platform, scopes)
    token = cache.get(key)
    if token:
        return token
    now = int(time.time())
    assertion = sign(
        {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.auth_token_url,
            "iat": now,
            "exp": now + 300,
            "jti": secrets.token_urlsafe(16),
        }
    )
    response = _call(
        "POST",
        platform.auth_token_url,
        "access token",
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
            "scope": " ".join(scopes),
        },
    )
    payload = response.json()
    token = payload["access_token"]
    lifetime = int(payload.get("expires_in") or 3600)
    cache.set(key, token, max(lifetime - 60, 1))
    return token


def _headers(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


def lineitem_url(link: ResourceLink, widget_title: str) -> str:
    """The link's line item: the one the launch named, else found or made in the course's
    line items container (one per widget link), and remembered on the link."""
    if link.lineitem_url:
        return link.lineitem_url
    if c.AGS_LINEITEM_SCOPE not in link.ags_scopes or not link.lineitems_url:
        raise GradebookRefused("the LMS named no line item and does not let us make one")
    token = access_token(link.platform, [c.AGS_LINEITEM_SCOPE])
    found = _call(
        "GET",
        link.lineitems_url,
        "line items",
        params={"resource_link_id": link.resource_link_id},
        headers=_headers(token, Accept=LINEITEMS_TYPE),
    ).json()
    if found:
        url = found[0]["id"]
    else:
        made = _call(
            "POST",
            link.lineitems_url,
            "new line item",
            json={
                "scoreMaximum": 100,
                "label": link.title or widget_title,
                "resourceLinkId": link.resource_link_id,
                "resourceId": link.widget,
            },
            headers=_headers(token, **{"Content-Type": LINEITEM_TYPE}),
        ).json()
        url = made["id"]
    link.lineitem_url = url
    link.save(update_fields=["lineitem_url"])
    return url


def scores_url(lineitem: str) -> str:
    parts = urlsplit(lineitem)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def score_send(
    *, link: ResourceLink, lineitem: str, user_id: str, given: float | None, maximum: float | None
) -> None:
    """Posts a completed session's score (or its completion alone, when it has no score)."""
    score: dict[str, Any] = {
        "userId": user_id,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded" if given is not None else "NotReady",
        "timestamp": datetime.now(UTC).isoformat(),
    }
    if given is not None and maximum:
        score.update(scoreGiven=given, scoreMaximum=maximum)
    token = access_token(link.platform, [c.AGS_SCORE_SCOPE])
    try:
        _call(
            "POST",
            scores_url(lineitem),
            "score",
            json=score,
            headers=_headers(token, **{"Content-Type": SCORE_TYPE}),
        )
    except GradebookRefused as error:
        if "answered 401" not in str(error):
            raise
        # The LMS forgot our token before it said it would: the retry gets a new one.
        cache.delete(_token_key(link.platform, [c.AGS_SCORE_SCOPE]))
        raise GradebookUnavailable(str(error)) from error
