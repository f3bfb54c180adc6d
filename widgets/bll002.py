"""BLL002: balance lever lab — event types and the server-side scoring rule.

The rules mirror static/widgets/BLL002/reducer.js: eight challenges in order, each starting from a
fixed set-up; the learner places weights from the tray on pegs −4…4 (not 0), predicts, releases.
A challenge scores one point when its first release reached the goal (the right prediction, or a
balanced lever). Outcomes are recomputed from the placed weights; a client-claimed `outcome` or
`correct` is never trusted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from widgets.base import Event, Score, SessionMode, Widget
from widgets.measures import Assessment, ItemResult

PEGS = (-4, -3, -2, -1, 1, 2, 3, 4)
MASSES = (1, 2, 3)
ANSWERS = ("left", "balance", "right")
MAX_STACK = 4


@dataclass(frozen=True)
class Challenge:
    id: int
    goal: str  # "predict" | "balance"
    fixed: tuple[tuple[int, int], ...]  # (peg, mass)
    tray: Mapping[int, int]  # mass -> count
    use_all: bool
    hints: int


CHALLENGES = (
    Challenge(1, "predict", ((-3, 2), (1, 2)), {}, False, 2),
    Challenge(2, "predict", ((-4, 1), (2, 2)), {}, False, 2),
    Challenge(3, "balance", ((-2, 2),), {2: 1}, True, 2),
    Challenge(4, "balance", ((-2, 3),), {2: 1}, True, 2),
    Challenge(5, "predict", ((-3, 1), (-1, 3), (2, 2), (3, 1)), {}, False, 2),
    Challenge(6, "balance", ((-4, 1), (-1, 2)), {1: 1, 3: 1}, True, 2),
    Challenge(7, "balance", ((-1, 1), (3, 3)), {2: 2}, True, 2),
    Challenge(8, "balance", ((4, 2),), {1: 2, 2: 1, 3: 1}, True, 2),
)
BY_ID = {challenge.id: challenge for challenge in CHALLENGES}

_CHALLENGE = {"type": "integer", "minimum": 1, "maximum": len(CHALLENGES)}
_PEG = {"type": "integer", "enum": list(PEGS)}
_MASS = {"type": "integer", "enum": list(MASSES)}
_ANSWER = {"type": "string", "enum": list(ANSWERS)}


def _object(**properties: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": dict(properties),
        "required": list(properties),
        "additionalProperties": False,
    }


EVENT_SCHEMAS: dict[str, dict[str, Any]] = {
    "challenge_started": _object(challenge=_CHALLENGE),
    "weight_placed": _object(peg=_PEG, mass=_MASS),
    "weight_removed": _object(peg=_PEG, mass=_MASS),
    "prediction_made": _object(answer=_ANSWER),
    "released": _object(outcome=_ANSWER),
    "try_again": _object(challenge=_CHALLENGE),
    "hint_requested": _object(
        challenge=_CHALLENGE, hint={"type": "integer", "minimum": 1, "maximum": 2}
    ),
    "challenge_completed": _object(challenge=_CHALLENGE, correct={"type": "boolean"}),
}


def _is_int(value: Any) -> bool:
    """A whole number, as the reducer's Number.isInteger sees it: 2 and 2.0 yes, True no."""
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, int) and not isinstance(value, bool)


def outcome_of(weights: Sequence[tuple[int, int]]) -> str:
    torque = sum(peg * mass for peg, mass in weights)
    return "left" if torque < 0 else "right" if torque > 0 else "balance"


