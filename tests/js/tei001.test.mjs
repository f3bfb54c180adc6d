// TEI001 "Fractions on a number line": the reducer (static/widgets/TEI001/reducer.js).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import {
  ITEMS,
  MAX_ATTEMPTS,
  evaluate,
  hintFor,
  initialState,
  reduce,
  targetOf,
  verdictFor,
} from "../../static/widgets/TEI001/reducer.js";
import { createTimeline, sortEvents } from "../../static/widgets/timeline.js";

const RECORDED = JSON.parse(
  readFileSync(new URL("../widgets/fixtures/tei001_session.json", import.meta.url), "utf8"),
);

let clock = 1_700_000_000_000;
const ev = (type, data = {}) => ({ type, t: (clock += 1000), data });
const fold = (events, state = initialState()) => events.reduce(reduce, state);

/** Events that put every card of `item` at `positions` (card → twelfths) and check. */
function placeAndCheck(item, positions) {
  return [
    ...Object.entries(positions).map(([card, position]) => ev("card_placed", { item, card, position })),
    ev("answer_checked", { item, attempt: 1, correct_cards: [] }),
  ];
}

const rightPositions = (item) =>
  Object.fromEntries(ITEMS[item - 1].cards.map((card) => [card, targetOf(card)]));

function deepFreeze(value) {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("it starts every session from the same fresh state", () => {
  const first = initialState();
  const second = initialState();
  assert.deepEqual(first, second);
  assert.notEqual(first, second);
  assert.equal(first.item, 0);
  assert.equal(first.items.length, ITEMS.length);
  assert.equal(first.completed, false);
});

test("it is deterministic: the same events always give the same state", () => {
  assert.deepEqual(fold(RECORDED), fold(RECORDED));
  assert.equal(JSON.stringify(fold(RECORDED)), JSON.stringify(fold(structuredClone(RECORDED))));
});

test("it reproduces the recorded session's final state by folding its events", () => {
  const state = fold(sortEvents(RECORDED));
  assert.equal(state.item, 3);
  assert.equal(state.completed, true);
  assert.deepEqual(
    state.items.map(({ attempts, outcome }) => ({ attempts, outcome })),
    [
      { attempts: 1, outcome: "correct" },
      { attempts: 2, outcome: "correct" },
      { attempts: 3, outcome: "incorrect" },
    ],
  );
  assert.deepEqual(state.items[2].placements, { "2/3": 8, "3/4": 9, "7/6": 14, "3/2": 18, "6/4": 16 });
  assert.deepEqual(state.items[2].feedback, {
    "2/3": "right",
    "3/4": "right",
    "7/6": "right",
    "3/2": "right",
    "6/4": "wrong",
  });
});

test("it gives playback the same final state whatever order the events arrive in", () => {
  const expected = fold(sortEvents(RECORDED));
  const random = rng(7);
  for (let round = 0; round < 20; round += 1) {
    const shuffled = RECORDED.slice().sort(() => random() - 0.5);
    const timeline = createTimeline({ initialState, reduce }, shuffled, { every: 4 });
    assert.deepEqual(timeline.finalState, expected);
    assert.deepEqual(timeline.stateAtIndex(timeline.count - 1), expected);
    // Seeking to any moment equals folding the events up to it.
    const index = Math.floor(random() * timeline.count);
    assert.deepEqual(timeline.stateAtIndex(index), fold(timeline.events.slice(0, index + 1)));
  }
});

test("it never mutates the state or the event it is given", () => {
  let state = deepFreeze(initialState());
  for (const event of RECORDED) {
    const frozenEvent = deepFreeze(structuredClone(event));
    const before = JSON.stringify(state);
    const next = reduce(state, frozenEvent); // frozen input: any write would throw (strict mode)
    assert.equal(JSON.stringify(state), before);
    state = deepFreeze(next);
  }
  assert.equal(state.completed, true);
});

test("it ignores unknown event types and returns the very same state", () => {
  const state = fold([ev("item_started", { item: 1 })]);
  for (const event of [ev("confetti", { item: 1 }), ev("session_started"), { type: "toString" }, null, {}]) {
    assert.equal(reduce(state, event), state);
  }
});

test("it starts items only in order and only after the previous one is complete", () => {
  let state = reduce(initialState(), ev("item_started", { item: 2 }));
  assert.equal(state.item, 0);
  state = reduce(state, ev("item_started", { item: 1 }));
  assert.equal(state.item, 1);
  assert.equal(reduce(state, ev("item_started", { item: 2 })), state); // item 1 still open
  state = fold(placeAndCheck(1, rightPositions(1)), state);
  state = reduce(state, ev("item_started", { item: 2 }));
  assert.equal(state.item, 2);
});

test("it places, moves and takes back cards, and refuses moves off the item's ticks", () => {
  let state = fold([ev("item_started", { item: 1 })]);
  state = reduce(state, ev("card_placed", { item: 1, card: "3/4", position: 6 }));
  assert.deepEqual(state.items[0].placements, { "3/4": 6 });
  state = reduce(state, ev("card_moved", { item: 1, card: "3/4", from: 6, position: 9 }));
  assert.deepEqual(state.items[0].placements, { "3/4": 9 });

  const refused = [
    ev("card_placed", { item: 1, card: "3/4", position: 3 }), // already on the line
    ev("card_placed", { item: 1, card: "1/4", position: 4 }), // not on a quarter tick
    ev("card_placed", { item: 1, card: "1/4", position: 27 }), // beyond 2
    ev("card_placed", { item: 1, card: "1/4", position: -3 }),
    ev("card_placed", { item: 1, card: "1/4", position: 1.5 }),
    ev("card_placed", { item: 1, card: "1/4", position: "3" }),
    ev("card_placed", { item: 1, card: "2/3", position: 3 }), // a card of another item
    ev("card_placed", { item: 2, card: "1/3", position: 4 }), // an item not started
    ev("card_moved", { item: 1, card: "1/2", from: 0, position: 6 }), // not on the line
    ev("card_moved", { item: 1, card: "3/4", from: 9, position: 9 }), // no move at all
    ev("card_removed", { item: 1, card: "1/2" }),
  ];
  for (const event of refused) assert.equal(reduce(state, event), state, JSON.stringify(event.data));

  state = reduce(state, ev("card_removed", { item: 1, card: "3/4" }));
  assert.deepEqual(state.items[0].placements, {});
});

test("it checks only when every card is on the line", () => {
  let state = fold([
    ev("item_started", { item: 1 }),
    ev("card_placed", { item: 1, card: "1/4", position: 3 }),
  ]);
  assert.equal(reduce(state, ev("answer_checked", { item: 1, attempt: 1, correct_cards: ["1/4"] })), state);
  state = fold(placeAndCheck(1, { "1/2": 6, "3/4": 9, "5/4": 15 }), state);
  assert.equal(state.items[0].attempts, 1);
  assert.equal(state.items[0].outcome, "correct");
});

test("it gives right, close and wrong per card from the placements", () => {
  // Item 1 has quarter ticks: one tick off (3 twelfths) is close, two ticks off is wrong.
  const state = fold([ev("item_started", { item: 1 }), ...placeAndCheck(1, { "1/4": 3, "1/2": 9, "3/4": 3, "5/4": 9 })]);
  assert.deepEqual(state.items[0].feedback, { "1/4": "right", "1/2": "close", "3/4": "wrong", "5/4": "wrong" });
  assert.equal(state.items[0].outcome, null);

  // Item 3 has twelfth ticks: close means exactly one twelfth off.
  assert.equal(verdictFor(3, "2/3", 9), "close");
  assert.equal(verdictFor(3, "2/3", 10), "wrong");
  assert.equal(verdictFor(3, "6/4", 18), "right"); // 6/4 and 3/2 share a spot
  assert.equal(verdictFor(2, "5/3", 18), "close");
  assert.deepEqual(evaluate(3, { "3/2": 18 }), { "3/2": "right" });
});

test("it ignores what the browser claims and recomputes the verdicts", () => {
  const events = [
    ev("item_started", { item: 1 }),
    ...Object.entries({ "1/4": 6, "1/2": 6, "3/4": 9, "5/4": 15 }).map(([card, position]) =>
      ev("card_placed", { item: 1, card, position }),
    ),
    ev("answer_checked", { item: 1, attempt: 3, correct_cards: ["1/4", "1/2", "3/4", "5/4"] }),
  ];
  const state = fold(events);
  assert.equal(state.items[0].attempts, 1);
  assert.equal(state.items[0].feedback["1/4"], "close");
  assert.equal(state.items[0].outcome, null);
});

test("it drops a card's verdict once the card moves", () => {
  let state = fold([ev("item_started", { item: 1 }), ...placeAndCheck(1, { "1/4": 6, "1/2": 6, "3/4": 9, "5/4": 15 })]);
  assert.equal(state.items[0].feedback["1/4"], "close");
  state = reduce(state, ev("card_moved", { item: 1, card: "1/4", from: 6, position: 3 }));
  assert.equal(Object.hasOwn(state.items[0].feedback, "1/4"), false);
  assert.equal(state.items[0].checked["1/4"], "close"); // what the check said stays on record
  assert.equal(state.items[0].feedback["1/2"], "right");
});

test("it allows three tries, then completes the item and accepts nothing more for it", () => {
  const wrong = { "1/4": 6, "1/2": 6, "3/4": 9, "5/4": 15 };
  let state = fold([ev("item_started", { item: 1 }), ...placeAndCheck(1, wrong)]);
  for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt += 1) {
    assert.equal(state.items[0].outcome, null);
    state = reduce(state, ev("answer_checked", { item: 1, attempt, correct_cards: [] }));
  }
  assert.equal(state.items[0].attempts, MAX_ATTEMPTS);
  assert.equal(state.items[0].outcome, "incorrect");

  const after = [
    ev("answer_checked", { item: 1, attempt: 4, correct_cards: [] }),
    ev("card_moved", { item: 1, card: "1/4", from: 6, position: 3 }),
    ev("card_removed", { item: 1, card: "1/4" }),
    ev("item_completed", { item: 1, correct: true }),
  ];
  for (const event of after) assert.equal(reduce(state, event), state);
});

