// BLL002 "Balance lever lab": draws the lever, its weights and the tray from the state, plus what
// the learner holds (a weight carried or dragged). Called on every render and on every move of a
// carried weight.

import { svg } from "../dom.js";
import { MAX_STACK, PEGS, challengeById, sideTotals } from "./reducer.js";
import { BEAM_TOP, KNOB_H, PIVOT_X, SIZE, SPACING, STACK_GAP, TILT_DEG, pegX, stackOn, stackTop, trayLayout } from "./geometry.js";
import { pegName } from "./words.js";

/** Whether the learner may move weights now. */
export function canArrange(view) {
  return view.interactive && view.state && view.state.phase === "arranging";
}

/** A weight whose bottom centre is at (0, 0); placed with a translate. */
export function drawWeight(view, mass, { fixed = false, ghost = false } = {}) {
  const { w, h } = SIZE[mass];
  const id = view.id;
  const fill = ghost ? "none" : `url(#${id}-${fixed ? "fixed" : `m${mass}`})`;
  return [
    svg("rect", { x: -w / 2 - 6, y: -h - KNOB_H - 6, width: w + 12, height: h + KNOB_H + 10, rx: 10, class: "bll-weight__ring" }),
    svg("g", { filter: ghost ? null : `url(#${id}-shadow)` }, [
      svg("rect", { x: -8, y: -h - KNOB_H, width: 16, height: KNOB_H + 4, rx: 3, class: "bll-weight__knob" }),
      svg("rect", { x: -w / 2, y: -h, width: w, height: h, rx: 7, fill, class: "bll-weight__body" }),
      fixed ? svg("rect", { x: -w / 2, y: -h, width: w, height: h, rx: 7, fill: `url(#${id}-hatch)` }) : "",
    ]),
    svg("text", { x: 0, y: -h / 2 + 6.5, class: `bll-weight__label bll-weight__label--${mass}`, text: String(mass) }),
  ].filter(Boolean);
}

/** Redraws the stage for `view.state` and what the learner holds. */
export function drawStage(view) {
  const s = view.state;
  const focusedKey = view.stageSvg.contains(document.activeElement) ? document.activeElement.dataset.key : null;
  drawLeverWeights(view, s);
  drawTray(view, s);
  drawCarry(view, s);
  drawLever(view, s);
  view.stageSvg.classList.toggle("is-carrying", Boolean(view.carrying));
  const focusKey = view.pendingFocus && view.pendingFocus.includes(":") ? view.pendingFocus : focusedKey;
  if (focusKey) {
    const node = findWeight(view, focusKey);
    if (node) {
      node.focus({ preventScroll: true });
      if (focusKey === view.pendingFocus) view.pendingFocus = null;
    }
  }
}

/** Lever weights, stacked per peg in the order they were placed. */
function drawLeverWeights(view, s) {
  const arranging = canArrange(view);
  const nodes = [];
  for (const peg of PEGS) {
    let y = BEAM_TOP - 2;
    stackOn(s.weights, peg).forEach((weight, k) => {
      const key = `lever:${peg}:${k}`;
      const movable = arranging && !weight.fixed;
      const lifted = view.carrying?.key === key;
      const label = `${weight.fixed ? "Fixed " : ""}${weight.mass}-unit weight on peg ${pegName(peg)}`;
      const node = svg("g", {
        class: `bll-weight${weight.fixed ? " is-fixed" : ""}${lifted ? " is-lifted" : ""}${movable ? " is-movable" : ""}`,
        transform: `translate(${pegX(peg)} ${y})`,
        "data-key": key,
        "data-from": "lever",
        "data-peg": peg,
        "data-mass": weight.mass,
        role: movable ? "button" : "img",
        "aria-label": label,
        "aria-describedby": movable ? `${view.id}-help` : null,
        tabindex: movable ? "0" : null,
      }, drawWeight(view, weight.mass, { fixed: weight.fixed }));
      nodes.push(node);
      y -= SIZE[weight.mass].h + KNOB_H + STACK_GAP;
    });
  }
  view.leverWeights.replaceChildren(...nodes);
}

