"""One simulator per widget: a simulated learner's events in one session (or one visit of it).

Each simulator plays the widget as its view lets a learner play it: it keeps the state the learner
sees (the reducer's rules, in Python, from the widget's module in widgets/), chooses an action the
view offers in that state, and records the events the view would dispatch for it, with the same
types, data and order (for example, TEI001's view sends `item_completed` and `session_completed`
in the same click as the last `answer_checked`). So every simulated event passes the registry's
JSON Schemas, and every event changes the reducer's state as it does for a real learner
(tests/js/demo_sessions.test.mjs folds exported sessions with the reducers and checks this).

Time runs on a clock of the simulated learner: a think time drawn for their strategy before each
action, a few milliseconds between the events of one gesture. When the next action would come
after the session's deadline (the end of the lesson) the learner stops there; a learner who gives
up stops too. Event and session ids come from the random generator, so a seed gives the same
sessions every time.
"""

from __future__ import annotations

import copy
import functools
import itertools
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dashboard.demo.strategies import Strategy
from widgets import bll002, tei001
from widgets.chernoff_tutorial import (
    ALL_FEATURES,
    FEATURES,
    QUESTIONS,
    SLIDER_STEPS,
    START,
    STEPS,
    TARGETS,
    TOLERANCE_PERCENT,
    is_within_tolerance,
)

# Chernoff: failed checks after which the view offers "Skip for now" (reducer ATTEMPTS_BEFORE_SKIP).
CHERNOFF_ATTEMPTS_BEFORE_SKIP = 3


# How slow each widget's actions are, on top of a strategy's pace: on the lever, learners watch it
# swing, try weights by hand and talk it over.
WIDGET_TEMPO = {"BLL002": 2.4, "TEI001": 1.1, "chernoff_tutorial": 1.0}


class Stop(Exception):
    """The learner stops here: the lesson is over, or they give up."""


@dataclass
class Simulated:
    widget: str
    session: str
    strategy: str
    events: list[dict[str, Any]]
    start_ms: int
    end_ms: int
    completed: bool  # the session reached session_completed
    stopped: str | None = None  # why it ended early: "time" or "gave_up"


def new_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def new_session_id(rng: random.Random) -> str:
    """A session id shaped like the ones dashboard/launch.py makes."""
    return new_uuid(rng).hex


@dataclass
class Recorder:
    """A learner's clock and the events they produce."""

    rng: random.Random
    strategy: Strategy
    widget: str
    session: str
    t: int
    deadline: int | None = None
    events: list[dict[str, Any]] = field(default_factory=list)

    def pause(self, kind: str) -> None:
        seconds = self.strategy.seconds(self.rng, kind) * WIDGET_TEMPO.get(self.widget, 1.0)
        self.t += max(250, int(seconds * 1000))

    def act(self, event_type: str, data: dict[str, Any] | None = None, *, before: str) -> None:
        """Thinks (`before` says about what), then does something that sends `event_type`."""
        self.pause(before)
        if self.deadline is not None and self.t > self.deadline:
            raise Stop("time")
        self._emit(event_type, data)

    def follow(self, event_type: str, data: dict[str, Any] | None = None) -> None:
        """An event the view sends in the same gesture as the previous one."""
        self.t += self.rng.randint(3, 40)
        self._emit(event_type, data)

    def maybe_give_up(self) -> None:
        if self.rng.random() > self.strategy.patience:
            raise Stop("gave_up")

    def _emit(self, event_type: str, data: dict[str, Any] | None) -> None:
        self.events.append(
            {
                "id": str(new_uuid(self.rng)),
                "session": self.session,
                "widget": self.widget,
                "type": event_type,
                "t": self.t,
                "data": data or {},
            }
        )

    def run(self, play: Callable[[], None]) -> Simulated:
        start = self.t
        stopped = None
        try:
            play()
        except Stop as stop:
            stopped = str(stop)
        return Simulated(
            widget=self.widget,
            session=self.session,
            strategy=self.strategy.name,
            events=self.events,
            start_ms=start,
            end_ms=self.t,
            completed=any(e["type"] == "session_completed" for e in self.events),
            stopped=stopped,
        )


