// BLL002 "Balance lever lab": the reducer (static/widgets/BLL002/reducer.js).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import * as reducer from "../../static/widgets/BLL002/reducer.js";
import {
  CHALLENGES,
  MASSES,
  MAX_STACK,
  PEGS,
  canRelease,
  initialState,
  outcomeOf,
  reduce,
  sideTotals,
  torque,
} from "../../static/widgets/BLL002/reducer.js";
import { createTimeline } from "../../static/widgets/timeline.js";

// Recorded in a real browser over two days (see tests/widgets/test_bll002.py for the story).
const RECORDED = JSON.parse(readFileSync(new URL("../widgets/fixtures/bll002_session.json", import.meta.url), "utf8"));

let clock = 1_700_000_000_000;
const ev = (type, data = {}) => ({ type, t: (clock += 1000), data });
const fold = (events, state = initialState()) => events.reduce(reduce, state);

function deepFreeze(value) {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

// A whole session: every challenge solved, with one wrong prediction and one retry.
function wholeSession() {
  return [
    ev("session_started"),
    ev("challenge_started", { challenge: 1 }),
    ev("prediction_made", { answer: "left" }),
    ev("released", { outcome: "left" }),
    ev("challenge_completed", { challenge: 1, correct: true }),
    ev("challenge_started", { challenge: 2 }),
    ev("prediction_made", { answer: "left" }),
    ev("released", { outcome: "balance" }),
    ev("challenge_completed", { challenge: 2, correct: false }),
    ev("challenge_started", { challenge: 3 }),
    ev("weight_placed", { peg: 2, mass: 2 }),
    ev("prediction_made", { answer: "balance" }),
    ev("released", { outcome: "balance" }),
    ev("challenge_completed", { challenge: 3, correct: true }),
    ev("challenge_started", { challenge: 4 }),
    ev("hint_requested", { challenge: 4, hint: 1 }),
    ev("weight_placed", { peg: 1, mass: 2 }),
    ev("prediction_made", { answer: "balance" }),
    ev("released", { outcome: "left" }),
    ev("try_again", { challenge: 4 }),
    ev("weight_removed", { peg: 1, mass: 2 }),
    ev("weight_placed", { peg: 3, mass: 2 }),
    ev("prediction_made", { answer: "balance" }),
    ev("released", { outcome: "balance" }),
    ev("challenge_completed", { challenge: 4, correct: false }),
    ev("challenge_started", { challenge: 5 }),
    ev("prediction_made", { answer: "right" }),
    ev("released", { outcome: "right" }),
    ev("challenge_completed", { challenge: 5, correct: true }),
    ev("challenge_started", { challenge: 6 }),
    ev("weight_placed", { peg: 1, mass: 3 }),
    ev("weight_placed", { peg: 3, mass: 1 }),
    ev("prediction_made", { answer: "balance" }),
    ev("released", { outcome: "balance" }),
    ev("challenge_completed", { challenge: 6, correct: true }),
    ev("challenge_started", { challenge: 7 }),
    ev("weight_placed", { peg: -1, mass: 2 }),
    ev("weight_placed", { peg: -3, mass: 2 }),
    ev("prediction_made", { answer: "balance" }),
    ev("released", { outcome: "balance" }),
    ev("challenge_completed", { challenge: 7, correct: true }),
    ev("challenge_started", { challenge: 8 }),
    ev("weight_placed", { peg: -2, mass: 1 }),
    ev("weight_placed", { peg: 2, mass: 1 }),
    ev("weight_placed", { peg: -2, mass: 3 }),
    ev("weight_placed", { peg: -1, mass: 2 }),
    ev("prediction_made", { answer: "balance" }),
    ev("released", { outcome: "balance" }),
    ev("challenge_completed", { challenge: 8, correct: true }),
    ev("session_completed"),
  ];
}

test("it folds a whole session to every challenge finished", () => {
  const state = fold(wholeSession());
  assert.equal(state.phase, "finished");
  assert.deepEqual(
    state.results.map((r) => [r.completed, r.firstCorrect]),
    [[true, true], [true, false], [true, true], [true, false], [true, true], [true, true], [true, true], [true, true]],
  );
  assert.equal(state.results[3].hints, 1);
  assert.equal(state.results[3].attempts, 2);
});

test("it folds the session recorded in a browser to the state the learner ended with", () => {
  const state = fold(RECORDED);
  assert.equal(state.phase, "finished");
  assert.equal(state.visits, 2);
  assert.deepEqual(
    state.results.map(({ challenge, attempts, hints, firstCorrect, completed }) => [challenge, attempts, hints, firstCorrect, completed]),
    [
      [1, 1, 0, true, true],
      [2, 1, 0, false, true],
      [3, 2, 1, false, true],
      [4, 1, 1, true, true],
      [5, 1, 0, true, true],
      [6, 2, 0, false, true],
      [7, 1, 0, true, true],
      [8, 1, 2, true, true],
    ],
  );
  // The last lever, as the learner left it: 3 × 2 + 2 × 1 + 1 × 1 on the left, 2 × 4 + 1 × 1 on the right.
  assert.deepEqual(sideTotals(state.weights), { left: 9, right: 9 });
  assert.equal(state.outcome, "balance");
});

test("it rebuilds a resumed session from its history exactly", () => {
  // Day 1 is the history the page hands back on day 2; day 2 continues from its fold.
  const split = RECORDED.findIndex((event) => event.type === "session_resumed");
  assert.ok(split > 0);
  const dayOne = fold(RECORDED.slice(0, split));
  assert.equal(dayOne.phase, "arranging");
  assert.equal(dayOne.challenge, 5);
  assert.equal(dayOne.prediction, "balance");
  const resumed = reduce(dayOne, RECORDED[split]);
  assert.equal(resumed.resumed, true);
  assert.equal(resumed.challenge, 5, "the learner is back where they stopped");
  assert.deepEqual(fold(RECORDED.slice(split + 1), resumed), fold(RECORDED));
  assert.equal(fold(RECORDED.slice(0, split + 2)).resumed, false, "the welcome-back note goes with the next action");
});

test("it is deterministic", () => {
  assert.deepEqual(fold(RECORDED), fold(RECORDED));
  assert.deepEqual(fold(wholeSession()), fold(wholeSession()));
  assert.deepEqual(createTimeline(reducer, RECORDED).finalState, fold(RECORDED));
});

test("it never mutates its input", () => {
  // ES modules run in strict mode: writing to a frozen object throws.
  let state = deepFreeze(initialState());
  for (const event of [...RECORDED, ...wholeSession()].map(deepFreeze)) {
    const before = JSON.stringify(state);
    const next = reduce(state, event);
    assert.equal(JSON.stringify(state), before, `reduce changed its input on ${event.type}`);
    state = deepFreeze(next);
  }
});

test("it ignores unknown events and events that do not fit the state", () => {
  const state = fold([ev("session_started")]);
  assert.equal(reduce(state, ev("teleported", { x: 1 })), state);
  assert.equal(reduce(state, null), state);
  assert.equal(reduce(state, { type: "weight_placed" }), state); // no data at all
  assert.equal(reduce(state, ev("weight_placed", { peg: 1, mass: 1 })), state); // not arranging
  assert.equal(reduce(state, ev("challenge_started", { challenge: 3 })), state); // out of order
  const arranging = reduce(state, ev("challenge_started", { challenge: 1 }));
  assert.equal(reduce(arranging, ev("challenge_started", { challenge: 1 })), arranging); // already started
  assert.equal(reduce(arranging, ev("weight_placed", { peg: 0, mass: 2 })), arranging); // no peg 0
  assert.equal(reduce(arranging, ev("weight_placed", { peg: 2, mass: 2 })), arranging); // empty tray
  assert.equal(reduce(arranging, ev("weight_removed", { peg: -3, mass: 2 })), arranging); // fixed
  assert.equal(reduce(arranging, ev("prediction_made", { answer: "up" })), arranging);
  assert.equal(reduce(arranging, ev("hint_requested", { challenge: 1, hint: 2 })), arranging); // hint 1 first
  assert.equal(reduce(arranging, ev("try_again", { challenge: 1 })), arranging); // nothing released
  assert.equal(reduce(arranging, ev("challenge_completed", { challenge: 1, correct: true })), arranging);
  assert.equal(reduce(arranging, ev("session_completed")), arranging); // not all done
});

test("it works out the outcome itself: a client-claimed outcome is ignored", () => {
  const state = fold([
    ev("challenge_started", { challenge: 1 }),
    ev("prediction_made", { answer: "balance" }),
    ev("released", { outcome: "balance" }),
  ]);
  assert.equal(state.outcome, "left");
  assert.equal(state.correct, false);
  assert.equal(state.results[0].firstCorrect, false);
});

test("it keeps the first release's result whatever happens next", () => {
  const state = fold([
    ev("challenge_started", { challenge: 1 }),
    ev("prediction_made", { answer: "right" }),
    ev("released", { outcome: "right" }),
    ev("try_again", { challenge: 1 }), // a prediction cannot be taken back
    ev("challenge_completed", { challenge: 1, correct: true }),
  ]);
  assert.equal(state.results[0].firstCorrect, false);
  assert.equal(state.results[0].completed, true);
});

test("it will not let go before a prediction, nor with weights left in the tray", () => {
  const noPrediction = fold([ev("challenge_started", { challenge: 1 })]);
  assert.equal(canRelease(noPrediction), false);
  assert.equal(reduce(noPrediction, ev("released", { outcome: "left" })), noPrediction);
  const predicted = reduce(noPrediction, ev("prediction_made", { answer: "left" }));
  assert.equal(canRelease(predicted), true, "challenge 1 has nothing to place");
  const three = fold(
    [
      ["challenge_started", { challenge: 1 }], ["prediction_made", { answer: "left" }], ["released", {}], ["challenge_completed", { challenge: 1 }],
      ["challenge_started", { challenge: 2 }], ["prediction_made", { answer: "balance" }], ["released", {}], ["challenge_completed", { challenge: 2 }],
      ["challenge_started", { challenge: 3 }], ["prediction_made", { answer: "balance" }],
    ].map(([type, data]) => ev(type, data)),
  );
  assert.equal(three.challenge, 3);
  assert.equal(canRelease(three), false);
  assert.equal(reduce(three, ev("released", { outcome: "balance" })), three);
});

test("it limits a peg to MAX_STACK weights", () => {
  const weights = Array.from({ length: MAX_STACK }, () => ({ peg: 1, mass: 1, fixed: true }));
  const state = { ...initialState(), phase: "arranging", challenge: 8, weights, tray: { 1: 1 } };
  assert.equal(reduce(state, ev("weight_placed", { peg: 1, mass: 1 })), state);
  assert.equal(reduce(state, ev("weight_placed", { peg: 2, mass: 1 })).weights.length, MAX_STACK + 1);
});

test("it computes torque as mass × peg and tips towards the bigger side", () => {
  assert.equal(torque([{ peg: -3, mass: 2 }, { peg: 1, mass: 2 }]), -4);
  assert.equal(outcomeOf([{ peg: -3, mass: 2 }, { peg: 1, mass: 2 }]), "left");
  assert.equal(outcomeOf([{ peg: -4, mass: 1 }, { peg: 2, mass: 2 }]), "balance");
  assert.equal(outcomeOf([{ peg: 4, mass: 2 }]), "right");
  assert.equal(outcomeOf([]), "balance");
  assert.deepEqual(sideTotals([{ peg: -3, mass: 1 }, { peg: -1, mass: 3 }, { peg: 2, mass: 2 }]), { left: 6, right: 4 });
  // The predict challenges' answers, as the challenge texts and hints say.
  const answers = CHALLENGES.filter((c) => c.goal === "predict").map((c) => [c.id, outcomeOf(c.fixed)]);
  assert.deepEqual(answers, [[1, "left"], [2, "balance"], [5, "right"]]);
});

test("it poses balance challenges that start unbalanced and can be solved", () => {
  // Every way to put all the tray's weights on pegs (at most MAX_STACK per peg): one must balance.
  const placements = (masses, weights) => {
    if (masses.length === 0) return [weights];
    const [mass, ...rest] = masses;
    return PEGS.filter((peg) => weights.filter((w) => w.peg === peg).length < MAX_STACK)
      .flatMap((peg) => placements(rest, [...weights, { peg, mass }]));
  };
  for (const challenge of CHALLENGES.filter((c) => c.goal === "balance")) {
    assert.notEqual(outcomeOf(challenge.fixed), "balance", `challenge ${challenge.id} starts balanced`);
    const masses = MASSES.flatMap((mass) => Array(challenge.tray[mass] ?? 0).fill(mass));
    const solutions = placements(masses, [...challenge.fixed]).filter((w) => outcomeOf(w) === "balance");
    assert.ok(solutions.length > 0, `challenge ${challenge.id} has no solution`);
  }
});

test("it seeks with snapshots to the same state as a full fold", () => {
  for (const events of [wholeSession(), RECORDED]) {
    const timeline = createTimeline(reducer, events, { every: 7 });
    for (let i = 0; i < events.length; i += 1) {
      assert.deepEqual(timeline.stateAt(events[i].t), fold(events.slice(0, i + 1)), `at event ${i}`);
    }
  }
});

test("it survives 10,000 random events and keeps its invariants", () => {
  let seed = 42;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const types = ["challenge_started", "weight_placed", "weight_removed", "prediction_made", "released", "try_again", "hint_requested", "challenge_completed", "session_completed", "session_resumed", "nonsense"];
  let state = initialState();
  for (let i = 0; i < 10_000; i += 1) {
    const data = {
      challenge: state.challenge !== null && random() < 0.8 ? (random() < 0.5 ? state.challenge : state.challenge + 1) : pick([1, 2, 0, "1", 9]),
      peg: pick([...PEGS, 0, 5, "1", 1.5]),
      mass: pick([...MASSES, 0, 4]),
      answer: pick(["left", "balance", "right", "up"]),
      hint: pick([1, 2, 3]),
      outcome: pick(["left", "balance", "right"]),
    };
    state = reduce(state, { type: pick(types), t: i, data });
    if (state.challenge !== null && state.phase !== "finished") {
      const challenge = CHALLENGES[state.challenge - 1];
      for (const mass of MASSES) {
        const placed = state.weights.filter((w) => !w.fixed && w.mass === mass).length;
        assert.equal(placed + (state.tray[mass] ?? 0), challenge.tray[mass] ?? 0, "weights are neither made nor lost");
      }
      for (const peg of PEGS) assert.ok(state.weights.filter((w) => w.peg === peg).length <= MAX_STACK);
      assert.equal(state.weights.filter((w) => w.fixed).length, challenge.fixed.length);
    }
  }
  assert.ok(state.results.some((r) => r.attempts > 0), "the random walk got somewhere");
});
