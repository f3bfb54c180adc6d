// BLL002 "Balance lever lab": the learner's input turned into events through `dispatch`. Weights
// move by drag, by tap then tap, or with the keyboard; only the drop is an event (moving from peg
// to peg is `weight_removed` then `weight_placed`).

import { svg } from "../dom.js";
import { ANSWERS, CHALLENGES, MAX_STACK, canRelease, challengeById, goalMet } from "./reducer.js";
import { firstPeg, stackOn, stepPeg, targetAt } from "./geometry.js";
import { canArrange, drawStage, drawWeight, endDrag } from "./stage.js";
import { pegName } from "./words.js";

const DRAG_THRESHOLD = 6;
const PEG_KEYS = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"];

/** Listens to the stage and the buttons; in playback, to nothing (the controls are off). */
export function bindInput(view) {
  if (!view.interactive) return;
  const stageSvg = view.stageSvg;
  stageSvg.addEventListener("keydown", (event) => onKeyDown(view, event));
  stageSvg.addEventListener("pointerdown", (event) => onPointerDown(view, event));
  stageSvg.addEventListener("pointermove", (event) => onPointerMove(view, event));
  stageSvg.addEventListener("pointerup", (event) => onPointerUp(view, event));
  stageSvg.addEventListener("pointercancel", (event) => onPointerCancel(view, event));
  // Touch browsers scroll the page from a touch that starts on a weight unless told not to.
  stageSvg.addEventListener("touchstart", (event) => {
    if (event.target.closest?.(".bll-weight.is-movable")) event.preventDefault();
  }, { passive: false });
  bindButtons(view);
}

function bindButtons(view) {
  const dispatch = view.dispatch;
  view.startButton.addEventListener("click", () => {
    view.pendingFocus = "title";
    dispatch("challenge_started", { challenge: 1 });
  });
  for (const answer of ANSWERS) {
    const input = view.choiceInputs[answer];
    input.addEventListener("change", () => {
      if (input.checked) dispatch("prediction_made", { answer });
    });
  }
  view.releaseButton.addEventListener("click", () => {
    if (!canRelease(view.state)) return;
    view.pendingFocus = "feedback";
    // The outcome as this screen sees it; the reducer and the server work it out themselves.
    const claimed = view.state.weights.reduce((sum, w) => sum + w.mass * w.peg, 0);
    dispatch("released", { outcome: claimed < 0 ? "left" : claimed > 0 ? "right" : "balance" });
  });
  const askHint = () => {
    const challenge = challengeById(view.state.challenge);
    const result = view.state.results[challenge.id - 1];
    if (result.hints < challenge.hints.length) {
      dispatch("hint_requested", { challenge: challenge.id, hint: result.hints + 1 });
    }
  };
  view.hintButton.addEventListener("click", askHint);
  view.feedbackHint.addEventListener("click", askHint);
  view.feedbackButton.addEventListener("click", () => moveOn(view));
}

/** The feedback's button: try again, or complete the challenge and start the next (or finish). */
function moveOn(view) {
  const s = view.state;
  const challenge = challengeById(s.challenge);
  if (s.phase === "released" && !goalMet(s)) {
    view.pendingFocus = "first-weight";
    view.dispatch("try_again", { challenge: challenge.id });
    return;
  }
  if (s.phase === "released") {
    view.dispatch("challenge_completed", { challenge: challenge.id, correct: Boolean(s.results[challenge.id - 1].firstCorrect) });
  }
  view.pendingFocus = "title";
  if (challenge.id === CHALLENGES.length) view.dispatch("session_completed", {});
  else view.dispatch("challenge_started", { challenge: challenge.id + 1 });
}

function sourceOf(node) {
  const from = node.dataset.from;
  const mass = Number(node.dataset.mass);
  return from === "lever"
    ? { from, mass, peg: Number(node.dataset.peg), key: node.dataset.key }
    : { from, mass, key: node.dataset.key };
}

/** Puts a carried or dragged weight down at `target` (a peg, "tray", or null to cancel). */
function drop(view, source, target, { keyboard = false } = {}) {
  view.carrying = null;
  const { dispatch, announce } = view;
  if (target === "tray" && source.from === "lever") {
    if (keyboard) view.pendingFocus = `tray:${source.mass}:any`;
    dispatch("weight_removed", { peg: source.peg, mass: source.mass });
    announce(`The ${source.mass}-unit weight is back in the tray.`);
  } else if (typeof target === "number" && !(source.from === "lever" && source.peg === target)) {
    if (stackOn(view.state.weights, target).length >= MAX_STACK) {
      announce(`Peg ${pegName(target)} is full. Choose another peg.`);
    } else {
      if (source.from === "lever") dispatch("weight_removed", { peg: source.peg, mass: source.mass });
      if (keyboard) view.pendingFocus = `lever:${target}:top`;
      dispatch("weight_placed", { peg: target, mass: source.mass });
      announce(`Placed the ${source.mass}-unit weight on peg ${pegName(target)}.`);
    }
  }
  drawStage(view);
}

