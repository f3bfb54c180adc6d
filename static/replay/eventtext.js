// What the replay writes about an event: its data on one line (the details view), its hover
// text and the sentence that is announced. The words themselves come from widgets/words.py in the
// page data. Pure (no DOM, importable in Node: tests/js/replay_modules.test.mjs).

import { formatClock, formatDuration } from "../js/format.js";

const number = new Intl.NumberFormat("en").format;

function valueText(value) {
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** An event's data on one line: `key value · key value`, cut at `limit` characters. */
export function describeData(eventData, limit = 160) {
  if (!eventData || typeof eventData !== "object" || Array.isArray(eventData)) return "no data";
  const parts = Object.entries(eventData).map(([key, value]) => `${key} ${valueText(value)}`);
  if (!parts.length) return "no data";
  const text = parts.join(" · ");
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** Plotly renders a few HTML tags in hover text: learners' data must never become markup. */
export const escapeHtml = (text) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * The hover text of a mark: the event's sentence, its moment (`sitting` when the session has
 * several) and number, and how many more it stands for (`alsoHere`, over `withinMs`).
 */
export function hoverText({ words, label, offset, sitting, index, count, alsoHere = 0, withinMs = 0 }) {
  const where = sitting ? ` · sitting ${sitting}` : "";
  let text = `<b>${escapeHtml(words)}</b><br>at ${formatClock(offset)}${where} · event ${number(index + 1)} of ${number(count)}`;
  if (alsoHere > 0) {
    text += `<br><i>and ${number(alsoHere)} more (“${escapeHtml(label)}”) within ${formatDuration(withinMs)}: zoom in to see each</i>`;
  }
  return text;
}

/** The sentence announced for event `index` ("Event 6 of 13 at 0:05.0: Placed …"). */
export function eventSentence({ words, offset, sitting, index, count }) {
  if (index < 0) return "Before the first event.";
  const where = sitting ? ` in sitting ${sitting}` : "";
  return `Event ${number(index + 1)} of ${number(count)} at ${formatClock(offset)}${where}: ${words}.`;
}
