"""Who is sending: an API key over HTTP Basic (how LMSs and authoring tools are configured), or a
learner token as `Authorization: Bearer` (content running in a learner's browser).

Basic's user is the key's id (`plk_<prefix>`, the first part of the key) and its password the
rest of the key (the secret); the whole key as user with an empty password works too, and so does
the key as a Bearer credential. A learner token may send statements and State documents for its
own learner only; it reads no statements (it grants appending a learner's data, nothing more).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from collector.apikeys import KEY_PREFIX, KeyRefused, api_key_check
from collector.http import ApiError
from collector.tokens import TokenRefused, learner_token_check
from collector.xapi.iris import api_key_home_page, learner_home_page

REALM = 'Basic realm="pathlens xAPI"'


@dataclass(frozen=True)
class Credential:
    tenant_id: int
    # A learner token's opaque id: the only learner it may send for. None for an API key.
    learner: str | None
    token: str | None
    authority: dict[str, Any]

    def may_write_for(self, learner: str) -> bool:
        return self.learner is None or self.learner == learner


def _refused(message: str) -> ApiError:
    return ApiError(401, message, authenticate=REALM)


def _api_key(text: str) -> Credential:
    try:
        key = api_key_check(text)
    except KeyRefused as refusal:
        raise _refused(str(refusal)) from None
    authority = {
        "objectType": "Agent",
        "account": {"homePage": api_key_home_page(), "name": key.prefix},
    }
    return Credential(key.tenant_id, None, None, authority)


def _basic(credential: str) -> Credential:
    try:
        user, _, password = base64.b64decode(credential, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise _refused("The Basic credential is not base64 of 'key id:secret'.") from None
    return _api_key(f"{user}_{password}" if password else user)


def _learner_token(token: str) -> Credential:
    try:
        grant = learner_token_check(token)
    except TokenRefused as refusal:
        raise _refused(str(refusal)) from None
    authority = {
        "objectType": "Agent",
        "account": {"homePage": learner_home_page(), "name": grant.learner},
    }
    return Credential(grant.tenant_id, grant.learner, token, authority)


def xapi_credential(request) -> Credential:
    scheme, _, credential = request.headers.get("Authorization", "").strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() == "basic" and credential:
        return _basic(credential)
    if scheme.lower() == "bearer" and credential:
        if credential.startswith(f"{KEY_PREFIX}_"):
            return _api_key(credential)
        return _learner_token(credential)
    raise _refused(
        "Send an API key as HTTP Basic (user: the key's id plk_…, password: its secret), or a "
        "learner token as 'Authorization: Bearer <token>'."
    )