function onKeyDown(view, event) {
  const node = event.target.closest?.(".bll-weight.is-movable");
  if (!node || !canArrange(view)) return;
  const source = sourceOf(node);
  const carrying = view.carrying;
  const same = carrying && carrying.key === source.key;
  const key = event.key;
  if (PEG_KEYS.includes(key)) {
    event.preventDefault();
    let target;
    if (same && typeof carrying.target === "number") target = stepPeg(carrying.target, key);
    else if (source.from === "lever") target = stepPeg(source.peg, key);
    else target = firstPeg(key);
    view.carrying = { ...source, target };
    drawStage(view);
    const full = stackOn(view.state.weights, target).length >= MAX_STACK && !(source.from === "lever" && source.peg === target);
    view.announce(`Peg ${pegName(target)}${full ? ", full" : ""}. Press Enter to place.`);
  } else if (key === "Enter" || key === " ") {
    event.preventDefault();
    if (same && typeof carrying.target === "number") {
      drop(view, source, carrying.target, { keyboard: true });
    } else {
      view.carrying = { ...source, target: source.from === "lever" ? source.peg : 1 };
      drawStage(view);
      view.announce(`Picked up the ${source.mass}-unit weight. Choose a peg with the arrow keys, then press Enter. Escape cancels.`);
    }
  } else if (key === "Escape" && carrying) {
    event.preventDefault();
    view.carrying = null;
    drawStage(view);
    view.announce("Cancelled.");
  } else if ((key === "Delete" || key === "Backspace") && source.from === "lever") {
    event.preventDefault();
    drop(view, source, "tray", { keyboard: true });
  }
}

function toStage(view, event) {
  const matrix = view.stageSvg.getScreenCTM();
  if (!matrix) return { x: 0, y: 0 };
  const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
  return { x: point.x, y: point.y };
}

function onPointerDown(view, event) {
  if (!canArrange(view) || (event.pointerType === "mouse" && event.button !== 0)) return;
  const node = event.target.closest?.(".bll-weight.is-movable");
  const point = toStage(view, event);
  const carrying = view.carrying;
  // With a weight picked up, a tap on a weight already on the lever means "on that peg".
  const tapsAStack = node && carrying && node.dataset.from === "lever" && node.dataset.key !== carrying.key;
  if (node && !tapsAStack) {
    event.preventDefault();
    const source = sourceOf(node);
    const [, tx, ty] = /translate\(([-\d.]+) ([-\d.]+)\)/.exec(node.getAttribute("transform"));
    const grab = { dx: point.x - Number(tx), dy: point.y - Number(ty) };
    view.drag = { pointerId: event.pointerId, source, x0: point.x, y0: point.y, moved: false, grab };
    view.stageSvg.setPointerCapture(event.pointerId);
  } else if (carrying) {
    view.drag = { pointerId: event.pointerId, source: null, x0: point.x, y0: point.y, moved: false };
    view.stageSvg.setPointerCapture(event.pointerId);
  }
}

function onPointerMove(view, event) {
  const drag = view.drag;
  if (!drag || event.pointerId !== drag.pointerId || !drag.source) return;
  const point = toStage(view, event);
  if (!drag.moved && Math.hypot(point.x - drag.x0, point.y - drag.y0) < DRAG_THRESHOLD) return;
  drag.moved = true;
  const target = targetAt(point);
  const carrying = view.carrying;
  if (!carrying || carrying.key !== drag.source.key || carrying.target !== target) {
    view.carrying = { ...drag.source, target };
    drawStage(view);
  }
  const layer = view.dragLayer;
  const ghost = layer.firstChild ?? layer.appendChild(svg("g", { class: "bll-dragged" }, drawWeight(view, drag.source.mass)));
  ghost.setAttribute("transform", `translate(${point.x - drag.grab.dx} ${point.y - drag.grab.dy})`);
}

function onPointerUp(view, event) {
  const current = view.drag;
  if (!current || event.pointerId !== current.pointerId) return;
  const point = toStage(view, event);
  endDrag(view);
  if (current.source && current.moved) {
    drop(view, current.source, targetAt(point));
  } else if (current.source) {
    // A tap on a weight picks it up (or puts it back down); a tap on a peg then places it.
    if (view.carrying?.key === current.source.key) {
      view.carrying = null;
      view.announce("Cancelled.");
    } else {
      view.carrying = { ...current.source, target: null };
      const orBack = current.source.from === "lever" ? ", or the tray to put it back" : "";
      view.announce(`Picked up the ${current.source.mass}-unit weight. Tap a peg to place it${orBack}.`);
    }
    drawStage(view);
  } else if (view.carrying) {
    drop(view, view.carrying, targetAt(point));
  }
}

function onPointerCancel(view, event) {
  if (!view.drag || event.pointerId !== view.drag.pointerId) return;
  endDrag(view);
  view.carrying = null;
  drawStage(view);
}
