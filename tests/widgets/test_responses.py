"""Wrong answers and misconceptions (widgets/responses/): each rule on hand-made streams, with a
hit and a near miss, and the grouping of wrong answers at its tolerance edges."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from widgets import responses
from widgets.measures import MeasureRules
from widgets.responses import bll002 as lever
from widgets.responses import chernoff_tutorial as faces
from widgets.responses import tei001 as fractions

T0 = 1_700_000_000_000
SECOND = 1_000


class Stream:
    """Events one second apart, as a learner's widget sends them."""

    def __init__(self) -> None:
        self.events: list[dict] = []

    def add(self, kind: str, **data) -> Stream:
        self.events.append({"type": kind, "t": T0 + len(self.events) * SECOND, "data": data})
        return self

    @property
    def last_t(self) -> int:
        return self.events[-1]["t"]


def read(widget: str, stream: Stream) -> responses.SessionReading:
    return responses.read_session(widget, stream.events)


def spotted(reading: responses.SessionReading) -> set[tuple[str, str]]:
    return {(s.misconception, s.item) for s in reading.spotted}


def wrong_of(reading, item: str):
    return next(trace for trace in reading.items if trace.item == item).wrong


# --- TEI001 ------------------------------------------------------------------------------------

ITEM1_RIGHT = {"1/4": 3, "1/2": 6, "3/4": 9, "5/4": 15}


def tei(item1: dict[str, int], item2: dict[str, int] | None = None) -> Stream:
    """Item 1 placed as `item1` and checked once; with `item2`, item 1 is first done right."""
    stream = Stream().add("session_started").add("item_started", item=1)
    first = ITEM1_RIGHT if item2 is not None else item1
    for card, position in first.items():
        stream.add("card_placed", item=1, card=card, position=position)
    stream.add("answer_checked", item=1, attempt=1, correct_cards=[])
    if item2 is not None:
        stream.add("item_completed", item=1, correct=True).add("item_started", item=2)
        for card, position in item2.items():
            stream.add("card_placed", item=2, card=card, position=position)
        stream.add("answer_checked", item=2, attempt=1, correct_cards=[])
    return stream


ITEM2_RIGHT = {"1/3": 4, "5/6": 10, "4/3": 16, "5/3": 20}


def test_it_lists_each_card_off_its_place_at_a_check_as_a_wrong_answer():
    stream = tei({**ITEM1_RIGHT, "1/2": 9})
    [wrong] = wrong_of(read("TEI001", stream), "1")
    assert (wrong.group, wrong.words, wrong.t) == (("1/2", 9), "1/2 at ¾", stream.last_t)


def test_it_counts_no_wrong_answer_before_a_check_that_counted():
    stream = Stream().add("item_started", item=1).add("card_placed", item=1, card="1/2", position=9)
    stream.add("answer_checked", item=1, attempt=1, correct_cards=[])  # three cards missing
    assert wrong_of(read("TEI001", stream), "1") == ()


def test_upside_down_is_spotted_on_a_tick_next_to_where_the_flipped_fraction_goes():
    # 5/3 read as 3/5 (7.2 twelfths): on the sixths line, ½ (6) and ⅔ (8) are the ticks around it.
    for position in (6, 8):
        reading = read("TEI001", tei({}, {**ITEM2_RIGHT, "5/3": position}))
        assert ("upside_down", "2") in spotted(reading), position


def test_upside_down_is_not_spotted_one_tick_further_or_for_a_flip_off_the_line():
    near_misses = [
        {**ITEM2_RIGHT, "5/3": 10},  # 2.8 twelfths from 3/5: more than a tick
        {**ITEM2_RIGHT, "4/3": 12},  # 3/4 is 9: exactly one tick and a half away
        {**ITEM2_RIGHT, "1/3": 24},  # 3/1 is off the 0–2 line
    ]
    for item2 in near_misses:
        assert ("upside_down", "2") not in spotted(read("TEI001", tei({}, item2))), item2


def test_upside_down_hits_the_tick_of_an_exact_flip_and_misses_the_next_one():
    assert ("upside_down", "1") in spotted(read("TEI001", tei({**ITEM1_RIGHT, "1/2": 24})))
    assert ("upside_down", "1") not in spotted(read("TEI001", tei({**ITEM1_RIGHT, "1/2": 21})))


