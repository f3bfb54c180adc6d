// The pure parts of the three demo widgets' views (words.js, geometry.js): what a learner reads
// and where things stand, checked without a browser. The views themselves are exercised in
// tests/e2e/test_widgets_browser.py and, in playback, by the replay's browser tests.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as bllGeometry from "../../static/widgets/BLL002/geometry.js";
import * as bllWords from "../../static/widgets/BLL002/words.js";
import * as bll from "../../static/widgets/BLL002/reducer.js";
import * as ctWords from "../../static/widgets/chernoff_tutorial/words.js";
import * as ct from "../../static/widgets/chernoff_tutorial/reducer.js";
import * as teiWords from "../../static/widgets/TEI001/words.js";

// --- TEI001 -------------------------------------------------------------------------------------

test("TEI001 says where a position is the way a learner counts ticks", () => {
  assert.equal(teiWords.describe(1, 0), "at 0");
  assert.equal(teiWords.describe(1, 12), "at 1");
  assert.equal(teiWords.describe(1, 9), "between 0 and 1, tick 3 of 4 (quarters)");
  assert.equal(teiWords.describe(2, 14), "between 1 and 2, tick 1 of 6 (sixths)");
});

test("TEI001 names a card by where it is and what the last check said", () => {
  const progress = { placements: { "3/4": 9 }, feedback: { "3/4": "close" } };
  assert.equal(teiWords.cardLabel(1, "3/4", progress), "Card 3/4, on the line between 0 and 1, tick 3 of 4 (quarters), checked: close");
  assert.equal(teiWords.cardLabel(1, "1/4", progress), "Card 1/4, in the tray");
});

test("TEI001 counts a check's verdicts, leaving out the kinds it did not give", () => {
  assert.equal(teiWords.countsText({ a: "right", b: "right", c: "wrong" }), "2 right, 1 not yet right");
  assert.equal(teiWords.countsText({ a: "close" }), "0 right, 1 close");
});

test("TEI001 tells the tries left in the singular and the plural", () => {
  const checked = { "1/4": "wrong" };
  assert.match(teiWords.checkAnnouncement({ outcome: null, attempts: 1, checked }), /2 tries left\.$/);
  assert.match(teiWords.checkAnnouncement({ outcome: null, attempts: 2, checked }), /1 try left\.$/);
  assert.equal(teiWords.checkAnnouncement({ outcome: "correct", attempts: 2, checked }), "All cards are right. Well done!");
});

test("TEI001's helper line follows the learner from the first card to the check", () => {
  const none = { placements: {}, attempts: 0, outcome: null };
  assert.equal(teiWords.helperText(1, none), "Place all 4 cards on the line, then press Check. 4 to go.");
  const all = { placements: { "1/4": 3, "1/2": 6, "3/4": 9, "5/4": 15 }, attempts: 0, outcome: null };
  assert.equal(teiWords.helperText(1, all), "All cards are on the line. Press Check when you are ready.");
  assert.equal(teiWords.helperText(1, { ...all, attempts: 1 }), "Move the cards that are not right yet, then check again.");
  assert.equal(teiWords.helperText(1, { ...all, outcome: "correct" }), "");
});

test("TEI001 snaps a drop to the nearest tick of the item's line, within the line", () => {
  // Line from x = 0 to x = 240: a twelfth is 10 px; item 1 has quarter ticks (every 3 twelfths).
  assert.equal(teiWords.snapPosition(1, 44, 0, 240), 3);
  assert.equal(teiWords.snapPosition(1, 46, 0, 240), 6);
  assert.equal(teiWords.snapPosition(1, -50, 0, 240), 0);
  assert.equal(teiWords.snapPosition(1, 999, 0, 240), 24);
  assert.equal(teiWords.snapPosition(3, 46, 0, 240), 5);
});

test("TEI001's keys move a carried card by a tick, a whole, or to an end", () => {
  assert.equal(teiWords.keyMove(1, "ArrowRight"), 3);
  assert.equal(teiWords.keyMove(2, "ArrowDown"), -2);
  assert.equal(teiWords.keyMove(1, "PageUp"), 12);
  assert.equal(teiWords.keyMove(1, "Home"), -Infinity);
  assert.equal(teiWords.keyMove(1, "x"), null);
});

test("TEI001 stacks neighbouring cards in rows so that none hides another", () => {
  const rowEnds = [];
  assert.equal(teiWords.fitRow(rowEnds, 100, 66), 0);
  assert.equal(teiWords.fitRow(rowEnds, 130, 66), 1);
  assert.equal(teiWords.fitRow(rowEnds, 170, 66), 0);
  assert.equal(teiWords.fitRow(rowEnds, 180, 66, true), 2, "a dry run leaves the rows as they were");
  assert.deepEqual(rowEnds, [170, 130]);
});

// --- BLL002 -------------------------------------------------------------------------------------

test("BLL002 writes each side's turning effect as the learner would", () => {
  const weights = [
    { peg: -3, mass: 1, fixed: true },
    { peg: -1, mass: 3, fixed: false },
    { peg: 2, mass: 2, fixed: false },
  ];
  assert.equal(bllWords.sideSum(weights, "left"), "1 × 3 + 3 × 1 = 6");
  assert.equal(bllWords.sideSum(weights, "right"), "2 × 2 = 4");
  assert.equal(bllWords.sideSum([], "right"), "nothing");
});

test("BLL002 describes the lever and the tray in words", () => {
  const state = { challenge: 1, weights: [{ peg: -2, mass: 1, fixed: true }], tray: { 1: 0, 2: 1, 3: 0 } };
  assert.equal(
    bllWords.describeLever(state),
    "Left side: 1-unit weight on peg 2 (fixed). Right side: nothing. Tray: 1 × 2-unit.",
  );
  assert.equal(bllWords.describeLever({ challenge: null }), "The lever is empty.");
});

