// TEI001 "Fractions on a number line": draws the state the runtime hands the view. Everything a
// replay shows comes from that state; the view's own `view` object adds only what is in the
// learner's hands.

import { h } from "../dom.js";
import { ITEMS, MAX_ATTEMPTS, hintFor, targetOf } from "./reducer.js";
import { buildItem, canEdit, current } from "./build.js";
import { layout } from "./layout.js";
import {
  ITEM_NAMES,
  ITEM_NOTES,
  VERDICT_MARKS,
  VERDICT_WORDS,
  attemptsLabel,
  cardLabel,
  checkAnnouncement,
  describe,
  feedbackHeadline,
  helperText,
  resultText,
} from "./words.js";

/** Shows `next`, building the item's board first when the item changed. */
export function render(view, next) {
  const previous = view.state;
  view.state = next;
  renderProgress(view);

  if (next.item === 0) {
    view.intro.hidden = false;
    view.stage.hidden = true;
    view.title.textContent = "Place the fractions";
    view.prompt.textContent = "Three short items. Put fraction cards where they belong on a line from 0 to 2.";
    view.startButton.disabled = view.playback;
    view.builtItem = 0;
    return;
  }

  view.intro.hidden = true;
  view.stage.hidden = false;
  if (view.builtItem !== next.item) buildItem(view, next.item);
  const item = next.item;
  const progress = current(view);
  if (progress.outcome) {
    view.carry = null;
    view.selected = null;
  }

  view.title.textContent = `Item ${item} of ${ITEMS.length}: ${ITEM_NAMES[item - 1]}`;
  view.prompt.textContent = `Put each card where it belongs on the number line. ${ITEM_NOTES[item - 1]}`;
  view.section.classList.toggle("is-locked", !canEdit(view));

  for (const [card, button] of view.cards) renderCard(view, card, button, progress);
  renderActions(view, item, progress);
  renderFeedback(view, item, progress);
  renderSolution(view, item, progress);
  renderResults(view);
  updateSelection(view);
  layout(view);
  announceChanges(view, previous, item, progress);
}

function renderCard(view, card, button, progress) {
  const verdict = progress.feedback[card] ?? null;
  button.classList.toggle("is-placed", Object.hasOwn(progress.placements, card));
  for (const name of ["right", "close", "wrong"]) button.classList.toggle(`is-${name}`, verdict === name);
  button.querySelector(".tei-card__badge").textContent = verdict ? VERDICT_MARKS[verdict] : "";
  button.setAttribute("aria-label", cardLabel(view.state.item, card, progress));
  if (!view.playback) button.setAttribute("aria-disabled", String(!canEdit(view)));
}

function renderProgress(view) {
  const state = view.state;
  const steps = ITEMS.map((_, index) => {
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
  });
  view.progressList.replaceChildren(...steps);
}

function renderActions(view, item, progress) {
  const left = ITEMS[item - 1].cards.length - Object.keys(progress.placements).length;
  const dots = Array.from({ length: MAX_ATTEMPTS }, (_, index) =>
    h("span", { class: `tei-dot${index < progress.attempts ? " is-used" : ""}` }),
  );
  view.attemptsText.replaceChildren(
    h("span", { class: "tei-dots", "aria-hidden": "true" }, ...dots),
    h("span", {}, attemptsLabel(progress)),
  );
  view.checkButton.hidden = Boolean(progress.outcome);
  view.checkButton.disabled = view.playback || left > 0;
  view.nextButton.hidden = !progress.outcome || item === ITEMS.length;
  view.nextButton.disabled = view.playback;
  view.helper.textContent = helperText(item, progress);
}

function renderFeedback(view, item, progress) {
  const box = view.feedbackBox;
  if (progress.attempts === 0) {
    box.replaceChildren();
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const entries = ITEMS[item - 1].cards
    .filter((card) => progress.checked[card])
    .map((card) => feedbackEntry(item, card, progress));
  box.replaceChildren(
    h("p", { class: "tei-feedback__headline" }, feedbackHeadline(progress)),
    h("ul", { class: "tei-feedback__list" }, ...entries),
  );
}

function feedbackEntry(item, card, progress) {
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
}

/** Once an item is complete: green labels under the line where each card belongs. */
function renderSolution(view, item, progress) {
  const solution = view.solution;
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

function renderResults(view) {
  const { state, results } = view;
  if (!state.completed) {
    results.hidden = true;
    results.replaceChildren();
    return;
  }
  results.hidden = false;
  const rightCount = state.items.filter((progress) => progress.outcome === "correct").length;
  const entries = state.items.map((progress, index) =>
    h(
      "li",
      { class: `tei-results__entry is-${progress.outcome}` },
      h("span", { class: "tei-results__mark", "aria-hidden": "true" }, progress.outcome === "correct" ? "✓" : "•"),
      h("span", {}, `Item ${index + 1}, ${ITEM_NAMES[index]}: ${resultText(progress)}`),
    ),
  );
  results.replaceChildren(
    h("h3", { class: "tei-results__title" }, "All items done"),
    h("p", { class: "tei-results__lede" }, `You placed every card right in ${rightCount} of ${ITEMS.length} items.`),
    h("ul", { class: "tei-results__list" }, ...entries),
  );
}

function announceChanges(view, previous, item, progress) {
  if (view.playback) return;
  if (previous && previous.item !== item) {
    view.announce(`Item ${item} of ${ITEMS.length}. ${ITEM_NOTES[item - 1]}`);
  } else if (view.lastAttempts !== null && progress.attempts > view.lastAttempts) {
    view.announce(checkAnnouncement(progress));
  }
  view.lastAttempts = progress.attempts;
}

/** Marks the tapped and the carried card, and says what a tap on the line would do. */
export function updateSelection(view) {
  const { selected, carry } = view;
  for (const [card, button] of view.cards) {
    button.classList.toggle("is-selected", card === selected);
    button.classList.toggle("is-carrying", card === carry?.card);
    button.setAttribute("aria-pressed", String(card === selected));
  }
  view.board.classList.toggle("has-selection", Boolean(selected));
  if (selected && !view.playback) {
    const takeBack = Object.hasOwn(current(view).placements, selected) ? ", or the tray to take it back" : "";
    view.helper.textContent = `Now tap a spot on the line for ${selected}${takeBack}.`;
  } else if (view.state?.item > 0) {
    renderActions(view, view.state.item, current(view));
  }
}
