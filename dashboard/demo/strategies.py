"""How simulated learners go about a task: what they get right, how they react, how fast.

A strategy is a handful of numbers that the widget simulators read; a learner adds a skill of
their own (a strategy's accuracy, give or take, growing a little lesson by lesson). Think times
are drawn from a log-normal distribution: most actions take about the median, a few take much
longer, as in real classroom logs.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

# Median seconds a median learner spends before each kind of action. Classroom logs are slow:
# learners read, hesitate, talk to a neighbour, drag and drop again.
BASE_SECONDS = {
    "read": 30.0,  # reading a task or an introduction, then acting on it
    "place": 11.0,  # moving one thing (a card, a slider, a weight)
    "decide": 15.0,  # choosing an answer
    "check": 4.0,  # pressing Check or letting go of the lever
    "feedback": 12.0,  # reading what a check said
    "hint": 20.0,  # reading a hint
    "next": 3.0,  # pressing Next
}
DISTRACTION_RATE = 0.04  # chance that the learner drifts off before an action …
DISTRACTION_SECONDS = (20.0, 150.0)  # … for this long


@dataclass(frozen=True)
class Strategy:
    name: str
    label: str
    description: str
    accuracy: float  # chance that a first go at one step of reasoning is right
    fix_rate: float  # chance that a mistake the feedback points at is put right next time
    hint_rate: float  # chance to ask for a hint (or go back and reread) before acting
    patience: float  # chance to carry on after a setback rather than leave the activity
    pace: float  # multiplier on every think time
    reading: float  # extra multiplier on reading a task, feedback or a hint
    spread: float  # sigma of the log-normal think times
    learns: float  # accuracy gained per lesson

    def seconds(self, rng: random.Random, kind: str) -> float:
        """A think time before an action of `kind`, drawn for this strategy."""
        median = BASE_SECONDS[kind] * self.pace
        if kind in ("read", "feedback", "hint"):
            median *= self.reading
        seconds = min(median * math.exp(rng.gauss(0.0, self.spread)), 20 * median)
        if rng.random() < DISTRACTION_RATE:
            seconds += rng.uniform(*DISTRACTION_SECONDS)
        return seconds


SYSTEMATIC = Strategy(
    name="systematic",
    label="Systematic",
    description="Works each answer out before acting; rarely wrong, fixes what feedback shows.",
    accuracy=0.86,
    fix_rate=0.9,
    hint_rate=0.1,
    patience=0.98,
    pace=1.25,
    reading=1.2,
    spread=0.35,
    learns=0.01,
)
TRIAL_AND_ERROR = Strategy(
    name="trial_and_error",
    label="Trial and error",
    description="Acts fast on a rough idea, checks often and nudges towards the answer.",
    accuracy=0.5,
    fix_rate=0.55,
    hint_rate=0.12,
    patience=0.95,
    pace=0.6,
    reading=0.5,
    spread=0.5,
    learns=0.02,
)
GUESSING = Strategy(
    name="guessing",
    label="Guessing",
    description="Picks answers at random, clicks through quickly, skips what can be skipped.",
    accuracy=0.0,
    fix_rate=0.0,
    hint_rate=0.03,
    patience=0.93,
    pace=0.35,
    reading=0.25,
    spread=0.6,
    learns=0.0,
)
HINT_HEAVY = Strategy(
    name="hint_heavy",
    label="Hint-heavy",
    description="Asks for every hint and rereads instructions, then follows the hints carefully.",
    accuracy=0.55,
    fix_rate=0.8,
    hint_rate=0.85,
    patience=0.97,
    pace=1.0,
    reading=1.8,
    spread=0.45,
    learns=0.015,
)
GIVING_UP = Strategy(
    name="giving_up",
    label="Giving up early",
    description="Slow and unsure; often leaves an activity after the first setback.",
    accuracy=0.42,
    fix_rate=0.35,
    hint_rate=0.2,
    patience=0.55,
    pace=1.5,
    reading=0.8,
    spread=0.6,
    learns=0.01,
)

STRATEGIES: dict[str, Strategy] = {
    strategy.name: strategy
    for strategy in (SYSTEMATIC, TRIAL_AND_ERROR, GUESSING, HINT_HEAVY, GIVING_UP)
}