@dataclass
class _Lab:
    """Just enough of the reducer's state to know each challenge's first release."""

    phase: str = "intro"
    challenge: Challenge | None = None
    weights: list[tuple[int, int, bool]] = field(default_factory=list)  # peg, mass, fixed
    tray: dict[int, int] = field(default_factory=dict)
    prediction: str | None = None
    outcome: str | None = None
    first_correct: dict[int, bool] = field(default_factory=dict)
    completed: set[int] = field(default_factory=set)
    releases: dict[int, int] = field(default_factory=dict)  # challenge → releases (tries)
    solved_on: dict[int, int] = field(default_factory=dict)  # challenge → release that met it
    hints: dict[int, int] = field(default_factory=dict)  # challenge → hints asked for
    now: int = 0  # client t of the event being applied
    releases_at: dict[int, list[int]] = field(default_factory=dict)
    hints_at: dict[int, list[int]] = field(default_factory=dict)

    def goal_met(self) -> bool:
        if self.phase != "released" or self.challenge is None:
            return False
        return self.challenge.goal == "predict" or self.outcome == "balance"

    def apply(self, kind: str, data: Mapping[str, Any]) -> None:
        handler = getattr(self, f"_on_{kind}", None)
        if handler is not None:
            handler(data)

    def _on_challenge_started(self, data) -> None:
        number = data.get("challenge")
        challenge = BY_ID.get(number) if _is_int(number) else None
        if self.phase not in ("intro", "completed") or challenge is None:
            return
        if challenge.id != len(self.completed) + 1:
            return
        self.phase, self.challenge = "arranging", challenge
        self.weights = [(peg, mass, True) for peg, mass in challenge.fixed]
        self.tray = dict(challenge.tray)
        self.prediction = self.outcome = None

    def _on_weight_placed(self, data) -> None:
        peg, mass = data.get("peg"), data.get("mass")
        if self.phase != "arranging" or not _is_int(peg) or not _is_int(mass):
            return
        if peg not in PEGS or mass not in MASSES:
            return
        if self.tray.get(mass, 0) <= 0 or sum(1 for w in self.weights if w[0] == peg) >= MAX_STACK:
            return
        self.weights.append((peg, mass, False))
        self.tray[mass] -= 1

    def _on_weight_removed(self, data) -> None:
        peg, mass = data.get("peg"), data.get("mass")
        if self.phase != "arranging" or not _is_int(peg) or not _is_int(mass):
            return
        for index in range(len(self.weights) - 1, -1, -1):
            if self.weights[index] == (peg, mass, False):
                del self.weights[index]
                self.tray[mass] = self.tray.get(mass, 0) + 1
                return

    def _on_prediction_made(self, data) -> None:
        if self.phase == "arranging" and data.get("answer") in ANSWERS:
            self.prediction = data["answer"]

    def _on_released(self, data) -> None:
        challenge = self.challenge
        if self.phase != "arranging" or self.prediction is None or challenge is None:
            return
        if challenge.use_all and sum(self.tray.values()) != 0:
            return
        self.outcome = outcome_of([(peg, mass) for peg, mass, _ in self.weights])
        correct = (
            self.prediction == self.outcome
            if challenge.goal == "predict"
            else self.outcome == "balance"
        )
        self.phase = "released"
        self.first_correct.setdefault(challenge.id, correct)
        self.releases[challenge.id] = self.releases.get(challenge.id, 0) + 1
        self.releases_at.setdefault(challenge.id, []).append(self.now)
        # Solved when the release did what was asked: balanced it, or tipped as predicted. A
        # prediction is over after any release (the lab moves on), but a wrong one is not solved:
        # a class whose predictions were all wrong must not read "solved on the first try".
        if correct:
            self.solved_on.setdefault(challenge.id, self.releases[challenge.id])

    def _on_hint_requested(self, data) -> None:
        # As the reducer: hints come in order, each once, while the challenge is on screen.
        challenge, hint = self.challenge, data.get("hint")
        if self.phase not in ("arranging", "released") or challenge is None:
            return
        if data.get("challenge") != challenge.id or not _is_int(hint):
            return
        shown = self.hints.get(challenge.id, 0)
        if hint == shown + 1 and hint <= challenge.hints:
            self.hints[challenge.id] = hint
            self.hints_at.setdefault(challenge.id, []).append(self.now)

    def _on_try_again(self, data) -> None:
        if (
            self.phase == "released"
            and self.challenge
            and _is_int(data.get("challenge"))
            and data.get("challenge") == self.challenge.id
        ) and not self.goal_met():
            self.phase, self.prediction, self.outcome = "arranging", None, None

    def _on_challenge_completed(self, data) -> None:
        number = data.get("challenge")
        if self.challenge and _is_int(number) and number == self.challenge.id and self.goal_met():
            self.phase = "completed"
            self.completed.add(self.challenge.id)


