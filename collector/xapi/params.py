"""The query parameters of the xAPI resources, each checked with a message naming it."""

from __future__ import annotations

import json
from datetime import datetime

from django.http import HttpRequest

from collector.validation import TEXT_UUID
from collector.xapi.agents import agent_check, agent_key
from collector.xapi.problems import Invalid
from collector.xapi.statements import MAX_QUERY_LIMIT, Query
from collector.xapi.validation import IRI, moment

STATEMENT_QUERY = {
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
    "cursor",
}
SINGLE = {"statementId", "voidedStatementId"}
FORMATS = ("exact", "ids", "canonical")


def refuse_unknown(request: HttpRequest, allowed: set[str]) -> None:
    for name in request.GET:
        if name not in allowed:
            raise Invalid(name, f"'{name}' is not a parameter of this resource.")


def text(request: HttpRequest, name: str, *, required: bool = False) -> str | None:
    value = request.GET.get(name)
    if value is None and required:
        raise Invalid(name, f"Required: the '{name}' parameter.")
    return value


def uuid_param(request: HttpRequest, name: str, *, required: bool = False) -> str | None:
    value = text(request, name, required=required)
    if value is not None and not TEXT_UUID.fullmatch(value):
        raise Invalid(name, f"'{name}' must be a UUID.")
    return value.lower() if value else None


def iri_param(request: HttpRequest, name: str, *, required: bool = False) -> str | None:
    value = text(request, name, required=required)
    if value is not None and not IRI.fullmatch(value):
        raise Invalid(name, f"'{name}' must be an IRI.")
    return value


def moment_param(request: HttpRequest, name: str) -> datetime | None:
    value = request.GET.get(name)
    return None if value is None else moment(value, name)


def bool_param(request: HttpRequest, name: str) -> bool:
    value = request.GET.get(name, "false")
    if value not in ("true", "false"):
        raise Invalid(name, f"'{name}' must be true or false.")
    return value == "true"


def agent_param(request: HttpRequest, name: str = "agent", *, required: bool = False) -> str | None:
    """The opaque id of an Agent given as JSON."""
    value = text(request, name, required=required)
    if value is None:
        return None
    try:
        agent = json.loads(value)
    except ValueError:
        raise Invalid(name, f"'{name}' must be an Agent as JSON.") from None
    return agent_check(agent, name, group_allowed=False)[0].removeprefix("account:")


def whole_number(request: HttpRequest, name: str, maximum: int) -> int | None:
    value = request.GET.get(name)
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or int(value) > maximum:
        raise Invalid(name, f"'{name}' must be a whole number from 0 to {maximum}.")
    return int(value)


def statement_query(request: HttpRequest) -> Query:
    refuse_unknown(request, STATEMENT_QUERY)
    if request.GET.get("format", "exact") not in FORMATS:
        raise Invalid("format", f"'format' must be one of {', '.join(FORMATS)}.")
    bool_param(request, "attachments")
    agent = agent_param(request)
    return Query(
        agent=agent_key(agent) if agent else None,
        verb=iri_param(request, "verb"),
        activity=iri_param(request, "activity"),
        registration=uuid_param(request, "registration"),
        related_activities=bool_param(request, "related_activities"),
        related_agents=bool_param(request, "related_agents"),
        since=moment_param(request, "since"),
        until=moment_param(request, "until"),
        limit=whole_number(request, "limit", 10**9) or MAX_QUERY_LIMIT,
        ascending=bool_param(request, "ascending"),
        after=whole_number(request, "cursor", 2**62),
    )
