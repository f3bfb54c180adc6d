"""A track request's statements: completed as RAGE's collector completes them, bound to the
session, then stored by the xAPI endpoint's core (collector/xapi/statements.py).

RAGE's trackers send the `actor` that the start answered and object ids under its `objectId`
(`<objectId>/<target id>`), and no registration. So here a statement without `actor` gets the
session's player, one without `context.registration` gets the session's, and then each must be
the session's: the actor is the player (another learner is a 403, a name or an e-mail a 400 from
collector/xapi/agents.py), the registration the session's, the object the tracking code's
activity or one under it (a tracking code ships inside a game, so it grants as little as
possible). The list is stored whole or not at all, like any list of statements: statements about
our widgets become events, the rest are other activities.
"""

from __future__ import annotations

from typing import Any

from collector.rage.models import RageSession
from collector.rage.sessions import player_actor
from collector.xapi.problems import Invalid
from collector.xapi.statements import statements_store
from collector.xapi.validation import CleanStatement, statement_check

MAX_STATEMENTS = 1000


class NotThePlayer(Exception):
    """A statement whose actor is not the session's player (403)."""


def within(activity_id: str, activity: str) -> bool:
    """Whether an object id is the tracking code's activity or under it."""
    base = activity.rstrip("/")
    return activity_id.rstrip("/") == base or activity_id.startswith(base + "/")


def _completed(item: Any, session: RageSession) -> Any:
    if not isinstance(item, dict):
        return item  # statement_check refuses it, naming its place
    item = dict(item)
    item.setdefault("actor", player_actor(session.player.learner))
    context = item.get("context", {})
    if isinstance(context, dict) and "registration" not in context:
        item["context"] = {**context, "registration": str(session.registration)}
    return item


def _bound(clean: CleanStatement, at: str, session: RageSession) -> CleanStatement:
    statement = clean.statement
    actor = statement["actor"]
    learner = actor.get("account", {}).get("name") if "member" not in actor else None
    if actor.get("objectType", "Agent") != "Agent" or learner != session.player.learner:
        raise NotThePlayer(
            f"{at}/actor: a session sends its own player's statements only: leave the actor out, "
            "or send the `actor` that the start answered."
        )
    registration = statement["context"]["registration"]
    if registration.lower() != str(session.registration):
        raise Invalid(
            f"{at}/context/registration",
            f"Must be this session's registration, {session.registration} (or left out: it is "
            "filled in).",
        )
    target = statement["object"]
    activity = session.tracking_code.activity
    if target.get("objectType", "Activity") != "Activity":
        raise Invalid(
            f"{at}/object/objectType",
            f"Must be an Activity: the tracking code's activity {activity} or one under it.",
        )
    if not within(target["id"], activity):
        raise Invalid(
            f"{at}/object/id",
            f"Must be the tracking code's activity {activity} or an activity under it "
            f"({activity.rstrip('/')}/…).",
        )
    return clean


def rage_track(*, session: RageSession, payload: Any, careful: bool) -> list[str]:
    """Stores the statements of a track request (all or none) and answers their ids. Raises
    Invalid (400), NotThePlayer (403), collector.xapi.statements.Conflict (409)."""
    if not isinstance(payload, list) or not 1 <= len(payload) <= MAX_STATEMENTS:
        raise Invalid("", f"Statements must be an array of 1 to {MAX_STATEMENTS}: [{{…}}, {{…}}].")
    cleans = [
        _bound(statement_check(_completed(item, session), f"/{index}", careful=careful),
               f"/{index}", session)
        for index, item in enumerate(payload)
    ]  # fmt: skip
    return statements_store(
        tenant_id=session.player.tenant_id,
        cleans=cleans,
        authority=player_actor(session.player.learner),
        batch=True,
    )
