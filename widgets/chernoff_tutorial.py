"""chernoff_tutorial: a guided tutorial on reading data drawn as Chernoff faces.

Four data features of a city each drive one feature of a cartoon face: population → face width,
rainfall → eye size, happiness → mouth curve, temperature → eyebrow slant. The learner goes
through eight steps in three groups: learn the mapping with sliders (`explore_*`), rebuild a
target city's face with the sliders and press Check (`match_*`), and answer questions by reading
a row of faces (`read_*`); a last step sums up and ends the session.

Slider values in events are in the feature's own units (°C, mm a year, …). A face matches its
target when every slider is within TOLERANCE_PERCENT of that slider's range.

The browser's reducer (static/widgets/chernoff_tutorial/reducer.js) holds the same lesson; its
`scoringFacts()` must equal `scoring_facts()` below, which tests/widgets/test_chernoff_tutorial.py
checks. Scoring replays the slider values in the stream and ignores what the browser claims about
a check (`distance`, `matched`, `attempt`), so a tampered client gains nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from widgets.base import Event, Score, SessionMode, Widget
from widgets.measures import Assessment, ItemResult

TOLERANCE_PERCENT = 10

# feature → its slider: range and step, in the feature's own units.
FEATURES: dict[str, Mapping[str, int]] = {
    "population": {"min": 1, "max": 20, "step": 1},  # million people
    "rainfall": {"min": 0, "max": 3000, "step": 100},  # mm a year
    "happiness": {"min": 0, "max": 10, "step": 1},  # out of 10
    "temperature": {"min": 0, "max": 30, "step": 1},  # °C on average
}
START = {"population": 10, "rainfall": 1500, "happiness": 5, "temperature": 15}

STEPS = (
    "welcome",
    "explore_size",
    "explore_mood",
    "match_1",
    "match_2",
    "read_1",
    "read_2",
    "finish",
)
ALL_FEATURES = tuple(FEATURES)
# Steps with sliders, and which sliders each one has.
SLIDER_STEPS: dict[str, tuple[str, ...]] = {
    "explore_size": ("population", "rainfall"),
    "explore_mood": ("happiness", "temperature"),
    "match_1": ALL_FEATURES,
    "match_2": ALL_FEATURES,
}
# The city each match step asks the learner to rebuild (Sunhaven, then Mistport).
TARGETS: dict[str, Mapping[str, int]] = {
    "match_1": {"population": 4, "rainfall": 300, "happiness": 8, "temperature": 27},
    "match_2": {"population": 16, "rainfall": 2600, "happiness": 3, "temperature": 6},
}
# read step → question → the cities to choose from and the right one.
QUESTIONS: dict[str, dict[str, Mapping[str, Any]]] = {
    "read_1": {
        "warmest": {
            "choices": ("alderby", "brightwater", "coldmere", "dunesfield"),
            "answer": "brightwater",
        },
        "most_people": {
            "choices": ("alderby", "brightwater", "coldmere", "dunesfield"),
            "answer": "dunesfield",
        },
    },
    "read_2": {
        "happiest": {"choices": ("fernhill", "greystone", "hollowbay"), "answer": "greystone"},
        "rainiest": {"choices": ("fernhill", "greystone", "hollowbay"), "answer": "fernhill"},
    },
}
MAXIMUM = len(TARGETS) + sum(len(questions) for questions in QUESTIONS.values())


def scoring_facts() -> dict[str, Any]:
    """The lesson facts in the shape of the reducer's `scoringFacts()`, for the drift test."""
    return {
        "tolerance_percent": TOLERANCE_PERCENT,
        "steps": list(STEPS),
        "features": {name: dict(slider) for name, slider in FEATURES.items()},
        "slider_steps": {step: list(features) for step, features in SLIDER_STEPS.items()},
        "start": dict(START),
        "targets": {step: dict(target) for step, target in TARGETS.items()},
        "questions": {
            step: {
                name: {"choices": list(question["choices"]), "answer": question["answer"]}
                for name, question in questions.items()
            }
            for step, questions in QUESTIONS.items()
        },
    }


def is_within_tolerance(values: Mapping[str, float], target: Mapping[str, float]) -> bool:
    """Every slider within TOLERANCE_PERCENT of its range; the same arithmetic as the reducer."""
    return all(
        abs(values[name] - target[name]) * 100
        <= TOLERANCE_PERCENT * (slider["max"] - slider["min"])
        for name, slider in FEATURES.items()
    )


# --- Event schemas -------------------------------------------------------------------------------


def _object(
    properties: Mapping[str, Any], *, all_of: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": dict(properties),
        "required": list(properties),
        "additionalProperties": False,
    }
    if all_of:
        schema["allOf"] = list(all_of)
    return schema


def _when(key: str, value: str, then: Mapping[str, Any]) -> dict[str, Any]:
    """If data[key] == value, the other properties must also match `then`."""
    return {
        "if": {"properties": {key: {"const": value}}, "required": [key]},
        "then": {"properties": dict(then)},
    }


