// The replay's moments and events: which event is shown at a moment, and where a sitting is.
// Pure (no DOM, importable in Node: tests/js/replay_modules.test.mjs).

/** Index of the last of ascending `offsets` at or before `offset` (what the widget shows then),
 * -1 for none. */
export function indexAt(offsets, offset) {
  let low = 0;
  let high = offsets.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (offsets[middle] <= offset) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

/** Position of the first of `indices` (ascending event indices) whose event is at or after
 * offset `at` (binary search over `offsets[indices[k]]`). */
export function firstAtOrAfter(offsets, indices, at) {
  let low = 0;
  let high = indices.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (offsets[indices[middle]] < at) low = middle + 1;
    else high = middle;
  }
  return low;
}

export const clamp = (value, low, high) => Math.min(Math.max(value, low), high);

/** Where play time `offset` is among the sittings of `clock` (sessiontime.js), in words; "" for
 * a session of one sitting. */
export function sittingWords(clock, offset) {
  const sittings = clock.parts.length;
  if (sittings < 2) return "";
  const part = clock.partAt(offset);
  if (clock.inGap(offset)) {
    const after = clock.parts[part.number]; // numbers are 1-based: this is the next sitting
    return `Between sittings ${part.number} and ${after.number}: the learner came back ${after.later}`;
  }
  return `Sitting ${part.number} of ${sittings}${part.later ? `, ${part.later}` : ""}`;
}

/** Where playing on from `current` by `elapsed` ms lands, jumping an idle gap longer than
 * `idleMs` between two events (to `leadMs` before the later one) when `skipIdle`; with how much
 * was skipped. */
export function advanceFrom(offsets, current, elapsed, { skipIdle, idleMs, leadMs }) {
  let next = current + elapsed;
  let skipped = 0;
  if (skipIdle) {
    const index = indexAt(offsets, current);
    const before = index >= 0 ? offsets[index] : 0;
    const after = index + 1 < offsets.length ? offsets[index + 1] : null;
    if (after !== null && after - before > idleMs && next > before + leadMs && next < after - leadMs) {
      skipped = after - leadMs - next;
      next = after - leadMs;
    }
  }
  return { next, skipped };
}

/**
 * Lining two sessions up by item instead of time: `anchors` are each session's first moments
 * of each item ({key: play ms}, e.g. item 1, 2, 3). Moment `at` of the leading session maps to
 * the other's moment: the same time since the start of the latest item both have begun (the
 * time since start before any shared item); never below 0.
 */
export function alignByItem(leadAnchors, otherAnchors, at) {
  let best = null;
  for (const [key, leadAt] of Object.entries(leadAnchors)) {
    if (!(key in otherAnchors) || leadAt > at) continue;
    if (best === null || leadAt > best.leadAt) best = { leadAt, otherAt: otherAnchors[key] };
  }
  if (best === null) return Math.max(0, at);
  return Math.max(0, best.otherAt + (at - best.leadAt));
}

/** The first play moment of each item key in a session: `keyOf(event)` gives an event's item key
 * (or undefined for events that do not start an item). */
export function itemAnchors(events, offsets, keyOf) {
  const anchors = {};
  for (let index = 0; index < events.length; index += 1) {
    const key = keyOf(events[index]);
    if (key !== undefined && !(key in anchors)) anchors[key] = offsets[index];
  }
  return anchors;
}
