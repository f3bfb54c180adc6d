"""core/formatting.py against the cases that static/js/format.js is also tested on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.formatting import format_clock, format_duration, format_score, plural

CASES = json.loads((Path(__file__).parents[1] / "fixtures" / "formatting.json").read_text())


@pytest.mark.parametrize(("ms", "text"), CASES["duration"])
def test_it_writes_durations(ms, text):
    assert format_duration(ms) == text


def test_it_writes_nan_as_unknown():
    assert format_duration(float("nan")) == "—"


@pytest.mark.parametrize(("ms", "text"), CASES["clock"])
def test_it_writes_replay_moments(ms, text):
    assert format_clock(ms) == text


@pytest.mark.parametrize(("count", "word", "many", "text"), CASES["plural"])
def test_it_writes_counts_with_their_word(count, word, many, text):
    assert plural(count, word, many) == text


@pytest.mark.parametrize(("score", "maximum", "text"), CASES["score"])
def test_it_tells_no_answer_from_a_zero_score(score, maximum, text):
    assert format_score(score, maximum) == text