def test_bigger_than_one_below_one_is_spotted_below_one_and_not_at_one():
    hit = read("TEI001", tei({**ITEM1_RIGHT, "5/4": 9}))
    assert ("bigger_than_one_below_one", "1") in spotted(hit)
    at_one = read("TEI001", tei({**ITEM1_RIGHT, "5/4": 12}))
    assert ("bigger_than_one_below_one", "1") not in spotted(at_one)
    assert wrong_of(at_one, "1")[0].words == "5/4 at 1"  # still a wrong answer


def test_a_position_snaps_to_the_items_tick_and_one_tick_away_is_another_answer():
    assert responses.snap(5, 2) == 6  # halfway goes up
    assert responses.snap(4.9, 2) == 4
    assert responses.snap(7, 3) == 6 and responses.snap(7.5, 3) == 9
    first = fractions._wrong_cards(2, {**ITEM2_RIGHT, "5/3": 7}, T0)  # off the grid: 8
    second = fractions._wrong_cards(2, {**ITEM2_RIGHT, "5/3": 8}, T0)
    third = fractions._wrong_cards(2, {**ITEM2_RIGHT, "5/3": 10}, T0)
    assert first[0].group == second[0].group == ("5/3", 8)
    assert third[0].group != second[0].group


# --- BLL002 ------------------------------------------------------------------------------------


def lever_stream(challenge: int, *, placed=(), prediction: str = "left") -> Stream:
    """Challenges before `challenge` done right, then `challenge` released once as given."""
    stream = Stream().add("session_started")
    for done in range(1, challenge):
        solve(stream, done)
    stream.add("challenge_started", challenge=challenge)
    for peg, mass in placed:
        stream.add("weight_placed", peg=peg, mass=mass)
    weights = [*lever.bll002.BY_ID[challenge].fixed, *placed]
    stream.add("prediction_made", answer=prediction)
    stream.add("released", outcome=lever.bll002.outcome_of(weights))
    return stream


SOLUTIONS = {3: [(2, 2)], 4: [(3, 2)]}


def solve(stream: Stream, number: int) -> None:
    challenge = lever.bll002.BY_ID[number]
    stream.add("challenge_started", challenge=number)
    for peg, mass in SOLUTIONS.get(number, []):
        stream.add("weight_placed", peg=peg, mass=mass)
    weights = [*challenge.fixed, *SOLUTIONS.get(number, [])]
    stream.add("prediction_made", answer=lever.bll002.outcome_of(weights))
    stream.add("released", outcome=lever.bll002.outcome_of(weights))
    stream.add("challenge_completed", challenge=number, correct=True)


def test_one_side_is_spotted_when_every_weight_hangs_left_and_not_across_the_pivot():
    hit = read("BLL002", lever_stream(3, placed=[(-1, 2)]))
    assert ("one_side", "3") in spotted(hit)
    miss = read("BLL002", lever_stream(4, placed=[(2, 2)]))  # tips left, but weights both sides
    assert ("one_side", "4") not in spotted(miss)
    assert wrong_of(miss, "4")[0].words == "2 on the right peg 2"


def test_ignores_distance_is_spotted_on_a_prediction_by_mass_and_not_on_another_wrong_one():
    # Challenge 1: 2 at left peg 3, 2 at right peg 1: equal masses, it tips left.
    hit = read("BLL002", lever_stream(1, prediction="balance"))
    assert ("ignores_distance", "1") in spotted(hit)
    assert wrong_of(hit, "1")[0].words == "predicted it balances"
    miss = read("BLL002", lever_stream(1, prediction="right"))
    assert ("ignores_distance", "1") not in spotted(miss)
    assert read("BLL002", lever_stream(1, prediction="left")).items[0].wrong == ()


def test_ignores_distance_is_spotted_on_equal_masses_that_do_not_balance():
    hit = read("BLL002", lever_stream(3, placed=[(1, 2)]))  # 2 and 2, at distances 2 and 1
    assert ("ignores_distance", "3") in spotted(hit)
    miss = read("BLL002", lever_stream(4, placed=[(2, 2)]))  # 3 against 2
    assert ("ignores_distance", "4") not in spotted(miss)


def test_the_same_weights_placed_in_another_order_are_the_same_wrong_answer():
    one = lever_stream(6, placed=[(1, 1), (2, 3)])
    other = lever_stream(6, placed=[(2, 3), (1, 1)])
    assert (
        wrong_of(read("BLL002", one), "6")[0].group == wrong_of(read("BLL002", other), "6")[0].group
    )


