"""chernoff_tutorial, the Chernoff faces tutorial: event schemas and the scoring rule."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from widgets import chernoff_tutorial, registry

Score = registry.Score
SessionMode = registry.SessionMode
get_widget = registry.get_widget

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "chernoff_tutorial_session.json"
REDUCER = ROOT / "static" / "widgets" / "chernoff_tutorial" / "reducer.js"

SUNHAVEN = chernoff_tutorial.TARGETS["match_1"]
MISTPORT = chernoff_tutorial.TARGETS["match_2"]


def recorded_session() -> list[dict[str, Any]]:
    return json.loads(FIXTURE.read_text())


def validator(event_type: str) -> Draft202012Validator:
    return Draft202012Validator(get_widget("chernoff_tutorial").all_event_schemas[event_type])


class Session:
    """Builds an event stream the way the browser would send it."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.t = 1_767_860_400_000

    def add(self, type_: str, **data: Any) -> Session:
        self.t += 1000
        self.events.append({"type": type_, "t": self.t, "data": data})
        return self

    def sliders(self, step: str, values: dict[str, int]) -> Session:
        for feature, value in values.items():
            self.add("slider_changed", step=step, feature=feature, value=value)
        return self

    def check(self, step: str, attempt: int = 1, *, claims_match: bool = False) -> Session:
        distance = 0.0 if claims_match else 0.5
        return self.add(
            "match_checked", step=step, attempt=attempt, distance=distance, matched=claims_match
        )

    def answer(self, step: str, question: str, choice: str) -> Session:
        return self.add("question_answered", step=step, question=question, choice=choice)


def test_it_is_registered_as_a_per_open_widget_with_its_event_types():
    widget = get_widget("chernoff_tutorial")

    assert widget is chernoff_tutorial.WIDGET
    assert widget.session_mode is SessionMode.PER_OPEN
    assert set(widget.event_schemas) == {
        "step_viewed",
        "slider_changed",
        "match_checked",
        "question_answered",
        "step_completed",
    }
    assert {"session_started", "session_completed"} <= set(widget.all_event_schemas)


@pytest.mark.parametrize("event_type", sorted(chernoff_tutorial.EVENT_SCHEMAS))
def test_it_has_strict_draft_2020_12_schemas(event_type):
    schema = chernoff_tutorial.EVENT_SCHEMAS[event_type]

    Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == set(schema["properties"])


@pytest.mark.parametrize(
    ("event_type", "data"),
    [
        ("step_viewed", {"step": "welcome"}),
        ("step_viewed", {"step": "finish"}),
        ("slider_changed", {"step": "explore_size", "feature": "population", "value": 1}),
        ("slider_changed", {"step": "explore_size", "feature": "rainfall", "value": 3000}),
        ("slider_changed", {"step": "explore_mood", "feature": "happiness", "value": 0}),
        ("slider_changed", {"step": "explore_mood", "feature": "temperature", "value": 30}),
        ("slider_changed", {"step": "match_1", "feature": "rainfall", "value": 0}),
        ("slider_changed", {"step": "match_2", "feature": "population", "value": 20}),
        ("slider_changed", {"step": "match_2", "feature": "temperature", "value": 27}),
        ("match_checked", {"step": "match_1", "attempt": 1, "distance": 0, "matched": False}),
        ("match_checked", {"step": "match_2", "attempt": 7, "distance": 0.053, "matched": True}),
        ("match_checked", {"step": "match_2", "attempt": 2, "distance": 1, "matched": False}),
        ("question_answered", {"step": "read_1", "question": "warmest", "choice": "coldmere"}),
        ("question_answered", {"step": "read_1", "question": "most_people", "choice": "alderby"}),
        ("question_answered", {"step": "read_2", "question": "rainiest", "choice": "hollowbay"}),
        ("step_completed", {"step": "match_1"}),
        ("session_started", {}),
        ("session_completed", {}),
    ],
)
def test_it_accepts_good_event_data(event_type, data):
    assert list(validator(event_type).iter_errors(data)) == []


