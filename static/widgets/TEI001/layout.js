// TEI001 "Fractions on a number line": where everything stands on the board. The board is laid out
// from its measured width and the cards' measured size, so it fits a tablet and a laptop alike;
// the arithmetic that needs no DOM is in words.js.

import { ITEMS, MAX_POSITION } from "./reducer.js";
import { current } from "./build.js";
import { clamp, fitRow, snapPosition } from "./words.js";

// Geometry of the board, in CSS pixels (the card size comes from the stylesheet).
const TOP = 14;
const ROW_GAP = 10;
const PIN_MIN = 18;
const LABEL_SPACE = 42;
const MARKER_ROW = 30;
const TRAY_LABEL = 30;
const TRAY_PAD = 14;

/** Puts every card, the tray, the axis and the solution markers where they belong now. */
export function layout(view) {
  const state = view.state;
  if (!state || state.item === 0 || view.builtItem !== state.item) return;
  const item = state.item;
  const progress = current(view);
  const width = view.board.clientWidth || 720;
  const sample = view.cards.values().next().value;
  const cardW = sample?.offsetWidth || 60;
  const cardH = sample?.offsetHeight || 72;
  const pad = Math.max(24, cardW / 2 + 12);
  const x0 = pad;
  const x1 = Math.max(x0 + 100, width - pad);
  const xAt = (position) => x0 + (position / MAX_POSITION) * (x1 - x0);

  const rowOf = lineRows(view, item, progress, xAt, cardW);
  const rows = Math.max(2, ...[...rowOf.values()].map((row) => row + 1));
  const lineY = TOP + rows * cardH + (rows - 1) * ROW_GAP + PIN_MIN;
  const markerRows = layoutMarkers(view.solution, xAt, lineY);
  const trayTop = lineY + LABEL_SPACE + (markerRows ? markerRows * MARKER_ROW + 8 : 0) + 4;
  const trayCardY = trayTop + TRAY_LABEL;
  const height = trayCardY + cardH + TRAY_PAD;

  view.geometry = { width, cardW, cardH, x0, x1, lineY, trayTop, height, cards: new Map() };
  view.board.style.height = `${height}px`;
  view.lineZone.style.height = `${trayTop}px`;
  Object.assign(view.axis.style, { left: `${x0}px`, width: `${x1 - x0}px`, top: `${lineY}px` });
  Object.assign(view.tray.style, { top: `${trayTop}px`, height: `${height - trayTop - 6}px` });
  view.trayEmpty.hidden = Object.keys(progress.placements).length < ITEMS[item - 1].cards.length;

  placeCards(view, { item, progress, xAt, rowOf, trayCardY, lineY });
  if (view.carry) showTarget(view, view.carry.position);
  else if (!view.drag?.moved) showTarget(view, null);
}

/**
 * The row of every card on the line: cards stand above their tick, in rows so that neighbours
 * never overlap; the card in the learner's hands is fitted in last, so the others do not jump
 * while it moves.
 */
function lineRows(view, item, progress, xAt, cardW) {
  const carry = view.carry;
  const onLine = ITEMS[item - 1].cards
    .filter((card) => Object.hasOwn(progress.placements, card) && card !== carry?.card)
    .map((card) => ({ card, x: xAt(progress.placements[card]) }));
  const rowEnds = [];
  const rowOf = new Map();
  for (const entry of onLine.sort((a, b) => a.x - b.x)) rowOf.set(entry.card, fitRow(rowEnds, entry.x, cardW + 6));
  if (carry) rowOf.set(carry.card, fitRow(rowEnds.slice(), xAt(carry.position), cardW + 6, true));
  return rowOf;
}

/** Cards on the line above their tick; the others in their tray slot, so a card taken back returns where it started. */
function placeCards(view, { item, progress, xAt, rowOf, trayCardY, lineY }) {
  const { width, cardW, cardH } = view.geometry;
  const list = ITEMS[item - 1].cards;
  const gap = clamp((width - 32 - list.length * cardW) / Math.max(1, list.length - 1), 8, 22);
  const trayWidth = list.length * cardW + (list.length - 1) * gap;
  const trayX = (width - trayWidth) / 2;

  list.forEach((card, index) => {
    const slotX = trayX + index * (cardW + gap);
    const slot = view.slots.children[index];
    if (slot) Object.assign(slot.style, { transform: `translate(${slotX}px, ${trayCardY}px)`, width: `${cardW}px`, height: `${cardH}px` });

    const button = view.cards.get(card);
    let x = slotX;
    let y = trayCardY;
    let pin = 0;
    const position = view.carry?.card === card ? view.carry.position : progress.placements[card];
    if (position !== undefined) {
      const row = rowOf.get(card) ?? 0;
      x = xAt(position) - cardW / 2;
      y = lineY - PIN_MIN - cardH - row * (cardH + ROW_GAP);
      pin = lineY - (y + cardH);
    }
    button.classList.toggle("is-on-line", position !== undefined);
    // Cards nearer the line sit on top, so the pins of higher rows pass behind them.
    button.style.setProperty("--z", String(position === undefined ? 10 : 10 - (rowOf.get(card) ?? 0)));
    view.geometry.cards.set(card, { x, y });
    if (view.drag?.card === card && view.drag.moved) return; // the pointer owns it until the drop
    button.style.transform = `translate(${x}px, ${y}px)`;
    button.style.setProperty("--pin", `${pin}px`);
  });
}

/** Places the solution markers under the line, in rows so that they never overlap. */
function layoutMarkers(solution, xAt, lineY) {
  if (solution.hidden) return 0;
  const rowEnds = [];
  let rows = 0;
  for (const marker of solution.children) {
    const x = xAt(Number(marker.dataset.position));
    const width = marker.offsetWidth || 48;
    const row = fitRow(rowEnds, x - width / 2, 6, false, width);
    rows = Math.max(rows, row + 1);
    marker.style.left = `${x}px`;
    marker.style.top = `${lineY + LABEL_SPACE + row * MARKER_ROW}px`;
  }
  return rows;
}

/** Where a card dragged to (x, y) would land: a position, "tray", or null (nowhere). */
export function dropTargetAt(view, x, y) {
  const g = view.geometry;
  if (x < -g.cardW || x > g.width + g.cardW || y < -g.cardH || y > g.height + g.cardH) return null;
  if (y >= g.trayTop) return "tray";
  return snapAt(view, x);
}

/** The tick nearest to board coordinate `x`. */
export function snapAt(view, x) {
  return snapPosition(view.state.item, x, view.geometry.x0, view.geometry.x1);
}

/** Highlights where a card would land: a tick on the line, the tray, or nothing. */
export function showTarget(view, target) {
  const geometry = view.geometry;
  const onLine = typeof target === "number" && geometry;
  view.snap.hidden = !onLine;
  view.tray.classList.toggle("is-target", target === "tray");
  if (onLine) {
    const x = geometry.x0 + (target / MAX_POSITION) * (geometry.x1 - geometry.x0);
    Object.assign(view.snap.style, { left: `${x}px`, top: `${geometry.lineY}px` });
  }
}
