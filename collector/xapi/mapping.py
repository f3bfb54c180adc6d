"""Statements about our widgets ↔ events, both ways (the table is in docs/collector.md, "xAPI").

| statement                                   | event                                      |
|---------------------------------------------|--------------------------------------------|
| `id`                                        | `id`                                       |
| `actor.account.name` (an Agent)             | the learner (opaque id)                    |
| `object.id` = `<SITE_URL>/widgets/<widget>` | `widget`                                   |
| `verb.id` (iris.verb_of / event_type_of)    | `type`                                     |
| `context.registration` (a UUID), or the     | `session`                                  |
|   session extension when it is not one      |                                            |
| `timestamp` (or `stored` if not sent)       | `t`, epoch ms                              |
| `result.extensions[<data extension>]`       | `data` (`{}` if absent)                    |

A statement about a widget is checked as the event it maps onto, by the ingestion API's own
validation (collector/validation.py), and stored through its own write path, so a session
recorded through xAPI is an ordinary session: measures, replay, data requests.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from collector.validation import CANONICAL_UUID, CleanEvent, events_check
from collector.xapi import iris
from collector.xapi.problems import Invalid, pointer
from collector.xapi.validation import CleanStatement

# Where each event field comes from in the statement, to word a refusal with the statement's
# JSON pointer rather than the event's field name.
FIELD_POINTERS = {
    "id": "/id",
    "session": "/context/registration",  # or the session extension, if sent
    "widget": "/object/id",
    "type": "/verb/id",
    "t": "/timestamp",
}


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _data_pointer(field: str) -> str:
    """`data.answer` or `data[2]` (the event check's naming) as a pointer into the statement."""
    at = pointer("/result/extensions", iris.data_extension())
    for step in re.findall(r"\.([^.\[]+)|\[(\d+)\]", field.removeprefix("data")):
        at = pointer(at, step[0] or step[1])
    return at


def widget_event(clean: CleanStatement, *, stored: datetime) -> dict[str, Any] | None:
    """The event a statement about one of our widgets stands for, not yet checked; None if the
    statement is about something else. Raises Invalid for what the table cannot map."""
    statement = clean.statement
    widget = iris.widget_of(clean.found.activity) if clean.found.activity else None
    if widget is None:
        return None
    if statement["actor"].get("objectType", "Agent") != "Agent":
        raise Invalid("/actor", "A statement about a widget is one learner's: an Agent.")
    event_type = iris.event_type_of(statement["verb"]["id"])
    if event_type is None:
        raise Invalid(
            "/verb/id",
            f"Not a verb of the widget's events: use {iris.verbs_prefix()}<event type>, or the "
            'ADL verbs initialized, resumed and completed (docs/collector.md, "xAPI").',
        )
    context = statement.get("context", {})
    session = context.get("extensions", {}).get(iris.session_extension())
    if session is None:
        session = context.get("registration")
    if session is None:
        raise Invalid("/context/registration", "Required for a widget: the session's UUID.")
    extensions = statement.get("result", {}).get("extensions", {})
    return {
        "id": clean.statement_id,
        "session": session,
        "widget": widget,
        "type": event_type,
        "t": epoch_ms(clean.timestamp or stored),
        "data": extensions.get(iris.data_extension(), {}),
    }


def events_checked(raws: list[dict[str, Any]]) -> list[CleanEvent]:
    """The events checked as the ingestion API checks them, all in one call (as a batch of events
    is); the first refused raises Invalid naming the statement's field, and `index`, the event's
    place in `raws`."""
    clean, refused = events_check(raws)
    if refused:
        problem = refused[0].problems[0]
        field = problem.field
        at = FIELD_POINTERS.get(field) or (_data_pointer(field) if field.startswith("data") else "")
        raise EventInvalid(at, problem.message, refused[0].index)
    return clean


class EventInvalid(Invalid):
    """An event a statement maps onto is refused: `index` is its place in the checked list."""

    def __init__(self, at: str, message: str, index: int) -> None:
        super().__init__(at, message)
        self.index = index


def session_context(session: str) -> dict[str, Any]:
    """A registration is a UUID; a session id that is not one goes in an extension, and its
    registration is a UUID made from it (the same session, the same registration)."""
    if CANONICAL_UUID.fullmatch(session):
        return {"registration": session}
    return {
        "registration": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{iris.site()}/sessions/{session}")),
        "extensions": {iris.session_extension(): session},
    }


def event_statement(event: dict[str, Any], *, learner: str) -> dict[str, Any]:
    """An event (as collector.schemas gives them: id, session, widget, type, t, data) as the
    statement it maps onto: xAPI out."""
    statement: dict[str, Any] = {
        "id": str(event["id"]),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": iris.learner_home_page(), "name": learner},
        },
        "verb": {"id": iris.verb_of(event["type"]), "display": {"en": event["type"]}},
        "object": {"objectType": "Activity", "id": iris.widget_activity(event["widget"])},
        "context": session_context(event["session"]),
        "timestamp": datetime.fromtimestamp(event["t"] / 1000, UTC).isoformat(
            timespec="milliseconds"
        ),
    }
    if event.get("data"):
        statement["result"] = {"extensions": {iris.data_extension(): event["data"]}}
    return statement
