"""TEI001, fractions on a number line: event schemas and the scoring rule."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from widgets import tei001
from widgets.registry import Score, SessionMode, get_widget

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "tei001_session.json"
REDUCER = ROOT / "static" / "widgets" / "TEI001" / "reducer.js"


def recorded_session() -> list[dict[str, Any]]:
    return json.loads(FIXTURE.read_text())


def validator(event_type: str) -> Draft202012Validator:
    return Draft202012Validator(get_widget("TEI001").all_event_schemas[event_type])


class Session:
    """Builds an event stream the way the browser would send it."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.t = 1_731_400_000_000

    def add(self, type_: str, **data: Any) -> Session:
        self.t += 1000
        self.events.append({"type": type_, "t": self.t, "data": data})
        return self

    def place(self, item: int, positions: dict[str, int]) -> Session:
        for card, position in positions.items():
            self.add("card_placed", item=item, card=card, position=position)
        return self

    def check(self, item: int, attempt: int = 1, correct_cards: list[str] | None = None) -> Session:
        return self.add(
            "answer_checked", item=item, attempt=attempt, correct_cards=correct_cards or []
        )


def right(item: int) -> dict[str, int]:
    return {card: tei001.target_of(card) for card in tei001.ITEMS[item - 1]["cards"]}


def test_it_is_registered_as_a_per_open_widget_with_its_event_types():
    widget = get_widget("TEI001")

    assert widget is tei001.WIDGET
    assert widget.session_mode is SessionMode.PER_OPEN
    assert set(widget.event_schemas) == {
        "item_started",
        "card_placed",
        "card_moved",
        "card_removed",
        "answer_checked",
        "item_completed",
    }
    assert {"session_started", "session_completed"} <= set(widget.all_event_schemas)


@pytest.mark.parametrize("event_type", sorted(tei001.EVENT_SCHEMAS))
def test_it_has_strict_draft_2020_12_schemas(event_type):
    schema = tei001.EVENT_SCHEMAS[event_type]

    Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == set(schema["properties"])


@pytest.mark.parametrize(
    ("event_type", "data"),
    [
        ("item_started", {"item": 1}),
        ("item_started", {"item": 3}),
        ("card_placed", {"item": 1, "card": "3/4", "position": 9}),
        ("card_placed", {"item": 3, "card": "6/4", "position": 0}),
        ("card_placed", {"item": 2, "card": "5/3", "position": 24}),
        ("card_moved", {"item": 2, "card": "4/3", "from": 14, "position": 16}),
        ("card_removed", {"item": 3, "card": "7/6"}),
        ("answer_checked", {"item": 1, "attempt": 1, "correct_cards": []}),
        ("answer_checked", {"item": 3, "attempt": 3, "correct_cards": ["2/3", "3/2", "6/4"]}),
        ("item_completed", {"item": 2, "correct": False}),
        ("session_completed", {}),
    ],
)
def test_it_accepts_good_event_data(event_type, data):
    assert list(validator(event_type).iter_errors(data)) == []


@pytest.mark.parametrize(
    ("event_type", "data"),
    [
        ("item_started", {}),
        ("item_started", {"item": 0}),
        ("item_started", {"item": 4}),
        ("item_started", {"item": "1"}),
        ("item_started", {"item": True}),
        ("item_started", {"item": 1, "extra": 1}),
        ("card_placed", {"item": 1, "card": "3/4"}),
        ("card_placed", {"item": 1, "card": "3/4", "position": 25}),
        ("card_placed", {"item": 1, "card": "3/4", "position": -1}),
        ("card_placed", {"item": 1, "card": "3/4", "position": 9.5}),
        ("card_placed", {"item": 1, "card": "7/8", "position": 9}),
        ("card_placed", {"item": 1, "card": "3/4", "position": 9, "correct": True}),
        ("card_moved", {"item": 1, "card": "3/4", "position": 9}),
        ("card_moved", {"item": 1, "card": "3/4", "from": 30, "position": 9}),
        ("card_removed", {"item": 1}),
        ("card_removed", {"item": 1, "card": 3}),
        ("answer_checked", {"item": 1, "attempt": 4, "correct_cards": []}),
        ("answer_checked", {"item": 1, "attempt": 0, "correct_cards": []}),
        ("answer_checked", {"item": 1, "attempt": 1}),
        ("answer_checked", {"item": 1, "attempt": 1, "correct_cards": ["3/4", "3/4"]}),
        ("answer_checked", {"item": 1, "attempt": 1, "correct_cards": ["9/9"]}),
        ("answer_checked", {"item": 1, "attempt": 1, "correct_cards": [], "score": 9}),
        ("item_completed", {"item": 1, "correct": "yes"}),
        ("item_completed", {"item": 1}),
        ("session_completed", {"score": 9}),
    ],
)
def test_it_refuses_bad_event_data(event_type, data):
    assert list(validator(event_type).iter_errors(data)) != []