@pytest.mark.parametrize(
    ("event_type", "data"),
    [
        ("step_viewed", {}),
        ("step_viewed", {"step": "nowhere"}),
        ("step_viewed", {"step": 3}),
        ("step_viewed", {"step": "welcome", "from": "finish"}),
        ("slider_changed", {"step": "match_1", "feature": "rainfall"}),
        ("slider_changed", {"step": "match_1", "feature": "rainfall", "value": 3100}),
        ("slider_changed", {"step": "match_1", "feature": "rainfall", "value": 250}),  # off-step
        ("slider_changed", {"step": "match_1", "feature": "population", "value": 0}),
        ("slider_changed", {"step": "match_1", "feature": "happiness", "value": 11}),
        ("slider_changed", {"step": "match_1", "feature": "temperature", "value": -1}),
        ("slider_changed", {"step": "match_1", "feature": "temperature", "value": 20.5}),
        ("slider_changed", {"step": "match_1", "feature": "temperature", "value": "20"}),
        ("slider_changed", {"step": "match_1", "feature": "mood", "value": 5}),
        ("slider_changed", {"step": "explore_size", "feature": "happiness", "value": 5}),
        ("slider_changed", {"step": "explore_mood", "feature": "rainfall", "value": 500}),
        ("slider_changed", {"step": "welcome", "feature": "population", "value": 5}),
        ("slider_changed", {"step": "read_1", "feature": "population", "value": 5}),
        ("slider_changed", {"step": "match_1", "feature": "population", "value": 5, "x": 1}),
        ("match_checked", {"step": "match_1", "attempt": 1, "distance": 0}),
        ("match_checked", {"step": "match_1", "attempt": 0, "distance": 0, "matched": True}),
        ("match_checked", {"step": "match_1", "attempt": 1, "distance": 1.5, "matched": True}),
        ("match_checked", {"step": "match_1", "attempt": 1, "distance": -0.1, "matched": True}),
        ("match_checked", {"step": "match_1", "attempt": 1, "distance": 0, "matched": "yes"}),
        ("match_checked", {"step": "explore_size", "attempt": 1, "distance": 0, "matched": True}),
        (
            "match_checked",
            {"step": "match_1", "attempt": 1, "distance": 0, "matched": True, "score": 9},
        ),
        ("question_answered", {"step": "read_1", "question": "warmest"}),
        ("question_answered", {"step": "read_1", "question": "happiest", "choice": "greystone"}),
        ("question_answered", {"step": "read_1", "question": "warmest", "choice": "greystone"}),
        ("question_answered", {"step": "read_2", "question": "rainiest", "choice": "coldmere"}),
        ("question_answered", {"step": "read_1", "question": "warmest", "choice": "paris"}),
        ("question_answered", {"step": "match_1", "question": "warmest", "choice": "coldmere"}),
        (
            "question_answered",
            {"step": "read_1", "question": "warmest", "choice": "coldmere", "correct": True},
        ),
        ("step_completed", {"step": "done"}),
        ("step_completed", {}),
        ("session_completed", {"score": 6}),
    ],
)
def test_it_refuses_bad_event_data(event_type, data):
    assert list(validator(event_type).iter_errors(data)) != []


def test_it_accepts_every_event_of_the_recorded_session():
    for event in recorded_session():
        errors = list(validator(event["type"]).iter_errors(event["data"]))
        assert errors == [], (event["type"], event["data"])


def test_it_scores_the_recorded_session():
    # Sunhaven matched on the second check (1); Mistport never matched, although the first check
    # claimed it was (0); warmest, happiest and rainiest right first time, most_people on the
    # second try (3).
    assert chernoff_tutorial.score(recorded_session()) == Score(score=4.0, maximum=6.0)
    assert get_widget("chernoff_tutorial").score(recorded_session()) == Score(
        score=4.0, maximum=6.0
    )


def test_it_ignores_what_the_client_claims_about_a_check():
    events = recorded_session()
    for claim in (True, False):
        claimed = copy.deepcopy(events)
        for event in claimed:
            if event["type"] == "match_checked":
                event["data"].update(attempt=1, distance=0.0 if claim else 1.0, matched=claim)

        assert chernoff_tutorial.score(claimed) == Score(score=4.0, maximum=6.0)


def test_it_ignores_completion_events_when_scoring():
    events = [
        *recorded_session(),
        *Session()
        .add("step_completed", step="match_2")
        .add("step_completed", step="read_1")
        .events,
    ]
    assert chernoff_tutorial.score(events) == Score(score=4.0, maximum=6.0)


def test_it_scores_a_perfect_session():
    session = Session().sliders("match_1", dict(SUNHAVEN)).check("match_1")
    session.sliders("match_2", dict(MISTPORT)).check("match_2")
    for step, questions in chernoff_tutorial.QUESTIONS.items():
        for name, question in questions.items():
            session.answer(step, name, question["answer"])

    assert chernoff_tutorial.score(session.events) == Score(score=6.0, maximum=6.0)


