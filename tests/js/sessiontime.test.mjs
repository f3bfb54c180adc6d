// static/replay/sessiontime.js against the cases replay/sessiontime.py is also tested on: the
// page gets the sittings Python cut (`sittings` below) and must map times exactly as Python does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createSessionTime } from "../../static/replay/sessiontime.js";

const { cases } = JSON.parse(readFileSync(new URL("../fixtures/replay_time.json", import.meta.url)));

for (const c of cases) {
  test(`${c.name}: play times have the gaps cut`, () => {
    const clock = createSessionTime(c.sittings);
    assert.equal(clock.length, c.length);
    for (const [t, play] of c.play) assert.equal(clock.play(t), play, `t=${t}`);
  });

  test(`${c.name}: play times map back to what the widget is told`, () => {
    const clock = createSessionTime(c.sittings);
    for (const [play, t] of c.absolute) assert.equal(clock.absolute(play), t, `play=${play}`);
    for (const [play, number] of c.sitting) assert.equal(clock.partAt(play).number, number, `play=${play}`);
    for (const [play, inGap] of c.in_gap) assert.equal(clock.inGap(play), inGap, `play=${play}`);
  });

  test(`${c.name}: every event plays at a moment that shows exactly it`, () => {
    const clock = createSessionTime(c.sittings);
    const plays = c.times.map((t) => clock.play(t));
    for (const [i, t] of c.times.entries()) assert.equal(clock.absolute(plays[i]), t);
    assert.deepEqual(plays, [...plays].sort((a, b) => a - b));
  });
}