def simulate_open_and_leave(
    rng: random.Random, strategy: Strategy, *, widget: str, session: str, start_ms: int
) -> Simulated:
    """A learner who opens a widget and leaves without doing anything: a wrong click, a look at
    what is next. The teacher sees it as an open without work, never as a zero score."""
    recorder = Recorder(rng, strategy, widget, session, start_ms)

    def play() -> None:
        recorder._emit("session_started", None)
        if widget == "TEI001" and rng.random() < 0.5:  # pressed Start, read the item, left
            recorder.t += rng.randint(2_000, 9_000)
            recorder._emit("item_started", {"item": 1})

    return recorder.run(play)


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


# --- TEI001: fractions on a number line -----------------------------------------------------------

# Later items are harder: a learner's skill counts for less on them.
TEI_DIFFICULTY = (0.0, 0.08, 0.16)


def _tei_positions(item: int) -> list[int]:
    step = tei001.ITEMS[item - 1]["step"]
    return list(range(0, tei001.MAX_POSITION + 1, step))


def _tei_first_guess(rng: random.Random, skill: float, item: int, card: str) -> int:
    step = tei001.ITEMS[item - 1]["step"]
    target = tei001.target_of(card)
    if skill <= 0:
        return rng.choice(_tei_positions(item))
    if rng.random() < skill:
        return target
    if rng.random() < 0.6:  # one tick off: the commonest slip
        return _clamp(target + rng.choice((-step, step)), 0, tei001.MAX_POSITION)
    return rng.choice([p for p in _tei_positions(item) if abs(p - target) > step])


def _tei_fix(
    rng: random.Random, strategy: Strategy, item: int, card: str, position: int, verdict: str
) -> int:
    """Where the learner moves a card the check did not find right."""
    step = tei001.ITEMS[item - 1]["step"]
    target = tei001.target_of(card)
    if strategy.fix_rate <= 0:
        return rng.choice([p for p in _tei_positions(item) if p != position])
    if rng.random() < strategy.fix_rate:
        return target
    if verdict == "close":  # "one tick off", but which way? A guess.
        return _clamp(position + rng.choice((-step, step)), 0, tei001.MAX_POSITION)
    halfway = position + (target - position) // 2
    return _clamp(halfway - halfway % step, 0, tei001.MAX_POSITION)


@dataclass
class _Learner:
    """A simulated learner in one visit: its random draws, strategy and skill, and the recorder of
    what the view would send. Each widget's learner adds a method per part of the activity."""

    rng: random.Random
    strategy: Strategy
    skill: float
    rec: Recorder
    extra_moves: int  # moves made only to lengthen the session (generate_events)