def test_it_matches_within_ten_percent_of_each_slider_range():
    # 10 % of the ranges: population 1.9 million, rainfall 300 mm, happiness 1, temperature 3 °C.
    edges = {
        "population": (1, 2),
        "rainfall": (300, 400),
        "happiness": (1, 2),
        "temperature": (3, 4),
    }
    for feature, (inside, outside) in edges.items():
        for sign in (1, -1):
            near = {**SUNHAVEN, feature: SUNHAVEN[feature] + sign * inside}
            far = {**SUNHAVEN, feature: SUNHAVEN[feature] + sign * outside}
            if far[feature] > chernoff_tutorial.FEATURES[feature]["max"]:
                continue  # that side of Sunhaven is beyond the slider's end

            matched = Session().sliders("match_1", near).check("match_1")
            missed = Session().sliders("match_1", far).check("match_1", claims_match=True)
            assert chernoff_tutorial.score(matched.events).score == 1.0, (feature, sign)
            assert chernoff_tutorial.score(missed.events).score == 0.0, (feature, sign)


def test_it_counts_a_match_only_when_check_is_pressed():
    unchecked = Session().sliders("match_1", dict(SUNHAVEN))  # right values, no Check
    # Mistport's values set on the wrong step: sliders belong to their own step.
    elsewhere = Session().sliders("match_1", dict(MISTPORT)).check("match_2")

    assert chernoff_tutorial.score(unchecked.events) == Score(score=0.0, maximum=6.0)
    assert chernoff_tutorial.score(elsewhere.events) == Score(score=0.0, maximum=6.0)


def test_it_starts_every_match_step_from_the_neutral_face():
    # Only two sliders moved: the other two are still at the start values, far from Sunhaven.
    half = Session().sliders("match_1", {"population": 4, "rainfall": 300}).check("match_1")
    # The other two set as well: the sliders moved earlier keep their values.
    whole = copy.deepcopy(half).sliders("match_1", {"happiness": 8, "temperature": 27})

    assert chernoff_tutorial.score(half.events).score == 0.0
    assert chernoff_tutorial.score(whole.check("match_1", 2).events).score == 1.0


def test_it_counts_a_match_once_even_if_the_learner_moves_away_later():
    session = Session().sliders("match_1", dict(SUNHAVEN)).check("match_1")
    session.sliders("match_1", {"happiness": 0}).check("match_1", 2)

    assert chernoff_tutorial.score(session.events) == Score(score=1.0, maximum=6.0)


def test_it_credits_only_first_try_answers():
    session = (
        Session().answer("read_1", "warmest", "coldmere").answer("read_1", "warmest", "brightwater")
    )
    session.answer("read_2", "happiest", "greystone").answer("read_2", "happiest", "fernhill")

    assert chernoff_tutorial.score(session.events) == Score(score=1.0, maximum=6.0)


def test_it_ignores_events_the_schemas_would_refuse():
    session = Session().add("slider_changed", step="match_1", feature="rainfall", value=99_999)
    session.sliders("match_1", {**SUNHAVEN, "rainfall": SUNHAVEN["rainfall"]})
    session.add("slider_changed", step="match_1", feature="happiness", value=True)
    session.add("slider_changed", step=["match_1"], feature="happiness", value=0)
    session.check("match_1")
    session.answer("read_1", "warmest", "greystone")  # not a choice here: no first try used up
    session.answer("read_1", "happiest", "greystone")  # not a question of read_1
    session.add("question_answered", step="read_1", question=["warmest"], choice="brightwater")
    session.answer("read_1", "warmest", "brightwater")
    session.add("match_checked", data="not an object")

    assert chernoff_tutorial.score(session.events) == Score(score=2.0, maximum=6.0)


def test_it_orders_events_by_time_before_scoring():
    events = recorded_session()

    assert chernoff_tutorial.score(list(reversed(events))) == Score(score=4.0, maximum=6.0)


def test_it_scores_an_empty_session_zero():
    assert chernoff_tutorial.score([]) == Score(score=0.0, maximum=6.0)


def _node(script: str) -> Any:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    result = subprocess.run(
        [node, "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return json.loads(result.stdout)


def test_it_uses_the_same_lesson_facts_as_the_browser():
    browser = _node(
        f"import {{ scoringFacts }} from {json.dumps(REDUCER.as_uri())};"
        "console.log(JSON.stringify(scoringFacts()));"
    )
    assert browser == chernoff_tutorial.scoring_facts()


def test_it_agrees_with_the_score_the_browser_shows():
    browser = _node(
        f"import {{ initialState, reduce, scoreOf }} from {json.dumps(REDUCER.as_uri())};"
        f"const events = {json.dumps(recorded_session())};"
        "const state = events.reduce(reduce, initialState());"
        "console.log(JSON.stringify(scoreOf(state)));"
    )
    server = chernoff_tutorial.score(recorded_session())
    assert (browser["score"], browser["maximum"]) == (server.score, server.maximum)
