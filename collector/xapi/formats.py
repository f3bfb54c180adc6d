"""The `format` of statements answered: `exact` (as stored) and `canonical` (the same: no
language is dropped) return the statement; `ids` keeps of agents, activities and verbs only what
identifies them."""

from __future__ import annotations

from typing import Any

AGENT_TYPES = ("Agent", "Group")


def _agent_ids(agent: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {key: agent[key] for key in ("objectType", "account") if key in agent}
    if "member" in agent and "account" not in agent:  # an anonymous Group is its members
        kept["member"] = [_agent_ids(member) for member in agent["member"]]
    return kept


def _object_ids(target: dict[str, Any]) -> dict[str, Any]:
    kind = target.get("objectType", "Activity")
    if kind in AGENT_TYPES:
        return _agent_ids(target)
    if kind == "Activity":
        return {"objectType": "Activity", "id": target["id"]}
    if kind == "SubStatement":
        return {**target, **_core_ids(target)}
    return target


def _core_ids(statement: dict[str, Any]) -> dict[str, Any]:
    changed = {
        "actor": _agent_ids(statement["actor"]),
        "verb": {"id": statement["verb"]["id"]},
        "object": _object_ids(statement["object"]),
    }
    context = statement.get("context")
    if context and "contextActivities" in context:
        groups = context["contextActivities"]
        changed["context"] = {
            **context,
            "contextActivities": {
                key: [{"objectType": "Activity", "id": item["id"]} for item in items]
                for key, items in groups.items()
            },
        }
    return changed


def formatted(statement: dict[str, Any], form: str) -> dict[str, Any]:
    if form != "ids":
        return statement
    answer = {**statement, **_core_ids(statement)}
    if "authority" in statement:
        answer["authority"] = _agent_ids(statement["authority"])
    return answer
