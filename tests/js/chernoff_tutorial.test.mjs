// Chernoff faces tutorial: the pure reducer (static/widgets/chernoff_tutorial/reducer.js).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import {
  ATTEMPTS_BEFORE_SKIP,
  CITIES,
  FEATURES,
  NEUTRAL,
  STEPS,
  STEP_IDS,
  canAdvance,
  faceValues,
  initialState,
  matchResult,
  reduce,
  scoreOf,
  taskDone,
} from "../../static/widgets/chernoff_tutorial/reducer.js";
import { createTimeline } from "../../static/widgets/timeline.js";

const FIXTURE = new URL("../widgets/fixtures/chernoff_tutorial_session.json", import.meta.url);
const recorded = () => JSON.parse(readFileSync(FIXTURE, "utf8"));

const fold = (events, state = initialState()) => events.reduce(reduce, state);

let clock = 1_767_000_000_000;
const ev = (type, data = {}) => ({ type, t: (clock += 1000), data });
const slide = (step, feature, value) => ev("slider_changed", { step, feature, value });
const setAll = (step, values) => Object.entries(values).map(([feature, value]) => slide(step, feature, value));
const checkEvent = (step, claims = {}) => ev("match_checked", { step, attempt: 1, distance: 0.5, matched: false, ...claims });
const answer = (step, question, choice) => ev("question_answered", { step, question, choice });

function deepFreeze(value) {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

// A seeded generator, so a failing random test can be reproduced.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

// Plausible and implausible events alike: the reducer must take any of them in its stride.
function randomEvents(count, random) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const sliderSteps = STEPS.filter((step) => step.features);
  const readSteps = STEPS.filter((step) => step.kind === "read");
  return Array.from({ length: count }, () => {
    const roll = random();
    if (roll < 0.35) {
      const step = pick(sliderSteps);
      const featureId = pick(step.features);
      const feature = FEATURES.find((f) => f.id === featureId);
      const value = feature.min + feature.step * Math.floor(random() * ((feature.max - feature.min) / feature.step + 1));
      return slide(step.id, feature.id, value);
    }
    if (roll < 0.5) return checkEvent(pick(["match_1", "match_2"]), { matched: random() < 0.5 });
    if (roll < 0.65) {
      const step = pick(readSteps);
      return answer(step.id, pick(step.questions).id, pick(step.cities));
    }
    if (roll < 0.8) return ev("step_viewed", { step: pick(STEP_IDS) });
    if (roll < 0.9) return ev("step_completed", { step: pick(STEP_IDS) });
    if (roll < 0.95) return ev(pick(["session_started", "mystery", "session_completed"]));
    return slide("match_1", "rainfall", 99_999); // out of range: ignored
  });
}

test("it starts on the welcome step with neutral sliders and nothing done", () => {
  const state = initialState();
  assert.equal(state.step, "welcome");
  assert.equal(state.finished, false);
  assert.deepEqual(state.completed, {});
  assert.deepEqual(state.sliders.match_1, NEUTRAL);
  assert.deepEqual(state.sliders.explore_size, { population: NEUTRAL.population, rainfall: NEUTRAL.rainfall });
  assert.deepEqual(scoreOf(state), { score: 0, maximum: 6, matched: 0, matchSteps: 2, firstTry: 0, questions: 4 });
});

test("it is deterministic: the same events give equal states", () => {
  const events = randomEvents(2000, rng(7));
  assert.deepEqual(fold(events), fold(events));
  assert.deepEqual(initialState(), initialState());
  assert.notEqual(initialState(), initialState(), "each call returns a fresh state");
});

