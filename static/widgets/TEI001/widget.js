// TEI001 "Fractions on a number line": the view. It draws the state the runtime hands it and
// turns learner actions (drag, tap, keys) into events through `dispatch`; it keeps no state of
// its own beyond what is in the learner's hands right now (a card being dragged or carried).
// Contract: docs/contracts.md ("Widget modules"); guide: docs/widgets.md.

import {
  ITEMS,
  MAX_ATTEMPTS,
  MAX_POSITION,
  allPlaced,
  evaluate,
  hintFor,
  targetOf,
  ticksPerWhole,
  unitName,
} from "./reducer.js";

const ITEM_NAMES = ["Quarters", "Sixths", "Twelfths"];
const ITEM_NOTES = [
  "Each whole is split into quarters.",
  "Each whole is split into sixths.",
  "Each whole is split into twelfths. Two cards may belong on the same spot.",
];
const VERDICT_WORDS = { right: "right", close: "close", wrong: "not yet right" };
const VERDICT_MARKS = { right: "✓", close: "≈", wrong: "✕" };

// Geometry of the board, in CSS pixels (the card size comes from the stylesheet).
const TOP = 14;
const ROW_GAP = 10;
const PIN_MIN = 18;
const LABEL_SPACE = 42;
const MARKER_ROW = 30;
const TRAY_LABEL = 30;
const TRAY_PAD = 14;
const DRAG_THRESHOLD = 6;

