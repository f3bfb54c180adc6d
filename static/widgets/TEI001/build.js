// TEI001 "Fractions on a number line": the view's frame, built once per mount, and each item's
// board (ticks, cards), built when the item starts. The `view` object made here is the one thing
// render.js, layout.js and input.js share: the elements, and what is in the learner's hands right
// now (a card dragged, carried with the keys, or tapped), which no event records.

import { h, uid, createAnnouncer } from "../dom.js";
import { ITEMS, MAX_POSITION, ticksPerWhole } from "./reducer.js";

const HOW_TO = [
  ["Drag", " each fraction card onto the number line, to the spot where it belongs between 0 and 2."],
  ["Check", " when every card is on the line. You get three tries per item; after each try you see which cards are right, close, or not yet right."],
  ["Tap", " a card and then a spot on the line if dragging is awkward."],
  ["Keyboard:", " Tab to a card, press Enter to pick it up, move it with the arrow keys, and press Enter to drop it. Delete sends it back to the tray."],
];
const KEYS_HELP =
  "Press Enter to pick the card up, the arrow keys to move it along the line one tick at a time, and Enter to drop it. Escape cancels; Delete sends it back to the tray.";

/** Builds the frame into `root` and returns the view. */
export function buildView(root, { dispatch, mode }) {
  const playback = mode === "playback";
  const titleId = uid("tei-title");
  const view = {
    playback,
    dispatch,
    keysId: uid("tei-keys"),
    // What the runtime last rendered, and the item whose board is built.
    state: null,
    builtItem: -1,
    lastAttempts: null,
    // The learner's hands.
    cards: new Map(), // card → its button
    geometry: null,
    drag: null, // { card, pointerId, startX, startY, originX, originY, moved, target }
    carry: null, // { card, position, from }: a card moved with the keyboard, not yet dropped
    selected: null, // a card tapped, waiting for a tap on the line
    suppressClick: false,
    bindCard: null, // set by input.js
    ...buildHeader(titleId, playback),
    ...buildIntro(),
    ...buildBoard(),
    ...buildActions(),
  };
  view.section = h("section", { class: `tei${playback ? " tei--playback" : ""}`, "aria-labelledby": titleId });
  view.stage = h("div", { class: "tei__stage" }, view.board, view.actions, view.helper, view.feedbackBox, view.results);
  const keysHelp = h("p", { class: "tei-visually-hidden", id: view.keysId }, KEYS_HELP);
  const live = h("p", { class: "tei-visually-hidden", "aria-live": "polite" });
  view.announce = createAnnouncer(live);
  view.section.append(view.header, view.intro, view.stage, keysHelp, live);
  root.replaceChildren(view.section);
  return view;
}

function buildHeader(titleId, playback) {
  const title = h("h2", { class: "tei__title", id: titleId, tabindex: "-1" }, "Place the fractions");
  const prompt = h("p", { class: "tei__prompt" });
  const eyebrow = h("p", { class: "tei__eyebrow" }, "Fractions on a number line");
  if (playback) eyebrow.append(" ", h("span", { class: "tei__replay-tag" }, "Replay"));
  const progressList = h("ol", { class: "tei__progress", "aria-label": "Items" });
  const header = h("header", { class: "tei__header" }, h("div", { class: "tei__heading" }, eyebrow, title, prompt), progressList);
  return { header, title, prompt, progressList };
}

function buildIntro() {
  const startButton = h("button", { type: "button", class: "tei-button tei-button--primary tei-button--large" }, "Start");
  const steps = HOW_TO.map(([verb, rest]) => h("li", {}, h("strong", {}, verb), rest));
  const intro = h("div", { class: "tei__intro" }, h("ul", { class: "tei__howto" }, ...steps), startButton);
  return { intro, startButton };
}

function buildBoard() {
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
  return { board, lineZone, axis, snap, solution, tray, trayEmpty, slots };
}

function buildActions() {
  const attemptsText = h("p", { class: "tei__attempts" });
  const checkButton = h("button", { type: "button", class: "tei-button tei-button--primary" }, "Check");
  const nextButton = h("button", { type: "button", class: "tei-button tei-button--primary" }, "Next item →");
  const actions = h("div", { class: "tei__actions" }, attemptsText, h("div", { class: "tei__buttons" }, checkButton, nextButton));
  const helper = h("p", { class: "tei__helper" });
  const feedbackBox = h("div", { class: "tei-feedback" });
  const results = h("div", { class: "tei-results", tabindex: "-1" });
  return { actions, attemptsText, checkButton, nextButton, helper, feedbackBox, results };
}

/**
 * Builds the board of `item`: its ticks and one button per card. `view.bindCard(card, button)`
 * (set by input.js) attaches the learner's input to a card; playback disables the cards instead.
 */
export function buildItem(view, item) {
  view.builtItem = item;
  view.drag = null;
  view.carry = null;
  view.selected = null;
  view.lastAttempts = null;
  for (const button of view.cards.values()) button.remove();
  view.cards = new Map();

  view.axis.replaceChildren(h("div", { class: "tei-axis__line" }), buildTicks(item));
  view.board.dataset.step = String(ITEMS[item - 1].step);

  view.slots.replaceChildren();
  for (const card of ITEMS[item - 1].cards) {
    const button = buildCard(card, view.keysId);
    if (view.playback) button.disabled = true;
    else view.bindCard(card, button);
    view.cards.set(card, button);
    view.board.append(button);
    view.slots.append(h("span", { class: "tei-slot" }));
  }
}

/** One tick per step of the item's line, the wholes taller and labelled. */
function buildTicks(item) {
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
  return ticks;
}

function buildCard(card, keysId) {
  const [numerator, denominator] = card.split("/");
  return h(
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
}

/** The current item's progress, or null on the intro screen. */
export function current(view) {
  const state = view.state;
  return state && state.item > 0 ? state.items[state.item - 1] : null;
}

/** Whether the learner may move cards now (recording, an item open and not yet complete). */
export function canEdit(view) {
  return !view.playback && Boolean(view.state) && view.state.item > 0 && current(view).outcome === null;
}
