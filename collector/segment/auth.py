"""Who is sending: a Segment write key as HTTP Basic, user = the key and an empty password (what
every Segment SDK sends: `Authorization: Basic base64("<writeKey>:")`).

A `writeKey` in the body (which the Python SDK also sends) is not read: the header is the
credential, so a body never decides whose data it is.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from collector.http import ApiError
from collector.segment.keys import WriteKeyRefused, write_key_check
from collector.xapi.iris import site

REALM = 'Basic realm="pathlens segment"'
HOW = "Send the write key as HTTP Basic: user = the write key, password empty."


@dataclass(frozen=True)
class Sender:
    tenant_id: int
    key_id: int

    @property
    def authority(self) -> dict[str, Any]:
        """The authority of the statements it sends: the key's row, never the key itself (which
        would then be readable through /xapi/ and forwarded to other LRSs)."""
        home_page = f"{site()}/segment/write-keys"
        return {"objectType": "Agent", "account": {"homePage": home_page, "name": str(self.key_id)}}


def _refused(message: str) -> ApiError:
    return ApiError(401, message, authenticate=REALM)


def segment_sender(request: HttpRequest) -> Sender:
    scheme, _, credential = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "basic" or not credential.strip():
        raise _refused(f"No write key. {HOW}")
    try:
        user = base64.b64decode(credential.strip(), validate=True).decode().partition(":")[0]
    except (binascii.Error, UnicodeDecodeError):
        raise _refused(f"The Basic credential is not base64 of 'writeKey:'. {HOW}") from None
    try:
        key = write_key_check(user)
    except WriteKeyRefused as refusal:
        raise _refused(str(refusal)) from None
    return Sender(tenant_id=key.tenant_id, key_id=key.pk)