class _FractionsLearner(_Learner):
    """A learner playing TEI001: the choices of `simulate_tei001`, one method per part."""

    def play_item(self, item: int) -> None:
        cards = list(tei001.ITEMS[item - 1]["cards"])
        skill_here = max(0.0, self.skill - TEI_DIFFICULTY[item - 1]) if self.skill > 0 else 0.0
        if self.strategy.name != "systematic":
            self.rng.shuffle(cards)  # the systematic learner takes the tray in order
        placements: dict[str, int] = {}
        for card in cards:
            position = _tei_first_guess(self.rng, skill_here, item, card)
            self.rec.act(
                "card_placed", {"item": item, "card": card, "position": position}, before="place"
            )
            placements[card] = position
            # Second thoughts: the card goes back to the tray and comes out somewhere else.
            if self.strategy.name != "systematic" and self.rng.random() < 0.07:
                self.rec.act("card_removed", {"item": item, "card": card}, before="place")
                position = _tei_first_guess(self.rng, skill_here, item, card)
                self.rec.act(
                    "card_placed",
                    {"item": item, "card": card, "position": position},
                    before="place",
                )
                placements[card] = position
        while self.extra_moves > 0:
            card = self.rng.choice(cards)
            here = placements[card]
            there = self.rng.choice([p for p in _tei_positions(item) if p != here])
            self.rec.act(
                "card_moved",
                {"item": item, "card": card, "from": here, "position": there},
                before="place",
            )
            self.rec.act(
                "card_moved",
                {"item": item, "card": card, "from": there, "position": here},
                before="place",
            )
            self.extra_moves -= 2
        for attempt in range(1, tei001.MAX_ATTEMPTS + 1):
            verdicts = {card: tei001.verdict_for(item, card, placements[card]) for card in cards}
            right = [card for card in tei001.ITEMS[item - 1]["cards"] if verdicts[card] == "right"]
            self.rec.act(
                "answer_checked",
                {"item": item, "attempt": attempt, "correct_cards": right},
                before="check",
            )
            all_right = len(right) == len(cards)
            if all_right or attempt == tei001.MAX_ATTEMPTS:
                self.rec.follow("item_completed", {"item": item, "correct": all_right})
                if item == len(tei001.ITEMS):
                    self.rec.follow("session_completed")
                elif not all_right:
                    self.rec.pause("feedback")  # the answers shown under the line
                    self.rec.maybe_give_up()
                return
            self.rec.pause("feedback")
            self.rec.maybe_give_up()
            for card in cards:
                if verdicts[card] == "right":
                    continue
                moved = _tei_fix(
                    self.rng, self.strategy, item, card, placements[card], verdicts[card]
                )
                if moved != placements[card]:
                    self.rec.act(
                        "card_moved",
                        {"item": item, "card": card, "from": placements[card], "position": moved},
                        before="place",
                    )
                    placements[card] = moved

    def play(self) -> None:
        self.rec.follow("session_started")
        self.rec.act("item_started", {"item": 1}, before="read")  # reads the how-to, presses Start
        self.play_item(1)
        for item in range(2, len(tei001.ITEMS) + 1):
            self.rec.act("item_started", {"item": item}, before="next")
            self.play_item(item)


def simulate_tei001(
    rng: random.Random,
    strategy: Strategy,
    skill: float,
    *,
    session: str,
    start_ms: int,
    deadline_ms: int | None = None,
    extra_moves: int = 0,
) -> Simulated:
    """One session of TEI001, from opening the page to the last item or the learner stopping.

    `extra_moves` makes the learner move cards back and forth that many more times before the
    first check (for generate_events, which needs sessions of a given length).
    """
    rec = Recorder(rng, strategy, tei001.WIDGET.id, session, start_ms, deadline_ms)
    learner = _FractionsLearner(rng, strategy, skill, rec, extra_moves)
    return rec.run(learner.play)


# --- chernoff_tutorial: reading data drawn as faces -----------------------------------------------


def _slider_values(feature: str) -> list[int]:
    slider = FEATURES[feature]
    return list(range(slider["min"], slider["max"] + 1, slider["step"]))


def _tolerance(feature: str) -> int:
    """The largest whole number of the slider's steps still within tolerance of a target."""
    slider = FEATURES[feature]
    span = slider["max"] - slider["min"]
    return TOLERANCE_PERCENT * span // 100 // slider["step"] * slider["step"]