function drawTray(view, s) {
  const arranging = canArrange(view);
  const trayItems = trayLayout(s.tray);
  view.trayWeights.replaceChildren(...trayItems.map(({ mass, k, x, y }) => {
    const key = `tray:${mass}:${k}`;
    return svg("g", {
      class: `bll-weight${arranging ? " is-movable" : ""}${view.carrying?.key === key ? " is-lifted" : ""}`,
      transform: `translate(${x} ${y})`,
      "data-key": key,
      "data-from": "tray",
      "data-mass": mass,
      role: arranging ? "button" : "img",
      "aria-label": `${mass}-unit weight in the tray`,
      "aria-describedby": arranging ? `${view.id}-help` : null,
      tabindex: arranging ? "0" : null,
    }, drawWeight(view, mass));
  }));
  const challenge = challengeById(s.challenge);
  let note = "";
  if (!trayItems.length && challenge) note = challenge.goal === "predict" ? "Nothing to place: just predict!" : "All weights are on the lever";
  view.trayNote.textContent = note;
}

/** Carrying (keyboard, or tap then tap): the pegs light up, and a ghost shows where the weight would go. */
function drawCarry(view, s) {
  const carrying = view.carrying;
  const target = carrying?.target;
  for (const zone of view.zones.children) {
    const peg = Number(zone.dataset.peg);
    const full = stackOn(s.weights, peg).length >= MAX_STACK && !(carrying?.from === "lever" && carrying.peg === peg);
    zone.classList.toggle("is-active", Boolean(carrying));
    zone.classList.toggle("is-target", target === peg);
    zone.classList.toggle("is-full", target === peg && full);
  }
  view.trayPanel.classList.toggle("is-target", target === "tray");
  view.trayPanel.classList.toggle("is-active", carrying?.from === "lever");
  if (carrying && typeof target === "number" && !view.drag?.moved && !(carrying.from === "lever" && carrying.peg === target)) {
    const at = `translate(${pegX(target)} ${stackTop(s.weights, target)})`;
    view.carryGhost.replaceChildren(svg("g", { transform: at, class: "bll-ghost" }, drawWeight(view, carrying.mass, { ghost: true })));
  } else {
    view.carryGhost.replaceChildren();
  }
}

/** The lever: held level while arranging, let go after a release, with each side's turning effect. */
function drawLever(view, s) {
  const letGo = s.phase === "released" || s.phase === "completed";
  const angle = letGo ? { left: -TILT_DEG, balance: 0, right: TILT_DEG }[s.outcome] ?? 0 : 0;
  view.beam.style.transform = `rotate(${angle}deg)`;
  view.beam.classList.toggle("is-wobbling", letGo && s.outcome === "balance");
  view.supports.classList.toggle("is-away", letGo || s.phase === "finished");
  // Shown only once the lever has moved (before, it would give it away).
  if (letGo) {
    const sums = sideTotals(s.weights);
    view.totals.replaceChildren(
      totalPill(PIVOT_X - 3 * SPACING, "Left", sums.left, s.outcome === "left"),
      totalPill(PIVOT_X + 3 * SPACING, "Right", sums.right, s.outcome === "right"),
    );
  } else {
    view.totals.replaceChildren();
  }
}

function totalPill(x, side, total, wins) {
  return svg("g", { class: `bll-total${wins ? " is-winner" : ""}`, transform: `translate(${x} 34)` }, [
    svg("rect", { x: -78, y: -22, width: 156, height: 40, rx: 20, class: "bll-total__pill" }),
    svg("text", { x: 0, y: 5, class: "bll-total__text", text: `${side}: ${total}` }),
  ]);
}

/** The weight node for a data-key; `lever:<peg>:top` and `tray:<mass>:any` find one by place. */
export function findWeight(view, key) {
  if (key.endsWith(":top")) {
    const [, peg] = key.split(":");
    const all = view.leverWeights.querySelectorAll(`.bll-weight.is-movable[data-peg="${peg}"]`);
    return all[all.length - 1] ?? null;
  }
  if (key.startsWith("tray:") && key.endsWith(":any")) {
    const tray = view.trayWeights;
    return tray.querySelector(`.bll-weight[data-mass="${key.split(":")[1]}"]`) ?? tray.querySelector(".bll-weight");
  }
  return view.stageSvg.querySelector(`.bll-weight[data-key="${key}"]`);
}

/** Lets go of a pointer drag (if any) and clears the dragged weight. */
export function endDrag(view) {
  const drag = view.drag;
  if (drag && view.stageSvg.hasPointerCapture?.(drag.pointerId)) view.stageSvg.releasePointerCapture(drag.pointerId);
  view.drag = null;
  view.dragLayer.replaceChildren();
}