export function mount(root, { dispatch, mode }) {
  const playback = mode === "playback";
  let state = null;
  let builtItem = -1;
  let cards = new Map(); // card → its button
  let geometry = null;
  let drag = null; // { card, pointerId, startX, startY, originX, originY, moved, target }
  let carry = null; // { card, position, from }: a card moved with the keyboard, not yet dropped
  let selected = null; // a card tapped, waiting for a tap on the line
  let suppressClick = false;
  let lastAttempts = null;

  // --- Static frame ------------------------------------------------------------------------------

  const titleId = uid("tei-title");
  const keysId = uid("tei-keys");
  const section = h("section", { class: `tei${playback ? " tei--playback" : ""}`, "aria-labelledby": titleId });

  const progressList = h("ol", { class: "tei__progress", "aria-label": "Items" });
  const header = h(
    "header",
    { class: "tei__header" },
    h(
      "div",
      { class: "tei__heading" },
      h("p", { class: "tei__eyebrow" }, "Fractions on a number line"),
      h("h2", { class: "tei__title", id: titleId, tabindex: "-1" }, "Place the fractions"),
      h("p", { class: "tei__prompt" }),
    ),
    progressList,
  );
  const title = header.querySelector(".tei__title");
  const prompt = header.querySelector(".tei__prompt");
  if (playback) header.querySelector(".tei__eyebrow").append(" ", h("span", { class: "tei__replay-tag" }, "Replay"));

  const startButton = h("button", { type: "button", class: "tei-button tei-button--primary tei-button--large" }, "Start");
  const intro = h(
    "div",
    { class: "tei__intro" },
    h(
      "ul",
      { class: "tei__howto" },
      h("li", {}, h("strong", {}, "Drag"), " each fraction card onto the number line, to the spot where it belongs between 0 and 2."),
      h("li", {}, h("strong", {}, "Check"), " when every card is on the line. You get three tries per item; after each try you see which cards are right, close, or not yet right."),
      h("li", {}, h("strong", {}, "Tap"), " a card and then a spot on the line if dragging is awkward."),
      h("li", {}, h("strong", {}, "Keyboard:"), " Tab to a card, press Enter to pick it up, move it with the arrow keys, and press Enter to drop it. Delete sends it back to the tray."),
    ),
    startButton,
  );

  const board = h("div", { class: "tei-board", role: "group", "aria-label": "Number line from 0 to 2, with a tray of cards below" });
  const lineZone = h("div", { class: "tei-board__zone", "aria-hidden": "true" });
  const axis = h("div", { class: "tei-axis", "aria-hidden": "true" }, h("div", { class: "tei-axis__line" }));
  const snap = h("div", { class: "tei-snap", "aria-hidden": "true" });
  const solution = h("div", { class: "tei-solution" });
  const tray = h("div", { class: "tei-tray" }, h("span", { class: "tei-tray__label" }, "Cards"));
  const trayEmpty = h("span", { class: "tei-tray__empty" }, "All cards are on the line.");
  tray.append(trayEmpty);
  const slots = h("div", { class: "tei-slots", "aria-hidden": "true" });
  board.append(lineZone, tray, slots, axis, solution, snap);

  const attemptsText = h("p", { class: "tei__attempts" });
  const checkButton = h("button", { type: "button", class: "tei-button tei-button--primary" }, "Check");
  const nextButton = h("button", { type: "button", class: "tei-button tei-button--primary" }, "Next item →");
  const helper = h("p", { class: "tei__helper" });
  const actions = h(
    "div",
    { class: "tei__actions" },
    attemptsText,
    h("div", { class: "tei__buttons" }, checkButton, nextButton),
  );
  const feedbackBox = h("div", { class: "tei-feedback" });
  const results = h("div", { class: "tei-results", tabindex: "-1" });
  const keysHelp = h(
    "p",
    { class: "tei-visually-hidden", id: keysId },
    "Press Enter to pick the card up, the arrow keys to move it along the line one tick at a time, and Enter to drop it. Escape cancels; Delete sends it back to the tray.",
  );
  const live = h("p", { class: "tei-visually-hidden", "aria-live": "polite" });
  const stage = h("div", { class: "tei__stage" }, board, actions, helper, feedbackBox, results);

  section.append(header, intro, stage, keysHelp, live);
  root.replaceChildren(section);

  // --- Learner actions ---------------------------------------------------------------------------

  startButton.addEventListener("click", () => {
    if (playback || !state || state.item !== 0) return;
    dispatch("item_started", { item: 1 });
    title.focus({ preventScroll: true });
  });

  nextButton.addEventListener("click", () => {
    if (playback || !state || !current()?.outcome || state.item >= ITEMS.length) return;
    dispatch("item_started", { item: state.item + 1 });
    title.focus({ preventScroll: true });
    title.scrollIntoView?.({ block: "nearest" });
  });

  checkButton.addEventListener("click", () => {
    if (!canEdit()) return;
    const item = state.item;
    const progress = current();
    if (!allPlaced(item, progress.placements)) return;
    cancelCarry(false);
    // The server recomputes all of this from the placements; it is sent for the time line's sake.
    const feedback = evaluate(item, progress.placements);
    const attempt = progress.attempts + 1;
    const correctCards = ITEMS[item - 1].cards.filter((card) => feedback[card] === "right");
    dispatch("answer_checked", { item, attempt, correct_cards: correctCards });
    const correct = correctCards.length === ITEMS[item - 1].cards.length;
    if (correct || attempt >= MAX_ATTEMPTS) {
      dispatch("item_completed", { item, correct });
      if (item === ITEMS.length) {
        dispatch("session_completed", {});
        results.focus({ preventScroll: true });
      } else {
        nextButton.focus({ preventScroll: true });
      }
    }
  });

  lineZone.addEventListener("click", (event) => {
    if (!canEdit() || !selected || !geometry) return;
    const card = selected;
    selected = null;
    drop(card, snapAt(event.clientX - board.getBoundingClientRect().left));
  });

  tray.addEventListener("click", () => {
    if (!canEdit() || !selected) return;
    const card = selected;
    selected = null;
    drop(card, "tray");
  });

  function bindCard(card, button) {
    button.addEventListener("pointerdown", (event) => onPointerDown(event, card, button));
    button.addEventListener("pointermove", (event) => onPointerMove(event, button));
    button.addEventListener("pointerup", (event) => onPointerUp(event, button));
    button.addEventListener("pointercancel", (event) => onPointerCancel(event, button));
    button.addEventListener("click", (event) => onCardClick(event, card));
    button.addEventListener("keydown", (event) => onCardKey(event, card));
    button.addEventListener("blur", () => {
      if (carry?.card === card) cancelCarry(true);
    });
  }

  function onPointerDown(event, card, button) {
    if (!canEdit() || drag || (event.pointerType === "mouse" && event.button !== 0)) return;
    if (carry && carry.card !== card) cancelCarry(false);
    const origin = geometry?.cards.get(card);
    if (!origin) return;
    drag = {
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

  function onPointerMove(event, button) {
    if (!drag || event.pointerId !== drag.pointerId) return;
    const dx = event.clientX - drag.startX;
    const dy = event.clientY - drag.startY;
    if (!drag.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
    if (!drag.moved) {
      drag.moved = true;
      selected = null;
      if (carry) cancelCarry(false);
      button.classList.add("is-dragging");
      section.classList.add("is-dragging");
      updateSelection();
    }
    const x = drag.originX + dx;
    const y = drag.originY + dy;
    button.style.transform = `translate(${x}px, ${y}px)`;
    drag.target = dropTargetAt(x + geometry.cardW / 2, y + geometry.cardH / 2);
    showTarget(drag.target);
  }

  function onPointerUp(event, button) {
    if (!drag || event.pointerId !== drag.pointerId) return;
    const { card, moved, target } = drag;
    endDrag(button, event.pointerId);
    if (!moved) return; // a tap: the click handler selects the card
    suppressClick = true;
    setTimeout(() => {
      suppressClick = false;
    }, 0);
    drop(card, target);
  }

  function onPointerCancel(event, button) {
    if (!drag || event.pointerId !== drag.pointerId) return;
    endDrag(button, event.pointerId);
    layout();
  }

  function endDrag(button, pointerId) {
    drag = null;
    if (button.hasPointerCapture?.(pointerId)) button.releasePointerCapture(pointerId);
    button.classList.remove("is-dragging");
    section.classList.remove("is-dragging");
    showTarget(null);
  }

  function onCardClick(event, card) {
    if (suppressClick) {
      suppressClick = false;
      return;
    }
    if (!canEdit()) return;
    if (event.detail === 0) {
      // Enter or Space on the focused card, or a screen reader's "activate".
      if (carry?.card === card) commitCarry();
      else startCarry(card);
      return;
    }
    selected = selected === card ? null : card;
    updateSelection();
  }

  function onCardKey(event, card) {
    if (!canEdit() || event.altKey || event.ctrlKey || event.metaKey) return;
    const item = state.item;
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
    if (Object.hasOwn(moves, event.key)) {
      event.preventDefault();
      const wasPlaced = Object.hasOwn(current().placements, card);
      if (carry?.card !== card) {
        startCarry(card, { quiet: true });
        // A card picked up from the tray first appears at 0; a card on the line moves at once.
        if (!wasPlaced) {
          announce(`${card} picked up, ${describe(item, carry.position)}. Enter drops it here.`);
          return;
        }
      }
      carry.position = clamp(carry.position + moves[event.key], 0, MAX_POSITION);
      layout();
      announce(`${card}: ${describe(item, carry.position)}`);
    } else if (event.key === "Escape") {
      if (carry?.card === card) {
        event.preventDefault();
        cancelCarry(true);
      } else if (selected) {
        selected = null;
        updateSelection();
      }
    } else if (event.key === "Delete" || event.key === "Backspace") {
      event.preventDefault();
      if (carry?.card === card) cancelCarry(false);
      if (Object.hasOwn(current().placements, card)) {
        drop(card, "tray");
        announce(`${card} is back in the tray.`);
      }
    }
  }

  function startCarry(card, { quiet = false } = {}) {
    const from = current().placements[card];
    carry = { card, position: from ?? 0, from: from ?? null };
    selected = null;
    updateSelection();
    layout();
    if (!quiet) {
      announce(
        `${card} picked up, ${describe(state.item, carry.position)}. ` +
          "Arrow keys move it, Enter drops it, Escape cancels.",
      );
    }
  }

  function commitCarry() {
    const { card, position } = carry;
    carry = null;
    drop(card, position);
    announce(`${card} placed ${describe(state.item, position)}.`);
  }

  function cancelCarry(speak) {
    if (!carry) return;
    const { card } = carry;
    carry = null;
    layout();
    if (speak) announce(`${card}: cancelled, nothing moved.`);
  }

  /** Turns a drop (a position in twelfths, "tray", or null for nowhere) into at most one event. */
  function drop(card, target) {
    const item = state.item;
    const placements = current().placements;
    const from = Object.hasOwn(placements, card) ? placements[card] : null;
    if (typeof target === "number") {
      if (from === null) dispatch("card_placed", { item, card, position: target });
      else if (from !== target) dispatch("card_moved", { item, card, from, position: target });
    } else if (target === "tray" && from !== null) {
      dispatch("card_removed", { item, card });
    }
    updateSelection();
    layout(); // a drop that changed nothing still puts the card back in its place
  }

  // --- Rendering ---------------------------------------------------------------------------------

  function render(next) {
    const previous = state;
    state = next;
    renderProgress();

    if (state.item === 0) {
      intro.hidden = false;
      stage.hidden = true;
      title.textContent = "Place the fractions";
      prompt.textContent = "Three short items. Put fraction cards where they belong on a line from 0 to 2.";
      startButton.disabled = playback;
      builtItem = 0;
      return;
    }

    intro.hidden = true;
    stage.hidden = false;
    if (builtItem !== state.item) buildItem(state.item);
    const item = state.item;
    const progress = current();
    if (progress.outcome) {
      carry = null;
      selected = null;
    }

    title.textContent = `Item ${item} of ${ITEMS.length}: ${ITEM_NAMES[item - 1]}`;
    prompt.textContent = `Put each card where it belongs on the number line. ${ITEM_NOTES[item - 1]}`;
    section.classList.toggle("is-locked", !canEdit());

    for (const [card, button] of cards) renderCard(card, button, progress);
    renderActions(item, progress);
    renderFeedback(item, progress);
    renderSolution(item, progress);
    renderResults();
    updateSelection();
    layout();
    announceChanges(previous, item, progress);
  }

  function buildItem(item) {
    builtItem = item;
    drag = null;
    carry = null;
    selected = null;
    lastAttempts = null;
    for (const button of cards.values()) button.remove();
    cards = new Map();

    // Ticks: one per step of the item's line, the wholes taller and labelled.
    const ticks = h("div", { class: "tei-axis__ticks" });
    const step = ITEMS[item - 1].step;
    const perWhole = ticksPerWhole(item) * step;
    for (let position = 0; position <= MAX_POSITION; position += step) {
      const isWhole = position % perWhole === 0;
      const tick = h("span", { class: `tei-tick${isWhole ? " tei-tick--whole" : ""}` });
      tick.style.left = `${(position / MAX_POSITION) * 100}%`;
      if (isWhole) tick.append(h("span", { class: "tei-tick__label" }, String(position / perWhole)));
      ticks.append(tick);
    }
    axis.replaceChildren(h("div", { class: "tei-axis__line" }), ticks);
    board.dataset.step = String(step);

    slots.replaceChildren();
    for (const card of ITEMS[item - 1].cards) {
      const [numerator, denominator] = card.split("/");
      const button = h(
        "button",
        { type: "button", class: "tei-card", "data-card": card, "aria-describedby": keysId },
        h(
          "span",
          { class: "tei-card__fraction", "aria-hidden": "true" },
          h("span", { class: "tei-card__num" }, numerator),
          h("span", { class: "tei-card__bar" }),
          h("span", { class: "tei-card__den" }, denominator),
        ),
        h("span", { class: "tei-card__badge", "aria-hidden": "true" }),
      );
      if (playback) button.disabled = true;
      else bindCard(card, button);
      cards.set(card, button);
      board.append(button);
      slots.append(h("span", { class: "tei-slot" }));
    }
  }

  function renderCard(card, button, progress) {
    const placed = Object.hasOwn(progress.placements, card);
    const verdict = progress.feedback[card] ?? null;
    button.classList.toggle("is-placed", placed);
    for (const name of ["right", "close", "wrong"]) button.classList.toggle(`is-${name}`, verdict === name);
    button.querySelector(".tei-card__badge").textContent = verdict ? VERDICT_MARKS[verdict] : "";
    const where = placed ? `on the line ${describe(state.item, progress.placements[card])}` : "in the tray";
    const checked = verdict ? `, checked: ${VERDICT_WORDS[verdict]}` : "";
    button.setAttribute("aria-label", `Card ${card}, ${where}${checked}`);
    if (!playback) button.setAttribute("aria-disabled", String(!canEdit()));
  }

  function renderProgress() {
    progressList.replaceChildren(
      ...ITEMS.map((_, index) => {
        const number = index + 1;
        const outcome = state.items[index].outcome;
        let status = "to do";
        let mark = String(number);
        let modifier = "";
        if (outcome === "correct") [status, mark, modifier] = ["right", "✓", " is-correct"];
        else if (outcome === "incorrect") [status, mark, modifier] = ["answer shown", "•", " is-shown"];
        else if (number === state.item) [status, modifier] = ["current", " is-current"];
        const step = h("li", { class: `tei-step${modifier}` }, h("span", { "aria-hidden": "true" }, mark));
        step.append(h("span", { class: "tei-visually-hidden" }, `Item ${number}: ${status}`));
        if (number === state.item) step.setAttribute("aria-current", "step");
        return step;
      }),
    );
  }

  function renderActions(item, progress) {
    const total = ITEMS[item - 1].cards.length;
    const left = total - Object.keys(progress.placements).length;
    const isLast = item === ITEMS.length;

    attemptsText.replaceChildren(
      h(
        "span",
        { class: "tei-dots", "aria-hidden": "true" },
        ...Array.from({ length: MAX_ATTEMPTS }, (_, index) =>
          h("span", { class: `tei-dot${index < progress.attempts ? " is-used" : ""}` }),
        ),
      ),
      h("span", {}, attemptsLabel(progress)),
    );

    checkButton.hidden = Boolean(progress.outcome);
    checkButton.disabled = playback || left > 0;
    nextButton.hidden = !progress.outcome || isLast;
    nextButton.disabled = playback;

    if (progress.outcome) helper.textContent = "";
    else if (left > 0) helper.textContent = `Place all ${total} cards on the line, then press Check. ${left} to go.`;
    else if (progress.attempts > 0) helper.textContent = "Move the cards that are not right yet, then check again.";
    else helper.textContent = "All cards are on the line. Press Check when you are ready.";
  }

  function renderFeedback(item, progress) {
    const entries = ITEMS[item - 1].cards.filter((card) => progress.checked[card]);
    if (progress.attempts === 0) {
      feedbackBox.replaceChildren();
      feedbackBox.hidden = true;
      return;
    }
    feedbackBox.hidden = false;
    let headline;
    if (progress.outcome === "correct") headline = "Every card is in the right place. Well done!";
    else if (progress.outcome === "incorrect") headline = "The green labels under the line show where each card belongs.";
    else headline = `Try ${progress.attempts} of ${MAX_ATTEMPTS}: ${countsText(progress.checked)}.`;
    const list = h(
      "ul",
      { class: "tei-feedback__list" },
      ...entries.map((card) => {
        const verdict = progress.feedback[card];
        if (!verdict) {
          return h(
            "li",
            { class: "tei-feedback__entry is-moved" },
            h("span", { class: "tei-feedback__mark", "aria-hidden": "true" }, "↔"),
            h("span", { class: "tei-feedback__card" }, card),
            h("span", { class: "tei-feedback__hint" }, "Moved since the check: the next check will tell."),
          );
        }
        return h(
          "li",
          { class: `tei-feedback__entry is-${verdict}` },
          h("span", { class: "tei-feedback__mark", "aria-hidden": "true" }, VERDICT_MARKS[verdict]),
          h("span", { class: "tei-feedback__card" }, card),
          h("span", { class: "tei-visually-hidden" }, `${VERDICT_WORDS[verdict]}: `),
          h("span", { class: "tei-feedback__hint" }, hintFor(item, card, progress.placements[card])),
        );
      }),
    );
    feedbackBox.replaceChildren(h("p", { class: "tei-feedback__headline" }, headline), list);
  }

  function renderSolution(item, progress) {
    solution.replaceChildren();
    solution.hidden = !progress.outcome;
    if (!progress.outcome) return;
    const byTarget = new Map();
    for (const card of ITEMS[item - 1].cards) {
      const target = targetOf(card);
      byTarget.set(target, [...(byTarget.get(target) ?? []), card]);
    }
    for (const [target, group] of [...byTarget].sort((a, b) => a[0] - b[0])) {
      const marker = h("span", { class: "tei-marker", "data-position": String(target) }, group.join(" = "));
      marker.setAttribute("aria-label", `${group.join(" and ")} belong ${describe(item, target)}`);
      solution.append(marker);
    }
  }

  function renderResults() {
    if (!state.completed) {
      results.hidden = true;
      results.replaceChildren();
      return;
    }
    results.hidden = false;
    const rightCount = state.items.filter((progress) => progress.outcome === "correct").length;
    results.replaceChildren(
      h("h3", { class: "tei-results__title" }, "All items done"),
      h("p", { class: "tei-results__lede" }, `You placed every card right in ${rightCount} of ${ITEMS.length} items.`),
      h(
        "ul",
        { class: "tei-results__list" },
        ...state.items.map((progress, index) =>
          h(
            "li",
            { class: `tei-results__entry is-${progress.outcome}` },
            h("span", { class: "tei-results__mark", "aria-hidden": "true" }, progress.outcome === "correct" ? "✓" : "•"),
            h("span", {}, `Item ${index + 1}, ${ITEM_NAMES[index]}: ${resultText(progress)}`),
          ),
        ),
      ),
    );
  }

  function announceChanges(previous, item, progress) {
    if (playback) return;
    if (previous && previous.item !== item) {
      announce(`Item ${item} of ${ITEMS.length}. ${ITEM_NOTES[item - 1]}`);
    } else if (lastAttempts !== null && progress.attempts > lastAttempts) {
      if (progress.outcome === "correct") announce("All cards are right. Well done!");
      else if (progress.outcome === "incorrect") {
        announce(`${countsText(progress.checked)}. That was the last try: the correct places are now shown under the line.`);
      } else {
        const left = MAX_ATTEMPTS - progress.attempts;
        announce(`${countsText(progress.checked)}. ${left} ${left === 1 ? "try" : "tries"} left.`);
      }
    }
    lastAttempts = progress.attempts;
  }

  function updateSelection() {
    for (const [card, button] of cards) {
      button.classList.toggle("is-selected", card === selected);
      button.classList.toggle("is-carrying", card === carry?.card);
      button.setAttribute("aria-pressed", String(card === selected));
    }
    board.classList.toggle("has-selection", Boolean(selected));
    if (selected && !playback) {
      helper.textContent = `Now tap a spot on the line for ${selected}${
        Object.hasOwn(current().placements, selected) ? ", or the tray to take it back" : ""
      }.`;
    } else if (state?.item > 0) {
      renderActions(state.item, current());
    }
  }

  // --- Layout ------------------------------------------------------------------------------------

  function layout() {
    if (!state || state.item === 0 || builtItem !== state.item) return;
    const item = state.item;
    const progress = current();
    const width = board.clientWidth || 720;
    const sample = cards.values().next().value;
    const cardW = sample?.offsetWidth || 60;
    const cardH = sample?.offsetHeight || 72;
    const pad = Math.max(24, cardW / 2 + 12);
    const x0 = pad;
    const x1 = Math.max(x0 + 100, width - pad);
    const xAt = (position) => x0 + (position / MAX_POSITION) * (x1 - x0);

    // Cards on the line stand above their tick, in rows so that neighbours never overlap; the card
    // in the learner's hands is fitted in last, so the others do not jump while it moves.
    const onLine = ITEMS[item - 1].cards
      .filter((card) => Object.hasOwn(progress.placements, card) && card !== carry?.card)
      .map((card) => ({ card, x: xAt(progress.placements[card]) }));
    const rowEnds = [];
    const rowOf = new Map();
    for (const entry of onLine.sort((a, b) => a.x - b.x)) rowOf.set(entry.card, fitRow(rowEnds, entry.x, cardW + 6));
    if (carry) rowOf.set(carry.card, fitRow(rowEnds.slice(), xAt(carry.position), cardW + 6, true));
    const rows = Math.max(2, ...[...rowOf.values()].map((row) => row + 1));

    const lineY = TOP + rows * cardH + (rows - 1) * ROW_GAP + PIN_MIN;
    const markerRows = layoutMarkers(xAt, lineY);
    const trayTop = lineY + LABEL_SPACE + (markerRows ? markerRows * MARKER_ROW + 8 : 0) + 4;
    const trayCardY = trayTop + TRAY_LABEL;
    const height = trayCardY + cardH + TRAY_PAD;

    // Tray slots: every card has its own home, so a card taken back returns where it started.
    const list = ITEMS[item - 1].cards;
    const gap = clamp((width - 32 - list.length * cardW) / Math.max(1, list.length - 1), 8, 22);
    const trayWidth = list.length * cardW + (list.length - 1) * gap;
    const trayX = (width - trayWidth) / 2;

    geometry = { width, cardW, cardH, x0, x1, lineY, trayTop, height, cards: new Map() };
    board.style.height = `${height}px`;
    lineZone.style.height = `${trayTop}px`;
    Object.assign(axis.style, { left: `${x0}px`, width: `${x1 - x0}px`, top: `${lineY}px` });
    Object.assign(tray.style, { top: `${trayTop}px`, height: `${height - trayTop - 6}px` });
    trayEmpty.hidden = Object.keys(progress.placements).length < list.length;

    list.forEach((card, index) => {
      const slotX = trayX + index * (cardW + gap);
      const slot = slots.children[index];
      if (slot) Object.assign(slot.style, { transform: `translate(${slotX}px, ${trayCardY}px)`, width: `${cardW}px`, height: `${cardH}px` });

      const button = cards.get(card);
      let x = slotX;
      let y = trayCardY;
      let pin = 0;
      const position = carry?.card === card ? carry.position : progress.placements[card];
      if (position !== undefined) {
        const row = rowOf.get(card) ?? 0;
        x = xAt(position) - cardW / 2;
        y = lineY - PIN_MIN - cardH - row * (cardH + ROW_GAP);
        pin = lineY - (y + cardH);
      }
      button.classList.toggle("is-on-line", position !== undefined);
      // Cards nearer the line sit on top, so the pins of higher rows pass behind them.
      button.style.setProperty("--z", String(position === undefined ? 10 : 10 - (rowOf.get(card) ?? 0)));
      geometry.cards.set(card, { x, y });
      if (drag?.card === card && drag.moved) return; // the pointer owns it until the drop
      button.style.transform = `translate(${x}px, ${y}px)`;
      button.style.setProperty("--pin", `${pin}px`);
    });

    if (carry) showTarget(carry.position);
    else if (!drag?.moved) showTarget(null);
  }

  /** Places the solution markers under the line, in rows so that they never overlap. */
  function layoutMarkers(xAt, lineY) {
    if (solution.hidden) return 0;
    const markers = [...solution.children];
    const rowEnds = [];
    let rows = 0;
    for (const marker of markers) {
      const x = xAt(Number(marker.dataset.position));
      const width = marker.offsetWidth || 48;
      const row = fitRow(rowEnds, x - width / 2, 6, false, width);
      rows = Math.max(rows, row + 1);
      marker.style.left = `${x}px`;
      marker.style.top = `${lineY + LABEL_SPACE + row * MARKER_ROW}px`;
    }
    return rows;
  }

  function dropTargetAt(x, y) {
    const g = geometry;
    if (x < -g.cardW || x > g.width + g.cardW || y < -g.cardH || y > g.height + g.cardH) return null;
    if (y >= g.trayTop) return "tray";
    return snapAt(x);
  }

  function snapAt(x) {
    const g = geometry;
    const step = ITEMS[state.item - 1].step;
    const raw = ((x - g.x0) / (g.x1 - g.x0)) * MAX_POSITION;
    return clamp(Math.round(raw / step) * step, 0, MAX_POSITION);
  }

  function showTarget(target) {
    const onLine = typeof target === "number" && geometry;
    snap.hidden = !onLine;
    tray.classList.toggle("is-target", target === "tray");
    if (onLine) {
      const x = geometry.x0 + (target / MAX_POSITION) * (geometry.x1 - geometry.x0);
      Object.assign(snap.style, { left: `${x}px`, top: `${geometry.lineY}px` });
    }
  }

  // --- Helpers -----------------------------------------------------------------------------------

  function current() {
    return state && state.item > 0 ? state.items[state.item - 1] : null;
  }

  function canEdit() {
    return !playback && Boolean(state) && state.item > 0 && current().outcome === null;
  }

  let toggle = false;
  function announce(text) {
    toggle = !toggle;
    live.textContent = toggle ? text : `${text}\u00a0`; // so a repeated message is read again
  }

  // Re-lay out when the width changes (rotation, window resize); layout() itself sets the height.
  let observedWidth = 0;
  if (typeof ResizeObserver === "function") {
    new ResizeObserver(() => {
      if (board.clientWidth === observedWidth) return;
      observedWidth = board.clientWidth;
      layout();
    }).observe(board);
  }

  return { render };
}

/** The first row whose last item ends before `start`; `width` is the item's own extent. */
function fitRow(rowEnds, x, spacing, dryRun = false, width = 0) {
  let row = rowEnds.findIndex((end) => x - end >= spacing);
  if (row === -1) row = rowEnds.length;
  if (!dryRun) rowEnds[row] = x + width;
  return row;
}

function attemptsLabel(progress) {
  if (progress.outcome === "correct") {
    return progress.attempts === 1 ? "Right on the first try" : `Right on try ${progress.attempts}`;
  }
  if (progress.outcome === "incorrect") return "Correct places shown";
  return `Try ${progress.attempts + 1} of ${MAX_ATTEMPTS}`;
}

function resultText(progress) {
  if (progress.outcome === "correct") {
    return progress.attempts === 1 ? "right on the first try" : `right on try ${progress.attempts}`;
  }
  return `correct places shown after ${progress.attempts} tries`;
}

function countsText(feedback) {
  const counts = { right: 0, close: 0, wrong: 0 };
  for (const verdict of Object.values(feedback)) counts[verdict] += 1;
  const parts = [`${counts.right} right`];
  if (counts.close) parts.push(`${counts.close} close`);
  if (counts.wrong) parts.push(`${counts.wrong} not yet right`);
  return parts.join(", ");
}

/** Where a position is, in the words a sighted learner would count: "between 0 and 1, tick 3 of 4". */
function describe(item, position) {
  const perWhole = ticksPerWhole(item);
  const ticks = position / ITEMS[item - 1].step;
  const whole = Math.floor(ticks / perWhole);
  const rest = ticks % perWhole;
  if (rest === 0) return `at ${whole}`;
  return `between ${whole} and ${whole + 1}, tick ${rest} of ${perWhole} (${unitName(perWhole)})`;
}

function clamp(value, low, high) {
  return Math.min(high, Math.max(low, value));
}

let counter = 0;
function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) element.append(child);
  return element;
}