def test_it_accepts_every_event_of_the_recorded_session():
    for event in recorded_session():
        errors = list(validator(event["type"]).iter_errors(event["data"]))
        assert errors == [], (event["type"], event["data"])


def test_it_scores_the_recorded_session():
    # Item 1 right on the first try (3), item 2 on the second (2), item 3 never (0).
    assert tei001.score(recorded_session()) == Score(score=5.0, maximum=9.0)
    assert get_widget("TEI001").score(recorded_session()) == Score(score=5.0, maximum=9.0)


def test_it_ignores_what_the_client_claims_about_correctness():
    events = recorded_session()
    claimed = copy.deepcopy(events)
    for event in claimed:
        if event["type"] == "answer_checked":
            event["data"]["correct_cards"] = list(tei001.ITEMS[event["data"]["item"] - 1]["cards"])
            event["data"]["attempt"] = 1
        if event["type"] == "item_completed":
            event["data"]["correct"] = True

    assert tei001.score(claimed) == tei001.score(events) == Score(score=5.0, maximum=9.0)


def test_it_gives_less_credit_for_later_tries():
    session = Session().add("item_started", item=1).place(1, right(1)).check(1)
    session.add("item_started", item=2).place(2, {**right(2), "5/3": 18}).check(2)
    session.add("card_moved", item=2, card="5/3", **{"from": 18}, position=20).check(2, 2)
    session.add("item_started", item=3).place(3, {**right(3), "6/4": 12}).check(3).check(3, 2)
    session.add("card_moved", item=3, card="6/4", **{"from": 12}, position=18).check(3, 3)

    assert tei001.score(session.events) == Score(score=3.0 + 2.0 + 1.0, maximum=9.0)


def test_it_ignores_checks_after_the_third_try():
    session = Session().add("item_started", item=1).place(1, {**right(1), "1/4": 6})
    session.check(1, 1).check(1, 2).check(1, 3)
    session.add("card_moved", item=1, card="1/4", **{"from": 6}, position=3).check(1, 3)

    assert tei001.score(session.events) == Score(score=0.0, maximum=9.0)


def test_it_ignores_checks_before_every_card_is_placed():
    session = Session().add("item_started", item=1).place(1, {"1/4": 3}).check(1).check(1, 2)
    session.place(1, {card: pos for card, pos in right(1).items() if card != "1/4"}).check(1, 3)

    assert tei001.score(session.events) == Score(score=3.0, maximum=9.0)


def test_it_ignores_placements_the_browser_would_have_refused():
    session = Session().add("item_started", item=2)  # item 2 was never unlocked
    session.place(2, right(2)).check(2)
    session.add("item_started", item=1).place(1, {**right(1), "1/2": 7}).check(1)  # 7: off-grid

    assert tei001.score(session.events) == Score(score=0.0, maximum=9.0)


def test_it_orders_events_by_time_before_scoring():
    events = recorded_session()

    assert tei001.score(list(reversed(events))) == Score(score=5.0, maximum=9.0)


def test_it_scores_an_empty_session_zero():
    assert tei001.score([]) == Score(score=0.0, maximum=9.0)


def test_it_uses_the_same_items_as_the_browser():
    source = REDUCER.read_text()
    block = re.search(r"/\* items:begin \*/(.*?)/\* items:end \*/", source, re.S)
    assert block, "reducer.js lost its items:begin/items:end markers"
    items_json = block.group(1)[block.group(1).index("[") : block.group(1).rindex("]") + 1]

    browser_items = json.loads(items_json)
    server_items = [{"step": item["step"], "cards": list(item["cards"])} for item in tei001.ITEMS]
    assert browser_items == server_items