test("it reproduces the recorded session's final state by folding its events", () => {
  const events = recorded();
  const state = fold(events);

  assert.equal(state.step, "finish");
  assert.equal(state.finished, true);
  assert.deepEqual(Object.keys(state.completed).sort(), [
    "explore_mood",
    "explore_size",
    "finish",
    "match_1",
    "read_1",
    "read_2",
    "welcome",
  ]);
  assert.deepEqual(state.sliders.match_1, { population: 5, rainfall: 400, happiness: 8, temperature: 26 });
  assert.deepEqual(state.checks.match_1, {
    attempts: 2,
    matched: true,
    last: { distance: 0.053, matched: true, off: { population: 0, rainfall: 0, happiness: 0, temperature: 0 } },
  });
  assert.equal(state.checks.match_2.attempts, 3);
  assert.equal(state.checks.match_2.matched, false, "the client's claim of a match is not believed");
  assert.deepEqual(state.answers.read_1.most_people, { tries: ["coldmere", "dunesfield"], correct: true });
  assert.deepEqual(scoreOf(state), { score: 4, maximum: 6, matched: 1, matchSteps: 2, firstTry: 3, questions: 4 });

  // The replay's time line, seeking anywhere, agrees with a plain fold of the same prefix.
  const timeline = createTimeline({ initialState, reduce }, [...events].reverse(), { every: 7 });
  assert.deepEqual(timeline.finalState, state);
  for (const index of [-1, 0, 6, 7, 20, 33, events.length - 1]) {
    assert.deepEqual(timeline.stateAtIndex(index), fold(events.slice(0, index + 1)));
  }
});

test("it never mutates the state or the event it is given", () => {
  const events = deepFreeze([...recorded(), ...randomEvents(3000, rng(11))]);
  let state = deepFreeze(initialState());
  for (const event of events) {
    const before = structuredClone(state);
    const next = reduce(state, event); // frozen input: any write throws in a module (strict mode)
    assert.deepEqual(state, before);
    state = deepFreeze(next);
  }
});

test("it ignores unknown events and malformed data, returning the same state", () => {
  const state = fold(recorded().slice(0, 20));
  const ignored = [
    ev("mystery", { step: "match_1" }),
    ev("session_started"),
    ev("session_resumed"),
    { type: "step_viewed", t: 1 },
    ev("step_viewed", { step: "nowhere" }),
    ev("step_viewed", { step: state.step }),
    slide("match_1", "rainfall", 3100),
    slide("match_1", "rainfall", "300"),
    slide("match_1", "rainfall", Number.NaN),
    slide("explore_size", "happiness", 3), // not a slider on that step
    slide("welcome", "population", 3),
    slide("match_1", "mood", 3),
    checkEvent("read_1"),
    answer("read_1", "happiest", "greystone"), // a question of another step
    answer("read_1", "warmest", "greystone"), // a city not on this step
    answer("match_1", "warmest", "brightwater"),
    ev("step_completed", { step: "welcome" }), // already completed
    ev("step_completed", { step: 3 }),
    null,
    {},
  ];
  for (const event of ignored) assert.equal(reduce(state, event), state, JSON.stringify(event));
});

test("it matches a face within 10 % of every slider's range and not beyond", () => {
  const target = CITIES.sunhaven.values; // population 4, rainfall 300, happiness 8, temperature 27
  assert.equal(matchResult(target, target).matched, true);
  assert.equal(matchResult(target, target).distance, 0);

  // The edge of the tolerance on each slider in turn: 10 % of 19 million, 3000 mm, 10 and 30 °C.
  const edges = { population: [1, 2], rainfall: [300, 400], happiness: [1, 2], temperature: [3, 4] };
  for (const [feature, [inside, outside]] of Object.entries(edges)) {
    for (const sign of [1, -1]) {
      const near = { ...target, [feature]: target[feature] + sign * inside };
      const far = { ...target, [feature]: target[feature] + sign * outside };
      assert.equal(matchResult(near, target).matched, true, `${feature} ${sign * inside}`);
      const missed = matchResult(far, target);
      assert.equal(missed.matched, false, `${feature} ${sign * outside}`);
      assert.equal(missed.off[feature], sign, "says which way the slider is off");
    }
  }
  const result = matchResult({ population: 12, rainfall: 2000, happiness: 2, temperature: 9 }, CITIES.mistport.values);
  assert.deepEqual(result, { distance: 0.211, matched: false, off: { population: -1, rainfall: -1, happiness: 0, temperature: 0 } });
});

