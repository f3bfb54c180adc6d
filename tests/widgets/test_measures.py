"""widgets/measures.py on hand-made event streams: active time, sittings, work, outcome, scores."""

from __future__ import annotations

import random

import pytest

from widgets.measures import (
    MeasureRules,
    Outcome,
    active_ms_of,
    measure,
    outcome_of,
    sittings_of,
)
from widgets.registry import get_widget

S = 1000
MIN = 60 * S
RULES = MeasureRules(idle_cap_ms=2 * MIN, sitting_gap_ms=30 * MIN, last_event_allowance_ms=5 * S)


def ev(t: int, type_: str = "weight_placed", **data) -> dict:
    return {"type": type_, "t": t, "data": data}


def test_it_counts_every_gap_up_to_the_idle_cap():
    # 30 s, then 10 min away (counts 2 min), then 1 min: 3 min 30 s, plus 5 s after the last.
    times = [0, 30 * S, 30 * S + 10 * MIN, 30 * S + 11 * MIN]
    assert active_ms_of(times, RULES) == 30 * S + 2 * MIN + 1 * MIN + 5 * S


def test_a_single_event_is_the_allowance_alone():
    assert active_ms_of([1234], RULES) == 5 * S
    assert active_ms_of([], RULES) == 0


def test_a_gap_longer_than_the_sitting_gap_starts_a_sitting_and_counts_nothing():
    two_days = 2 * 24 * 60 * MIN
    times = [0, 1 * MIN, 3 * MIN, two_days, two_days + 4 * MIN]
    sittings = sittings_of(times, RULES)
    assert [(s.start_t, s.end_t, s.events, s.first_index) for s in sittings] == [
        (0, 3 * MIN, 3, 0),
        (two_days, two_days + 4 * MIN, 2, 3),
    ]
    assert [s.active_ms for s in sittings] == [3 * MIN + 5 * S, 2 * MIN + 5 * S]
    # Not 48 hours: the two sittings' active times.
    assert active_ms_of(times, RULES) == 5 * MIN + 10 * S


def test_a_gap_exactly_at_the_sitting_gap_stays_in_the_sitting():
    assert len(sittings_of([0, 30 * MIN], RULES)) == 1
    assert len(sittings_of([0, 30 * MIN + 1], RULES)) == 2


def test_the_measures_do_not_depend_on_delivery_order_or_duplicates_of_times():
    widget = get_widget("BLL002")
    events = [ev(0, "session_started"), ev(20 * S), ev(50 * S, "prediction_made", answer="left")]
    shuffled = events[:]
    random.Random(4).shuffle(shuffled)
    first = measure(events, work_types=widget.work_types, assess=widget.assess, rules=RULES)
    again = measure(shuffled, work_types=widget.work_types, assess=widget.assess, rules=RULES)
    assert first == again
    assert (first.active_ms, first.span_ms, first.work_events) == (55 * S, 50 * S, 2)


def test_a_session_with_only_lifecycle_events_is_an_open_without_work():
    widget = get_widget("TEI001")
    # Opened, pressed Start (reading the item is not work), left.
    events = [ev(0, "session_started"), ev(3 * S, "item_started", item=1)]
    measures = measure(events, work_types=widget.work_types, assess=widget.assess, rules=RULES)
    assert measures.opened_without_work
    assert measures.assessment.score is None  # no answer given, not a zero
    assert measures.assessment.full_maximum == 9.0
    assert measures.outcome(now_ms=10 * MIN, last_time_ms=3 * S, abandon_after_ms=30 * MIN) == (
        Outcome.NOT_STARTED
    )


def tei_wrong_try(t: int, item: int = 1) -> list[dict]:
    """Every card of item 1 placed one tick off, then Check."""
    cards = {"1/4": 6, "1/2": 9, "3/4": 3, "5/4": 18}
    placed = [
        ev(t + i, "card_placed", item=item, card=card, position=position)
        for i, (card, position) in enumerate(cards.items())
    ]
    return [*placed, ev(t + 10, "answer_checked", item=item, attempt=1, correct_cards=[])]