test("BLL002's feedback says what was predicted and what the lever did", () => {
  const challenge = bll.CHALLENGES.find((each) => each.goal === "predict");
  const s = { prediction: "left", outcome: "right", correct: false, weights: [{ peg: 1, mass: 1, fixed: true }] };
  const text = bllWords.feedbackText(s, challenge, { attempts: 1 });
  assert.equal(text.title, "Not quite");
  assert.equal(text.body, "You said it would tip left, but it tips right.");
  assert.equal(text.sums, "Weight × distance. Left: nothing. Right: 1 × 1 = 1. The right side is bigger, so it goes down.");
});

test("BLL002 explains why Let go! waits", () => {
  const challenge = { useAll: true };
  assert.equal(bllWords.releaseWhy({ phase: "arranging", tray: { 1: 1 }, prediction: null }, challenge), "Put every weight from the tray on the lever first.");
  assert.equal(bllWords.releaseWhy({ phase: "arranging", tray: {}, prediction: null }, challenge), "Choose what you think will happen first.");
  assert.equal(bllWords.releaseWhy({ phase: "released", tray: {}, prediction: null }, challenge), "");
});

test("BLL002 finds the peg under a point of the stage, the tray, or nothing", () => {
  const { PIVOT_X, SPACING, TRAY, BEAM_TOP } = bllGeometry;
  assert.equal(bllGeometry.targetAt({ x: PIVOT_X + 2 * SPACING + 10, y: BEAM_TOP }), 2);
  assert.equal(bllGeometry.targetAt({ x: PIVOT_X - 9 * SPACING, y: BEAM_TOP }), -4, "beyond the end: the last peg");
  assert.equal(bllGeometry.targetAt({ x: PIVOT_X + 5, y: BEAM_TOP }), null, "the pivot is no peg");
  assert.equal(bllGeometry.targetAt({ x: TRAY.x + 10, y: TRAY.y + 10 }), "tray");
});

test("BLL002's keys step a carried weight along the pegs, skipping the pivot", () => {
  assert.equal(bllGeometry.stepPeg(-1, "ArrowRight"), 1);
  assert.equal(bllGeometry.stepPeg(4, "ArrowRight"), 4);
  assert.equal(bllGeometry.stepPeg(2, "Home"), bll.PEGS[0]);
  assert.equal(bllGeometry.firstPeg("ArrowLeft"), -1);
  assert.equal(bllGeometry.firstPeg("End"), 4);
});

test("BLL002 lays the tray's weights out centred, lightest first", () => {
  const items = bllGeometry.trayLayout({ 1: 1, 3: 1 });
  assert.deepEqual(items.map((item) => item.mass), [1, 3]);
  const { TRAY } = bllGeometry;
  const middle = (items[0].x - 23 + items[1].x + 33) / 2;
  assert.ok(Math.abs(middle - (TRAY.x + TRAY.w / 2)) < 1e-9);
});

// --- Chernoff tutorial --------------------------------------------------------------------------

test("the tutorial describes a face in words for screen readers", () => {
  const values = { population: 20, rainfall: 0, happiness: 10, temperature: 15 };
  assert.equal(ctWords.describeFace(values), "very wide face, tiny eyes, big smile, level eyebrows");
});

test("a warm city's face has brows slanting down towards the nose, a happy one a smile", () => {
  const warm = ctWords.faceParts({ ...ct.NEUTRAL, temperature: 30, happiness: 10 });
  for (const side of warm.sides) assert.ok(side.browInner.y > side.browOuter.y, "inner end lower (SVG y grows down)");
  assert.ok(warm.mouthY > 156, "the mouth's middle below its corners");
  const cold = ctWords.faceParts({ ...ct.NEUTRAL, temperature: 0 });
  for (const side of cold.sides) assert.ok(side.browInner.y < side.browOuter.y);
  const wide = ctWords.faceParts({ ...ct.NEUTRAL, population: 20 });
  assert.ok(wide.rx > ctWords.faceParts(ct.NEUTRAL).rx);
});

test("after the first failed check the tutorial says which face features are off, and which way", () => {
  const step = ct.STEPS.find((each) => each.kind === "match");
  const off = { population: 0, rainfall: 1, happiness: 0, temperature: 0 };
  const first = ctWords.matchFeedback(step, { matched: false, attempts: 1, last: { off } });
  assert.match(first, /^Attempt 1: not yet — 3 of 4 features are close enough\./);
  const third = ctWords.matchFeedback(step, { matched: false, attempts: 3, last: { off } });
  assert.match(third, /Still different: .*\(less rainfall\)\. Keep trying, or skip with the button below\.$/);
  assert.equal(ctWords.matchFeedback(step, { matched: false, attempts: 0, last: null }), "");
});

test("a wrong answer gets the rule of the feature to look at", () => {
  const step = ct.STEPS.find((each) => each.kind === "read");
  const question = step.questions[0];
  const wrong = step.cities.find((city) => city !== question.answer);
  const text = ctWords.questionFeedback(question, { tries: [wrong], correct: false });
  assert.match(text, /^Not .*\. Hint: .*\. Try again\.$/);
  const right = ctWords.questionFeedback(question, { tries: [question.answer], correct: true });
  assert.match(right, /Right first time!$/);
});

test("the tutorial's Next button says Finish, Skip or Next", () => {
  assert.equal(ctWords.nextLabel("finish", false), "Finish ✓");
  assert.equal(ctWords.nextLabel("match", true), "Skip for now →");
  assert.equal(ctWords.nextLabel("explore", false), "Next →");
});
