"""A Segment message → what Pathlens stores of it (the table is in docs/collector.md,
"Segment-style tracking").

- A `track` whose `properties.widget` names one of our widgets is an **event** of that widget:
  `event` is its type, `properties.session` its session, the other properties its `data`. It is
  checked by the ingestion API's own validation (collector/validation.py).
- Any other `track`, and every `page` and `screen`, is an **xAPI statement of an other activity**
  (collector/xapi/other.py gives it generic measures): the learner as actor, the event name or
  the page as activity, and only the documented properties as result and registration.
- `identify`, `group` and `alias` store nothing.

Ids come from the messageId, so a resent message is the same event or statement: a no-op.
"""

from __future__ import annotations

import re
import urllib.parse
import uuid
from typing import Any

from collector.segment.messages import Message
from collector.validation import CANONICAL_UUID, SESSION_PATTERN, CleanEvent, events_check
from collector.xapi import iris
from collector.xapi.mapping import epoch_ms
from collector.xapi.problems import Invalid, pointer
from collector.xapi.statements import iso
from collector.xapi.validation import CleanStatement, statement_check
from widgets.registry import get_widget

# Fixed, so that an id depends on the tenant and the messageId only (not on SITE_URL).
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://pathlens.invalid/segment/messageId")
EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"
# Properties of an other activity's track that become its statement's result.
RESULT_PROPERTIES = {"scaled_score": "score", "completed": "completion", "passed": "success"}
# Where each event field comes from in the message, to name the message's field in a refusal.
FIELD_POINTERS = {
    "id": "messageId",
    "session": "properties/session",
    "type": "event",
    "t": "timestamp",
}
HTTP_URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+", re.IGNORECASE)


def message_uuid(tenant_id: int, message_id: str) -> str:
    """The id of the event or statement a message becomes: the same messageId, the same id."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{tenant_id}\x1f{message_id}"))


def _at(message: Message, path: str) -> Any:
    at = message.at
    for step in path.split("/"):
        at = pointer(at, step)
    return at


def widget_event(message: Message, *, tenant_id: int, received_ms: int) -> CleanEvent | None:
    """The event a track about one of our widgets is, checked; None for anything else."""
    properties = message.fields.get("properties") or {}
    widget = properties.get("widget")
    if message.type != "track" or not isinstance(widget, str) or get_widget(widget) is None:
        return None
    raw = {
        "id": message_uuid(tenant_id, message.message_id),
        "session": properties.get("session"),
        "widget": widget,
        "type": message.fields["event"],
        "t": epoch_ms(message.timestamp) if message.timestamp else received_ms,
        "data": {
            key: value for key, value in properties.items() if key not in ("widget", "session")
        },
    }
    clean, refused = events_check([raw])
    if refused:
        problem = refused[0].problems[0]
        field = problem.field
        if field.startswith("data"):  # data.answer → properties/answer
            path = "properties" + re.sub(r"\.([^.\[]+)|\[(\d+)\]", r"/\1\2", field[4:])
        else:
            path = FIELD_POINTERS.get(field, "properties")
        raise Invalid(_at(message, path), problem.message)
    return clean[0]


def _local(kind: str, name: str) -> str:
    return f"{iris.site()}/segment/{kind}/{urllib.parse.quote(name, safe='')}"


def _page_activity(message: Message) -> tuple[str, str]:
    """A page's (or screen's) activity id and name: its URL without query or fragment (they
    often carry tokens and identities), else its name."""
    properties = message.fields.get("properties") or {}
    context = message.fields.get("context")
    page = context.get("page") if isinstance(context, dict) else None
    url = properties.get("url") or (page.get("url") if isinstance(page, dict) else None)
    name = message.fields.get("name") or properties.get("title") or properties.get("name")
    address = url.split("#")[0].split("?")[0] if isinstance(url, str) else ""
    if HTTP_URL.fullmatch(address):
        return address, name if isinstance(name, str) and name else address
    if isinstance(name, str) and name:
        return _local("pages" if message.type == "page" else "screens", name), name
    raise Invalid(
        pointer(message.at, "name"), "A page needs a name or properties.url (an http(s) URL)."
    )


def _track_activity(message: Message) -> tuple[str, str]:
    properties = message.fields.get("properties") or {}
    activity = properties.get("activity")
    if activity is None:
        return _local("activities", message.fields["event"]), message.fields["event"]
    if not isinstance(activity, str) or not 1 <= len(activity) <= 500:
        raise Invalid(
            _at(message, "properties/activity"), "Must be a string of 1 to 500 characters."
        )
    if HTTP_URL.fullmatch(activity):
        return activity, activity
    return _local("activities", activity), activity


def _result(message: Message) -> dict[str, Any]:
    properties = message.fields.get("properties") or {}
    result: dict[str, Any] = {}
    for key, field in RESULT_PROPERTIES.items():
        value = properties.get(key)
        if value is None:
            continue
        if key == "scaled_score":
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not -1 <= value <= 1
            ):
                raise Invalid(_at(message, f"properties/{key}"), "Must be a number from -1 to 1.")
            result["score"] = {"scaled": value}
        elif not isinstance(value, bool):
            raise Invalid(_at(message, f"properties/{key}"), "Must be true or false.")
        else:
            result[field] = value
    return result


def _registration(message: Message) -> str | None:
    session = (message.fields.get("properties") or {}).get("session")
    if session is None:
        return None
    if not isinstance(session, str) or not SESSION_PATTERN.fullmatch(session):
        raise Invalid(
            _at(message, "properties/session"),
            "Must be 1 to 128 characters of letters, digits, '_', '.', ':' or '-'.",
        )
    if CANONICAL_UUID.fullmatch(session):
        return session
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{iris.site()}/sessions/{session}"))


def other_statement(message: Message, *, tenant_id: int) -> CleanStatement:
    """The statement of an other activity that a track or page is, checked as /xapi/ checks one."""
    if message.type == "track":
        activity, name = _track_activity(message)
        event = message.fields["event"]
        verb = {"id": _local("events", event), "display": {"en": event}}
    else:
        activity, name = _page_activity(message)
        verb = {"id": EXPERIENCED, "display": {"en": "viewed"}}
    statement: dict[str, Any] = {
        "id": message_uuid(tenant_id, message.message_id),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": iris.learner_home_page(), "name": message.learner},
        },
        "verb": verb,
        "object": {"objectType": "Activity", "id": activity, "definition": {"name": {"en": name}}},
    }
    if message.type == "track" and (result := _result(message)):
        statement["result"] = result
    if (registration := _registration(message)) is not None:
        statement["context"] = {"registration": registration}
    if message.timestamp is not None:
        statement["timestamp"] = iso(message.timestamp)
    try:
        return statement_check(statement, "", careful=True)
    except Invalid as invalid:
        raise Invalid(
            message.at,
            f"Cannot be stored as an xAPI statement ({invalid.pointer}: {invalid.message}).",
        ) from None