def test_a_completed_session_with_a_zero_score_says_zero_of_what_was_tried():
    widget = get_widget("TEI001")
    events = [
        ev(0, "session_started"),
        ev(1, "item_started", item=1),
        *tei_wrong_try(100),
        ev(200, "session_completed"),
    ]
    measures = measure(events, work_types=widget.work_types, assess=widget.assess, rules=RULES)
    assessment = measures.assessment
    assert (assessment.score, assessment.maximum, assessment.full_maximum) == (0.0, 3.0, 9.0)
    assert [item.item for item in assessment.attempted] == ["1"]
    first = assessment.items[0]
    assert (first.tries, first.solved_on, first.gave_up) == (1, None, True)
    assert measures.completed
    assert measures.outcome(now_ms=10**12, last_time_ms=0, abandon_after_ms=1) == Outcome.COMPLETED


def test_bll002_items_count_releases_hints_and_the_release_that_met_the_goal():
    widget = get_widget("BLL002")
    events = [
        ev(0, "session_started"),
        ev(1, "challenge_started", challenge=3),  # out of order: ignored, as the reducer does
        ev(2, "challenge_started", challenge=1),
        ev(3, "hint_requested", challenge=1, hint=1),
        ev(4, "hint_requested", challenge=1, hint=1),  # the same hint again: not counted
        ev(5, "prediction_made", answer="right"),
        ev(6, "released", outcome="left"),
    ]
    assessment = measure(events, work_types=widget.work_types, assess=widget.assess).assessment
    first = assessment.items[0]
    # Challenge 1 is a prediction: over after one release, but the prediction was wrong, so it
    # is not solved (and earns no point), as the items page and the replay both say.
    assert (first.item, first.tries, first.hints, first.solved_on) == ("1", 1, 1, None)
    assert first.gave_up
    assert (assessment.score, assessment.maximum) == (0.0, 1.0)
    assert [item.tries for item in assessment.items[1:]] == [0] * 7


def test_bll002_a_right_prediction_is_solved_on_its_release():
    widget = get_widget("BLL002")
    events = [
        ev(0, "session_started"),
        ev(1, "challenge_started", challenge=1),
        ev(2, "prediction_made", answer="left"),
        ev(3, "released", outcome="left"),
    ]
    first = measure(events, work_types=widget.work_types, assess=widget.assess).assessment.items[0]
    assert (first.tries, first.solved_on, first.gave_up, first.points) == (1, 1, False, 1.0)


def test_the_outcome_of_a_session_with_work():
    kwargs = {"completed": False, "work_events": 3, "abandon_after_ms": 30 * MIN}
    assert outcome_of(**kwargs, last_time_ms=0, now_ms=29 * MIN) == Outcome.IN_PROGRESS
    assert outcome_of(**kwargs, last_time_ms=0, now_ms=31 * MIN) == Outcome.ABANDONED


@pytest.mark.parametrize("widget_id", ["BLL002", "TEI001", "chernoff_tutorial"])
def test_every_widget_declares_work_and_scores_from_its_items(widget_id):
    widget = get_widget(widget_id)
    assert widget.work_types and widget.work_types <= set(widget.event_schemas)
    assert widget.assess is not None
    assert widget.abandon_after_ms > 0


def test_items_keep_when_each_try_and_hint_happened():
    widget = get_widget("BLL002")
    events = [
        ev(0, "session_started"),
        ev(2, "challenge_started", challenge=1),
        ev(3_000, "hint_requested", challenge=1, hint=1),
        ev(5_000, "prediction_made", answer="left"),
        ev(7_000, "released", outcome="left"),
    ]
    first = measure(events, work_types=widget.work_types, assess=widget.assess).assessment.items[0]
    assert (first.tries_at, first.hints_at) == ((7_000,), (3_000,))
    tei = measure(
        tei_wrong_try(100), work_types=frozenset(), assess=get_widget("TEI001").assess
    ).assessment.items[0]
    assert tei.tries_at == ()  # item 1 never started: the check is ignored, as the reducer does


def test_every_item_has_a_name_a_teacher_reads():
    for widget_id in ("BLL002", "TEI001", "chernoff_tutorial"):
        widget = get_widget(widget_id)
        for item in widget.assess([]).items:
            label = widget.item_label(item.item)
            assert label and "_" not in label and "." not in label, (widget_id, label)
