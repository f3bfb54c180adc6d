"""Resource links: which widget a placement in the LMS opens, and where its grades go."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from lti import claims as c
from lti.claims import Launch
from lti.models import LtiContext, Platform, ResourceLink
from lti.oidc import LaunchRefused
from widgets.registry import Widget, get_widget


def _named_widget(launch: Launch) -> str:
    """The widget the LMS asks for: the `widget` custom parameter (what deep linking sets, or
    what an administrator types in the LMS), else `?widget=` on the target link URI."""
    named = str(launch.custom.get("widget") or "")
    if not named:
        query = parse_qs(urlsplit(str(launch.claims.get(c.TARGET_LINK_URI) or "")).query)
        named = (query.get("widget") or [""])[0]
    return named.strip()


def resource_link_record(
    *, launch: Launch, platform: Platform, context: LtiContext | None
) -> ResourceLink:
    """The launch's resource link, made or brought up to date (title, widget, grade URLs)."""
    link_id = str(launch.resource_link.get("id") or "")
    if not link_id:
        raise LaunchRefused("The LMS launched without a resource link id.", status=400)
    link, _ = ResourceLink.objects.get_or_create(platform=platform, resource_link_id=link_id)
    ags = launch.ags
    link.context = context
    link.title = str(launch.resource_link.get("title") or "")[:255]
    link.widget = _named_widget(launch)[:64] or link.widget
    link.lineitem_url = str(ags.get("lineitem") or "")[:500]
    link.lineitems_url = str(ags.get("lineitems") or "")[:500]
    link.ags_scopes = [str(scope) for scope in ags.get("scope") or []]
    link.save()
    return link


def link_widget(link: ResourceLink) -> Widget:
    widget = get_widget(link.widget) if link.widget else None
    if widget is None:
        raise LaunchRefused(
            "This link in your LMS does not say which Pathlens activity to open. Your teacher "
            "picks one in the LMS's content picker, or sets the custom parameter widget=… "
            "(docs/lti.md).",
            status=404,
        )
    return widget


def link_grades(link: ResourceLink) -> bool:
    """Whether the LMS lets us send scores for this link."""
    return c.AGS_SCORE_SCOPE in link.ags_scopes and bool(link.lineitem_url or link.lineitems_url)
