"""Validation of an ingestion batch: shape, limits, and each event against the widget registry.

Pure functions, no database: a batch either comes out as a list of clean events or as a list of
`{index, field, message}` problems a client developer can act on.

Every event of every batch passes through here, so the common case (a well-formed event) has a
fast path that accepts only what the full check would accept unchanged; anything it is not sure
of goes through the full check, which alone words the problems (benchmarks/README.md).
"""

from __future__ import annotations

import codecs
import functools
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any, NamedTuple

import fastjsonschema

from widgets.registry import get_widget

MAX_EVENTS = 1000
MAX_DATA_BYTES = 8 * 1024
MAX_REPORTED_PROBLEMS = 100
TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
SESSION_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
# A UUID's text form (RFC 9562), either case: what JSON Schema's "uuid" format accepts. Python's
# uuid.UUID would also take braces, a urn:uuid: prefix and no hyphens.
TEXT_UUID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
# The form str(uuid.UUID(...)) gives: an id sent this way is stored as sent, without parsing.
CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False), built once.
CANONICAL_JSON = json.JSONEncoder(separators=(",", ":"), sort_keys=True, ensure_ascii=False)
# CANONICAL_JSON's C encoder, made once rather than at every encode() (which costs as much as
# encoding a statement), and without the check for cycles: only for values json.loads made.
_MAKE_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_CANONICAL_ENCODE = (
    _MAKE_ENCODER(
        # markers (no cycle check), default, string encoder, indent, separators, sort_keys,
        # skipkeys, allow_nan: as CANONICAL_JSON.iterencode passes them.
        *(None, CANONICAL_JSON.default, json.encoder.encode_basestring, None, ":", ","),
        *(True, False, True),
    )
    if _MAKE_ENCODER is not None
    else None
)
# Epoch ms between 2000-01-01 and 2100-01-01: anything outside is a unit mistake (s vs ms).
MIN_EPOCH_MS = 946_684_800_000
MAX_EPOCH_MS = 4_102_444_800_000


@dataclass(frozen=True)
class Problem:
    index: int | None
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "field": self.field, "message": self.message}


class CleanEvent(NamedTuple):
    """Immutable; a named tuple because a frozen dataclass costs several times more to build."""

    event_id: str  # canonical form: str(uuid.UUID(...))
    session: str
    widget: str
    type: str
    t: int
    data: dict[str, Any]
    data_json: str  # canonical JSON of `data`, reused for the digest and for storage


@dataclass(frozen=True)
class CleanBatch:
    sent_at: int | None
    events: list[CleanEvent]


@dataclass(frozen=True)
class RefusedEvent:
    """An event of a batch that the full check refused, with why; the rest may still be stored."""

    index: int
    raw: Any
    problems: list[Problem]


class BatchTooLarge(Exception):
    pass


