"""BLL002 "Balance lever lab": event schemas, and the scoring rule on a recorded session.

The fixture (fixtures/bll002_session.json) was recorded in a real browser over two days: a laptop
with mouse and keyboard on day 1, a touch tablet on day 2 (the session resumed where it stopped).
On the first release of each challenge the learner was right on 1, 4, 5, 7 and 8, and wrong on 2
(predicted "left", it balances), 3 (weight on the wrong peg) and 6 (unbalanced), so 5 of 8.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from widgets.bll002 import CHALLENGES, EVENT_SCHEMAS, outcome_of, score
from widgets.registry import SessionMode, get_widget

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "bll002_session.json"
node = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")


def recorded() -> list[dict]:
    return json.loads(FIXTURE.read_text())


def session(*steps: tuple[str, dict]) -> list[dict]:
    return [
        {"type": kind, "t": 1_700_000_000_000 + i * 1000, "data": data}
        for i, (kind, data) in enumerate(steps)
    ]


def run_reducer(script: str, *args: str) -> dict:
    """Runs `script` (an ES module with the BLL002 reducer in scope) and returns its JSON output."""
    prelude = 'import * as bll from "./static/widgets/BLL002/reducer.js";\n'
    result = subprocess.run(
        ["node", "--input-type=module", "-e", prelude + script, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return json.loads(result.stdout)


GOOD_AND_BAD = {
    "challenge_started": (
        [{"challenge": 1}, {"challenge": 8}],
        [{"challenge": 0}, {"challenge": 9}, {"challenge": "1"}, {}, {"challenge": 1, "x": 1}],
    ),
    "weight_placed": (
        [{"peg": -4, "mass": 3}, {"peg": 4, "mass": 1}],
        [{"peg": 0, "mass": 3}, {"peg": 5, "mass": 1}, {"peg": 1, "mass": 4}, {"peg": 1}],
    ),
    "weight_removed": (
        [{"peg": 2, "mass": 1}, {"peg": -1, "mass": 2}],
        [{"peg": 2, "mass": 0}, {"peg": 1.5, "mass": 1}, {"peg": 2, "mass": 1, "fixed": True}],
    ),
    "prediction_made": (
        [{"answer": "left"}, {"answer": "balance"}, {"answer": "right"}],
        [{"answer": "up"}, {"answer": None}, {}, {"answer": "left", "sure": True}],
    ),
    "released": (
        [{"outcome": "right"}, {"outcome": "balance"}],
        [{"outcome": "sideways"}, {}, {"outcome": "right", "torque": 3}],
    ),
    "try_again": (
        [{"challenge": 4}],
        [{}, {"challenge": 12}, {"challenge": True}],
    ),
    "hint_requested": (
        [{"challenge": 3, "hint": 1}, {"challenge": 3, "hint": 2}],
        [{"challenge": 3, "hint": 3}, {"challenge": 3, "hint": 0}, {"challenge": 3}],
    ),
    "challenge_completed": (
        [{"challenge": 8, "correct": False}, {"challenge": 1, "correct": True}],
        [{"challenge": 8, "correct": "yes"}, {"challenge": 8}, {"correct": True}],
    ),
}


def test_it_has_a_good_and_a_bad_example_for_every_event_type():
    assert set(GOOD_AND_BAD) == set(EVENT_SCHEMAS)


@pytest.mark.parametrize("kind", sorted(GOOD_AND_BAD))
def test_it_accepts_good_data_and_refuses_bad_data(kind):
    schema = EVENT_SCHEMAS[kind]
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    good, bad = GOOD_AND_BAD[kind]
    for data in good:
        assert validator.is_valid(data), (kind, data)
    for data in bad:
        assert not validator.is_valid(data), (kind, data)


def test_it_accepts_every_event_of_the_recorded_session():
    schemas = get_widget("BLL002").all_event_schemas
    for event in recorded():
        Draft202012Validator(schemas[event["type"]]).validate(event["data"])


def test_it_is_a_resume_widget_with_the_lifecycle_types():
    widget = get_widget("BLL002")
    assert widget.session_mode == SessionMode.RESUME
    assert {"session_started", "session_resumed", "session_completed"} <= set(
        widget.all_event_schemas
    )
    assert len(CHALLENGES) == 8


def test_it_scores_the_recorded_session_five_of_eight():
    events = recorded()
    assert {event["type"] for event in events} >= {"session_resumed", "try_again", "hint_requested"}
    assert score(events).score == 5.0
    assert score(events).maximum == 8.0


def test_it_ignores_client_claimed_outcomes_and_correctness():
    lying = [
        {**event, "data": {**event["data"], "outcome": "balance"}}
        if event["type"] == "released"
        else {**event, "data": {**event["data"], "correct": True}}
        if event["type"] == "challenge_completed"
        else event
        for event in recorded()
    ]
    assert score(lying).score == 5.0


def test_it_scores_in_time_order_whatever_the_arrival_order():
    # The recorded times have no ties, so any arrival order sorts back to the same session.
    assert score(list(reversed(recorded()))).score == 5.0


def test_it_scores_an_empty_session_zero_of_eight():
    assert score([]).score == 0.0
    assert score([]).maximum == 8.0
    assert score(session(("session_started", {}))).score == 0.0


def test_it_ignores_a_release_before_a_prediction_or_with_weights_left_in_the_tray():
    events = session(
        ("challenge_started", {"challenge": 1}),
        ("released", {"outcome": "left"}),  # no prediction yet: ignored
        ("prediction_made", {"answer": "left"}),
        ("released", {"outcome": "left"}),
        ("challenge_completed", {"challenge": 1, "correct": True}),
        ("challenge_started", {"challenge": 2}),
        ("prediction_made", {"answer": "balance"}),
        ("released", {"outcome": "balance"}),
        ("challenge_completed", {"challenge": 2, "correct": True}),
        ("challenge_started", {"challenge": 3}),
        ("prediction_made", {"answer": "balance"}),
        ("released", {"outcome": "balance"}),  # the tray still holds its weight: ignored
        ("weight_placed", {"peg": 2, "mass": 2}),
        ("released", {"outcome": "balance"}),
    )
    assert score(events).score == 3.0


def test_it_ignores_weights_the_tray_does_not_have_and_challenges_out_of_turn():
    events = session(
        ("challenge_started", {"challenge": 3}),  # out of turn: challenge 1 comes first
        ("weight_placed", {"peg": 2, "mass": 2}),
        ("prediction_made", {"answer": "balance"}),
        ("released", {"outcome": "balance"}),
        ("challenge_started", {"challenge": 1}),
        ("weight_placed", {"peg": 1, "mass": 2}),  # challenge 1's tray is empty
        ("prediction_made", {"answer": "balance"}),
        ("released", {"outcome": "balance"}),  # it tips left, whatever the lever said
    )
    assert score(events).score == 0.0


def test_it_works_out_the_outcome_from_the_torque():
    assert outcome_of([(-3, 2), (1, 2)]) == "left"
    assert outcome_of([(-4, 1), (2, 2)]) == "balance"
    assert outcome_of([(4, 2)]) == "right"
    assert outcome_of([]) == "balance"


@node
def test_it_agrees_with_the_widgets_reducer_on_the_recorded_session():
    state = run_reducer(
        """
        const events = JSON.parse(process.argv[1]);
        const state = events.reduce(bll.reduce, bll.initialState());
        console.log(JSON.stringify({ phase: state.phase, results: state.results }));
        """,
        json.dumps(recorded()),
    )
    assert state["phase"] == "finished"
    first_correct = [result["firstCorrect"] for result in state["results"]]
    assert first_correct == [True, False, False, True, True, False, True, True]
    assert sum(first_correct) == score(recorded()).score


@node
def test_it_has_the_same_challenges_as_the_widgets_reducer():
    challenges = run_reducer(
        "console.log(JSON.stringify({ challenges: bll.CHALLENGES, pegs: bll.PEGS, "
        "masses: bll.MASSES, maxStack: bll.MAX_STACK }));"
    )
    assert challenges["pegs"] == [-4, -3, -2, -1, 1, 2, 3, 4]
    assert challenges["masses"] == [1, 2, 3] and challenges["maxStack"] == 4
    ours = [
        {
            "id": c.id,
            "goal": c.goal,
            "fixed": [[peg, mass] for peg, mass in c.fixed],
            "tray": {str(mass): count for mass, count in c.tray.items()},
            "useAll": c.use_all,
            "hints": c.hints,
        }
        for c in CHALLENGES
    ]
    theirs = [
        {
            "id": c["id"],
            "goal": c["goal"],
            "fixed": [[w["peg"], w["mass"]] for w in c["fixed"]],
            "tray": c["tray"],
            "useAll": c["useAll"],
            "hints": len(c["hints"]),
        }
        for c in challenges["challenges"]
    ]
    assert ours == theirs
    hint_maximum = EVENT_SCHEMAS["hint_requested"]["properties"]["hint"]["maximum"]
    assert hint_maximum == max(c.hints for c in CHALLENGES)