# --- chernoff_tutorial -------------------------------------------------------------------------


def faces_stream(**values) -> Stream:
    stream = Stream().add("session_started").add("step_viewed", step="match_1")
    for feature, value in values.items():
        stream.add("slider_changed", step="match_1", feature=feature, value=value)
    stream.add("match_checked", step="match_1", attempt=1, distance=0.5, matched=False)
    return stream


SUNHAVEN = dict(faces.lesson.TARGETS["match_1"])


def test_a_feature_within_the_tolerance_is_right_and_one_step_beyond_is_off():
    # Population: 1–20, 10% of 19 = 1.9 million; rainfall 0–3000: 300 mm.
    inside = read(
        "chernoff_tutorial", faces_stream(**{**SUNHAVEN, "population": 5, "rainfall": 600})
    )
    assert inside.items[0].wrong == ()
    beyond = read(
        "chernoff_tutorial", faces_stream(**{**SUNHAVEN, "population": 6, "rainfall": 700})
    )
    [wrong] = beyond.items[0].wrong
    assert wrong.words == "population too high · rainfall too high"


def test_wrong_way_round_is_spotted_past_the_middle_and_not_on_it():
    hit = read("chernoff_tutorial", faces_stream(**{**SUNHAVEN, "rainfall": 1600}))
    assert ("wrong_way_round", "match_1") in spotted(hit)
    on_middle = read("chernoff_tutorial", faces_stream(**{**SUNHAVEN, "rainfall": 1500}))
    assert on_middle.items[0].wrong  # too high: a wrong answer
    assert ("wrong_way_round", "match_1") not in spotted(on_middle)


def answer(choice: str, question: str = "warmest") -> Stream:
    stream = Stream().add("session_started").add("step_viewed", step="read_1")
    return stream.add("question_answered", step="read_1", question=question, choice=choice)


def test_reads_another_feature_is_spotted_on_the_top_city_of_another_feature_only():
    hit = read("chernoff_tutorial", answer("dunesfield"))  # the most people, not the warmest
    assert ("reads_another_feature", "read_1.warmest") in spotted(hit)
    miss = read("chernoff_tutorial", answer("alderby"))  # top on nothing
    assert hit.items[0].wrong != ()
    assert ("reads_another_feature", "read_1.warmest") not in spotted(miss)
    assert miss.items[0].wrong[0].words == "chose Alderby"
    assert read("chernoff_tutorial", answer("brightwater")).items[0].wrong == ()


def test_the_cities_agree_with_the_reducer():
    reducer = Path("static/widgets/chernoff_tutorial/reducer.js").read_text()
    found = {
        city: {"population": int(p), "rainfall": int(r), "happiness": int(h), "temperature": int(t)}
        for city, p, r, h, t in re.findall(
            r"(\w+): \{ name: \"\w+\", values: \{ population: (\d+), rainfall: (\d+), "
            r"happiness: (\d+), temperature: (\d+) \} \}",
            reducer,
        )
    }
    assert {city: found[city] for city in faces.CITIES} == faces.CITIES
    for name, feature in faces.ASKS.items():
        assert re.search(rf'id: "{name}",[^}}]*feature: "{feature}"', reducer), name


# --- Time per item, and the registry of rules ----------------------------------------------------


def test_time_per_item_caps_each_gap_and_counts_nothing_across_a_sitting_gap():
    rules = MeasureRules(idle_cap_ms=60 * SECOND, sitting_gap_ms=600 * SECOND)
    times = [0, 10, 100, 110, 2000]  # seconds: 10, 90 (capped at 60), 10, 1890 (a new sitting)
    events = [{"type": "x", "t": T0 + s * SECOND} for s in times]
    spent = responses.time_per_item(events, [None, "a", "a", "b", "b"], rules)
    assert spent == {"a": 70 * SECOND, "b": 10 * SECOND}


@pytest.mark.parametrize("widget", ["TEI001", "BLL002", "chernoff_tutorial"])
def test_every_widget_names_at_least_two_misconceptions_in_plain_words(widget):
    named = responses.misconceptions_of(widget)
    assert len(named) >= 2
    for misconception in named:
        assert misconception.words[0].isupper() and "_" not in misconception.words


def test_a_widget_without_rules_reads_as_nothing():
    assert responses.read_session("no_such_widget", [{"type": "x", "t": T0}]) == (
        responses.SessionReading()
    )