_STEP = {"type": "string", "enum": list(STEPS)}
_QUESTION_STEPS = list(QUESTIONS)
_ALL_QUESTIONS = sorted({name for questions in QUESTIONS.values() for name in questions})
_ALL_CHOICES = sorted(
    {
        choice
        for questions in QUESTIONS.values()
        for question in questions.values()
        for choice in question["choices"]
    }
)

EVENT_SCHEMAS: dict[str, dict[str, Any]] = {
    # The learner arrived on a step (Next or Back). The first step is shown without this event.
    "step_viewed": _object({"step": _STEP}),
    # A slider was let go of (or the keyboard paused on it) at `value`, in the feature's units.
    "slider_changed": _object(
        {
            "step": {"type": "string", "enum": list(SLIDER_STEPS)},
            "feature": {"type": "string", "enum": list(FEATURES)},
            "value": {"type": "integer"},
        },
        all_of=[
            *(
                _when(
                    "feature",
                    name,
                    {
                        "value": {
                            "minimum": slider["min"],
                            "maximum": slider["max"],
                            "multipleOf": slider["step"],
                        }
                    },
                )
                for name, slider in FEATURES.items()
            ),
            *(
                _when("step", step, {"feature": {"enum": list(features)}})
                for step, features in SLIDER_STEPS.items()
                if features != ALL_FEATURES
            ),
        ],
    ),
    # Check pressed on a match step. `attempt`, `distance` (largest slider difference as a
    # fraction of its range) and `matched` are what the browser saw; scoring recomputes them.
    "match_checked": _object(
        {
            "step": {"type": "string", "enum": list(TARGETS)},
            "attempt": {"type": "integer", "minimum": 1, "maximum": 10_000},
            "distance": {"type": "number", "minimum": 0, "maximum": 1},
            "matched": {"type": "boolean"},
        }
    ),
    # A city picked as the answer to a question on a read step.
    "question_answered": _object(
        {
            "step": {"type": "string", "enum": _QUESTION_STEPS},
            "question": {"type": "string", "enum": _ALL_QUESTIONS},
            "choice": {"type": "string", "enum": _ALL_CHOICES},
        },
        all_of=[
            *(
                _when("step", step, {"question": {"enum": list(questions)}})
                for step, questions in QUESTIONS.items()
            ),
            *(
                _when("question", name, {"choice": {"enum": list(question["choices"])}})
                for questions in QUESTIONS.values()
                for name, question in questions.items()
            ),
        ],
    ),
    # The step's task is done (or, for the welcome and finish steps, the learner moved on).
    "step_completed": _object({"step": _STEP}),
}


# --- Scoring -------------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _time(event: Event) -> float:
    # Stable sort by `t`, like the replay's time line; an event without a usable `t` goes last.
    t = event.get("t")
    return t if _is_number(t) else float("inf")


def _moment(event: Event) -> int:
    """The event's client time as a whole number (0 when it has none usable)."""
    t = event.get("t")
    return int(t) if _is_number(t) and t == t and abs(t) < float("inf") else 0


QUESTION_WORDS = {
    "warmest": "Which city is the warmest?",
    "most_people": "Which city has the most people?",
    "happiest": "Which city is the happiest?",
    "rainiest": "Which city is the rainiest?",
}
ITEM_NAMES = {
    "match_1": "the first face to rebuild (Sunhaven)",
    "match_2": "the second face to rebuild (Mistport)",
}


def name_item(item: str) -> str:
    """ "match_1" → "the first face to rebuild (Sunhaven)"; "read_1.warmest" → the question."""
    if item in ITEM_NAMES:
        return ITEM_NAMES[item]
    question = QUESTION_WORDS.get(item.partition(".")[2])
    return f"the question “{question}”" if question else item


