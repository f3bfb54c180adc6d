"""A Segment message's fields, checked one by one, and the privacy refusals of this door.

Pure functions, no database. Each problem raises Invalid with the JSON pointer of the field at
fault in the body as sent (`/batch/3/userId`; `/userId` for a single-message endpoint), so the
sender reads what to fix. Only the fields below are read; the rest of a message (`context`
but for its `traits` and `page.url`, `integrations`, `anonymousId`…) is ignored and never stored.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from collector.learner_ids import OPAQUE_ID, learner_id_problem
from collector.validation import MAX_EPOCH_MS, MIN_EPOCH_MS, UNSTORABLE_TEXT, unstorable_text
from collector.xapi.problems import At, Invalid, pointer
from collector.xapi.validation import moment

# Segment's documented limits: 32 KB a message, 500 KB a batch.
MAX_MESSAGE_BYTES = 32 * 1024
MAX_BATCH_BYTES = 500 * 1024
MESSAGE_ID_MAX = 200
TYPES = ("track", "page", "screen", "identify", "group", "alias")
# What a message may carry that Pathlens reads (and, for other activities, stores).
READ_FIELDS = ("type", "messageId", "userId", "timestamp", "event", "name", "properties", "traits")
# Traits that are a real person's identity, compared without case, '_', '-' or spaces: refused
# with a 400 naming the trait, so that nobody believes Pathlens took them (docs/collector.md).
IDENTITY_TRAITS = frozenset(
    {
        "email", "name", "firstname", "lastname", "fullname", "displayname", "username",
        "phone", "mobile", "address", "street", "birthday", "dateofbirth", "avatar",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Message:
    at: At  # where it is in the body
    type: str
    message_id: str
    learner: str  # userId: an opaque id
    timestamp: datetime | None  # as sent (timestamp, else originalTimestamp)
    fields: dict[str, Any]  # the message as sent


def _text(message: dict[str, Any], key: str, at: At, maximum: int, *, required: bool) -> str | None:
    value = message.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= maximum:
        raise Invalid(pointer(at, key), f"Required: a string of 1 to {maximum} characters.")
    return value


def _learner(message: dict[str, Any], at: At) -> str:
    """The userId, an opaque id as Pathlens issues them (collector/learner_ids.py)."""
    user_id = message.get("userId")
    if user_id is None:
        raise Invalid(
            pointer(at, "userId"),
            f"Required: {OPAQUE_ID} Pathlens records learners only; a message with an "
            "anonymousId alone is refused.",
        )
    problem = learner_id_problem(user_id)
    if problem is not None:
        raise Invalid(pointer(at, "userId"), problem)
    return user_id


def _timestamp(message: dict[str, Any], at: At) -> datetime | None:
    key = "timestamp" if message.get("timestamp") is not None else "originalTimestamp"
    if message.get(key) is None:
        return None
    parsed = moment(message[key], pointer(at, key))
    if not MIN_EPOCH_MS <= parsed.timestamp() * 1000 <= MAX_EPOCH_MS:
        raise Invalid(pointer(at, key), "Must lie between the years 2000 and 2100.")
    return parsed


def traits_check(traits: Any, at: At) -> None:
    """400 naming the first trait that is a real identity; other traits pass (and are not kept)."""
    if traits is None:
        return
    if not isinstance(traits, dict):
        raise Invalid(at, "Must be an object.")
    for key in traits:
        if re.sub(r"[\s_-]", "", str(key)).lower() in IDENTITY_TRAITS:
            raise Invalid(
                pointer(at, key),
                f"'{key}' is a real identity, which Pathlens never takes; leave it out (the "
                "school's dashboard knows who the learner is).",
            )


def _size(value: dict[str, Any], at: At) -> None:
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    except RecursionError:
        raise Invalid(at, "The message is nested too deeply to be read.") from None
    # surrogatepass: a lone surrogate is refused with its field's name just after this.
    size = len(text.encode(errors="surrogatepass"))
    if size > MAX_MESSAGE_BYTES:
        raise Invalid(at, f"The message is {size} bytes; Segment's limit is 32 KB a message.")


def _storable(message: dict[str, Any], at: At) -> None:
    read = {key: message[key] for key in READ_FIELDS if key in message}
    context = message.get("context")
    if isinstance(context, dict):  # of its context, only these are read
        page = context.get("page")
        read["context"] = {
            **({"traits": context["traits"]} if "traits" in context else {}),
            **({"page": {"url": page["url"]}} if isinstance(page, dict) and "url" in page else {}),
        }
    found = unstorable_text(read, "")
    if found is not None:
        steps = re.findall(r"([^.\[\]]+)|\[(\d+)\]", found)
        for name, index in steps:
            at = pointer(at, name or int(index))
        raise Invalid(at, f"This text {UNSTORABLE_TEXT}.")


def message_check(value: Any, at: At, *, kind: str | None = None) -> Message:
    """One message of a batch (kind None: its `type` says what it is) or of a single-message
    endpoint (kind: the endpoint's type)."""
    if not isinstance(value, dict):
        raise Invalid(at, "Each message must be a JSON object.")
    _size(value, at)
    _storable(value, at)
    sent_type = value.get("type", kind)
    if kind is not None and sent_type != kind:
        raise Invalid(pointer(at, "type"), f"Must be '{kind}' (or left out) at this URL.")
    if sent_type not in TYPES:
        raise Invalid(pointer(at, "type"), f"Required: one of {', '.join(TYPES)}.")
    message_id = _text(value, "messageId", at, MESSAGE_ID_MAX, required=True)
    assert message_id is not None
    learner = _learner(value, at)
    timestamp = _timestamp(value, at)
    context = value.get("context")
    if isinstance(context, dict):
        traits_check(context.get("traits"), pointer(pointer(at, "context"), "traits"))
    if sent_type == "identify":
        traits_check(value.get("traits"), pointer(at, "traits"))
    properties = value.get("properties")
    if properties is not None and not isinstance(properties, dict):
        raise Invalid(pointer(at, "properties"), "Must be an object.")
    if sent_type == "track":
        _text(value, "event", at, 200, required=True)
    return Message(at, sent_type, message_id, learner, timestamp, value)
