// TEI001 "Fractions on a number line": what the view says, and the board's arithmetic. Pure (no
// DOM), so tests/js/tei001_view.test.mjs checks it in Node.

import { plural } from "../../js/format.js";
import { ITEMS, MAX_ATTEMPTS, MAX_POSITION, ticksPerWhole, unitName } from "./reducer.js";

export const ITEM_NAMES = ["Quarters", "Sixths", "Twelfths"];
export const ITEM_NOTES = [
  "Each whole is split into quarters.",
  "Each whole is split into sixths.",
  "Each whole is split into twelfths. Two cards may belong on the same spot.",
];
export const VERDICT_WORDS = { right: "right", close: "close", wrong: "not yet right" };
export const VERDICT_MARKS = { right: "✓", close: "≈", wrong: "✕" };

/** The line under the dots: which try this is, or how the item ended. */
export function attemptsLabel(progress) {
  if (progress.outcome === "correct") {
    return progress.attempts === 1 ? "Right on the first try" : `Right on try ${progress.attempts}`;
  }
  if (progress.outcome === "incorrect") return "Correct places shown";
  return `Try ${progress.attempts + 1} of ${MAX_ATTEMPTS}`;
}

/** One item's line in the summary. */
export function resultText(progress) {
  if (progress.outcome === "correct") {
    return progress.attempts === 1 ? "right on the first try" : `right on try ${progress.attempts}`;
  }
  return `correct places shown after ${progress.attempts} tries`;
}

/** "2 right, 1 close, 1 not yet right" for a check's verdicts. */
export function countsText(feedback) {
  const counts = { right: 0, close: 0, wrong: 0 };
  for (const verdict of Object.values(feedback)) counts[verdict] += 1;
  const parts = [`${counts.right} right`];
  if (counts.close) parts.push(`${counts.close} close`);
  if (counts.wrong) parts.push(`${counts.wrong} not yet right`);
  return parts.join(", ");
}

/** The helper line under the buttons while the learner arranges cards. */
export function helperText(item, progress) {
  const total = ITEMS[item - 1].cards.length;
  const left = total - Object.keys(progress.placements).length;
  if (progress.outcome) return "";
  if (left > 0) return `Place all ${total} cards on the line, then press Check. ${left} to go.`;
  if (progress.attempts > 0) return "Move the cards that are not right yet, then check again.";
  return "All cards are on the line. Press Check when you are ready.";
}

/** The feedback box's first line after a check. */
export function feedbackHeadline(progress) {
  if (progress.outcome === "correct") return "Every card is in the right place. Well done!";
  if (progress.outcome === "incorrect") return "The green labels under the line show where each card belongs.";
  return `Try ${progress.attempts} of ${MAX_ATTEMPTS}: ${countsText(progress.checked)}.`;
}

/** What a screen reader hears after a check. */
export function checkAnnouncement(progress) {
  if (progress.outcome === "correct") return "All cards are right. Well done!";
  if (progress.outcome === "incorrect") {
    return `${countsText(progress.checked)}. That was the last try: the correct places are now shown under the line.`;
  }
  const left = MAX_ATTEMPTS - progress.attempts;
  return `${countsText(progress.checked)}. ${plural(left, "try", "tries")} left.`;
}

/** Where a position is, in the words a sighted learner would count: "between 0 and 1, tick 3 of 4". */
export function describe(item, position) {
  const perWhole = ticksPerWhole(item);
  const ticks = position / ITEMS[item - 1].step;
  const whole = Math.floor(ticks / perWhole);
  const rest = ticks % perWhole;
  if (rest === 0) return `at ${whole}`;
  return `between ${whole} and ${whole + 1}, tick ${rest} of ${perWhole} (${unitName(perWhole)})`;
}

/** A card's accessible name: "Card 3/4, on the line between 0 and 1, tick 3 of 4 (quarters), checked: close". */
export function cardLabel(item, card, progress) {
  const placed = Object.hasOwn(progress.placements, card);
  const verdict = progress.feedback[card] ?? null;
  const where = placed ? `on the line ${describe(item, progress.placements[card])}` : "in the tray";
  const checked = verdict ? `, checked: ${VERDICT_WORDS[verdict]}` : "";
  return `Card ${card}, ${where}${checked}`;
}

/** The tick nearest to `x` on a line drawn from `x0` to `x1`, on the item's steps. */
export function snapPosition(item, x, x0, x1) {
  const step = ITEMS[item - 1].step;
  const raw = ((x - x0) / (x1 - x0)) * MAX_POSITION;
  return clamp(Math.round(raw / step) * step, 0, MAX_POSITION);
}

/** How far a key moves a carried card: a tick, a whole, or to an end. */
export function keyMove(item, key) {
  const step = ITEMS[item - 1].step;
  const whole = ticksPerWhole(item) * step;
  const moves = {
    ArrowRight: step,
    ArrowUp: step,
    ArrowLeft: -step,
    ArrowDown: -step,
    PageUp: whole,
    PageDown: -whole,
    Home: -Infinity,
    End: Infinity,
  };
  return Object.hasOwn(moves, key) ? moves[key] : null;
}

/** The first row whose last item ends before `x`; `width` is the item's own extent. */
export function fitRow(rowEnds, x, spacing, dryRun = false, width = 0) {
  let row = rowEnds.findIndex((end) => x - end >= spacing);
  if (row === -1) row = rowEnds.length;
  if (!dryRun) rowEnds[row] = x + width;
  return row;
}

export function clamp(value, low, high) {
  return Math.min(high, Math.max(low, value));
}
