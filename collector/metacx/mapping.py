"""A MetaCX-style request's objects, checked, as the xAPI statements they stand for (the table is
in docs/collector.md, "MetaCX-style events").

An `eventKey` that is an event type of our widgets makes each object an event of the widget it
names: `learner`, `widget` and `session` name it, every other field is the event's `data`, and it
is checked by the ingestion API's own validation. Any other `eventKey` is an activity of its own
(`<SITE_URL>/metacx/activities/<eventKey>`), its objects statements with `score`, `completed` and
`passed` as their result, so the generic measures of other activities apply.

Pure functions, no database: the first problem raises Invalid with its JSON pointer in the
request (`/data/3/eventDate`), so nothing of a request with one bad object is stored. A field that
would carry a real person's identity (`name`, `userId`, `email`, …) is refused, and so is any text
that looks like an e-mail address: the platform side knows learners only by their opaque id.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from collector.learner_ids import learner_id_problem
from collector.validation import (
    CANONICAL_JSON,
    MAX_DATA_BYTES,
    MAX_EPOCH_MS,
    MIN_EPOCH_MS,
    SESSION_PATTERN,
    UNSTORABLE_TEXT,
    events_check,
    unstorable_text,
)
from collector.xapi import iris
from collector.xapi.mapping import event_statement, session_context
from collector.xapi.problems import Invalid
from collector.xapi.validation import CleanStatement, statement_check
from widgets.registry import all_widgets

MAX_OBJECTS = 1000
EVENT_KEY_MAX = 64
IDEMPOTENCY_KEY_MAX = 255
MAX_DEPTH = 32  # levels of objects and lists within one object
# Fields each object may carry whatever its eventKey; those naming the event type must repeat
# the body's eventKey (one event type per request).
COMMON = ("learner", "eventDate", "idempotencyKey")
TYPE_FIELDS = ("eventKey", "eventType", "type")
WIDGET_FIELDS = ("widget", "session")
RESULT_FIELDS = ("score", "completed", "passed")
# A real person's identity, compared without case, "_" or "-": refused wherever they appear.
REAL_IDENTITY = {
    "name",
    "fullname",
    "firstname",
    "lastname",
    "givenname",
    "familyname",
    "displayname",
    "username",
    "user",
    "userid",
    "email",
    "emailaddress",
    "mail",
    "mbox",
    "phone",
    "phonenumber",
    "mobile",
}
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]{2,}")
# Idempotency keys of one tenant and eventKey map onto one statement (and event) id.
NAMESPACE = uuid.UUID("8f5d2c1e-54a3-4c0b-9a7e-3e2b6f1d9c47")


@functools.cache
def widget_event_types() -> frozenset[str]:
    return frozenset(
        event_type for widget in all_widgets() for event_type in widget.all_event_schemas
    )


def activity_of(event_key: str) -> str:
    return f"{iris.site()}/metacx/activities/{quote(event_key, safe='')}"


def activity_name(event_key: str) -> str:
    """The activity's name as a teacher reads it: "unitQuiz", "unit_quiz" and "unit-quiz" are
    all "Unit quiz"."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", event_key).replace("_", " ").replace("-", " ")
    words = " ".join(words.split()).lower()
    return words[:1].upper() + words[1:] if words else event_key


def data_extension() -> str:
    """The `result.extensions` key that carries an other activity's fields beyond the result."""
    return f"{iris.site()}/metacx/extensions/data"


def verb() -> str:
    return f"{iris.site()}/metacx/verbs/recorded"


def body_check(payload: Any) -> tuple[str, list[Any]]:
    """The request's eventKey and its objects (not yet checked one by one)."""
    if not isinstance(payload, dict):
        raise Invalid("", 'The body must be a JSON object: {"eventKey": …, "data": [...]}.')
    for field in payload:
        if field not in ("eventKey", "data"):
            raise Invalid(f"/{_escaped(field)}", "Not a field of the body: send eventKey and data.")
    event_key = event_key_check(payload.get("eventKey"))
    objects = payload.get("data")
    if not isinstance(objects, list) or not 1 <= len(objects) <= MAX_OBJECTS:
        raise Invalid("/data", f"Required: a list of 1 to {MAX_OBJECTS} objects.")
    return event_key, objects


