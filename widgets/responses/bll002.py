"""BLL002's wrong answers and misconceptions.

A wrong answer is a release that did not do what the challenge asked: a prediction that did not
come true, or a lever that did not balance. On a challenge to predict, it
is the prediction ("predicted it balances"); on a challenge to balance, the learner's own weights
as they were when released, pegs and masses, in any order ("2 on the left peg 1 · 1 on the right
peg 4"): the same configuration is the same wrong answer, whoever placed the weights first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from widgets import bll002
from widgets.base import Event
from widgets.responses import ItemTrace, Misconception, WrongAnswer, moment, time_per_item

WIDGET_ID = bll002.WIDGET.id
_PREDICTION_WORDS = {"left": "it tips left", "right": "it tips right", "balance": "it balances"}


def trace(ordered: Sequence[Event]) -> list[ItemTrace]:
    """Every challenge the learner started, with the releases that missed its goal."""
    lab = bll002._Lab()  # the scoring's replay of the reducer: the same releases count
    wrong: dict[int, list[WrongAnswer]] = {}
    item_of: list[str | None] = []
    started: list[int] = []
    for event in ordered:
        challenge = lab.challenge
        before = lab.releases.get(challenge.id, 0) if challenge else 0
        data = event.get("data")
        lab.now = moment(event)
        lab.apply(str(event.get("type")), data if isinstance(data, Mapping) else {})
        if lab.challenge is not None and lab.challenge is not challenge:
            started.append(lab.challenge.id)
        released = challenge is not None and lab.releases.get(challenge.id, 0) > before
        if challenge is not None and released and not _right(lab, challenge):
            wrong.setdefault(challenge.id, []).append(_missed(lab, challenge, lab.now))
        item_of.append(str(lab.challenge.id) if lab.challenge else None)
    spent = time_per_item(ordered, item_of)
    return [
        ItemTrace(str(number), tuple(wrong.get(number, ())), spent.get(str(number), 0))
        for number in dict.fromkeys(started)
    ]


def _right(lab: bll002._Lab, challenge: bll002.Challenge) -> bool:
    """A release that did what was asked: the prediction came true, or the lever balanced. (A
    challenge to predict is done after any release, so the measures count it as solved; a wrong
    prediction is still a wrong answer here.)"""
    if challenge.goal == "predict":
        return lab.prediction == lab.outcome
    return lab.outcome == "balance"


def _side(peg: int) -> str:
    return "left" if peg < 0 else "right"


def _missed(lab: bll002._Lab, challenge: bll002.Challenge, t: int) -> WrongAnswer:
    weights = tuple((peg, mass) for peg, mass, _ in lab.weights)
    value = {"goal": challenge.goal, "weights": weights, "prediction": lab.prediction,
             "outcome": lab.outcome}  # fmt: skip
    if challenge.goal == "predict":
        return WrongAnswer(
            group=("predicted", lab.prediction),
            words=f"predicted {_PREDICTION_WORDS.get(lab.prediction or '', '—')}",
            t=t,
            value=value,
        )
    placed = tuple(sorted((peg, mass) for peg, mass, fixed in lab.weights if not fixed))
    words = " · ".join(f"{mass} on the {_side(peg)} peg {abs(peg)}" for peg, mass in placed)
    words = words or "no weight placed"
    return WrongAnswer(group=("placed", placed), words=words, t=t, value=value)


def _mass_says(weights: Sequence[tuple[int, int]]) -> str:
    """Which way the lever tips for someone who weighs the sides and ignores where weights sit."""
    left = sum(mass for peg, mass in weights if peg < 0)
    right = sum(mass for peg, mass in weights if peg > 0)
    return "left" if left > right else "right" if right > left else "balance"


def ignores_distance(item: ItemTrace) -> int | None:
    """Predicted what the masses alone say, when the distances make it tip otherwise; or, to
    balance, made both sides equally heavy and the lever still tipped."""
    for answer in item.wrong:
        weights = answer.value["weights"]
        says = _mass_says(weights)
        if answer.value["goal"] == "predict":
            if answer.value["prediction"] == says != answer.value["outcome"]:
                return answer.t
        elif says == "balance" and answer.value["outcome"] != "balance":
            return answer.t
    return None


def one_side(item: ItemTrace) -> int | None:
    """To balance, put every weight on one side of the pivot."""
    for answer in item.wrong:
        if answer.value["goal"] != "balance":
            continue
        sides = {_side(peg) for peg, _ in answer.value["weights"]}
        if len(sides) == 1:
            return answer.t
    return None


MISCONCEPTIONS = (
    Misconception(
        id="ignores_distance",
        words="Ignores the distance from the pivot",
        example="expects equal weights to balance wherever they hang",
        rule=ignores_distance,
    ),
    Misconception(
        id="one_side",
        words="Puts every weight on one side",
        example="adds the weight on the side that already tips",
        rule=one_side,
    ),
)
