"""What an administrator pastes into the LMS when adding Pathlens as an LTI 1.3 tool."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def tool_urls(site_url: str | None = None) -> dict[str, str]:
    """The tool's URLs under SITE_URL, named as LMSs name them."""
    base = (site_url or settings.SITE_URL).rstrip("/")
    launch = base + reverse("lti:launch")
    return {
        "Public keyset URL (JWKS)": base + reverse("lti:jwks"),
        "Initiate login URL": base + reverse("lti:login"),
        "Target link URI / launch URL": launch,
        "Redirection URI(s)": launch,
        "Deep linking (content selection) URL": launch,
    }