def event_key_check(value: Any) -> str:
    at = "/eventKey"
    if not isinstance(value, str) or not 1 <= len(value) <= EVENT_KEY_MAX:
        raise Invalid(at, f"Required: the event type, text of 1 to {EVENT_KEY_MAX} characters.")
    if ":" in value or "." in value:
        raise Invalid(at, "Must not contain ':' or '.'.")
    if value.startswith("$"):
        raise Invalid(at, "Must not start with '$' (reserved).")
    if unstorable_text(value, "") is not None:
        raise Invalid(at, f"This text {UNSTORABLE_TEXT}.")
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in value):
        raise Invalid(at, "Must not contain control characters or line breaks.")
    return value


def statements_of(
    *, tenant_id: int, event_key: str, objects: list[Any], received_ms: int
) -> list[CleanStatement]:
    """Each object as a checked statement, in order; Invalid names the first problem."""
    widget_kind = event_key in widget_event_types()
    cleans = []
    for index, value in enumerate(objects):
        at = f"/data/{index}"
        item = _object_check(value, at, event_key)
        statement_id = _statement_id(tenant_id, event_key, item.get("idempotencyKey"), at)
        t = _event_date(item.get("eventDate", received_ms), f"{at}/eventDate")
        learner = item["learner"]  # checked by _object_check
        if widget_kind:
            statement = _widget_statement(item, at, statement_id, event_key, t, learner)
        else:
            statement = _other_statement(item, at, statement_id, event_key, t, learner)
        try:
            cleans.append(statement_check(statement, careful=False))
        except Invalid as invalid:  # not expected: the checks above are stricter
            raise Invalid(at, f"Cannot be stored as a statement ({invalid}).") from None
    return cleans


