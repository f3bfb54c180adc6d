// static/js/format.js against the cases core/formatting.py is also tested on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { formatClock, formatDuration, formatScore, plural } from "../../static/js/format.js";

const cases = JSON.parse(readFileSync(new URL("../fixtures/formatting.json", import.meta.url)));

test("durations read as the Python formatter writes them", () => {
  for (const [ms, text] of cases.duration) assert.equal(formatDuration(ms), text, `${ms} ms`);
  assert.equal(formatDuration(Number.NaN), "—");
});

test("replay moments read as the Python formatter writes them", () => {
  for (const [ms, text] of cases.clock) assert.equal(formatClock(ms), text, `${ms} ms`);
});

test("counts carry their word", () => {
  for (const [count, word, many, text] of cases.plural) {
    assert.equal(plural(count, word, many ?? undefined), text);
  }
});

test("no answer is never a zero score", () => {
  for (const [score, maximum, text] of cases.score) assert.equal(formatScore(score, maximum), text);
});
