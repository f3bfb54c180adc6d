"""Our IRIs: the learner accounts' home page, our widgets as activities, and the table of verbs
that map onto event types (docs/collector.md, "xAPI").

Each is under the site's own address (SITE_URL), so that they are IRIs this deployment owns.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from widgets.base import LIFECYCLE_EVENT_TYPES
from widgets.registry import get_widget

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
# The platform's lifecycle events are the ADL verbs that content already sends for them.
LIFECYCLE_VERBS = {
    "session_started": "http://adlnet.gov/expapi/verbs/initialized",
    "session_resumed": "http://adlnet.gov/expapi/verbs/resumed",
    "session_completed": "http://adlnet.gov/expapi/verbs/completed",
}
LIFECYCLE_TYPES = {verb: event_type for event_type, verb in LIFECYCLE_VERBS.items()}
assert set(LIFECYCLE_VERBS) == set(LIFECYCLE_EVENT_TYPES)


@functools.cache
def site() -> str:
    """SITE_URL, read once (every statement asks several times); forgotten when a test changes
    the setting."""
    return settings.SITE_URL


@receiver(setting_changed)
def _forget_site(*, setting: str, **kwargs) -> None:
    if setting == "SITE_URL":
        for cached in (site, learner_home_page, verbs_prefix, data_extension, session_extension):
            cached.cache_clear()


@functools.cache
def learner_home_page() -> str:
    """`account.homePage` of every learner: the account's `name` is the learner's opaque id."""
    return f"{site()}/learners"


def api_key_home_page() -> str:
    """`account.homePage` of the authority of statements sent with an API key."""
    return f"{site()}/api-keys"


def widget_activity(widget_id: str) -> str:
    return f"{site()}/widgets/{widget_id}"


def widget_of(activity_id: str) -> str | None:
    """The widget an activity id names, if it is one of ours."""
    prefix = f"{site()}/widgets/"
    if not activity_id.startswith(prefix):
        return None
    widget = get_widget(activity_id[len(prefix) :])
    return widget.id if widget else None


@functools.cache
def verbs_prefix() -> str:
    return f"{site()}/xapi/verbs/"


def verb_of(event_type: str) -> str:
    return LIFECYCLE_VERBS.get(event_type) or f"{verbs_prefix()}{event_type}"


def event_type_of(verb_id: str) -> str | None:
    """The event type a verb stands for, or None if it is not one of the table's verbs."""
    if verb_id in LIFECYCLE_TYPES:
        return LIFECYCLE_TYPES[verb_id]
    prefix = verbs_prefix()
    return verb_id[len(prefix) :] if verb_id.startswith(prefix) else None


@functools.cache
def data_extension() -> str:
    """The `result.extensions` key that carries an event's `data` object."""
    return f"{site()}/xapi/extensions/data"


@functools.cache
def session_extension() -> str:
    """The `context.extensions` key that carries a session id that is not a UUID."""
    return f"{site()}/xapi/extensions/session"