def _escaped(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _object_check(value: Any, at: str, event_key: str) -> dict[str, Any]:
    """The object without the fields that repeat its type, its learner checked, scanned for real
    identities and unstorable text."""
    if not isinstance(value, dict):
        raise Invalid(at, "Each object must be a JSON object.")
    # First, so that a real identity sent as the learner is refused with what to send instead.
    _learner(value.get("learner"), f"{at}/learner")
    _scan(value, at)
    for field in TYPE_FIELDS:
        if field in value and value[field] != event_key:
            raise Invalid(
                f"{at}/{field}",
                f"One event type per request: this object is not a {event_key!r}; send each "
                "type in a request of its own.",
            )
    return {key: item for key, item in value.items() if key not in TYPE_FIELDS}


def _scan(value: Any, at: str, depth: int = 0) -> None:
    if depth > MAX_DEPTH and isinstance(value, dict | list):
        # Python's parser reads deeper than the checks after this one can walk.
        raise Invalid(at, f"Nested too deeply: at most {MAX_DEPTH} levels of objects and lists.")
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{at}/{_escaped(key)}"
            if unstorable_text(key, "") is not None:
                raise Invalid(at, f"A field's name {UNSTORABLE_TEXT}.")
            if re.sub(r"[_\-]", "", key).lower() in REAL_IDENTITY:
                raise Invalid(
                    here,
                    f"{key!r} would carry a real person's identity, which Pathlens never takes: "
                    "name the learner by their opaque id in 'learner' and nothing else.",
                )
            _scan(item, here, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _scan(item, f"{at}/{index}", depth + 1)
    elif isinstance(value, str):
        if unstorable_text(value, "") is not None:
            raise Invalid(at, f"This text {UNSTORABLE_TEXT}.")
        if EMAIL.search(value):
            raise Invalid(
                at,
                "This looks like an e-mail address, a real person's identity, which Pathlens "
                "never takes: name the learner by their opaque id in 'learner' only.",
            )


def _statement_id(tenant_id: int, event_key: str, key: Any, at: str) -> str:
    if key is None:
        return str(uuid.uuid4())
    if not isinstance(key, str) or not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX:
        raise Invalid(
            f"{at}/idempotencyKey", f"Must be text of 1 to {IDEMPOTENCY_KEY_MAX} characters."
        )
    return str(uuid.uuid5(NAMESPACE, f"{tenant_id}\x1f{event_key}\x1f{key}"))


def _event_date(value: Any, at: str) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise Invalid(at, "Must be a whole number of milliseconds since the epoch (1970).")
    if not MIN_EPOCH_MS <= value <= MAX_EPOCH_MS:
        raise Invalid(at, "Must be a moment from the year 2000 to 2099, in epoch milliseconds.")
    return value


def _learner(value: Any, at: str) -> str:
    """The learner, an opaque id as Pathlens issues them (collector/learner_ids.py)."""
    problem = learner_id_problem(value)
    if problem is not None:
        raise Invalid(at, problem)
    return value


def _iso(t: int) -> str:
    return datetime.fromtimestamp(t / 1000, UTC).isoformat(timespec="milliseconds")


def _widget_statement(
    item: dict[str, Any], at: str, statement_id: str, event_key: str, t: int, learner: str
) -> dict[str, Any]:
    """The statement of the widget event the object stands for, checked as an event first."""
    for field in WIDGET_FIELDS:
        if field not in item:
            raise Invalid(f"{at}/{field}", f"Required for the widget event {event_key!r}.")
    data = {key: value for key, value in item.items() if key not in (*COMMON, *WIDGET_FIELDS)}
    raw = {
        "id": statement_id,
        "session": item["session"],
        "widget": item["widget"],
        "type": event_key,
        "t": t,
        "data": data,
    }
    _, refused = events_check([raw])
    if refused:
        problem = refused[0].problems[0]
        raise Invalid(_event_pointer(at, problem.field), problem.message)
    return event_statement(raw, learner=learner)


def _event_pointer(at: str, field: str) -> str:
    """The event check's field name (`data.answer`, `data.cards[2]`, `t`) as a pointer into the
    request."""
    if field in ("widget", "session"):
        return f"{at}/{field}"
    if field == "type":  # an event type of some widget, but not of the one named
        return f"{at}/widget"
    if field == "t":
        return f"{at}/eventDate"
    steps: Iterable[tuple[str, str]] = re.findall(r"\.([^.\[]+)|\[(\d+)\]", field[4:])
    return at + "".join(f"/{_escaped(name or index)}" for name, index in steps)


def _other_statement(
    item: dict[str, Any], at: str, statement_id: str, event_key: str, t: int, learner: str
) -> dict[str, Any]:
    """A statement about the activity the eventKey names."""
    result: dict[str, Any] = {}
    score = item.get("score")
    if score is not None:
        if not isinstance(score, int | float) or isinstance(score, bool) or not 0 <= score <= 1:
            raise Invalid(f"{at}/score", "Must be a number from 0 to 1 (the scaled score).")
        result["score"] = {"scaled": score}
    for field, name in (("completed", "completion"), ("passed", "success")):
        if field in item:
            if not isinstance(item[field], bool):
                raise Invalid(f"{at}/{field}", "Must be true or false.")
            result[name] = item[field]
    rest = {
        key: value for key, value in item.items() if key not in (*COMMON, *RESULT_FIELDS, "session")
    }
    if rest:
        if len(CANONICAL_JSON.encode(rest).encode()) > MAX_DATA_BYTES:
            raise Invalid(at, f"Its other fields must be at most {MAX_DATA_BYTES // 1024} KiB.")
        result["extensions"] = {data_extension(): rest}
    statement: dict[str, Any] = {
        "id": statement_id,
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": iris.learner_home_page(), "name": learner},
        },
        "verb": {"id": verb(), "display": {"en": "recorded"}},
        "object": {
            "objectType": "Activity",
            "id": activity_of(event_key),
            "definition": {"name": {"en": activity_name(event_key)}},
        },
        "timestamp": _iso(t),
    }
    session = item.get("session")
    if session is not None:
        if not isinstance(session, str) or not SESSION_PATTERN.fullmatch(session):
            raise Invalid(
                f"{at}/session",
                "Must be 1 to 128 characters of letters, digits, '_', '.', ':' or '-'.",
            )
        statement["context"] = session_context(session)
    if result:
        statement["result"] = result
    return statement
