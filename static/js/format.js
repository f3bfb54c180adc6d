// How Pathlens writes durations, counts and scores for people: core/formatting.py's twin, with
// the same integer arithmetic. Both are tested against tests/fixtures/formatting.json
// (tests/core/test_formatting.py and tests/js/format.test.mjs), so every page agrees.

export const DASH = "—";
const pad = (n) => String(n).padStart(2, "0");
const missing = (value) => value === null || value === undefined || Number.isNaN(value);

export function wholeSeconds(ms) {
  return Math.max(0, Math.floor(ms / 1000 + 0.5));
}

export function formatDuration(ms) {
  if (missing(ms)) return DASH;
  const seconds = wholeSeconds(ms);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${pad(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${pad(minutes % 60)} min`;
}

export function formatClock(ms) {
  const tenths = Math.max(0, Math.floor(ms / 100));
  const tenth = tenths % 10;
  const seconds = Math.floor(tenths / 10);
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  if (hours) return `${hours}:${pad(minutes % 60)}:${pad(seconds % 60)}.${tenth}`;
  return `${minutes}:${pad(seconds % 60)}.${tenth}`;
}

const grouped = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });

export function formatNumber(value) {
  // Halves away from zero, as Python's f"{round(x):,}" does for the values we show (whole
  // counts); Intl rounds the same way for positive numbers.
  return grouped.format(value);
}

export function plural(count, word, many) {
  return `${formatNumber(count)} ${count === 1 ? word : many || `${word}s`}`;
}

function general(value) {
  // Python's "{:g}" for the scores we show (up to six significant digits, no trailing zeros).
  return String(Number(value.toPrecision(6)));
}

export function formatScore(score, maximum) {
  if (missing(score) || missing(maximum)) return "No answer given";
  return `${general(score)} of ${general(maximum)}`;
}
