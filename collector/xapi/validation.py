"""A statement's shape, as xAPI 1.0.3 (Data, part two) requires it, checked field by field.

Pure functions, no database: a statement comes out as a CleanStatement (what will be stored and
what the query filters read) or raises Invalid with the JSON pointer of the first problem, so a
content author reads "/context/registration: Must be a UUID" rather than "bad request". Agents are
checked by collector/xapi/agents.py, which also keeps real identities out.
"""

from __future__ import annotations

import functools
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from collector.learner_ids import LEARNER_ID
from collector.validation import (
    CANONICAL_UUID,
    TEXT_UUID,
    UNSTORABLE_TEXT,
    canonical_json,
    unstorable_text,
)
from collector.xapi import iris
from collector.xapi.agents import agent_check, agent_key
from collector.xapi.problems import Invalid, pointer

IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+")
LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
_N = r"(\d+(\.\d+)?"
DURATION = re.compile(rf"P(?!$){_N}Y)?{_N}M)?{_N}W)?{_N}D)?(T(?=\d){_N}H)?{_N}M)?{_N}S)?)?")
VERSION = re.compile(r"1\.0(\.\d+)?")
# ISO 8601 (and so xAPI) writes weeks alone: P4W, never P4W1D.
WEEKS = re.compile(r"P\d+(\.\d+)?W")
# RFC 3339 forbids the offset -00:00 ("unknown local offset"); ISO 8601 writes it -00 or -0000.
NEGATIVE_ZERO_OFFSET = re.compile(r"-00(:?00)?$")
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
STATEMENT_KEYS = {
    "id",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "stored",
    "authority",
    "version",
    "attachments",
}
SUB_STATEMENT_KEYS = {"objectType", "actor", "verb", "object", "result", "context", "timestamp"}
# Set by the LRS (and not part of the comparison of two statements with one id).
LRS_KEYS = ("stored", "authority", "version")
LRS_KEY_SET = frozenset(LRS_KEYS)
CONTEXT_KEYS = {
    "registration",
    "instructor",
    "team",
    "contextActivities",
    "revision",
    "platform",
    "language",
    "statement",
    "extensions",
}
CONTEXT_ACTIVITY_KEYS = {"parent", "grouping", "category", "other"}
RESULT_KEYS = {"score", "success", "completion", "response", "duration", "extensions"}
DEFINITION_KEYS = {
    "name",
    "description",
    "type",
    "moreInfo",
    "extensions",
    "interactionType",
    "correctResponsesPattern",
    "choices",
    "scale",
    "source",
    "target",
    "steps",
}
INTERACTION_TYPES = {
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
}
INTERACTION_COMPONENTS = ("choices", "scale", "source", "target", "steps")


@dataclass(slots=True)
class Found:
    """What the query filters need of a statement, gathered while checking it."""

    agents: list[str] = field(default_factory=list)  # actor, and an Agent/Group object
    related_agents: list[str] = field(default_factory=list)  # all the others
    activity: str = ""
    related_activities: list[str] = field(default_factory=list)
    timestamp: datetime | None = None  # as a moment, if sent


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which made building
# the three records of a statement (this, Found, statements.Mapped) a tenth of its checking.
@dataclass(slots=True)
class CleanStatement:
    statement: dict[str, Any]  # as sent, with `id`, contextActivities as lists
    statement_id: str
    timestamp: datetime | None  # None: not sent (the LRS sets it to `stored`)
    text: str  # its JSON text without `timestamp` and what the LRS sets (validation.encoded)
    found: Found
    voids: str | None  # the id of the statement a "voided" statement voids


def _extra(value: dict[str, Any], allowed: set[str], at: str, what: str) -> None:
    extra = [key for key in value if key not in allowed]
    if extra:
        raise Invalid(pointer(at, extra[0]), f"Not a property of {what}.")


