// The seekable time line (static/widgets/timeline.js): sorting, seeking, snapshots, speed.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createTimeline, sortEvents } from "../../static/widgets/timeline.js";

// A small reducer that records the order events were applied in and never mutates its input.
const orderReducer = {
  initialState: () => ({ seen: [] }),
  reduce: (state, event) => (event.type === "mark" ? { seen: [...state.seen, event.data.id] } : state),
};

// A reducer whose state depends on every event and on their order (not commutative).
const hashReducer = {
  initialState: () => ({ count: 0, hash: 17, sum: 0 }),
  reduce: (state, event) => {
    if (event.type === "ignored") return state;
    return {
      count: state.count + 1,
      hash: (Math.imul(state.hash, 31) + event.data.value) | 0,
      sum: state.sum + event.data.value,
    };
  },
};

const mark = (t, id) => ({ type: "mark", t, data: { id } });

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

function randomEvents(count, random) {
  // Random order, many equal times, some events the reducer ignores.
  return Array.from({ length: count }, (_, i) => ({
    type: random() < 0.05 ? "ignored" : "step",
    t: 1_700_000_000_000 + Math.floor(random() * count * 3),
    data: { value: Math.floor(random() * 1000), i },
  }));
}

const fold = (reducer, events) => events.reduce(reducer.reduce, reducer.initialState());

test("it sorts events by time", () => {
  const timeline = createTimeline(orderReducer, [mark(30, "c"), mark(10, "a"), mark(20, "b")]);
  assert.deepEqual(timeline.events.map((e) => e.data.id), ["a", "b", "c"]);
  assert.equal(timeline.count, 3);
  assert.equal(timeline.start, 10);
  assert.equal(timeline.end, 30);
  assert.deepEqual(timeline.finalState.seen, ["a", "b", "c"]);
});

test("it keeps arrival order for events with the same time", () => {
  const events = [mark(5, "x"), mark(1, "first"), mark(5, "y"), mark(1, "second"), mark(5, "z")];
  const timeline = createTimeline(orderReducer, events, { every: 2 });
  assert.deepEqual(timeline.finalState.seen, ["first", "second", "x", "y", "z"]);
  assert.deepEqual(timeline.stateAt(5).seen, ["first", "second", "x", "y", "z"]);
  assert.deepEqual(timeline.stateAt(4.999).seen, ["first", "second"]);
});

test("it does not reorder or change the caller's list", () => {
  const events = [mark(2, "b"), mark(1, "a")];
  createTimeline(orderReducer, events);
  assert.deepEqual(events.map((e) => e.data.id), ["b", "a"]);
});

test("it drops events that have no usable time", () => {
  const events = [mark(2, "b"), { type: "mark", data: { id: "none" } }, mark(Number.NaN, "nan"), null, mark(1, "a")];
  assert.deepEqual(sortEvents(events).map((e) => e.data.id), ["a", "b"]);
});

test("it shows the state at, between, before and after events", () => {
  const timeline = createTimeline(orderReducer, [mark(100, "a"), mark(200, "b"), mark(300, "c")], { every: 1 });
  assert.deepEqual(timeline.stateAt(99).seen, [], "before the first event");
  assert.equal(timeline.indexAt(99), -1);
  assert.deepEqual(timeline.stateAt(100).seen, ["a"], "exactly at an event");
  assert.equal(timeline.indexAt(100), 0);
  assert.deepEqual(timeline.stateAt(250).seen, ["a", "b"], "between events");
  assert.equal(timeline.indexAt(250), 1);
  assert.deepEqual(timeline.stateAt(300).seen, ["a", "b", "c"], "at the last event");
  assert.deepEqual(timeline.stateAt(10_000).seen, ["a", "b", "c"], "after the last event");
  assert.equal(timeline.indexAt(Infinity), 2);
  assert.deepEqual(timeline.stateAt(-Infinity).seen, []);
  assert.equal(timeline.indexAt(Number.NaN), -1);
});

test("it handles an empty session", () => {
  const timeline = createTimeline(orderReducer, []);
  assert.equal(timeline.count, 0);
  assert.equal(timeline.start, null);
  assert.equal(timeline.end, null);
  assert.deepEqual(timeline.stateAt(123).seen, []);
  assert.equal(timeline.indexAt(123), -1);
});

test("it refuses a snapshot interval that is not a positive integer", () => {
  assert.throws(() => createTimeline(orderReducer, [], { every: 0 }), RangeError);
  assert.throws(() => createTimeline(orderReducer, [], { every: 2.5 }), RangeError);
});

test("it seeks from snapshots to exactly the full fold on 10,000 random events", () => {
  const random = rng(20240611);
  const events = randomEvents(10_000, random);
  const timeline = createTimeline(hashReducer, events, { every: 200 });
  const sorted = timeline.events;
  assert.deepEqual(timeline.finalState, fold(hashReducer, sorted));

  // Every snapshot boundary and its neighbours, plus random times across (and beyond) the range.
  const indexes = [];
  for (let k = 0; k <= sorted.length; k += 200) indexes.push(k - 2, k - 1, k, k + 1);
  for (let n = 0; n < 300; n += 1) indexes.push(Math.floor(random() * sorted.length));
  for (const index of indexes.filter((i) => i >= -1 && i < sorted.length)) {
    assert.deepEqual(timeline.stateAtIndex(index), fold(hashReducer, sorted.slice(0, index + 1)), `index ${index}`);
  }
  const span = timeline.end - timeline.start;
  for (let n = 0; n < 300; n += 1) {
    const t = timeline.start - 50 + Math.floor(random() * (span + 100));
    const expected = fold(hashReducer, sorted.filter((e) => e.t <= t));
    assert.deepEqual(timeline.stateAt(t), expected, `t ${t}`);
  }
});

test("it seeks a 10,000-event session well within a frame", () => {
  const random = rng(7);
  const timeline = createTimeline(hashReducer, randomEvents(10_000, random));
  const times = Array.from({ length: 1000 }, () => timeline.start + random() * (timeline.end - timeline.start));
  for (const t of times.slice(0, 50)) timeline.stateAt(t); // warm up
  const began = performance.now();
  let sink = 0;
  for (const t of times) sink += timeline.stateAt(t).count;
  const average = (performance.now() - began) / times.length;
  console.log(`timeline seek: ${average.toFixed(4)} ms per seek on average (1,000 seeks, 10,000 events)`);
  assert.ok(sink > 0);
  assert.ok(average < 2, `a seek took ${average} ms on average; the budget is well under 16 ms`);
});
