"""Who a statement may name: learners by their opaque id, and nobody by a real identity.

The platform side never holds a real learner id (docs/ARCHITECTURE, "Opaque ids directive"), so
every Agent and Group in a statement or a State request must be identified the way the school
side names learners to the platform: `{"account": {"homePage": <learner home page>, "name":
<opaque id>}}`, the opaque id in the form Pathlens issues (collector/learner_ids.py), so that a
school's own student number cannot pass for one. An `mbox`, `mbox_sha1sum`, `openid` or `name`
is refused with a 400 naming the field, whatever the credential: a hashed e-mail is still the
e-mail of a real person (it can be looked up), and a name is one. Content that only knows real
identities is launched through the school side, which gives it the learner's opaque id
(docs/collector.md, "xAPI").
"""

from __future__ import annotations

from typing import Any, cast

from collector.learner_ids import learner_id_problem
from collector.xapi.iris import learner_home_page
from collector.xapi.problems import Invalid, pointer

REAL_IDENTITY = ("mbox", "mbox_sha1sum", "openid", "name")
AGENT_KEYS = {"objectType", "account", *REAL_IDENTITY}
GROUP_KEYS = {*AGENT_KEYS, "member"}


def agent_key(opaque_id: str) -> str:
    """How an agent is filed for queries and State documents."""
    return f"account:{opaque_id}"


def _refuse_real_identity(agent: dict[str, Any], at: str) -> None:
    for field in REAL_IDENTITY:
        if field in agent:
            raise Invalid(
                pointer(at, field),
                f"'{field}' is a real identity, which Pathlens never takes; name the learner by "
                f'their opaque id: {{"account": {{"homePage": "{learner_home_page()}", '
                '"name": "<opaque id>"}}.',
            )


def _account(value: Any, at: str) -> str:
    """The opaque id of a valid account of ours."""
    if not isinstance(value, dict):
        raise Invalid(at, "Must be an object with 'homePage' and 'name'.")
    extra = set(value) - {"homePage", "name"}
    if extra:
        raise Invalid(pointer(at, sorted(extra)[0]), "Not a property of an account.")
    home_page, name = value.get("homePage"), value.get("name")
    if home_page != learner_home_page():
        raise Invalid(
            pointer(at, "homePage"),
            f'Must be "{learner_home_page()}": Pathlens knows learners only by their opaque id '
            "under this home page.",
        )
    problem = learner_id_problem(name)
    if problem is not None:
        raise Invalid(pointer(at, "name"), problem)
    return cast(str, name)  # learner_id_problem takes only a string


def agent_check(value: Any, at: str, *, group_allowed: bool = True) -> list[str]:
    """The keys of the agents an Agent or Group names (an identified Group's own key first, then
    its members'); raises Invalid for anything else."""
    if not isinstance(value, dict):
        raise Invalid(at, "Must be an Agent or Group object.")
    object_type = value.get("objectType", "Agent")
    if object_type == "Group" and group_allowed:
        return _group_check(value, at)
    if object_type != "Agent":
        allowed = "'Agent' or 'Group'" if group_allowed else "'Agent'"
        raise Invalid(pointer(at, "objectType"), f"Must be {allowed}.")
    extra = set(value) - AGENT_KEYS
    if extra:
        raise Invalid(pointer(at, sorted(extra)[0]), "Not a property of an Agent.")
    _refuse_real_identity(value, at)
    if "account" not in value:
        raise Invalid(pointer(at, "account"), "Required: the learner's account (opaque id).")
    return [agent_key(_account(value["account"], pointer(at, "account")))]


def _group_check(value: dict[str, Any], at: str) -> list[str]:
    extra = set(value) - GROUP_KEYS
    if extra:
        raise Invalid(pointer(at, sorted(extra)[0]), "Not a property of a Group.")
    _refuse_real_identity(value, at)
    keys = []
    if "account" in value:
        keys.append(agent_key(_account(value["account"], pointer(at, "account"))))
    members = value.get("member")
    if members is None and not keys:
        raise Invalid(pointer(at, "member"), "Required in an anonymous Group: a list of Agents.")
    if members is not None:
        if not isinstance(members, list) or (not members and not keys):
            raise Invalid(pointer(at, "member"), "Must be a non-empty list of Agents.")
        for index, member in enumerate(members):
            at_member = pointer(pointer(at, "member"), index)
            keys.extend(agent_check(member, at_member, group_allowed=False))
    return keys
