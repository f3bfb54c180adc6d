"""The replay's time with the gaps between sittings cut (replay/sessiontime.py), on the cases
that static/replay/sessiontime.js is also tested on (tests/fixtures/replay_time.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from replay.sessiontime import gap_words, session_time
from widgets.measures import MeasureRules

FIXTURE = json.loads((Path(__file__).parents[1] / "fixtures" / "replay_time.json").read_text())
CASES = {case["name"]: case for case in FIXTURE["cases"]}
RULES = MeasureRules(idle_cap_ms=120_000, sitting_gap_ms=1_800_000)


@pytest.fixture(params=list(CASES))
def case(request):
    return CASES[request.param]


def test_it_cuts_the_session_into_the_platforms_sittings_for_the_page(case):
    clock = session_time(case["times"], RULES)
    assert clock.as_data() == case["sittings"]
    assert clock.length == case["length"]


def test_it_maps_absolute_times_to_play_times_with_the_gaps_cut(case):
    clock = session_time(case["times"], RULES)
    for t, play in case["play"]:
        assert clock.play(t) == play, t
    assert list(clock.plays([t for t, _ in case["play"]])) == [play for _, play in case["play"]]


def test_it_maps_play_times_back_to_what_the_widget_is_told(case):
    clock = session_time(case["times"], RULES)
    for play, t in case["absolute"]:
        assert clock.absolute(play) == t, play
    for play, number in case["sitting"]:
        assert clock.part_at(play).number == number, play
    for play, in_gap in case["in_gap"]:
        assert clock.in_gap(play) is in_gap, play


def test_every_event_plays_at_a_moment_that_shows_exactly_it(case):
    clock = session_time(case["times"], RULES)
    for t in case["times"]:
        assert clock.absolute(clock.play(t)) == t
    plays = clock.plays(case["times"])
    assert list(plays) == sorted(plays)


def test_two_sittings_of_twelve_minutes_two_days_apart_play_for_about_24_minutes():
    clock = session_time(CASES["two sittings of 12 minutes, two days apart"]["times"], RULES)
    assert clock.span_ms == 2 * 86_400_000 + 720_000
    assert 24 * 60_000 <= clock.length <= 25 * 60_000
    (cut,) = clock.cuts()
    assert cut[:2] == (720_000, 721_000)
    assert cut[2].later == "2 days later"


def test_the_installations_sitting_gap_decides_where_a_session_is_cut():
    times = [0, 1000, 1000 + 20 * 60_000]
    assert len(session_time(times, RULES).parts) == 1
    assert len(session_time(times, MeasureRules(sitting_gap_ms=10 * 60_000)).parts) == 2


@pytest.mark.parametrize(
    ("ms", "words"),
    [
        (31 * 60_000, "31 min 00 s"),
        (5 * 3_600_000 + 600_000, "5 h 10 min"),
        (86_400_000, "1 day"),
        (2 * 86_400_000 - 720_000, "2 days"),
        (18 * 86_400_000 + 3_600_000, "18 days"),
    ],
)
def test_gaps_read_in_words(ms, words):
    assert gap_words(ms) == words
