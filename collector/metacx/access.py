"""Access tokens: `POST /metacx/getToken` trades an API key's id and secret for one.

A token is Django's signed `{"key": <API key row id>, "ten": <tenant id>}` under a salt of its
own, with its signing time (TimestampSigner), valid for a day: the `expiresIn` MetaCX-style
clients expect. It names the key, never its secret, so revoking the key refuses all its tokens at
once, in every process; and a learner token (another salt) is never taken for one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

from collector.apikeys import KEY_PREFIX, KeyRefused, api_key_check
from collector.models import ApiKey

SALT = "pathlens.collector.metacx-access-token.v1"
TTL_SECONDS = 86_400
SCOPE = "events:write"
GET_ONE = "get one from POST /metacx/getToken"


class AccessRefused(Exception):
    """The message is safe to show the client; it never contains a secret."""


@dataclass(frozen=True)
class Access:
    tenant_id: int
    key_prefix: str  # the API key's public id, named as the statements' authority


def access_token_issue(*, client_id: str, client_secret: str) -> str:
    """A token for the API key `<client_id>_<client_secret>`; AccessRefused if it is no key."""
    if not client_id.startswith(f"{KEY_PREFIX}_"):
        raise AccessRefused(
            f"'clientId' must be an API key's id ({KEY_PREFIX}_<prefix>, the key's first two "
            "parts), and 'clientSecret' the rest of the key."
        )
    try:
        key = api_key_check(f"{client_id}_{client_secret}")
    except KeyRefused:
        raise AccessRefused(
            "'clientId' and 'clientSecret' are not a valid API key (wrong, or revoked)."
        ) from None
    return signing.dumps({"key": key.pk, "ten": key.tenant_id}, salt=SALT)


def access_token_check(token: str) -> Access:
    try:
        claims = signing.loads(token, salt=SALT, max_age=TTL_SECONDS)
    except signing.SignatureExpired:
        raise AccessRefused(
            f"The access token has expired (they last {TTL_SECONDS // 3600} hours); {GET_ONE}."
        ) from None
    except signing.BadSignature:
        raise AccessRefused(f"The access token is not valid; {GET_ONE}.") from None
    if not (
        isinstance(claims, dict)
        and isinstance(claims.get("key"), int)
        and isinstance(claims.get("ten"), int)
    ):
        raise AccessRefused(f"The access token is not valid; {GET_ONE}.")
    key = (
        ApiKey.objects.filter(pk=claims["key"], tenant_id=claims["ten"], is_internal=False)
        .values_list("prefix", "revoked_at")
        .first()
    )
    if key is None or key[1] is not None:
        raise AccessRefused(
            "The API key this access token was issued for has been revoked; ask for a new key."
        )
    return Access(tenant_id=claims["ten"], key_prefix=key[0])