def assess(events: Sequence[Event]) -> Assessment:
    """Per face to match: its checks (tries) and the check that matched, one point if one did;
    per question: its answers (tries), the answer that was right, one point if the first was.

    A match counts when Check is pressed while the slider values in the stream (each step starts
    from START) are within tolerance of the target; the check event's own claims are ignored.
    Events are taken in time order, as the replay shows them.
    """
    sliders = {step: dict(START) for step in TARGETS}
    checks: dict[str, int] = dict.fromkeys(TARGETS, 0)
    checks_at: dict[str, list[int]] = {step: [] for step in TARGETS}
    matched_on: dict[str, int] = {}
    answers: dict[tuple[str, str], list[str]] = {
        (step, name): [] for step, questions in QUESTIONS.items() for name in questions
    }
    answers_at: dict[tuple[str, str], list[int]] = {key: [] for key in answers}

    for event in sorted(events, key=_time):
        data = event.get("data")
        if not isinstance(data, Mapping):
            continue
        step, question_name = data.get("step"), data.get("question")
        if not isinstance(step, str):
            continue
        match event.get("type"):
            case "slider_changed":
                feature, value = data.get("feature"), data.get("value")
                slider = FEATURES.get(feature) if isinstance(feature, str) else None
                if (
                    step in sliders
                    and slider is not None
                    and _is_number(value)
                    and slider["min"] <= value <= slider["max"]
                ):
                    sliders[step][feature] = value
            case "match_checked":
                if step in TARGETS:
                    checks[step] += 1
                    checks_at[step].append(_moment(event))
                    if is_within_tolerance(sliders[step], TARGETS[step]):
                        matched_on.setdefault(step, checks[step])
            case "question_answered":
                questions = QUESTIONS.get(step, {})
                question = questions.get(question_name) if isinstance(question_name, str) else None
                choice = data.get("choice")
                if question is not None and choice in question["choices"]:
                    answers[(step, question_name)].append(choice)
                    answers_at[(step, question_name)].append(_moment(event))

    items = [
        ItemResult(
            item=step,
            tries=checks[step],
            solved_on=matched_on.get(step),
            gave_up=checks[step] > 0 and step not in matched_on,
            points=1.0 if step in matched_on else 0.0,
            maximum=1.0,
            tries_at=tuple(checks_at[step]),
        )
        for step in TARGETS
    ]
    for (step, name), given in answers.items():
        right = QUESTIONS[step][name]["answer"]
        solved_on = given.index(right) + 1 if right in given else None
        items.append(
            ItemResult(
                item=f"{step}.{name}",
                tries=len(given),
                solved_on=solved_on,
                gave_up=bool(given) and solved_on is None,
                points=1.0 if solved_on == 1 else 0.0,
                maximum=1.0,
                tries_at=tuple(answers_at[(step, name)]),
            )
        )
    return Assessment(items=tuple(items))


def score(events: Sequence[Event]) -> Score:
    """One point per target face matched, one per question answered right on the first try."""
    return assess(events).full_score()


WIDGET = Widget(
    id="chernoff_tutorial",
    title="Chernoff faces tutorial",
    description="Learn to read data drawn as faces, step by step.",
    session_mode=SessionMode.PER_OPEN,
    event_schemas=EVENT_SCHEMAS,
    score=score,
    assess=assess,
    name_item=name_item,
    # Moving sliders, checking a face and answering; reading steps (Next, Back) is not work.
    work_types=frozenset({"slider_changed", "match_checked", "question_answered"}),
)


# --- Plain words for teachers (widgets/words.py) -------------------------------------------------

# The event that starts an item, the data key that names it, and what a teacher calls one: the
# replay's compare view lines two sessions up by it.
ITEM_START = ("step_viewed", "step", "step")

EVENT_LABELS: dict[str, str] = {
    "step_viewed": "Went to a step",
    "slider_changed": "Moved a slider",
    "match_checked": "Checked a face",
    "question_answered": "Answered a question",
    "step_completed": "Finished a step",
}
_STEP_WORDS = {
    "welcome": "the welcome",
    "explore_size": "exploring size",
    "explore_mood": "exploring mood",
    "match_1": "match 1 (Sunhaven)",
    "match_2": "match 2 (Mistport)",
    "read_1": "reading faces 1",
    "read_2": "reading faces 2",
    "finish": "the summary",
}
_FEATURE_WORDS = {
    "population": ("population", " million"),
    "rainfall": ("rainfall", " mm a year"),
    "happiness": ("happiness", " out of 10"),
    "temperature": ("temperature", " °C"),
}
_QUESTION_WORDS = {
    "warmest": "Which city is warmest?",
    "most_people": "Which city has most people?",
    "happiest": "Which city is happiest?",
    "rainiest": "Which city is rainiest?",
}


def describe(event: Event) -> str:
    """One line for a teacher: "Set rainfall to 300 mm a year". Falls back to the label."""
    kind = event.get("type")
    label = EVENT_LABELS.get(kind, str(kind))
    data = event.get("data")
    if not isinstance(data, Mapping):
        return label
    if data.get("step") not in _STEP_WORDS:
        return label
    try:
        step = _STEP_WORDS[data["step"]]
        match kind:
            case "step_viewed":
                return f"Went to {step}"
            case "slider_changed":
                name, unit = _FEATURE_WORDS[data["feature"]]
                return f"Set {name} to {data['value']}{unit}"
            case "match_checked":
                if data["matched"]:
                    return f"Checked the face on {step} (try {data['attempt']}) — it matches"
                off = round(float(data["distance"]) * 100)
                return f"Checked the face on {step} (try {data['attempt']}) — {off}% off"
            case "question_answered":
                question = _QUESTION_WORDS.get(data["question"], data["question"])
                answer = QUESTIONS[data["step"]][data["question"]]["answer"]
                verdict = "right" if data["choice"] == answer else "wrong"
                return f"{question} Chose {data['choice'].title()} — {verdict}"
            case "step_completed":
                return f"Finished {step}"
    except (KeyError, TypeError, ValueError):
        return label
    return label
