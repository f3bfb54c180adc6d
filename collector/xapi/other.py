"""Other activities: generic measures of what learners did in content that is not one of our
widgets (an H5P quiz, a simulation), read from its xAPI statements.

Statements about our widgets become events and get the widgets' own measures; the others are
only statements, so they get measures any xAPI content can give, per (learner, activity):
attempts (registrations), completed, passed, the best `result.score.scaled`, active time and the
last statement's time. `generic_measures` is the pure rule (tests/xapi/test_other_activities.py
feeds it hand-made statements); `other_activities_of` is the API's read, shared by
`POST /api/v1/learners/other-activities` and the local client.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any

from collector import datarequests, schemas
from collector.selectors import learners_list
from collector.xapi.models import Statement
from core.measures import measure_rules

ADL = "http://adlnet.gov/expapi/verbs/"
# Verbs that end an attempt (a "failed" attempt was completed too), and the one that passes it.
COMPLETING_VERBS = {ADL + "completed", ADL + "passed", ADL + "failed"}
PASSING_VERB = ADL + "passed"
NAME_MAX = 200  # characters of an activity's name kept for a column heading


def activity_name(activity: str, definition: dict[str, Any] | None) -> str:
    """The activity's `definition.name` (its English entry, else the first one), else the last
    part of its id's path ("quiz-7" for https://content.example/h5p/quiz-7)."""
    names = (definition or {}).get("name") or {}
    if isinstance(names, dict) and names:
        english = [value for key, value in names.items() if key.lower().split("-")[0] == "en"]
        chosen = (english or list(names.values()))[0]
        if isinstance(chosen, str) and chosen.strip():
            return chosen.strip()[:NAME_MAX]
    tail = activity.split("?")[0].split("#")[0].rstrip("/").rsplit("/", 1)[-1]
    return (tail.rsplit(":", 1)[-1] or activity)[:NAME_MAX]


def _ms(timestamp: str) -> int:
    return int(datetime.fromisoformat(timestamp).timestamp() * 1000)


@dataclass
class _Measures:
    learner: str
    activity: str
    name: str = ""
    completed: bool = False
    passed: bool = False
    best_score: float | None = None
    times: dict[str, list[int]] = field(default_factory=dict)  # registration → statement times

    def add(self, statement: dict[str, Any]) -> None:
        definition = statement["object"].get("definition")
        if not self.name or (definition or {}).get("name"):  # a later name wins, not its absence
            self.name = activity_name(self.activity, definition)
        registration = (statement.get("context") or {}).get("registration") or ""
        self.times.setdefault(registration, []).append(_ms(statement["timestamp"]))
        result = statement.get("result") or {}
        verb = statement["verb"]["id"]
        self.completed |= result.get("completion") is True or verb in COMPLETING_VERBS
        success = result.get("success")
        self.passed |= success is True or (verb == PASSING_VERB and success is not False)
        scaled = (result.get("score") or {}).get("scaled")
        if isinstance(scaled, int | float) and not isinstance(scaled, bool):
            self.best_score = scaled if self.best_score is None else max(self.best_score, scaled)

    def attempt(self, idle_cap_ms: int) -> dict[str, Any]:
        """As an attempt (one registration's statements): `answer` with its start, end,
        registration and statement count."""
        ((registration, times),) = self.times.items()
        return {
            **self.answer(idle_cap_ms),
            "registration": registration,
            "start": min(times),
            "end": max(times),
            "statements": len(times),
        }

    def answer(self, idle_cap_ms: int) -> dict[str, Any]:
        active = 0
        for times in self.times.values():
            ordered = sorted(times)
            active += sum(min(b - a, idle_cap_ms) for a, b in pairwise(ordered))
        return {
            "learner": self.learner,
            "activity": self.activity,
            "name": self.name,
            "attempts": len(self.times),
            "completed": self.completed,
            "passed": self.passed,
            "best_score": self.best_score,
            "active_ms": active,
            "last_time": max(max(times) for times in self.times.values()),
        }


def generic_measures(statements: Iterable[dict[str, Any]], *, idle_cap_ms: int) -> list[dict]:
    """Per (learner, activity) of these statements (as the LRS answers them: actor an account,
    object an Activity, with a timestamp), in the order first met:

    - `attempts`: registrations (statements without one count together as one attempt);
    - `completed`: a statement with `result.completion` true, or verb completed/passed/failed;
    - `passed`: one with `result.success` true, or verb passed without `success: false`;
    - `best_score`: the highest `result.score.scaled` (-1 to 1), None when none has a score;
    - `active_ms`: within each registration, the gaps between consecutive statements, each
      capped at `idle_cap_ms` (the widgets' idle cap), added up over the registrations;
    - `last_time`: the latest statement's timestamp, in ms since the epoch.
    """
    found: dict[tuple[str, str], _Measures] = {}
    for statement in statements:
        learner = statement["actor"]["account"]["name"]
        activity = statement["object"]["id"]
        key = (learner, activity)
        if key not in found:
            found[key] = _Measures(learner=learner, activity=activity)
        found[key].add(statement)
    return [measures.answer(idle_cap_ms) for measures in found.values()]


def generic_attempts(statements: Iterable[dict[str, Any]], *, idle_cap_ms: int) -> list[dict]:
    """Per (learner, activity, registration) of these statements, in the order first met: one
    attempt, with `generic_measures`' measures of it (its `attempts` is 1) and its `registration`
    ("" for the statements without one), `start` and `end` (first and last statement times, ms)
    and `statements` (how many)."""
    found: dict[tuple[str, str, str], _Measures] = {}
    for statement in statements:
        learner = statement["actor"]["account"]["name"]
        activity = statement["object"]["id"]
        key = (learner, activity, (statement.get("context") or {}).get("registration") or "")
        if key not in found:
            found[key] = _Measures(learner=learner, activity=activity)
        found[key].add(statement)
    return [measures.attempt(idle_cap_ms) for measures in found.values()]


def other_activities_of(payload: dict[str, Any], *, tenant_id: int) -> list[dict[str, Any]]:
    """The generic measures of the listed learners of the tenant in activities that are not our
    widgets, from their statements not voided; learners with none are not in the answer."""
    ids = {schemas.opaque_id(value, "learners") for value in learners_list(payload)}
    bodies = (
        Statement.objects.using(datarequests.ALIAS)
        .filter(tenant_id=tenant_id, learner__in=ids, widget="", voided=False)
        .exclude(activity="")
        .order_by("timestamp", "seq")
        .values_list("body", flat=True)
    )
    return generic_measures(
        (json.loads(body) for body in bodies.iterator(chunk_size=2000)),
        idle_cap_ms=measure_rules().idle_cap_ms,
    )
