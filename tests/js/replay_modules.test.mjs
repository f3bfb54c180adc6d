// The replay page's pure parts (static/replay/): time mapping, thinning, and what is written
// about an event. The page (replay.js) only wires them to the DOM.
import { test } from "node:test";
import assert from "node:assert/strict";
import { describeData, escapeHtml, eventSentence, hoverText } from "../../static/replay/eventtext.js";
import { createSessionTime } from "../../static/replay/sessiontime.js";
import { thinRow } from "../../static/replay/thinning.js";
import { advanceFrom, clamp, firstAtOrAfter, indexAt, sittingWords } from "../../static/replay/timeindex.js";

const offsets = Float64Array.from([0, 1000, 1000, 4000, 40_000]);

test("indexAt gives the last event at or before a moment, -1 before the first", () => {
  assert.equal(indexAt(offsets, -1), -1);
  assert.equal(indexAt(offsets, 0), 0);
  assert.equal(indexAt(offsets, 999), 0);
  assert.equal(indexAt(offsets, 1000), 2); // ties: the last of them is shown
  assert.equal(indexAt(offsets, 39_999), 3);
  assert.equal(indexAt(offsets, 1e9), 4);
  assert.equal(indexAt(new Float64Array(0), 5), -1);
});

test("firstAtOrAfter searches a row's events by their moment", () => {
  const row = Int32Array.from([0, 3, 4]);
  assert.equal(firstAtOrAfter(offsets, row, -5), 0);
  assert.equal(firstAtOrAfter(offsets, row, 1), 1);
  assert.equal(firstAtOrAfter(offsets, row, 4000), 1);
  assert.equal(firstAtOrAfter(offsets, row, 40_001), 3);
  assert.equal(clamp(5, 0, 3), 3);
});

test("playing on skips an idle gap longer than the threshold, landing just before the next event", () => {
  const options = { skipIdle: true, idleMs: 5000, leadMs: 600 };
  assert.deepEqual(advanceFrom(offsets, 4000, 100, options), { next: 4100, skipped: 0 });
  const { next, skipped } = advanceFrom(offsets, 4500, 200, options);
  assert.equal(next, 39_400);
  assert.equal(skipped, 39_400 - 4700);
  assert.deepEqual(advanceFrom(offsets, 4500, 200, { ...options, skipIdle: false }), { next: 4700, skipped: 0 });
  // A gap shorter than the threshold plays as it is.
  assert.deepEqual(advanceFrom(offsets, 1500, 2000, options), { next: 3500, skipped: 0 });
});

test("thinning draws one mark per few pixels and says how many more it stands for", () => {
  const times = Float64Array.from({ length: 100 }, (_, i) => i * 10); // 100 events in 1 s
  const all = Int32Array.from({ length: 100 }, (_, i) => i);
  const wide = thinRow(times, all, { from: 0, to: 1, width: 3000, unit: 1000 });
  assert.equal(wide.kept.length, 100); // 30 px apart: every one drawn
  const narrow = thinRow(times, all, { from: 0, to: 1, width: 30, unit: 1000 });
  assert.ok(narrow.kept.length <= 12, `${narrow.kept.length} marks on 30 px`);
  assert.equal(narrow.kept.length + narrow.extra.reduce((a, b) => a + b, 0), 100);
  for (let k = 0; k < narrow.kept.length; k += 1) assert.ok(narrow.last[k] >= narrow.kept[k]);
  // Zoomed in on 0.2–0.3 s: only the events there (and one column either side).
  const zoomed = thinRow(times, all, { from: 0.2, to: 0.3, width: 3000, unit: 1000 });
  assert.ok(zoomed.kept[0] >= 19 && zoomed.kept.at(-1) <= 31, JSON.stringify(zoomed.kept));
});

test("the sitting words say where a moment is among the sittings", () => {
  const one = createSessionTime([{ start: 0, end: 1000, at: 0, events: 2, later: "" }]);
  assert.equal(sittingWords(one, 500), "");
});

test("hover text and the announced sentence use the event's words, escaped", () => {
  const hover = hoverText({ words: "Placed 5/3 at 1⅔ — <b>", label: "Placed a card", offset: 4000, sitting: 0, index: 4, count: 13 });
  assert.equal(hover, "<b>Placed 5/3 at 1⅔ — &lt;b&gt;</b><br>at 0:04.0 · event 5 of 13");
  const many = hoverText({ words: "Moved 1/2", label: "Moved a card", offset: 0, sitting: 2, index: 0, count: 10_000, alsoHere: 3, withinMs: 2000 });
  assert.match(many, /sitting 2 · event 1 of 10,000<br><i>and 3 more \(“Moved a card”\) within 2 s: zoom in to see each<\/i>$/);
  assert.equal(eventSentence({ words: "Came back to the activity", offset: 721_000, sitting: 2, index: 5, count: 8 }),
    "Event 6 of 8 at 12:01.0 in sitting 2: Came back to the activity.");
  assert.equal(eventSentence({ index: -1 }), "Before the first event.");
  assert.equal(escapeHtml("a<b>&"), "a&lt;b&gt;&amp;");
});

test("the raw data reads as key value pairs, cut to a limit", () => {
  assert.equal(describeData({ item: 1, correct_cards: ["1/4"] }), 'item 1 · correct_cards ["1/4"]');
  assert.equal(describeData({}), "no data");
  assert.equal(describeData(null), "no data");
  assert.equal(describeData({ text: "x".repeat(50) }, 10), "text xxxx…");
});

test("lining up by item maps a moment to the same time into the same item of the other session", async () => {
  const { alignByItem, itemAnchors } = await import("../../static/replay/timeindex.js");
  const lead = { 1: 1000, 2: 60_000, 3: 200_000 };
  const other = { 1: 3000, 2: 20_000 };
  assert.equal(alignByItem(lead, other, 500), 500); // before any item: time since start
  assert.equal(alignByItem(lead, other, 1000), 3000);
  assert.equal(alignByItem(lead, other, 61_000), 21_000); // 1 s into item 2 in both
  assert.equal(alignByItem(lead, other, 250_000), 210_000); // item 3 only in the lead: still item 2's clock
  assert.equal(alignByItem({ 1: 5000 }, { 1: 0 }, 1000), 1000);
  const events = [{ type: "session_started" }, { type: "item_started", data: { item: 1 } }, { type: "item_started", data: { item: 1 } }, { type: "item_started", data: { item: 2 } }];
  const keyOf = (event) => (event.type === "item_started" ? String(event.data.item) : undefined);
  assert.deepEqual(itemAnchors(events, [0, 10, 20, 30], keyOf), { 1: 10, 2: 30 });
});