def _object(value: Any, at: str, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(at, f"Must be {what} (a JSON object).")
    return value


def _iri(value: Any, at: str) -> str:
    if not isinstance(value, str) or not IRI.fullmatch(value):
        raise Invalid(at, "Must be an IRI with a scheme (such as https://…).")
    return value


def _uuid(value: Any, at: str) -> str:
    if type(value) is str and CANONICAL_UUID.fullmatch(value):
        return value  # already as str(uuid.UUID(value)) writes it
    if not isinstance(value, str) or not TEXT_UUID.fullmatch(value):
        raise Invalid(at, "Must be a UUID (8-4-4-4-12 hex digits).")
    return str(uuid.UUID(value))


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _language_map(value: Any, at: str) -> None:
    for tag, text in _object(value, at, "a language map").items():
        if not LANGUAGE_TAG.fullmatch(tag) or not isinstance(text, str):
            raise Invalid(pointer(at, tag), "Must be a language tag (en-US) mapped to text.")


def _extensions(value: Any, at: str) -> None:
    for key in _object(value, at, "an extensions object"):
        _iri(key, pointer(at, key))


def moment(value: Any, at: str) -> datetime:
    """An ISO 8601 date and time; one without an offset is taken as UTC, as the spec says."""
    text = value if isinstance(value, str) else ""
    try:
        if "T" not in text.upper() or NEGATIVE_ZERO_OFFSET.search(text):
            raise ValueError
        parsed = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(at, "Must be an ISO 8601 date and time (2026-12-06T09:30:00Z).") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _verb(value: Any, at: str) -> str:
    verb = _object(value, at, "a Verb")
    _extra(verb, {"id", "display"}, at, "a Verb")
    verb_id = _iri(verb.get("id"), pointer(at, "id"))
    if "display" in verb:
        _language_map(verb["display"], pointer(at, "display"))
    return verb_id


def _definition(value: Any, at: str) -> None:
    definition = _object(value, at, "an activity definition")
    _extra(definition, DEFINITION_KEYS, at, "an activity definition")
    for key in ("name", "description"):
        if key in definition:
            _language_map(definition[key], pointer(at, key))
    for key in ("type", "moreInfo"):
        if key in definition:
            _iri(definition[key], pointer(at, key))
    if "extensions" in definition:
        _extensions(definition["extensions"], pointer(at, "extensions"))
    kind = definition.get("interactionType")
    if kind is None:
        # The response pattern and components describe an interaction: only with its type.
        needing = [
            key for key in ("correctResponsesPattern", *INTERACTION_COMPONENTS) if key in definition
        ]
        if needing:
            raise Invalid(pointer(at, needing[0]), "Allowed only with an 'interactionType'.")
    elif not isinstance(kind, str) or kind not in INTERACTION_TYPES:
        raise Invalid(
            pointer(at, "interactionType"), f"Must be one of {sorted(INTERACTION_TYPES)}."
        )
    pattern = definition.get("correctResponsesPattern")
    if pattern is not None and not (
        isinstance(pattern, list) and all(isinstance(item, str) for item in pattern)
    ):
        raise Invalid(pointer(at, "correctResponsesPattern"), "Must be a list of strings.")
    for key in INTERACTION_COMPONENTS:
        if key in definition:
            _components(definition[key], pointer(at, key))


def _components(value: Any, at: str) -> None:
    if not isinstance(value, list):
        raise Invalid(at, "Must be a list of interaction components.")
    for index, item in enumerate(value):
        here = pointer(at, index)
        component = _object(item, here, "an interaction component")
        _extra(component, {"id", "description"}, here, "an interaction component")
        if not isinstance(component.get("id"), str) or not component["id"]:
            raise Invalid(pointer(here, "id"), "Required: a non-empty string.")
        if "description" in component:
            _language_map(component["description"], pointer(here, "description"))


def _activity(value: Any, at: str) -> str:
    activity = _object(value, at, "an Activity")
    _extra(activity, {"objectType", "id", "definition"}, at, "an Activity")
    if activity.get("objectType", "Activity") != "Activity":
        raise Invalid(pointer(at, "objectType"), "Must be 'Activity'.")
    activity_id = _iri(activity.get("id"), pointer(at, "id"))
    if "definition" in activity:
        _definition(activity["definition"], pointer(at, "definition"))
    return activity_id


def _authority_agent(value: Any, at: str) -> None:
    agent = _object(value, at, "an Agent")
    _extra(agent, {"objectType", "name", *IFIS}, at, "an Agent")
    if agent.get("objectType", "Agent") != "Agent":
        raise Invalid(pointer(at, "objectType"), "Must be 'Agent'.")
    if "name" in agent and not isinstance(agent["name"], str):
        raise Invalid(pointer(at, "name"), "Must be a string.")
    ifis = [key for key in IFIS if key in agent]
    if len(ifis) != 1:
        raise Invalid(at, "Must have exactly one of mbox, mbox_sha1sum, openid, account.")
    ifi = agent[ifis[0]]
    if ifis[0] == "account":
        account = _object(ifi, pointer(at, "account"), "an account")
        _extra(account, {"homePage", "name"}, pointer(at, "account"), "an account")
        _iri(account.get("homePage"), pointer(pointer(at, "account"), "homePage"))
        if not isinstance(account.get("name"), str):
            raise Invalid(pointer(pointer(at, "account"), "name"), "Must be a string.")
    elif not isinstance(ifi, str) or (ifis[0] == "mbox" and not ifi.startswith("mailto:")):
        raise Invalid(pointer(at, ifis[0]), "Must be a string (an mbox a mailto: IRI).")


def _authority(value: Any, at: str) -> None:
    """A sent authority is checked as the spec requires (an Agent, or for OAuth an anonymous Group
    of two Agents), then replaced by ours: it is never stored, so a real identity in it is not
    refused, only a malformed one."""
    authority = _object(value, at, "an Agent or a Group of two Agents")
    if authority.get("objectType") != "Group":
        _authority_agent(authority, at)
        return
    _extra(authority, {"objectType", "name", "member"}, at, "an authority Group")
    members = authority.get("member")
    if not isinstance(members, list) or len(members) != 2:
        raise Invalid(pointer(at, "member"), "An authority Group is anonymous, of two Agents.")
    for index, member in enumerate(members):
        _authority_agent(member, pointer(pointer(at, "member"), index))


def _statement_ref(value: dict[str, Any], at: str) -> str:
    _extra(value, {"objectType", "id"}, at, "a StatementRef")
    return _uuid(value.get("id"), pointer(at, "id"))


def _result(value: Any, at: str) -> None:
    result = _object(value, at, "a Result")
    _extra(result, RESULT_KEYS, at, "a Result")
    for key in ("success", "completion"):
        if key in result and not isinstance(result[key], bool):
            raise Invalid(pointer(at, key), "Must be true or false.")
    if "response" in result and not isinstance(result["response"], str):
        raise Invalid(pointer(at, "response"), "Must be a string.")
    duration = result.get("duration")
    if duration is not None and not (
        isinstance(duration, str)
        and DURATION.fullmatch(duration)
        and ("W" not in duration or WEEKS.fullmatch(duration))
    ):
        raise Invalid(pointer(at, "duration"), "Must be an ISO 8601 duration (PT1M30S).")
    if "extensions" in result:
        _extensions(result["extensions"], pointer(at, "extensions"))
    if "score" in result:
        _score(result["score"], pointer(at, "score"))


def _score(value: Any, at: str) -> None:
    score = _object(value, at, "a Score")
    _extra(score, {"scaled", "raw", "min", "max"}, at, "a Score")
    for key, number in score.items():
        if not _number(number):
            raise Invalid(pointer(at, key), "Must be a number.")
    if "scaled" in score and not -1 <= score["scaled"] <= 1:
        raise Invalid(pointer(at, "scaled"), "Must be from -1 to 1.")
    low, high, raw = score.get("min"), score.get("max"), score.get("raw")
    if low is not None and high is not None and low >= high:
        raise Invalid(pointer(at, "max"), "Must be greater than 'min'.")
    if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
        raise Invalid(pointer(at, "raw"), "Must be from 'min' to 'max'.")


def _context(value: Any, at: str, *, about_activity: bool, found: Found) -> None:
    context = _object(value, at, "a Context")
    _extra(context, CONTEXT_KEYS, at, "a Context")
    if "registration" in context:
        context["registration"] = _uuid(context["registration"], pointer(at, "registration"))
    if "instructor" in context:
        found.related_agents += agent_check(context["instructor"], pointer(at, "instructor"))
    if "team" in context:
        team = context["team"]
        if not isinstance(team, dict) or team.get("objectType") != "Group":
            raise Invalid(pointer(at, "team"), "Must be a Group (with objectType 'Group').")
        found.related_agents += agent_check(team, pointer(at, "team"))
    for key in ("revision", "platform"):
        if key in context:
            if not about_activity:
                raise Invalid(pointer(at, key), "Allowed only when the object is an Activity.")
            if not isinstance(context[key], str):
                raise Invalid(pointer(at, key), "Must be a string.")
    if "language" in context and not (
        isinstance(context["language"], str) and LANGUAGE_TAG.fullmatch(context["language"])
    ):
        raise Invalid(pointer(at, "language"), "Must be a language tag (such as en-US).")
    if "statement" in context:
        ref = _object(context["statement"], pointer(at, "statement"), "a StatementRef")
        if ref.get("objectType") != "StatementRef":
            raise Invalid(
                pointer(pointer(at, "statement"), "objectType"), "Must be 'StatementRef'."
            )
        _statement_ref(ref, pointer(at, "statement"))
    if "extensions" in context:
        _extensions(context["extensions"], pointer(at, "extensions"))
    if "contextActivities" in context:
        _context_activities(context, pointer(at, "contextActivities"), found)


def _context_activities(context: dict[str, Any], at: str, found: Found) -> None:
    groups = _object(context["contextActivities"], at, "a contextActivities object")
    _extra(groups, CONTEXT_ACTIVITY_KEYS, at, "contextActivities")
    for key, activities in groups.items():
        if isinstance(activities, dict):  # one Activity is allowed; it is returned as a list
            activities = groups[key] = [activities]
        if not isinstance(activities, list):
            raise Invalid(pointer(at, key), "Must be an Activity or a list of Activities.")
        for index, activity in enumerate(activities):
            found.related_activities.append(_activity(activity, pointer(pointer(at, key), index)))


def _statement_object(value: Any, at: str, found: Found, *, sub: bool) -> tuple[str, str | None]:
    """The object's type, and the id it refers to if a StatementRef."""
    target = _object(value, at, "an Activity, Agent, Group, StatementRef or SubStatement")
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        found.activity = _activity(target, at)
        found.related_activities.append(found.activity)
    elif kind in ("Agent", "Group"):
        found.agents += agent_check(target, at)
    elif kind == "StatementRef":
        return kind, _statement_ref(target, at)
    elif kind == "SubStatement" and not sub:
        inner = Found()
        _sub_statement(target, at, inner)
        found.related_agents += inner.agents + inner.related_agents
        found.related_activities += inner.related_activities
    else:
        allowed = (
            "Activity, Agent, Group or StatementRef"
            if sub
            else ("Activity, Agent, Group, StatementRef or SubStatement")
        )
        raise Invalid(pointer(at, "objectType"), f"Must be {allowed}.")
    return kind, None


def _sub_statement(value: dict[str, Any], at: str, found: Found) -> None:
    _extra(value, SUB_STATEMENT_KEYS, at, "a SubStatement")
    _core(value, at, found, sub=True)


def _core(statement: dict[str, Any], at: str, found: Found, *, sub: bool) -> tuple[str, str | None]:
    """Checks actor, verb, object, result, context, timestamp; the verb and a StatementRef id."""
    for key in ("actor", "verb", "object"):
        if key not in statement:
            raise Invalid(pointer(at, key), f"Required: the statement's {key}.")
    found.agents += agent_check(statement["actor"], pointer(at, "actor"))
    verb = _verb(statement["verb"], pointer(at, "verb"))
    kind, ref = _statement_object(statement["object"], pointer(at, "object"), found, sub=sub)
    if "result" in statement:
        _result(statement["result"], pointer(at, "result"))
    if "context" in statement:
        about_activity = kind == "Activity"
        _context(
            statement["context"], pointer(at, "context"), about_activity=about_activity, found=found
        )
    if "timestamp" in statement:
        found.timestamp = moment(statement["timestamp"], pointer(at, "timestamp"))
    return verb, ref


ATTACHMENT_KEYS = {
    "usageType",
    "display",
    "description",
    "contentType",
    "length",
    "sha2",
    "fileUrl",
}
SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"
SHA2 = re.compile(r"[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128}")


def _attachments(value: Any, at: str) -> None:
    """The attachments' metadata (Data 2.4.11); their content comes as parts of a multipart
    body (collector/xapi/attachments.py), unless they have a fileUrl."""
    if not isinstance(value, list):
        raise Invalid(at, "Must be a list of Attachment objects.")
    for index, item in enumerate(value):
        where = pointer(at, index)
        attachment = _object(item, where, "an Attachment")
        _extra(attachment, ATTACHMENT_KEYS, where, "an Attachment")
        for key in ("usageType", "display", "contentType", "length", "sha2"):
            if key not in attachment:
                raise Invalid(pointer(where, key), f"Required: the attachment's {key}.")
        usage = _iri(attachment["usageType"], pointer(where, "usageType"))
        _language_map(attachment["display"], pointer(where, "display"))
        if "description" in attachment:
            _language_map(attachment["description"], pointer(where, "description"))
        content_type = attachment["contentType"]
        if not isinstance(content_type, str) or not 1 <= len(content_type) <= 255:
            raise Invalid(pointer(where, "contentType"), "Must be a media type, like image/png.")
        if usage == SIGNATURE and content_type != "application/octet-stream":
            raise Invalid(
                pointer(where, "contentType"),
                "A signature's contentType must be application/octet-stream (Data 2.6).",
            )
        length = attachment["length"]
        if not isinstance(length, int) or isinstance(length, bool) or length < 0:
            raise Invalid(pointer(where, "length"), "Must be the content's size in bytes.")
        if not isinstance(attachment["sha2"], str) or not SHA2.fullmatch(attachment["sha2"]):
            raise Invalid(pointer(where, "sha2"), "Must be the content's SHA-2 hash, in hex.")
        if "fileUrl" in attachment:
            _iri(attachment["fileUrl"], pointer(where, "fileUrl"))


def _refuse_unstorable(statement: dict[str, Any]) -> None:
    found = unstorable_text(statement, "")
    if found is not None:
        path = "/" + re.sub(r"\[(\d+)\]", r".\1", found).replace(".", "/") if found else ""
        raise Invalid(path, f"This text {UNSTORABLE_TEXT}.")


def _without_lrs_keys(statement: dict[str, Any]) -> dict[str, Any]:
    """A copy without what the LRS sets and without `timestamp` (each is written or compared on
    its own)."""
    if LRS_KEY_SET.isdisjoint(statement):  # nearly always: a C copy, not a comprehension
        kept = dict(statement)
    else:
        kept = {key: value for key, value in statement.items() if key not in LRS_KEYS}
    kept.pop("timestamp", None)
    return kept


def _json_bytes(value: dict[str, Any], *, sort_keys: bool) -> bytes:
    """orjson's JSON text, ten times faster than Python's encoder; for an integer past 64 bits,
    which orjson refuses, Python's (canonical_json: keys sorted)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS if sort_keys else 0)
    except orjson.JSONEncodeError:
        return canonical_json(value).encode()


def encoded(statement: dict[str, Any]) -> str:
    """The statement as JSON text, in the order it was sent, without what the LRS sets and
    without `timestamp`: the stored body is this text with those appended."""
    return _json_bytes(_without_lrs_keys(statement), sort_keys=False).decode()


def comparable(statement: dict[str, Any]) -> bytes:
    """What the spec compares of two statements with one id, but for `timestamp` (compared as a
    moment, by the caller): the statement without what the LRS sets, as JSON with sorted keys, in
    which 1, 1.0 and true differ (as Python's == would not tell them apart). Only a statement
    whose id is taken is compared, so nothing is kept for it in advance."""
    return _json_bytes(_without_lrs_keys(statement), sort_keys=True)


# The only way JSON text that decoded as UTF-8 can hold a NUL or a lone surrogate is an escape:
# a body without one needs no search of every string (a literal "\\u0000" matches too, and merely
# takes the careful way).
MAYBE_UNSTORABLE = re.compile(rb"\\u(0000|[dD][89a-fA-F])")


FAST_KEYS = frozenset({"id", "actor", "verb", "object", "context", "timestamp"})
FAST_ACTOR_KEYS = frozenset({"objectType", "account"})
FAST_VERB_KEYS = frozenset({"id", "display"})
FAST_OBJECT_KEYS = frozenset({"objectType", "id"})
FAST_CONTEXT_KEYS = frozenset({"registration", "extensions"})
EMPTY: dict[str, Any] = {}
MISSING = object()  # no `id` sent (an `id` of null is not one)


# What the fast path remembers: short texts only, so that a body of long unique IRIs cannot
# make the cache hold megabytes (4,096 entries of at most 512 characters).
MAX_REMEMBERED = 512


@functools.lru_cache(maxsize=4096)
def _remembered_iri(text: str) -> bool:
    return IRI.fullmatch(text) is not None


def _plain_iri(text: str) -> bool:
    """IRI.fullmatch, remembered: a list of statements repeats a few verbs, activities and
    extension keys, and a look-up costs a fifth of the match."""
    if len(text) > MAX_REMEMBERED:
        return IRI.fullmatch(text) is not None
    return _remembered_iri(text)


@functools.lru_cache(maxsize=256)
def _remembered_tag(tag: str) -> bool:
    return LANGUAGE_TAG.fullmatch(tag) is not None


def _plain_tag(tag: str) -> bool:
    return len(tag) <= MAX_REMEMBERED and _remembered_tag(tag)


def _plain_account(actor: Any) -> str | None:
    """The opaque id of an actor that is plainly an Agent of ours, else None."""
    if type(actor) is not dict or not FAST_ACTOR_KEYS.issuperset(actor):
        return None
    account = actor.get("account")
    if (
        actor.get("objectType", "Agent") != "Agent"
        or type(account) is not dict
        or len(account) != 2
        or account.get("homePage") != iris.learner_home_page()
        or type(name := account.get("name")) is not str
        or not LEARNER_ID.fullmatch(name)
    ):
        return None
    return name


def _plain_verb(verb: Any) -> bool:
    if type(verb) is not dict or not FAST_VERB_KEYS.issuperset(verb):
        return False
    verb_id, display = verb.get("id"), verb.get("display", EMPTY)
    return (
        type(verb_id) is str
        and _plain_iri(verb_id)
        and verb_id != iris.VOIDED  # voiding takes a StatementRef: the full check's to word
        and type(display) is dict
        and all(type(text) is str and _plain_tag(tag) for tag, text in display.items())
    )


def _plain_context(context: Any) -> bool:
    if type(context) is not dict or not FAST_CONTEXT_KEYS.issuperset(context):
        return False
    # A registration of null is not an absent one: the full check refuses it.
    registration = context.get("registration", MISSING)
    extensions = context.get("extensions", EMPTY)
    return (
        registration is MISSING
        or (type(registration) is str and bool(CANONICAL_UUID.fullmatch(registration)))
    ) and (type(extensions) is dict and all(_plain_iri(key) for key in extensions))


def _plainly_valid(statement: dict[str, Any]) -> Found | None:
    """The fast path, for the shape nearly every statement of content has (an account of ours
    did something to an Activity, perhaps in a registration): what the full check would find, or
    None when it is not plainly valid (the full check then decides, and alone words problems).
    Each test is as strict as the full check's or stricter, so the two never disagree."""
    target, statement_id = statement.get("object"), statement.get("id", MISSING)
    if not (
        FAST_KEYS.issuperset(statement)
        and (name := _plain_account(statement.get("actor"))) is not None
        and _plain_verb(statement.get("verb"))
        and type(target) is dict
        and FAST_OBJECT_KEYS.issuperset(target)
        and target.get("objectType", "Activity") == "Activity"
        and type(activity := target.get("id")) is str
        and _plain_iri(activity)
        and _plain_context(statement.get("context", EMPTY))
        and (
            statement_id is MISSING
            or (type(statement_id) is str and CANONICAL_UUID.fullmatch(statement_id))
        )
    ):
        return None
    timestamp = None
    if "timestamp" in statement:
        try:
            timestamp = moment(statement["timestamp"], "")
        except Invalid:
            return None
    return Found([agent_key(name)], [], activity, [activity], timestamp)


def statement_check(value: Any, at: str = "", *, careful: bool = True) -> CleanStatement:
    """The statement, checked; `careful=False` when the body it came from has no escape that
    could make unstorable text (MAYBE_UNSTORABLE)."""
    found = _plainly_valid(value) if type(value) is dict and not careful else None
    if found is not None:
        statement = dict(value)
        if "id" not in statement:
            statement["id"] = str(uuid.uuid4())
        statement_id = statement["id"]
        return CleanStatement(
            statement, statement_id, found.timestamp, encoded(statement), found, None
        )
    statement = _object(value, at, "a Statement")
    _extra(statement, STATEMENT_KEYS, at, "a Statement")
    if "attachments" in statement:
        _attachments(statement["attachments"], pointer(at, "attachments"))
    if careful:
        _refuse_unstorable(statement)
    statement = dict(statement)
    statement_id = _uuid(statement["id"], pointer(at, "id")) if "id" in statement else None
    version = statement.get("version")
    if version is not None and not (isinstance(version, str) and VERSION.fullmatch(version)):
        raise Invalid(pointer(at, "version"), "Must be 1.0.0 to 1.0.3 (or left out).")
    if "authority" in statement:
        _authority(statement["authority"], pointer(at, "authority"))
    found = Found()
    verb, ref = _core(statement, at, found, sub=False)
    voids = None
    if verb == iris.VOIDED:
        if ref is None:
            raise Invalid(pointer(at, "object"), "A voiding statement's object is a StatementRef.")
        voids = ref
    statement_id = statement_id or str(uuid.uuid4())
    statement["id"] = statement_id
    timestamp = found.timestamp
    return CleanStatement(statement, statement_id, timestamp, encoded(statement), found, voids)