def _estimate(rng: random.Random, feature: str, target: int, p_right: float) -> int:
    """A slider value for `target`, set by eye: within tolerance with probability `p_right`."""
    slider = FEATURES[feature]
    if p_right <= 0:
        return rng.choice(_slider_values(feature))
    tolerance = _tolerance(feature)
    if rng.random() < p_right:
        value = target + rng.choice(range(-tolerance, tolerance + 1, slider["step"]))
    else:
        off = tolerance + slider["step"] * rng.randint(1, max(1, 2 * tolerance // slider["step"]))
        value = target + rng.choice((-1, 1)) * off
    return _clamp(value, slider["min"], slider["max"])


def _distance(values: dict[str, int], target: dict[str, int]) -> float:
    """What the view claims in match_checked (the reducer's matchResult)."""
    spans = {name: s["max"] - s["min"] for name, s in FEATURES.items()}
    return round(max(abs(values[name] - target[name]) / spans[name] for name in spans), 3)


@dataclass
class _TutorialLearner(_Learner):
    """A learner going through the Chernoff tutorial, and the sliders as the view holds them."""

    def __post_init__(self) -> None:
        self.steps = list(STEPS)
        self.completed: set[str] = set()
        self.sliders = {step: {f: START[f] for f in fs} for step, fs in SLIDER_STEPS.items()}
        self.touched: dict[str, set[str]] = {step: set() for step in SLIDER_STEPS}

    def complete(self, step: str) -> None:
        self.completed.add(step)
        self.rec.follow("step_completed", {"step": step})

    def go_to(self, step: str) -> None:
        self.rec.act("step_viewed", {"step": step}, before="next")

    def set_slider(self, step: str, feature: str, value: int) -> None:
        if self.sliders[step][feature] == value and feature in self.touched[step]:
            return  # let go where it was: the view sends nothing
        self.rec.act(
            "slider_changed", {"step": step, "feature": feature, "value": value}, before="place"
        )
        self.sliders[step][feature] = value
        self.touched[step].add(feature)

    def explore(self, step: str) -> None:
        features = list(SLIDER_STEPS[step])
        wiggles = {"systematic": 0, "hint_heavy": 1}.get(self.strategy.name, 2)
        moves = features + [self.rng.choice(features) for _ in range(self.rng.randint(0, wiggles))]
        while self.extra_moves > 0:
            moves.append(self.rng.choice(features))
            self.extra_moves -= 1
        for feature in moves:
            current = self.sliders[step][feature]
            self.set_slider(
                step, feature, self.rng.choice([v for v in _slider_values(feature) if v != current])
            )
            if step not in self.completed and self.touched[step] == set(features):
                self.complete(step)

    def reread_the_key(self) -> None:
        """Back to the explore self.steps to look at the mapping again, then forward to match_1."""
        self.go_to("explore_mood")
        self.rec.pause("read")
        self.go_to("explore_size")
        self.rec.pause("read")
        self.go_to("explore_mood")
        self.go_to("match_1")

    def match(self, step: str) -> None:
        target = dict(TARGETS[step])
        values = self.sliders[step]
        attempts = 0
        if step == "match_1" and self.rng.random() < self.strategy.hint_rate:
            self.reread_the_key()
        while True:
            for feature in ALL_FEATURES:
                close = abs(values[feature] - target[feature]) <= _tolerance(feature)
                if self.skill <= 0:  # a guesser moves some self.sliders anywhere
                    if attempts == 0 or self.rng.random() < 0.5:
                        self.set_slider(
                            step, feature, _estimate(self.rng, feature, target[feature], 0)
                        )
                elif attempts == 0:
                    self.set_slider(
                        step, feature, _estimate(self.rng, feature, target[feature], self.skill)
                    )
                elif not close:
                    # After the first check only a count is shown; from the second on, the view
                    # names each feature still off and the way to move it.
                    p_fix = (
                        self.strategy.fix_rate if attempts >= 2 else self.strategy.fix_rate * 0.6
                    )
                    self.set_slider(
                        step, feature, _estimate(self.rng, feature, target[feature], p_fix)
                    )
            attempts += 1
            matched = is_within_tolerance(values, target)
            self.rec.act(
                "match_checked",
                {
                    "step": step,
                    "attempt": attempts,
                    "distance": _distance(values, target),
                    "matched": matched,
                },
                before="check",
            )
            if matched:
                self.complete(step)
                return
            self.rec.pause("feedback")
            self.rec.maybe_give_up()
            if attempts >= CHERNOFF_ATTEMPTS_BEFORE_SKIP:
                skip = {"guessing": 0.85, "giving_up": 0.7, "trial_and_error": 0.2}.get(
                    self.strategy.name, 0.05
                )
                if self.rng.random() < skip or attempts >= 8:
                    return  # "Skip for now"

    def read(self, step: str) -> None:
        for name, question in QUESTIONS[step].items():
            tried: list[str] = []
            while True:
                left = [c for c in question["choices"] if c not in tried]
                p_right = self.skill if not tried else self.skill + (1 - self.skill) * 0.5
                wrong = [c for c in left if c != question["answer"]]
                if self.skill <= 0:
                    choice = self.rng.choice(left)
                elif self.rng.random() < p_right or not wrong:
                    choice = question["answer"]
                else:
                    choice = self.rng.choice(wrong)
                self.rec.act(
                    "question_answered",
                    {"step": step, "question": name, "choice": choice},
                    before="decide",
                )
                tried.append(choice)
                if choice == question["answer"]:
                    break
                self.rec.pause("feedback")
                self.rec.maybe_give_up()
        self.complete(step)

    def play(self) -> None:
        self.rec.follow("session_started")
        for index, step in enumerate(self.steps):
            if step == "welcome":
                self.rec.act("step_completed", {"step": step}, before="read")
                self.completed.add(step)
            elif step in TARGETS:
                self.match(step)
            elif step in SLIDER_STEPS:
                self.rec.pause("read")
                self.explore(step)
            elif step in QUESTIONS:
                self.rec.pause("read")
                self.read(step)
            else:  # finish: the summary, then "Finish ✓"
                self.rec.act("step_completed", {"step": step}, before="read")
                self.rec.follow("session_completed")
                return
            following = self.steps[index + 1]
            if step == "welcome":
                self.rec.follow("step_viewed", {"step": following})
            else:
                self.go_to(following)


def simulate_chernoff(
    rng: random.Random,
    strategy: Strategy,
    skill: float,
    *,
    session: str,
    start_ms: int,
    deadline_ms: int | None = None,
    extra_moves: int = 0,
) -> Simulated:
    """One session of the Chernoff faces tutorial.

    `extra_moves` makes the learner play with the first step's sliders that many more times.
    """
    rec = Recorder(rng, strategy, "chernoff_tutorial", session, start_ms, deadline_ms)
    learner = _TutorialLearner(rng, strategy, skill, rec, extra_moves)
    return rec.run(learner.play)


# --- BLL002: balance lever lab (a resume widget: one session over several visits) -----------------

# The lab's rules and challenges, from its registry module (the same as its reducer's).
LEVER_CHALLENGES = bll002.CHALLENGES


def tray_masses(challenge: bll002.Challenge) -> tuple[int, ...]:
    """The tray, one mass per weight, lightest first: {1: 2, 3: 1} → 1, 1, 3."""
    return tuple(mass for mass, count in sorted(challenge.tray.items()) for _ in range(count))


def _stack_ok(weights: list[tuple[int, int]]) -> bool:
    pegs = [peg for peg, _ in weights]
    return all(pegs.count(peg) <= bll002.MAX_STACK for peg in set(pegs))


@functools.cache
def lever_solutions(challenge_id: int) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Every arrangement of the tray's weights that balances the lever (as sorted (peg, mass))."""
    challenge = LEVER_CHALLENGES[challenge_id - 1]
    found = set()
    for pegs in itertools.product(bll002.PEGS, repeat=len(tray_masses(challenge))):
        placed = tuple(sorted(zip(pegs, tray_masses(challenge), strict=True)))
        weights = list(challenge.fixed) + list(placed)
        if bll002.outcome_of(weights) == "balance" and _stack_ok(weights):
            found.add(placed)
    return tuple(sorted(found))


@dataclass
class LeverProgress:
    """What the reducer holds between visits, as far as the learner's next move depends on it."""

    started: bool = False
    phase: str = "intro"  # intro | arranging | released | completed | finished
    challenge: int = 0
    placed: list[tuple[int, int]] = field(default_factory=list)  # movable weights on the lever
    tray: list[int] = field(default_factory=list)
    prediction: str | None = None
    outcome: str | None = None
    attempts: dict[int, int] = field(default_factory=dict)
    hints: dict[int, int] = field(default_factory=dict)
    first_correct: dict[int, bool] = field(default_factory=dict)

    @property
    def weights(self) -> list[tuple[int, int]]:
        return list(LEVER_CHALLENGES[self.challenge - 1].fixed) + self.placed

    def copy(self) -> LeverProgress:
        return copy.deepcopy(self)


def _nudge(rng: random.Random, challenge: bll002.Challenge, placed: list[tuple[int, int]]):
    """Trial and error: one weight one peg towards making the lever level (it tipped, so which
    way to go is visible); a weight that cannot move that way stays."""
    total = sum(peg * mass for peg, mass in list(challenge.fixed) + placed)
    direction = 1 if total < 0 else -1  # tipped left: more turning to the right
    order = list(range(len(placed)))
    rng.shuffle(order)
    for index in order:
        peg, mass = placed[index]
        target = peg + direction
        if target == 0:
            target += direction
        if target not in bll002.PEGS:
            continue
        moved = [*placed[:index], (target, mass), *placed[index + 1 :]]
        if _stack_ok(list(challenge.fixed) + moved):
            return moved
    return list(placed)


def _random_arrangement(rng: random.Random, challenge: bll002.Challenge) -> list[tuple[int, int]]:
    while True:
        placed = [(rng.choice(bll002.PEGS), mass) for mass in tray_masses(challenge)]
        if _stack_ok(list(challenge.fixed) + placed):
            return placed


def _near_miss(rng: random.Random, challenge: bll002.Challenge) -> list[tuple[int, int]]:
    """A balancing arrangement with one weight one peg off: the slip of someone who computed."""
    solution = list(rng.choice(lever_solutions(challenge.id)))
    for _ in range(20):
        index = rng.randrange(len(solution))
        peg, mass = solution[index]
        target = peg + rng.choice((-1, 1))
        if target == 0 or target not in bll002.PEGS:
            continue
        missed = [*solution[:index], (target, mass), *solution[index + 1 :]]
        weights = list(challenge.fixed) + missed
        if _stack_ok(weights) and bll002.outcome_of(weights) != "balance":
            return missed
    return _random_arrangement(rng, challenge)


@dataclass
class _LeverLearner(_Learner):
    """A learner at the lever lab, and the progress `p` the reducer holds between visits."""

    p: LeverProgress

    def skill_now(self) -> float:
        if self.skill <= 0:
            return 0.0
        return min(0.97, self.skill + 0.15 * self.p.hints.get(self.p.challenge, 0))

    def ask_hint(self, before: str) -> None:
        hint = self.p.hints.get(self.p.challenge, 0) + 1
        self.rec.act("hint_requested", {"challenge": self.p.challenge, "hint": hint}, before=before)
        self.p.hints[self.p.challenge] = hint
        self.rec.pause("hint")

    def maybe_hints(self, before: str, appetite: float) -> None:
        challenge = LEVER_CHALLENGES[self.p.challenge - 1]
        while (
            self.p.hints.get(self.p.challenge, 0) < challenge.hints and self.rng.random() < appetite
        ):
            self.ask_hint(before)
            before, appetite = "decide", appetite * 0.8

    def start(self, challenge_id: int) -> None:
        self.p.phase, self.p.challenge = "arranging", challenge_id
        self.p.placed, self.p.tray = [], list(tray_masses(LEVER_CHALLENGES[challenge_id - 1]))
        self.p.prediction = self.p.outcome = None

    def move_to(self, goal: list[tuple[int, int]]) -> None:
        """Drags weights (tray → peg, peg → peg, peg → tray) until the lever holds `goal`."""
        wanted = list(goal)
        for weight in list(self.p.placed):
            if weight in wanted:
                wanted.remove(weight)
        leaving = list(self.p.placed)
        for weight in goal:
            if weight in leaving:
                leaving.remove(weight)
        for peg, mass in leaving:
            self.rec.act("weight_removed", {"peg": peg, "mass": mass}, before="place")
            self.p.placed.remove((peg, mass))
            slot = next((w for w in wanted if w[1] == mass), None)
            if slot is not None and _stack_ok([*self.p.weights, slot]):
                self.rec.follow("weight_placed", {"peg": slot[0], "mass": mass})
                self.p.placed.append(slot)
                wanted.remove(slot)
            else:
                self.p.tray.append(mass)
        for peg, mass in wanted:
            self.rec.act("weight_placed", {"peg": peg, "mass": mass}, before="place")
            self.p.tray.remove(mass)
            self.p.placed.append((peg, mass))
        while self.extra_moves > 0 and self.p.placed:
            peg, mass = self.rng.choice(self.p.placed)
            others = [
                q for q in bll002.PEGS if q != peg and _stack_ok([*self.p.weights, (q, mass)])
            ]
            if not others:
                break
            other = self.rng.choice(others)
            for here, there in ((peg, other), (other, peg)):
                self.rec.act("weight_removed", {"peg": here, "mass": mass}, before="place")
                self.rec.follow("weight_placed", {"peg": there, "mass": mass})
                self.p.placed.remove((here, mass))
                self.p.placed.append((there, mass))
            self.extra_moves -= 4

    def arrange(self) -> None:
        challenge = LEVER_CHALLENGES[self.p.challenge - 1]
        tries = self.p.attempts.get(challenge.id, 0)
        if self.strategy.name == "guessing" and tries < 4:
            goal = _random_arrangement(self.rng, challenge)
        elif tries > 0 and self.strategy.name in ("trial_and_error", "giving_up", "guessing"):
            goal = _nudge(self.rng, challenge, self.p.placed)
            if self.rng.random() < self.skill_now() * 0.5:
                goal = list(self.rng.choice(lever_solutions(challenge.id)))
        elif self.rng.random() < (
            self.skill_now() if tries == 0 else max(self.skill_now(), self.strategy.fix_rate)
        ):
            goal = list(self.rng.choice(lever_solutions(challenge.id)))
        elif self.strategy.name in ("trial_and_error", "giving_up"):
            goal = _random_arrangement(self.rng, challenge)
        else:
            goal = _near_miss(self.rng, challenge)
        if tries == 0 and self.strategy.name != "systematic" and self.rng.random() < 0.5:
            self.move_to(_random_arrangement(self.rng, challenge))  # tries the weights out first
        self.move_to(goal)

    def predict(self) -> None:
        challenge = LEVER_CHALLENGES[self.p.challenge - 1]
        actual = bll002.outcome_of(self.p.weights)
        if challenge.goal == "balance":
            # What the learner expects of their arrangement: a levelled lever, mostly.
            if self.skill_now() <= 0:
                belief = self.rng.choice(bll002.ANSWERS)
            elif self.rng.random() < self.skill_now():
                belief = actual
            else:
                belief = "balance"
        elif self.skill_now() <= 0:
            belief = self.rng.choice(bll002.ANSWERS)
        elif self.rng.random() < self.skill_now():
            belief = actual
        else:
            belief = self.rng.choice([a for a in bll002.ANSWERS if a != actual])
        if belief != self.p.prediction:  # the radio button already checked sends nothing
            self.rec.act("prediction_made", {"answer": belief}, before="decide")
            self.p.prediction = belief
        if (
            self.strategy.name == "trial_and_error" and self.rng.random() < 0.25
        ):  # changes their mind
            other = self.rng.choice([a for a in bll002.ANSWERS if a != belief])
            self.rec.act("prediction_made", {"answer": other}, before="place")
            self.p.prediction = other

    def release(self) -> None:
        challenge = LEVER_CHALLENGES[self.p.challenge - 1]
        outcome = bll002.outcome_of(self.p.weights)
        self.rec.act("released", {"outcome": outcome}, before="check")
        correct = (
            self.p.prediction == outcome if challenge.goal == "predict" else outcome == "balance"
        )
        self.p.phase, self.p.outcome = "released", outcome
        self.p.attempts[challenge.id] = self.p.attempts.get(challenge.id, 0) + 1
        self.p.first_correct.setdefault(challenge.id, correct)
        self.rec.pause("feedback")

    def after_release(self) -> None:
        challenge = LEVER_CHALLENGES[self.p.challenge - 1]
        if challenge.goal == "predict" or self.p.outcome == "balance":
            self.rec.act(
                "challenge_completed",
                {
                    "challenge": challenge.id,
                    "correct": bool(self.p.first_correct.get(challenge.id)),
                },
                before="next",
            )
            self.p.phase = "completed"
            if challenge.id == len(LEVER_CHALLENGES):
                self.rec.follow("session_completed")
                self.p.phase = "finished"
            else:
                self.rec.follow("challenge_started", {"challenge": challenge.id + 1})
                self.start(challenge.id + 1)
            return
        self.maybe_hints("feedback", self.strategy.hint_rate + 0.2)
        self.rec.maybe_give_up()
        self.rec.act("try_again", {"challenge": challenge.id}, before="next")
        self.p.phase, self.p.prediction, self.p.outcome = "arranging", None, None

    def play(self) -> None:
        if self.p.started:
            self.rec.follow("session_resumed")
            self.rec.pause("read")  # where was I?
        else:
            self.rec.follow("session_started")
            self.p.started = True
        while self.p.phase != "finished":
            if self.p.phase in ("intro", "completed"):
                self.rec.act(
                    "challenge_started", {"challenge": self.p.challenge + 1}, before="read"
                )
                self.start(self.p.challenge + 1)
            elif self.p.phase == "arranging":
                challenge = LEVER_CHALLENGES[self.p.challenge - 1]
                if (
                    self.p.prediction is None
                    and not self.p.placed
                    and self.p.attempts.get(challenge.id, 0) == 0
                ):
                    self.maybe_hints("read", self.strategy.hint_rate)
                if challenge.goal == "balance":
                    self.arrange()
                self.predict()
                self.release()
            else:  # released
                self.after_release()


def simulate_bll002(
    rng: random.Random,
    strategy: Strategy,
    skill: float,
    *,
    session: str,
    start_ms: int,
    deadline_ms: int | None = None,
    progress: LeverProgress | None = None,
    extra_moves: int = 0,
) -> tuple[Simulated, LeverProgress]:
    """One visit of the lever lab: continues `progress` (the session's earlier visits) until the
    last challenge is done, the lesson ends or the learner gives up. Returns the visit and the
    progress after it.

    `extra_moves` makes the learner move weights about that many more times on the first
    challenge with weights to place.
    """
    p = progress.copy() if progress is not None else LeverProgress()
    rec = Recorder(rng, strategy, "BLL002", session, start_ms, deadline_ms)
    learner = _LeverLearner(rng, strategy, skill, rec, extra_moves, p)
    return rec.run(learner.play), p


# The widgets that can be simulated, and the event types each simulator sends (lifecycle
# included): a widget is played only where the registry knows all of them.
SIMULATORS: dict[str, frozenset[str]] = {
    "TEI001": frozenset(
        {
            "session_started",
            "session_completed",
            "item_started",
            "card_placed",
            "card_moved",
            "card_removed",
            "answer_checked",
            "item_completed",
        }
    ),
    "chernoff_tutorial": frozenset(
        {
            "session_started",
            "session_completed",
            "step_viewed",
            "slider_changed",
            "match_checked",
            "question_answered",
            "step_completed",
        }
    ),
    "BLL002": frozenset(
        {
            "session_started",
            "session_resumed",
            "session_completed",
            "challenge_started",
            "weight_placed",
            "weight_removed",
            "prediction_made",
            "released",
            "try_again",
            "hint_requested",
            "challenge_completed",
        }
    ),
}


def simulate_session(
    rng: random.Random,
    widget: str,
    strategy: Strategy,
    skill: float,
    *,
    session: str,
    start_ms: int,
    events: int,
) -> Simulated:
    """A session of exactly `events` events (for benchmarks): a learner with no lesson bell who
    fiddles more (extra moves early on) when their session would be shorter, and who stops
    (closes the page) once it is long enough. Either way each event is one the view could send.
    """
    extra = 0
    while True:
        attempt = random.Random()  # noqa: S311 (simulation, not secrets)
        attempt.setstate(rng.getstate())
        common: dict[str, Any] = {"session": session, "start_ms": start_ms, "extra_moves": extra}
        if widget == "BLL002":
            simulated, _ = simulate_bll002(attempt, strategy, skill, **common)
        elif widget == "TEI001":
            simulated = simulate_tei001(attempt, strategy, skill, **common)
        else:
            simulated = simulate_chernoff(attempt, strategy, skill, **common)
        if len(simulated.events) >= events or extra > 4 * events:
            break
        extra += events - len(simulated.events)
    rng.setstate(attempt.getstate())
    if len(simulated.events) > events:
        simulated.events = simulated.events[:events]
        simulated.end_ms = simulated.events[-1]["t"] if events else start_ms
        simulated.completed = any(e["type"] == "session_completed" for e in simulated.events)
        simulated.stopped = "length"
    return simulated
