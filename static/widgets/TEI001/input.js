// TEI001 "Fractions on a number line": the learner's input (buttons, drag, tap, keys) turned into
// events through `dispatch`. A card in the learner's hands lives in the `view` (build.js) until it
// is dropped; only the drop is an event.

import { ITEMS, MAX_ATTEMPTS, MAX_POSITION, allPlaced, evaluate } from "./reducer.js";
import { canEdit, current } from "./build.js";
import { dropTargetAt, layout, showTarget, snapAt } from "./layout.js";
import { updateSelection } from "./render.js";
import { clamp, describe, keyMove } from "./words.js";

const DRAG_THRESHOLD = 6;

/**
 * Listens to the frame's buttons, the line and the tray; each item's cards are bound as the item
 * is built (`view.bindCard`). In playback too: its buttons ignore clicks, but the board still
 * follows resizes.
 */
export function bindInput(view) {
  const { dispatch, title } = view;
  view.bindCard = (card, button) => bindCard(view, card, button);
  view.startButton.addEventListener("click", () => {
    if (view.playback || !view.state || view.state.item !== 0) return;
    dispatch("item_started", { item: 1 });
    title.focus({ preventScroll: true });
  });

  view.nextButton.addEventListener("click", () => {
    if (view.playback || !view.state || !current(view)?.outcome || view.state.item >= ITEMS.length) return;
    dispatch("item_started", { item: view.state.item + 1 });
    title.focus({ preventScroll: true });
    title.scrollIntoView?.({ block: "nearest" });
  });

  view.checkButton.addEventListener("click", () => check(view));

  view.lineZone.addEventListener("click", (event) => {
    if (!canEdit(view) || !view.selected || !view.geometry) return;
    const card = view.selected;
    view.selected = null;
    drop(view, card, snapAt(view, event.clientX - view.board.getBoundingClientRect().left));
  });

  view.tray.addEventListener("click", () => {
    if (!canEdit(view) || !view.selected) return;
    const card = view.selected;
    view.selected = null;
    drop(view, card, "tray");
  });

  // Re-lay out when the width changes (rotation, window resize); layout() itself sets the height.
  let observedWidth = 0;
  if (typeof ResizeObserver === "function") {
    new ResizeObserver(() => {
      if (view.board.clientWidth === observedWidth) return;
      observedWidth = view.board.clientWidth;
      layout(view);
    }).observe(view.board);
  }
}

/** "Check": the check, and in the same click the item's and the session's completion. */
function check(view) {
  if (!canEdit(view)) return;
  const item = view.state.item;
  const progress = current(view);
  if (!allPlaced(item, progress.placements)) return;
  cancelCarry(view, false);
  // The server recomputes all of this from the placements; it is sent for the time line's sake.
  const feedback = evaluate(item, progress.placements);
  const attempt = progress.attempts + 1;
  const correctCards = ITEMS[item - 1].cards.filter((card) => feedback[card] === "right");
  view.dispatch("answer_checked", { item, attempt, correct_cards: correctCards });
  const correct = correctCards.length === ITEMS[item - 1].cards.length;
  if (correct || attempt >= MAX_ATTEMPTS) {
    view.dispatch("item_completed", { item, correct });
    if (item === ITEMS.length) {
      view.dispatch("session_completed", {});
      view.results.focus({ preventScroll: true });
    } else {
      view.nextButton.focus({ preventScroll: true });
    }
  }
}

/** Listens to one card: pointer drag, tap, keys. */
function bindCard(view, card, button) {
  button.addEventListener("pointerdown", (event) => onPointerDown(view, event, card, button));
  button.addEventListener("pointermove", (event) => onPointerMove(view, event, button));
  button.addEventListener("pointerup", (event) => onPointerUp(view, event, button));
  button.addEventListener("pointercancel", (event) => onPointerCancel(view, event, button));
  button.addEventListener("click", (event) => onCardClick(view, event, card));
  button.addEventListener("keydown", (event) => onCardKey(view, event, card));
  button.addEventListener("blur", () => {
    if (view.carry?.card === card) cancelCarry(view, true);
  });
}

function onPointerDown(view, event, card, button) {
  if (!canEdit(view) || view.drag || (event.pointerType === "mouse" && event.button !== 0)) return;
  if (view.carry && view.carry.card !== card) cancelCarry(view, false);
  const origin = view.geometry?.cards.get(card);
  if (!origin) return;
  view.drag = {
    card,
    pointerId: event.pointerId,
    startX: event.clientX,
    startY: event.clientY,
    originX: origin.x,
    originY: origin.y,
    moved: false,
    target: null,
  };
  button.setPointerCapture?.(event.pointerId);
}