class BatchInvalid(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@functools.cache
def _validator(widget_id: str, event_type: str):
    widget = get_widget(widget_id)
    schema = widget.all_event_schemas.get(event_type) if widget else None
    return fastjsonschema.compile(dict(schema)) if schema is not None else None


@functools.cache
def _known_types(widget_id: str) -> dict[str, Any]:
    """The widget's event types that the full check accepts, each with its data validator."""
    widget = get_widget(widget_id)
    return {
        event_type: _validator(widget_id, event_type)
        for event_type in widget.all_event_schemas
        if TYPE_PATTERN.match(event_type)
    }


UNSTORABLE_TEXT = (
    "holds a NUL character or a lone UTF-16 surrogate (such as \\ud800), which no database "
    "can store; send valid Unicode text"
)


def _unstorable(text: str) -> bool:
    if text.isascii():
        return "\x00" in text
    try:
        text.encode()
    except UnicodeEncodeError:
        return True
    return "\x00" in text


def unstorable_text(value: Any, path: str) -> str | None:
    """The path (`data.answer`, `learners[3]`) of the first string in `value`, key or value, that
    PostgreSQL refuses (a NUL, which JSON spells \\u0000) or that is not Unicode at all (a lone
    surrogate, which JSON lets through as \\ud800); None if there is none. A key is named by the
    object that holds it."""
    if isinstance(value, str):
        return path if _unstorable(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if _unstorable(key):
                return path
            found = unstorable_text(item, f"{path}.{key}" if path else key)
            if found is not None:
                return found
    elif isinstance(value, list):
        for position, item in enumerate(value):
            found = unstorable_text(item, f"{path}[{position}]")
            if found is not None:
                return found
    return None


def canonical_json(value: Any) -> str:
    """CANONICAL_JSON.encode(value), twice as fast, for a value json.loads made (no cycles: a
    cycle would end in RecursionError rather than ValueError)."""
    if _CANONICAL_ENCODE is None:
        return CANONICAL_JSON.encode(value)
    return "".join(_CANONICAL_ENCODE(value, 0))


def _canonical_json(data: dict[str, Any]) -> str:
    return CANONICAL_JSON.encode(data) if data else "{}"


def _clean_or_none(raw: dict[str, Any]) -> CleanEvent | None:
    """The fast path: the clean event if `raw` is plainly valid, else None (the full check decides).

    Each test is as strict as the full check's or stricter, and the values kept are the ones the
    full check would keep, so the two paths never disagree about a valid event.
    """
    event_id, session, widget_id = raw.get("id"), raw.get("session"), raw.get("widget")
    event_type, t, data = raw.get("type"), raw.get("t"), raw.get("data", {})
    if not (
        type(event_id) is str
        and CANONICAL_UUID.fullmatch(event_id)
        and type(session) is str
        and SESSION_PATTERN.fullmatch(session)
        and type(widget_id) is str
        and get_widget(widget_id) is not None
        and type(event_type) is str
        and type(t) is int
        and MIN_EPOCH_MS <= t <= MAX_EPOCH_MS
        and type(data) is dict
    ):
        return None
    validate = _known_types(widget_id).get(event_type)
    if validate is None:
        return None
    data_json = _canonical_json(data)
    # A lone surrogate cannot be encoded; a NUL is escaped as \u0000 (a literal backslash before
    # "u0000" matches too, and merely takes the careful path).
    try:
        if data and (len(data_json.encode()) > MAX_DATA_BYTES or "\\u0000" in data_json):
            return None
    except UnicodeEncodeError:
        return None
    try:
        validate(data)
    except fastjsonschema.JsonSchemaValueException:
        return None
    return CleanEvent(event_id, session, widget_id, event_type, t, data, data_json)


def _is_epoch_ms(value: Any) -> bool:
    """An integer in range; as in JSON Schema, a number with a zero fraction (1.0) is an integer."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and MIN_EPOCH_MS <= value <= MAX_EPOCH_MS
    )


def _check_event(index: int, raw: Any, problems: list[Problem]) -> CleanEvent | None:
    if not isinstance(raw, dict):
        problems.append(Problem(index, "", "Each event must be a JSON object."))
        return None
    start = len(problems)

    event_id = raw.get("id")
    parsed_id = None
    if not isinstance(event_id, str):
        problems.append(Problem(index, "id", "Required: a UUID string (the idempotency key)."))
    elif not TEXT_UUID.fullmatch(event_id):
        problems.append(
            Problem(index, "id", f"“{event_id[:60]}” is not a UUID (8-4-4-4-12 hex digits).")
        )
    else:
        parsed_id = str(uuid.UUID(event_id))

    session = raw.get("session")
    if not isinstance(session, str) or not SESSION_PATTERN.fullmatch(session):
        problems.append(
            Problem(
                index,
                "session",
                "Required: 1 to 128 characters of letters, digits, '_', '.', ':' or '-'.",
            )
        )

    widget_id = raw.get("widget")
    widget = get_widget(widget_id) if isinstance(widget_id, str) else None
    if widget is None:
        problems.append(Problem(index, "widget", f"Unknown widget {str(widget_id)[:64]!r}."))

    event_type = raw.get("type")
    if not isinstance(event_type, str) or not TYPE_PATTERN.fullmatch(event_type):
        problems.append(
            Problem(index, "type", "Required: matches ^[a-z][a-z0-9_]{0,63}$ (e.g. weight_placed).")
        )
    elif widget is not None and event_type not in widget.all_event_schemas:
        problems.append(
            Problem(index, "type", f"“{event_type}” is not an event type of widget {widget.id}.")
        )

    t = raw.get("t")
    if not _is_epoch_ms(t):
        problems.append(
            Problem(index, "t", "Required: the client time as an integer in epoch milliseconds.")
        )

    data = raw.get("data", {})
    data_json = ""
    if not isinstance(data, dict):
        problems.append(Problem(index, "data", "Must be a JSON object."))
    elif (unstorable := unstorable_text(data, "data")) is not None:
        problems.append(Problem(index, unstorable, f"This text {UNSTORABLE_TEXT}."))
    else:
        data_json = _canonical_json(data)
        if len(data_json.encode()) > MAX_DATA_BYTES:
            problems.append(Problem(index, "data", "Must be at most 8 KiB once encoded."))
        elif len(problems) == start:
            try:
                _validator(widget.id, event_type)(data)
            except fastjsonschema.JsonSchemaValueException as error:
                field = error.name or "data"  # fastjsonschema names the root "data"
                problems.append(Problem(index, field, error.message))

    if len(problems) > start:
        return None
    return CleanEvent(
        event_id=parsed_id,
        session=session,
        widget=widget.id,
        type=event_type,
        t=int(t),
        data=data,
        data_json=data_json,
    )


NESTED_TOO_DEEP = "The body is valid JSON nested too deeply to be read; events are flat objects."


class JsonUnreadable(ValueError):
    """The message says what is wrong with the body, for the person who sent it."""


def _not_json(constant: str) -> None:
    raise JsonUnreadable(f"The body is not valid JSON: {constant} is not a JSON number.")


def _utf8(body: bytes) -> str:
    """The body as UTF-8 text, which JSON exchanged between systems must be (RFC 8259, 8.1).
    Python's json would also take UTF-16, UTF-32 and a byte-order mark; a client that sends them
    is told, not guessed at."""
    if body.startswith(codecs.BOM_UTF8):
        raise JsonUnreadable(
            "The body starts with a byte-order mark (EF BB BF); send JSON as UTF-8 without one."
        )
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in body[:4]:
        raise JsonUnreadable("The body is UTF-16 or UTF-32 text; send JSON as UTF-8.")
    try:
        return body.decode()
    except UnicodeDecodeError as error:
        raise JsonUnreadable(
            f"The body is not UTF-8: byte {error.start} (0x{body[error.start]:02x}) is not part "
            "of a UTF-8 character; send JSON as UTF-8."
        ) from None


def read_json(body: bytes) -> Any:
    """json.loads, refusing what it would take but JSON has not (NaN, Infinity), and answering
    with a message, not a crash, where Python's parser gives up: nesting past its recursion limit,
    integers past its digit limit. A database would refuse NaN later, as a server error."""
    try:
        return json.loads(_utf8(body), parse_constant=_not_json)
    except JsonUnreadable:
        raise
    except json.JSONDecodeError as error:
        raise JsonUnreadable(f"The body is not valid JSON: {error}.") from None
    except RecursionError:
        raise JsonUnreadable(NESTED_TOO_DEEP) from None
    except ValueError as error:  # int's digit limit (sys.get_int_max_str_digits)
        raise JsonUnreadable(f"The body is not valid JSON here: {error}.") from None


def parse_batch(body: bytes) -> CleanBatch:
    """The whole batch, clean; raises BatchInvalid (400) if any event is invalid, or
    BatchTooLarge (413)."""
    batch, refused = parse_batch_keeping_valid(body)
    if refused:
        problems = [problem for event in refused for problem in event.problems]
        raise BatchInvalid(problems[:MAX_REPORTED_PROBLEMS])
    return batch


def parse_batch_keeping_valid(body: bytes) -> tuple[CleanBatch, list[RefusedEvent]]:
    """The batch's valid events, and the invalid ones with their problems (the ingestion API
    stores the first and quarantines the second). A batch that is wrong as a whole (not JSON,
    no events, a bad `sent_at`) raises BatchInvalid (400); too many events, BatchTooLarge (413).
    """
    try:
        return _parse_batch(body)
    except RecursionError:  # a deep `data` that the parser took and its encoder did not
        raise BatchInvalid([Problem(None, "", NESTED_TOO_DEEP)]) from None


def _parse_batch(body: bytes) -> tuple[CleanBatch, list[RefusedEvent]]:
    try:
        payload = read_json(body)
    except JsonUnreadable as error:
        raise BatchInvalid([Problem(None, "", str(error))]) from None
    if not isinstance(payload, dict):
        raise BatchInvalid([Problem(None, "", 'The body must be {"events": [...]}.')])

    sent_at = payload.get("sent_at")
    if sent_at is not None and not _is_epoch_ms(sent_at):
        raise BatchInvalid([Problem(None, "sent_at", "Must be an integer in epoch milliseconds.")])

    events = payload.get("events")
    if not isinstance(events, list):
        raise BatchInvalid([Problem(None, "events", "Required: a list of 1 to 1000 events.")])
    if not events:
        raise BatchInvalid([Problem(None, "events", "The batch is empty: send 1 to 1000 events.")])
    if len(events) > MAX_EVENTS:
        raise BatchTooLarge(f"{len(events)} events in one batch; send at most {MAX_EVENTS}.")

    clean, refused = events_check(events)
    return CleanBatch(sent_at=None if sent_at is None else int(sent_at), events=clean), refused


def events_check(events: list[Any]) -> tuple[list[CleanEvent], list[RefusedEvent]]:
    """Each event checked (fast path first): the clean ones, and the refused ones with why. The
    xAPI endpoint checks the events its statements map onto here too (collector/xapi/mapping.py)."""
    clean = []
    refused: list[RefusedEvent] = []
    problems: list[Problem] = []
    for index, raw in enumerate(events):
        event = _clean_or_none(raw) if type(raw) is dict else None
        if event is None:
            start = len(problems)
            event = _check_event(index, raw, problems)
            if event is None:
                refused.append(RefusedEvent(index, raw, problems[start:]))
        if event is not None:
            clean.append(event)
    return clean, refused
