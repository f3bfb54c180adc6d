// The demo's simulated sessions, folded with each widget's own reducer: every event must be one
// the view could have sent in that state, and the sessions must end where their learners did.
//
// The fixture comes from the Python simulators (dashboard/demo/):
//   python manage.py seed_demo --seed 2024 --until 2025-03-14 --export-sessions tests/js/fixtures/demo_sessions.json
// and tests/dashboard/test_seed_demo.py checks that it is up to date.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import * as bll002 from "../../static/widgets/BLL002/reducer.js";
import * as chernoff from "../../static/widgets/chernoff_tutorial/reducer.js";
import * as tei001 from "../../static/widgets/TEI001/reducer.js";
import { createTimeline } from "../../static/widgets/timeline.js";

const FIXTURE = JSON.parse(readFileSync(new URL("./fixtures/demo_sessions.json", import.meta.url), "utf8"));
const STRATEGIES = ["systematic", "trial_and_error", "guessing", "hint_heavy", "giving_up"];

// Events a reducer rightly leaves the state alone for: lifecycle it does not track, and markers
// for analytics whose effect came with the event before.
const WIDGETS = {
  TEI001: {
    reducer: tei001,
    unchanged: new Set(["session_started", "item_completed"]),
    isCompleted: (state) => state.completed,
    // The server's rule (widgets/tei001.py): 3, 2 or 1 points for an item right on try 1, 2 or 3.
    score: (state) =>
      state.items.reduce((sum, item) => sum + (item.outcome === "correct" ? [0, 3, 2, 1][item.attempts] : 0), 0),
  },
  chernoff_tutorial: {
    reducer: chernoff,
    unchanged: new Set(["session_started"]),
    isCompleted: (state) => state.finished,
    score: (state) => chernoff.scoreOf(state).score,
  },
  BLL002: {
    reducer: bll002,
    unchanged: new Set(),
    isCompleted: (state) => state.phase === "finished",
    // The server's rule (widgets/bll002.py): a point per challenge whose first release reached its goal.
    score: (state) => state.results.filter((result) => result.firstCorrect === true).length,
  },
};

// What the view claims in an event, checked against the state the reducer reached with it.
const CLAIMS = {
  answer_checked(before, after, data) {
    const item = after.items[data.item - 1];
    assert.equal(data.attempt, item.attempts, "answer_checked.attempt is the try the state counts");
    const right = tei001.ITEMS[data.item - 1].cards.filter((card) => item.feedback[card] === "right");
    assert.deepEqual(data.correct_cards, right, "answer_checked.correct_cards are the cards the state finds right");
  },
  item_completed(before, after, data) {
    const item = after.items[data.item - 1];
    assert.notEqual(item.outcome, null, "item_completed follows the check that completed the item");
    assert.equal(data.correct, item.outcome === "correct");
  },
  match_checked(before, after, data) {
    const check = after.checks[data.step];
    assert.equal(data.attempt, check.attempts);
    assert.equal(data.matched, check.last.matched, "match_checked.matched is what the state computes");
    assert.equal(data.distance, check.last.distance);
  },
  step_completed(before, after, data) {
    assert.ok(chernoff.taskDone(before, data.step) || before.completed[data.step], `${data.step} was done`);
  },
  step_viewed(before, after, data) {
    const from = chernoff.stepIndex(before.step);
    const to = chernoff.stepIndex(data.step);
    if (to === from + 1) assert.ok(chernoff.canAdvance(before, before.step), `Next from ${before.step} was allowed`);
    else assert.equal(to, from - 1, "step_viewed goes one step forward (Next) or back (Back)");
  },
  released(before, after, data) {
    assert.equal(data.outcome, after.outcome, "released.outcome is what the lever does");
  },
  challenge_completed(before, after, data) {
    assert.equal(data.correct, after.results[data.challenge - 1].firstCorrect);
  },
};

function check(session) {
  const widget = WIDGETS[session.widget];
  const { reducer } = widget;
  let state = reducer.initialState();
  let lastT = -Infinity;
  const ids = new Set();
  session.events.forEach((event, index) => {
    const where = `${session.widget}/${session.strategy} event ${index} (${event.type})`;
    assert.equal(event.session, session.session, where);
    assert.equal(event.widget, session.widget, where);
    assert.ok(!ids.has(event.id), `${where}: ids are unique`);
    ids.add(event.id);
    assert.ok(Number.isInteger(event.t) && event.t >= lastT, `${where}: time never goes back`);
    lastT = event.t;
    const next = reducer.reduce(state, event);
    if (widget.unchanged.has(event.type)) {
      assert.equal(next, state, `${where}: expected to leave the state alone`);
    } else {
      assert.notEqual(next, state, `${where}: the reducer ignored it, so no view would have sent it`);
    }
    CLAIMS[event.type]?.(state, next, event.data);
    state = next;
  });
  return state;
}

test("the fixture has sessions of every widget, and of every strategy for each", () => {
  for (const widget of Object.keys(WIDGETS)) {
    const strategies = new Set(FIXTURE.sessions.filter((s) => s.widget === widget).map((s) => s.strategy));
    assert.deepEqual([...strategies].sort(), [...STRATEGIES].sort(), widget);
  }
});

for (const session of FIXTURE.sessions) {
  const name = `${session.widget}, ${session.strategy}, ${session.completed ? "completed" : "unfinished"}`;

  test(`${name}: every event makes sense to the reducer in the state it arrives in`, () => {
    check(session);
  });

  test(`${name}: the session ends in the widget's completed state exactly when it completed`, () => {
    const state = check(session);
    const widget = WIDGETS[session.widget];
    assert.equal(widget.isCompleted(state), session.completed);
    assert.equal(session.events.some((event) => event.type === "session_completed"), session.completed);
    assert.equal(session.events[0].type, "session_started");
  });

  test(`${name}: the reducer's score is the server's`, () => {
    assert.ok(session.score.maximum > 0);
    assert.equal(WIDGETS[session.widget].score(check(session)), session.score.score);
  });

  test(`${name}: the replay's time line folds to the same state`, () => {
    const { reducer } = WIDGETS[session.widget];
    assert.deepEqual(createTimeline(reducer, session.events).finalState, check(session));
  });
}

test("a BLL002 session runs over several visits, each resumed where the last one stopped", () => {
  const resumed = FIXTURE.sessions.filter(
    (session) => session.widget === "BLL002" && session.events.some((event) => event.type === "session_resumed"),
  );
  assert.ok(resumed.length > 0, "some learner needed more than one lesson");
  for (const session of resumed) {
    const starts = session.events.filter((event) => event.type === "session_started");
    assert.equal(starts.length, 1, "one session_started, then session_resumed on every later visit");
  }
});

test("systematic learners score higher than guessers", () => {
  for (const widget of Object.keys(WIDGETS)) {
    const best = (strategy) =>
      Math.max(
        ...FIXTURE.sessions
          .filter((session) => session.widget === widget && session.strategy === strategy)
          .map((session) => session.score.score),
      );
    assert.ok(best("systematic") > best("guessing"), widget);
  }
});