test("it completes an item on the first all-right check, whatever try it is", () => {
  const state = fold([
    ev("item_started", { item: 1 }),
    ...placeAndCheck(1, { "1/4": 3, "1/2": 6, "3/4": 9, "5/4": 12 }),
    ev("card_moved", { item: 1, card: "5/4", from: 12, position: 15 }),
    ev("answer_checked", { item: 1, attempt: 2, correct_cards: [] }),
  ]);
  assert.equal(state.items[0].attempts, 2);
  assert.equal(state.items[0].outcome, "correct");
});

test("it completes the session only when every item is complete", () => {
  let state = fold([ev("item_started", { item: 1 }), ...placeAndCheck(1, rightPositions(1))]);
  assert.equal(reduce(state, ev("session_completed")), state);
  for (const item of [2, 3]) {
    state = fold([ev("item_started", { item }), ...placeAndCheck(item, rightPositions(item))], state);
  }
  state = reduce(state, ev("session_completed"));
  assert.equal(state.completed, true);
  assert.equal(reduce(state, ev("session_completed")), state);
});

test("it gives hints that point the way without giving the answer", () => {
  assert.match(hintFor(1, "5/4", 6), /more than one whole/);
  assert.match(hintFor(2, "1/3", 16), /less than one whole/);
  assert.match(hintFor(1, "1/2", 9), /one tick off/);
  assert.match(hintFor(3, "2/3", 4), /3 equal parts.*each third spans 4 ticks/);
  assert.match(hintFor(1, "3/4", 3), /4 equal parts.*each tick is one of them/);
  assert.equal(hintFor(1, "3/4", 9), "Right where it belongs.");
});

test("its items all land exactly on their own ticks", () => {
  for (const { step, cards } of ITEMS) {
    assert.ok(cards.length >= 3 && cards.length <= 5);
    for (const card of cards) {
      assert.ok(Number.isInteger(targetOf(card)) && targetOf(card) % step === 0, card);
      assert.ok(targetOf(card) > 0 && targetOf(card) < 24, card);
    }
  }
});
