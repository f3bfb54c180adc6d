"""Deep Linking 2.0: an instructor picks a widget in the LMS's content picker; the LMS gets a
signed resource link to it (with a line item, so its scores have a gradebook column)."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from lti import claims as c
from lti.claims import Launch
from lti.keys import sign
from lti.models import DeepLinkRequest, Platform
from lti.oidc import LaunchRefused
from widgets.registry import Widget

PICK_MAX_AGE = timedelta(minutes=30)
RESPONSE_LIFETIME = 300  # seconds: the browser posts the response straight away
LINE_ITEM_MAXIMUM = 100


def deep_link_request_create(*, launch: Launch, platform: Platform) -> DeepLinkRequest:
    settings_claim = launch.deep_linking
    return_url = settings_claim.get("deep_link_return_url") or ""
    if not return_url:
        raise LaunchRefused(
            "The LMS asked for content without saying where to send it back "
            "(no deep_link_return_url).",
            status=400,
        )
    if "ltiResourceLink" not in (settings_claim.get("accept_types") or ["ltiResourceLink"]):
        raise LaunchRefused("The LMS does not accept resource links here: nothing to pick.")
    DeepLinkRequest.objects.filter(created_at__lt=timezone.now() - PICK_MAX_AGE).delete()
    return DeepLinkRequest.objects.create(
        platform=platform,
        deployment_id=launch.deployment_id,
        return_url=return_url,
        data=str(settings_claim.get("data") or ""),
        accept_multiple=bool(settings_claim.get("accept_multiple")),
    )


def deep_link_request_use(*, request_id: str) -> DeepLinkRequest:
    """The picker's request, once: a second pick must start again from the LMS."""
    with transaction.atomic():
        found = (
            DeepLinkRequest.objects.select_for_update()
            .select_related("platform")
            .filter(
                pk=request_id,
                used_at__isnull=True,
                created_at__gte=timezone.now() - PICK_MAX_AGE,
            )
            .first()
        )
        if found is None:
            raise LaunchRefused(
                "This choice was already sent to the LMS, or the picker was open for more than "
                "half an hour. Open the content picker again from your LMS.",
                status=410,
            )
        found.used_at = timezone.now()
        found.save(update_fields=["used_at"])
    return found


def deep_link_response(*, request: DeepLinkRequest, widget: Widget, launch_url: str) -> str:
    """The signed LtiDeepLinkingResponse that the browser posts to the LMS's return URL."""
    now = int(time.time())
    item = {
        "type": "ltiResourceLink",
        "title": widget.title,
        "url": launch_url,
        "custom": {"widget": widget.id},
        "lineItem": {
            "scoreMaximum": LINE_ITEM_MAXIMUM,
            "label": widget.title,
            "resourceId": widget.id,
        },
    }
    claims = {
        "iss": request.platform.client_id,
        "aud": request.platform.issuer,
        "iat": now,
        "exp": now + RESPONSE_LIFETIME,
        "nonce": secrets.token_urlsafe(16),
        c.DEPLOYMENT_ID: request.deployment_id,
        c.MESSAGE_TYPE: c.DEEP_LINKING_RESPONSE,
        c.VERSION: "1.3.0",
        c.DEEP_LINKING_CONTENT_ITEMS: [item],
    }
    if request.data:
        claims[c.DEEP_LINKING_DATA] = request.data
    return sign(claims)