def assess(events: Sequence[Event]) -> Assessment:
    """Per challenge: releases (tries), hints, the release that reached the goal, and one point
    when the first release did."""
    lab = _Lab()
    # Sorted by time, ties in arrival order (sorted() is stable), exactly as the widget replays.
    for event in sorted(events, key=lambda e: e.get("t", 0)):
        data = event.get("data")
        t = event.get("t", 0)
        lab.now = int(t) if isinstance(t, int | float) and not isinstance(t, bool) else 0
        lab.apply(str(event.get("type")), data if isinstance(data, Mapping) else {})
    return Assessment(
        items=tuple(
            ItemResult(
                item=str(challenge.id),
                tries=lab.releases.get(challenge.id, 0),
                hints=lab.hints.get(challenge.id, 0),
                solved_on=lab.solved_on.get(challenge.id),
                gave_up=challenge.id in lab.releases and challenge.id not in lab.solved_on,
                points=1.0 if lab.first_correct.get(challenge.id) else 0.0,
                maximum=1.0,
                tries_at=tuple(lab.releases_at.get(challenge.id, ())),
                hints_at=tuple(lab.hints_at.get(challenge.id, ())),
            )
            for challenge in CHALLENGES
        )
    )


def score(events: Sequence[Event]) -> Score:
    """One point per challenge whose first release reached its goal; maximum: all challenges."""
    return assess(events).full_score()


WIDGET = Widget(
    id="BLL002",
    title="Balance lever lab",
    description="Place weights on a lever, predict which way it tips, and find out.",
    session_mode=SessionMode.RESUME,
    event_schemas=EVENT_SCHEMAS,
    score=score,
    assess=assess,
    name_item=lambda item: f"challenge {item}",
    # Arranging weights, predicting, releasing, trying again and asking for a hint.
    work_types=frozenset(
        {
            "weight_placed",
            "weight_removed",
            "prediction_made",
            "released",
            "try_again",
            "hint_requested",
        }
    ),
)


# --- Plain words for teachers (widgets/words.py) -------------------------------------------------

# The event that starts an item, the data key that names it, and what a teacher calls one: the
# replay's compare view lines two sessions up by it.
ITEM_START = ("challenge_started", "challenge", "challenge")

EVENT_LABELS: dict[str, str] = {
    "challenge_started": "Started a challenge",
    "weight_placed": "Put on a weight",
    "weight_removed": "Took off a weight",
    "prediction_made": "Made a prediction",
    "released": "Released the lever",
    "try_again": "Tried again",
    "hint_requested": "Asked for a hint",
    "challenge_completed": "Finished a challenge",
}
_OUTCOME_WORDS = {"left": "tips left", "right": "tips right", "balance": "balances"}


def _peg_words(peg: int) -> str:
    side = "left" if peg < 0 else "right"
    return f"peg {abs(peg)} on the {side}"


def describe(event: Event) -> str:
    """One line for a teacher: "Asked for a hint on challenge 2". Falls back to the label."""
    kind = event.get("type")
    label = EVENT_LABELS.get(str(kind), str(kind))
    data = event.get("data")
    if not isinstance(data, Mapping):
        return label
    if "challenge" in data and data["challenge"] not in BY_ID:
        return label
    try:
        match kind:
            case "challenge_started":
                return f"Started challenge {data['challenge']}"
            case "weight_placed":
                return f"Put a {data['mass']}-unit weight on {_peg_words(data['peg'])}"
            case "weight_removed":
                return f"Took the {data['mass']}-unit weight off {_peg_words(data['peg'])}"
            case "prediction_made":
                return f"Predicted the lever {_OUTCOME_WORDS[data['answer']]}"
            case "released":
                return f"Released the lever: it {_OUTCOME_WORDS[data['outcome']]}"
            case "try_again":
                return f"Tried challenge {data['challenge']} again"
            case "hint_requested":
                return f"Asked for a hint on challenge {data['challenge']} (hint {data['hint']})"
            case "challenge_completed":
                goal = "reached the goal" if data["correct"] else "did not reach the goal"
                return f"Finished challenge {data['challenge']} — {goal}"
    except (KeyError, TypeError, ValueError):
        return label
    return label