function onPointerMove(view, event, button) {
  const drag = view.drag;
  if (!drag || event.pointerId !== drag.pointerId) return;
  const dx = event.clientX - drag.startX;
  const dy = event.clientY - drag.startY;
  if (!drag.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
  if (!drag.moved) {
    drag.moved = true;
    view.selected = null;
    if (view.carry) cancelCarry(view, false);
    button.classList.add("is-dragging");
    view.section.classList.add("is-dragging");
    updateSelection(view);
  }
  const x = drag.originX + dx;
  const y = drag.originY + dy;
  button.style.transform = `translate(${x}px, ${y}px)`;
  drag.target = dropTargetAt(view, x + view.geometry.cardW / 2, y + view.geometry.cardH / 2);
  showTarget(view, drag.target);
}

function onPointerUp(view, event, button) {
  if (!view.drag || event.pointerId !== view.drag.pointerId) return;
  const { card, moved, target } = view.drag;
  endDrag(view, button, event.pointerId);
  if (!moved) return; // a tap: the click handler selects the card
  view.suppressClick = true;
  setTimeout(() => {
    view.suppressClick = false;
  }, 0);
  drop(view, card, target);
}

function onPointerCancel(view, event, button) {
  if (!view.drag || event.pointerId !== view.drag.pointerId) return;
  endDrag(view, button, event.pointerId);
  layout(view);
}

function endDrag(view, button, pointerId) {
  view.drag = null;
  if (button.hasPointerCapture?.(pointerId)) button.releasePointerCapture(pointerId);
  button.classList.remove("is-dragging");
  view.section.classList.remove("is-dragging");
  showTarget(view, null);
}

function onCardClick(view, event, card) {
  if (view.suppressClick) {
    view.suppressClick = false;
    return;
  }
  if (!canEdit(view)) return;
  if (event.detail === 0) {
    // Enter or Space on the focused card, or a screen reader's "activate".
    if (view.carry?.card === card) commitCarry(view);
    else startCarry(view, card);
    return;
  }
  view.selected = view.selected === card ? null : card;
  updateSelection(view);
}

function onCardKey(view, event, card) {
  if (!canEdit(view) || event.altKey || event.ctrlKey || event.metaKey) return;
  const item = view.state.item;
  const move = keyMove(item, event.key);
  if (move !== null) {
    event.preventDefault();
    const wasPlaced = Object.hasOwn(current(view).placements, card);
    if (view.carry?.card !== card) {
      startCarry(view, card, { quiet: true });
      // A card picked up from the tray first appears at 0; a card on the line moves at once.
      if (!wasPlaced) {
        view.announce(`${card} picked up, ${describe(item, view.carry.position)}. Enter drops it here.`);
        return;
      }
    }
    view.carry.position = clamp(view.carry.position + move, 0, MAX_POSITION);
    layout(view);
    view.announce(`${card}: ${describe(item, view.carry.position)}`);
  } else if (event.key === "Escape") {
    if (view.carry?.card === card) {
      event.preventDefault();
      cancelCarry(view, true);
    } else if (view.selected) {
      view.selected = null;
      updateSelection(view);
    }
  } else if (event.key === "Delete" || event.key === "Backspace") {
    event.preventDefault();
    if (view.carry?.card === card) cancelCarry(view, false);
    if (Object.hasOwn(current(view).placements, card)) {
      drop(view, card, "tray");
      view.announce(`${card} is back in the tray.`);
    }
  }
}

function startCarry(view, card, { quiet = false } = {}) {
  const from = current(view).placements[card];
  view.carry = { card, position: from ?? 0, from: from ?? null };
  view.selected = null;
  updateSelection(view);
  layout(view);
  if (!quiet) {
    view.announce(
      `${card} picked up, ${describe(view.state.item, view.carry.position)}. ` +
        "Arrow keys move it, Enter drops it, Escape cancels.",
    );
  }
}

function commitCarry(view) {
  const { card, position } = view.carry;
  view.carry = null;
  drop(view, card, position);
  view.announce(`${card} placed ${describe(view.state.item, position)}.`);
}

function cancelCarry(view, speak) {
  if (!view.carry) return;
  const { card } = view.carry;
  view.carry = null;
  layout(view);
  if (speak) view.announce(`${card}: cancelled, nothing moved.`);
}

/** Turns a drop (a position in twelfths, "tray", or null for nowhere) into at most one event. */
function drop(view, card, target) {
  const item = view.state.item;
  const placements = current(view).placements;
  const from = Object.hasOwn(placements, card) ? placements[card] : null;
  if (typeof target === "number") {
    if (from === null) view.dispatch("card_placed", { item, card, position: target });
    else if (from !== target) view.dispatch("card_moved", { item, card, from, position: target });
  } else if (target === "tray" && from !== null) {
    view.dispatch("card_removed", { item, card });
  }
  updateSelection(view);
  layout(view); // a drop that changed nothing still puts the card back in its place
}
