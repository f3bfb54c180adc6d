// BLL002 "Balance lever lab": where things stand on the stage, in SVG user units. Pure (no DOM),
// so tests/js/bll002_view.test.mjs checks it in Node.

import { MASSES, PEGS } from "./reducer.js";

export const VIEW_W = 960;
export const VIEW_H = 474;
export const PIVOT_X = 480;
export const BEAM_TOP = 252;
export const BEAM_H = 16;
export const PIVOT_Y = BEAM_TOP + BEAM_H; // the lever turns about the tip of the fulcrum
export const GROUND_Y = 356;
export const SPACING = 96; // between pegs
export const TILT_DEG = 8;
export const TRAY = { x: 180, y: 392, w: 600, h: 74 };
export const SIZE = { 1: { w: 46, h: 30 }, 2: { w: 56, h: 38 }, 3: { w: 66, h: 46 } };
export const KNOB_H = 7;
export const STACK_GAP = 3;

export const pegX = (peg) => PIVOT_X + peg * SPACING;

/** The weights on one peg, bottom first (the order they were placed). */
export function stackOn(weights, peg) {
  return weights.filter((weight) => weight.peg === peg);
}

/** Where the next weight on `peg` would stand (its bottom). */
export function stackTop(weights, peg) {
  return stackOn(weights, peg).reduce((y, weight) => y - SIZE[weight.mass].h - KNOB_H - STACK_GAP, BEAM_TOP - 2);
}

/** The tray's weights side by side, centred: `{ mass, k, x, y }` each, lightest first. */
export function trayLayout(tray) {
  const items = [];
  for (const mass of MASSES) for (let k = 0; k < (tray[mass] ?? 0); k += 1) items.push({ mass, k });
  const width = items.reduce((sum, item) => sum + SIZE[item.mass].w, 0) + 22 * Math.max(items.length - 1, 0);
  let x = TRAY.x + TRAY.w / 2 - width / 2;
  return items.map((item) => {
    const cx = x + SIZE[item.mass].w / 2;
    x += SIZE[item.mass].w + 22;
    return { ...item, x: cx, y: TRAY.y + TRAY.h - 10 };
  });
}

/** What lies under a point of the stage: a peg, "tray", or null. */
export function targetAt({ x, y }) {
  if (y >= TRAY.y - 24 && x >= TRAY.x - 20 && x <= TRAY.x + TRAY.w + 20) return "tray";
  if (y > GROUND_Y + 6 || y < 0) return null;
  const peg = Math.round((x - PIVOT_X) / SPACING);
  if (peg === 0) return null;
  return Math.min(Math.max(peg, PEGS[0]), PEGS[PEGS.length - 1]);
}

/** The peg a key moves a carried weight to from `peg` (arrows: the next peg; Home, End: the ends). */
export function stepPeg(peg, key) {
  if (key === "Home") return PEGS[0];
  if (key === "End") return PEGS[PEGS.length - 1];
  const index = PEGS.indexOf(peg);
  const step = key === "ArrowLeft" || key === "ArrowDown" ? -1 : 1;
  return PEGS[Math.min(Math.max(index + step, 0), PEGS.length - 1)];
}

/** The first peg a key chooses for a weight picked up from the tray. */
export function firstPeg(key) {
  if (key === "Home") return PEGS[0];
  if (key === "End") return PEGS[PEGS.length - 1];
  return key === "ArrowLeft" || key === "ArrowDown" ? -1 : 1;
}
