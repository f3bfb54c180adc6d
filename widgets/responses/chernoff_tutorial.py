"""The Chernoff tutorial's wrong answers and misconceptions.

A wrong answer on a face to rebuild is a Check pressed while the face did not match; its group is
which features were off and which way ("rainfall too high · temperature too low"), a feature
within the widget's tolerance (TOLERANCE_PERCENT of its slider) counting as right. A wrong answer
to a question is the city picked.

CITIES are the faces of the reading steps, as the reducer draws them
(static/widgets/chernoff_tutorial/reducer.js; tests/widgets/test_responses.py checks they agree).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from widgets import chernoff_tutorial as lesson
from widgets.base import Event
from widgets.responses import ItemTrace, Misconception, WrongAnswer, moment, time_per_item

WIDGET_ID = lesson.WIDGET.id

CITIES: dict[str, Mapping[str, int]] = {
    "alderby": {"population": 3, "rainfall": 900, "happiness": 6, "temperature": 8},
    "brightwater": {"population": 7, "rainfall": 1800, "happiness": 7, "temperature": 24},
    "coldmere": {"population": 12, "rainfall": 600, "happiness": 4, "temperature": 2},
    "dunesfield": {"population": 18, "rainfall": 200, "happiness": 5, "temperature": 18},
    "fernhill": {"population": 5, "rainfall": 2700, "happiness": 3, "temperature": 14},
    "greystone": {"population": 9, "rainfall": 700, "happiness": 9, "temperature": 20},
    "hollowbay": {"population": 2, "rainfall": 1500, "happiness": 5, "temperature": 11},
}
# The feature each question asks about.
ASKS = {"warmest": "temperature", "most_people": "population", "happiest": "happiness",
        "rainiest": "rainfall"}  # fmt: skip
_FACE = {"population": "face width", "rainfall": "eye size", "happiness": "mouth",
         "temperature": "eyebrows"}  # fmt: skip


def _off(feature: str, value: float, target: float) -> str | None:
    """ "high" or "low" when the value is off its target by more than the tolerance, else None."""
    slider = lesson.FEATURES[feature]
    if abs(value - target) * 100 <= lesson.TOLERANCE_PERCENT * (slider["max"] - slider["min"]):
        return None
    return "high" if value > target else "low"


def trace(ordered: Sequence[Event]) -> list[ItemTrace]:
    """Every face checked and every question answered, with the wrong ones."""
    sliders: dict[str, dict[str, float]] = {step: dict(lesson.START) for step in lesson.TARGETS}
    wrong: dict[str, list[WrongAnswer]] = {}
    item_of: list[str | None] = []
    for event in ordered:
        data = event.get("data")
        data = data if isinstance(data, Mapping) else {}
        item = _item_of(data)
        item_of.append(item)
        kind = event.get("type")
        if kind == "slider_changed" and item in sliders:
            feature, value = data.get("feature"), data.get("value")
            if feature in lesson.FEATURES and isinstance(value, int | float):
                sliders[item][feature] = value
        elif kind == "match_checked" and item in sliders:
            answer = _face_missed(item, sliders[item], moment(event))
            if answer is not None:
                wrong.setdefault(item, []).append(answer)
        elif kind == "question_answered" and item is not None and item not in sliders:
            answer = _question_missed(item, data.get("choice"), moment(event))
            if answer is not None:
                wrong.setdefault(item, []).append(answer)
    spent = time_per_item(ordered, item_of)
    worked = [item for item in _ALL_ITEMS if item in spent or item in wrong]
    return [ItemTrace(item, tuple(wrong.get(item, ())), spent.get(item, 0)) for item in worked]


_ALL_ITEMS = [*lesson.TARGETS] + [
    f"{step}.{name}" for step, questions in lesson.QUESTIONS.items() for name in questions
]


def _item_of(data: Mapping) -> str | None:
    step, question = data.get("step"), data.get("question")
    if not isinstance(step, str):
        return None
    if step in lesson.TARGETS:
        return step
    questions = lesson.QUESTIONS.get(step)
    if not questions:
        return None
    # Reading the step's faces before the first answer counts for its first question.
    known = isinstance(question, str) and question in questions
    return f"{step}.{question if known else next(iter(questions))}"


def _face_missed(step: str, values: Mapping[str, float], t: int) -> WrongAnswer | None:
    target = lesson.TARGETS[step]
    off = [(f, way) for f in lesson.FEATURES if (way := _off(f, values[f], target[f]))]
    if not off:
        return None
    return WrongAnswer(
        group=tuple(off),
        words=" · ".join(f"{feature} too {way}" for feature, way in off),
        t=t,
        value={"step": step, "values": dict(values)},
    )


def _question_missed(item: str, choice: object, t: int) -> WrongAnswer | None:
    step, _, name = item.partition(".")
    question = lesson.QUESTIONS[step].get(name)
    if question is None or choice not in question["choices"] or choice == question["answer"]:
        return None
    return WrongAnswer(
        group=("chose", choice),
        words=f"chose {str(choice).title()}",
        t=t,
        value={"step": step, "question": name, "choice": choice},
    )


def top_city_by(feature: str, choices: Sequence[str]) -> str:
    return max(choices, key=lambda city: CITIES[city][feature])


def reads_another_feature(item: ItemTrace) -> int | None:
    """Picked the city that is the highest on another feature of the face: the widest face
    when asked for the warmest city."""
    for answer in item.wrong:
        if "question" not in answer.value:
            continue
        step, name = answer.value["step"], answer.value["question"]
        choices = lesson.QUESTIONS[step][name]["choices"]
        others = [f for f in lesson.FEATURES if f != ASKS[name]]
        if any(answer.value["choice"] == top_city_by(f, choices) for f in others):
            return answer.t
    return None


def wrong_way_round(item: ItemTrace) -> int | None:
    """Rebuilding a face, set a feature on the other side of its slider's middle from the
    target (big eyes for a dry city): read the feature's direction backwards."""
    for answer in item.wrong:
        if "values" not in answer.value:
            continue
        target = lesson.TARGETS[answer.value["step"]]
        for feature, slider in lesson.FEATURES.items():
            middle = (slider["min"] + slider["max"]) / 2
            value = answer.value["values"][feature]
            if (value - middle) * (target[feature] - middle) < 0:
                return answer.t
    return None


MISCONCEPTIONS = (
    Misconception(
        id="reads_another_feature",
        words="Reads another feature of the face",
        example="picks the widest face when asked for the warmest city",
        rule=reads_another_feature,
    ),
    Misconception(
        id="wrong_way_round",
        words="Reads a feature the wrong way round",
        example="gives a dry city big eyes",
        rule=wrong_way_round,
    ),
)