test("it judges a check from the sliders in the stream, not from the check's claims", () => {
  const target = CITIES.sunhaven.values;
  const far = fold([checkEvent("match_1", { matched: true, distance: 0 })]);
  assert.equal(far.checks.match_1.matched, false);
  assert.equal(far.checks.match_1.attempts, 1);
  assert.equal(far.checks.match_1.last.distance, 0.4); // rainfall 1500 vs 300, temperature 15 vs 27

  const near = fold([...setAll("match_1", target), checkEvent("match_1", { matched: false, distance: 1 })]);
  assert.equal(near.checks.match_1.matched, true);
  assert.equal(taskDone(near, "match_1"), true);
  assert.equal(scoreOf(near).matched, 1);

  // Sliders on the right values without pressing Check do not count.
  const unchecked = fold(setAll("match_2", CITIES.mistport.values));
  assert.equal(unchecked.checks.match_2.matched, false);
  // Sliders are per step: matching values on match_1 do nothing for match_2.
  assert.equal(fold([...setAll("match_1", CITIES.mistport.values), checkEvent("match_2")]).checks.match_2.matched, false);
});

test("it lets the learner skip a match step after three failed checks", () => {
  let state = fold([ev("step_viewed", { step: "match_2" })]);
  assert.equal(canAdvance(state, "match_2"), false);
  for (let attempt = 1; attempt <= ATTEMPTS_BEFORE_SKIP; attempt += 1) {
    assert.equal(canAdvance(state, "match_2"), false);
    state = reduce(state, checkEvent("match_2"));
  }
  assert.equal(canAdvance(state, "match_2"), true);
  assert.equal(taskDone(state, "match_2"), false);
});

test("it scores an answer only when the first try is right", () => {
  const state = fold([
    answer("read_1", "warmest", "brightwater"),
    answer("read_1", "most_people", "alderby"),
    answer("read_1", "most_people", "dunesfield"),
    answer("read_2", "happiest", "hollowbay"),
  ]);
  assert.deepEqual(state.answers.read_1.warmest, { tries: ["brightwater"], correct: true });
  assert.deepEqual(state.answers.read_1.most_people, { tries: ["alderby", "dunesfield"], correct: true });
  assert.deepEqual(state.answers.read_2.happiest, { tries: ["hollowbay"], correct: false });
  assert.equal(scoreOf(state).firstTry, 1);
  assert.equal(taskDone(state, "read_1"), true);
  assert.equal(taskDone(state, "read_2"), false);

  // A question closes once it is answered correctly: later answers change nothing.
  assert.equal(reduce(state, answer("read_1", "warmest", "coldmere")), state);
});

test("it has answers that the faces really show", () => {
  for (const step of STEPS.filter((candidate) => candidate.kind === "read")) {
    for (const question of step.questions) {
      const values = step.cities.map((city) => CITIES[city].values[question.feature]);
      const best = Math.max(...values);
      assert.equal(values.filter((value) => value === best).length, 1, `${question.id} has one clear answer`);
      assert.equal(CITIES[question.answer].values[question.feature], best, question.id);
    }
  }
});

test("it needs every slider moved on an explore step, then records completion", () => {
  let state = initialState();
  state = reduce(state, slide("explore_size", "population", NEUTRAL.population)); // moved back to start
  assert.equal(taskDone(state, "explore_size"), false);
  state = reduce(state, slide("explore_size", "rainfall", 2400));
  assert.equal(taskDone(state, "explore_size"), true);
  assert.deepEqual(faceValues(state, "explore_size"), { ...NEUTRAL, rainfall: 2400 });
  assert.equal(state.completed.explore_size, undefined);
  state = reduce(state, ev("step_completed", { step: "explore_size" }));
  assert.equal(state.completed.explore_size, true);
});

test("it follows navigation and finishes on session_completed", () => {
  const state = fold([ev("step_viewed", { step: "read_2" }), ev("step_viewed", { step: "read_1" })]);
  assert.equal(state.step, "read_1");
  assert.deepEqual(Object.keys(state.visited).sort(), ["read_1", "read_2", "welcome"]);
  const finished = reduce(state, ev("session_completed"));
  assert.equal(finished.finished, true);
  assert.equal(reduce(finished, ev("session_completed")), finished);
});
