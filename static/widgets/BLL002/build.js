// BLL002 "Balance lever lab": the view's frame, built once per mount. The `view` object made here
// is what stage.js, render.js and input.js share: the elements, and passing UI state that no
// replay needs (a weight dragged or carried with the keyboard, where focus goes next).

import { h, svg } from "../dom.js";
import { ANSWERS, CHALLENGES, PEGS } from "./reducer.js";
import { BEAM_H, BEAM_TOP, GROUND_Y, PIVOT_X, PIVOT_Y, SPACING, TRAY, VIEW_H, VIEW_W, pegX } from "./geometry.js";
import { PREDICTION_LABEL } from "./words.js";

const HELP =
  "Drag a weight onto a peg, or tap a weight and then a peg. With a keyboard: Tab to a weight, " +
  "choose a peg with ← →, press Enter to place it, Delete to put it back in the tray.";

let counter = 0;

/** Builds the frame into `root` and returns the view. */
export function buildView(root, { dispatch, mode }) {
  const interactive = mode === "record";
  const id = `bll002-${(counter += 1)}`;
  const view = {
    id,
    interactive,
    dispatch,
    state: null, // the last state given to render
    previous: null, // the one before, to announce what changed
    carrying: null, // { from: "tray" | "lever", mass, peg?, target: peg | "tray" | null, key }
    drag: null, // { pointerId, source, x0, y0, moved, grab: {dx, dy} }
    pendingFocus: null, // a data-key, or "title" / "feedback"
    ...buildHeader(id),
    ...buildStage(id),
    ...buildOverlays(interactive),
    ...buildControls(id),
    ...buildFeedback(),
  };
  view.help = h("p", { class: "bll__help", id: `${id}-help`, text: HELP });
  view.description = h("p", { class: "bll-visually-hidden", id: `${id}-desc` });
  const live = h("p", { class: "bll-visually-hidden", "aria-live": "polite" });
  view.announce = (text) => {
    if (!interactive || !text) return;
    live.textContent = "";
    // A separate task so that the same sentence twice is still read twice.
    setTimeout(() => {
      live.textContent = text;
    }, 30);
  };
  const stage = h("div", { class: "bll-stage" }, [view.stageSvg, view.intro, view.finished]);
  const container = h("section", { class: "bll", "aria-labelledby": `${id}-title` }, [
    h("header", { class: "bll__header" }, [h("div", {}, [view.eyebrow, view.title]), view.progress]),
    view.welcome,
    view.task,
    view.hintList,
    stage,
    view.help,
    view.description,
    view.controls,
    view.feedback,
    live,
  ]);
  if (!interactive) container.classList.add("is-playback");
  hideUntilStyled(container, ensureStylesheet());
  root.replaceChildren(container);
  return view;
}

function buildHeader(id) {
  const eyebrow = h("p", { class: "bll__eyebrow" });
  const title = h("h2", { class: "bll__title", tabindex: "-1", id: `${id}-title` });
  const progress = h("ol", { class: "bll__progress", "aria-label": "Challenges" });
  const progressItems = CHALLENGES.map((challenge) => {
    const item = h("li", { class: "bll__dot" }, [h("span", { class: "bll__dot-label", text: String(challenge.id) })]);
    progress.append(item);
    return item;
  });
  const welcome = h("p", { class: "bll__welcome", hidden: true, text: "Welcome back! Everything is just as you left it." });
  const task = h("p", { class: "bll__task", id: `${id}-task` });
  const hintList = h("ol", { class: "bll__hints", "aria-label": "Hints" });
  return { eyebrow, title, progress, progressItems, welcome, task, hintList };
}

/** The stage: one SVG for the lever and the tray, so dragging works in one coordinate system. */
function buildStage(id) {
  const stageSvg = svg("svg", {
    class: "bll-stage__svg",
    viewBox: `0 0 ${VIEW_W} ${VIEW_H}`,
    role: "group",
    "aria-label": "Lever",
    "aria-describedby": `${id}-desc`,
  });
  const supports = svg("g", { class: "bll-supports", "aria-hidden": "true" }, [-1, 1].map((side) => {
    const x = PIVOT_X + side * 4.35 * SPACING;
    const height = GROUND_Y - PIVOT_Y - 2;
    return svg("g", {}, [
      svg("rect", { x: x - 17, y: PIVOT_Y + 2, width: 34, height, rx: 4, class: "bll-support" }),
      svg("rect", { x: x - 17, y: PIVOT_Y + 2, width: 34, height, rx: 4, fill: `url(#${id}-hatch)` }),
    ]);
  }));
  const zones = svg("g", { class: "bll-zones", "aria-hidden": "true" }, PEGS.map((peg) =>
    svg("rect", { x: pegX(peg) - SPACING / 2 + 4, y: 20, width: SPACING - 8, height: PIVOT_Y + 22 - 20, rx: 12, class: "bll-zone", "data-peg": peg }),
  ));
  const leverWeights = svg("g", { class: "bll-lever-weights" });
  const carryGhost = svg("g", { class: "bll-carry-ghost", "aria-hidden": "true" });
  const beam = svg("g", { class: "bll-beam" }, [
    svg("rect", { x: PIVOT_X - 4.5 * SPACING, y: BEAM_TOP, width: 9 * SPACING, height: BEAM_H, rx: 6, fill: `url(#${id}-wood)`, class: "bll-beam__bar" }),
    ...PEGS.map((peg) => svg("rect", { x: pegX(peg) - 4, y: BEAM_TOP - 5, width: 8, height: 7, rx: 2, class: "bll-peg", "aria-hidden": "true" })),
    ...PEGS.map((peg) => svg("text", { x: pegX(peg), y: BEAM_TOP + BEAM_H + 22, class: "bll-peg-label", "aria-hidden": "true", text: String(Math.abs(peg)) })),
    leverWeights,
    carryGhost,
  ]);
  const totals = svg("g", { class: "bll-totals", "aria-hidden": "true" });
  const trayWeights = svg("g", { class: "bll-tray-weights" });
  const trayNote = svg("text", { x: TRAY.x + TRAY.w / 2, y: TRAY.y + TRAY.h / 2 + 6, class: "bll-tray__note", "aria-hidden": "true" });
  const trayPanel = svg("rect", { x: TRAY.x, y: TRAY.y, width: TRAY.w, height: TRAY.h, rx: 14, class: "bll-tray" });
  const dragLayer = svg("g", { class: "bll-drag", "aria-hidden": "true" });
  stageSvg.append(
    buildDefs(id),
    svg("rect", { x: 16, y: GROUND_Y, width: VIEW_W - 32, height: 10, rx: 5, class: "bll-ground", "aria-hidden": "true" }),
    svg("path", { d: `M${PIVOT_X} ${PIVOT_Y - 2} L${PIVOT_X - 46} ${GROUND_Y} L${PIVOT_X + 46} ${GROUND_Y} Z`, fill: `url(#${id}-steel)`, class: "bll-fulcrum", "aria-hidden": "true" }),
    svg("text", { x: PIVOT_X - 4.35 * SPACING, y: GROUND_Y + 32, class: "bll-side-label", "aria-hidden": "true", text: "LEFT" }),
    svg("text", { x: PIVOT_X + 4.35 * SPACING, y: GROUND_Y + 32, class: "bll-side-label", "aria-hidden": "true", text: "RIGHT" }),
    supports,
    zones,
    beam,
    svg("circle", { cx: PIVOT_X, cy: BEAM_TOP + BEAM_H / 2, r: 5, class: "bll-pin", "aria-hidden": "true" }),
    totals,
    trayPanel,
    svg("text", { x: TRAY.x + 16, y: TRAY.y + 22, class: "bll-tray__label", "aria-hidden": "true", text: "TRAY" }),
    trayNote,
    trayWeights,
    dragLayer,
  );
  return { stageSvg, supports, zones, leverWeights, carryGhost, beam, totals, trayWeights, trayNote, trayPanel, dragLayer };
}

function buildDefs(id) {
  return svg("defs", {}, [
    gradient(`${id}-wood`, "#f3d7a4", "#d2a35d"),
    gradient(`${id}-m1`, "#3a8ad6", "#1c62a1"),
    gradient(`${id}-m2`, "#d9791c", "#a44f00"),
    gradient(`${id}-m3`, "#8a5fc9", "#5b3590"),
    gradient(`${id}-fixed`, "#7b8794", "#4a5563"),
    gradient(`${id}-steel`, "#7f8b99", "#465160"),
    svg("pattern", { id: `${id}-hatch`, width: 7, height: 7, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" }, [
      svg("rect", { width: 2.5, height: 7, fill: "rgba(255,255,255,.16)" }),
    ]),
    svg("filter", { id: `${id}-shadow`, x: "-20%", y: "-20%", width: "140%", height: "150%" }, [
      svg("feDropShadow", { dx: 0, dy: 2, stdDeviation: 1.6, "flood-color": "#101828", "flood-opacity": 0.28 }),
    ]),
  ]);
}

function gradient(gradientId, top, bottom) {
  return svg("linearGradient", { id: gradientId, x1: 0, y1: 0, x2: 0, y2: 1 }, [
    svg("stop", { offset: "0%", "stop-color": top }),
    svg("stop", { offset: "100%", "stop-color": bottom }),
  ]);
}

function buildOverlays(interactive) {
  const startButton = h("button", { type: "button", class: "bll-button bll-button--primary bll-button--big", text: "Start the first challenge" });
  const intro = h("div", { class: "bll-overlay", hidden: true }, [
    h("div", { class: "bll-overlay__card" }, [
      h("h2", { class: "bll-overlay__title", text: "Ready to experiment?" }),
      h("p", { text: "Put weights on the lever, predict which way it will tip, then let go and watch." }),
      h("p", { class: "bll-overlay__small", text: `${CHALLENGES.length} challenges, from easy to tricky. Your work is saved as you go.` }),
      interactive ? startButton : h("p", { class: "bll-overlay__small", text: "Not started yet." }),
    ]),
  ]);
  const summaryList = h("ol", { class: "bll-summary" });
  const summaryText = h("p");
  const finishedTitle = h("h2", { class: "bll-overlay__title", tabindex: "-1", text: "All challenges done!" });
  const finished = h("div", { class: "bll-overlay", hidden: true }, [
    h("div", { class: "bll-overlay__card" }, [finishedTitle, summaryText, summaryList]),
  ]);
  return { startButton, intro, summaryList, summaryText, finishedTitle, finished };
}

function buildControls(id) {
  const choiceInputs = {};
  const choices = h("fieldset", { class: "bll-predict" }, [
    h("legend", { class: "bll-predict__legend", text: "When you let go, the lever…" }),
    h("div", { class: "bll-predict__options" }, ANSWERS.map((answer) => {
      const input = h("input", { type: "radio", name: `${id}-prediction`, value: answer, class: "bll-choice__input" });
      choiceInputs[answer] = input;
      return h("label", { class: "bll-choice" }, [input, leverIcon(answer), h("span", { class: "bll-choice__text", text: PREDICTION_LABEL[answer] })]);
    })),
  ]);
  const releaseButton = h("button", { type: "button", class: "bll-button bll-button--primary bll-button--big bll-release", text: "Let go!" });
  const releaseWhy = h("p", { class: "bll__why", id: `${id}-why` });
  releaseButton.setAttribute("aria-describedby", `${id}-why`);
  const hintButton = h("button", { type: "button", class: "bll-button bll-hint-button" });
  const actions = h("div", { class: "bll-actions" }, [releaseButton, releaseWhy, hintButton]);
  const controls = h("div", { class: "bll-controls" }, [choices, actions]);
  return { choiceInputs, releaseButton, releaseWhy, hintButton, controls };
}

// A small lever drawing for the prediction choices.
function leverIcon(answer) {
  const angle = { left: -14, balance: 0, right: 14 }[answer];
  return svg("svg", { viewBox: "0 0 64 36", class: "bll-choice__icon", "aria-hidden": "true", focusable: "false" }, [
    svg("path", { d: "M32 20 L24 33 L40 33 Z", class: "bll-choice__fulcrum" }),
    svg("g", { transform: `rotate(${angle} 32 20)` }, [
      svg("rect", { x: 4, y: 15, width: 56, height: 5, rx: 2.5, class: "bll-choice__beam" }),
      svg("rect", { x: 7, y: 7, width: 9, height: 8, rx: 2, class: "bll-choice__weight" }),
      svg("rect", { x: 48, y: 7, width: 9, height: 8, rx: 2, class: "bll-choice__weight" }),
    ]),
  ]);
}

function buildFeedback() {
  const feedbackTitle = h("h3", { class: "bll-feedback__title", tabindex: "-1" });
  const feedbackBody = h("p", { class: "bll-feedback__body" });
  const feedbackSums = h("p", { class: "bll-feedback__sums" });
  const feedbackButton = h("button", { type: "button", class: "bll-button bll-button--primary bll-button--big" });
  const feedbackHint = h("button", { type: "button", class: "bll-button bll-hint-button" });
  const feedback = h("div", { class: "bll-feedback", hidden: true }, [
    h("div", { class: "bll-feedback__text" }, [feedbackTitle, feedbackBody, feedbackSums]),
    h("div", { class: "bll-feedback__actions" }, [feedbackHint, feedbackButton]),
  ]);
  return { feedback, feedbackTitle, feedbackBody, feedbackSums, feedbackButton, feedbackHint };
}

// The Django pages link widget.css themselves (with a hashed name in production); a page that
// does not, such as a manual test page, gets it here.
function ensureStylesheet() {
  const links = [...document.querySelectorAll("link[rel=stylesheet]")];
  if (links.some((link) => /\/widgets\/BLL002\/widget(\.[0-9a-f]+)?\.css$/.test(new URL(link.href).pathname))) return null;
  const link = h("link", { rel: "stylesheet", href: new URL("./widget.css", import.meta.url).href });
  document.head.append(link);
  return link;
}

/** Avoids a flash of unstyled controls while a stylesheet this view added loads. */
function hideUntilStyled(container, link) {
  if (!link) return;
  container.style.visibility = "hidden";
  const show = () => {
    container.style.visibility = "";
  };
  link.addEventListener("load", show, { once: true });
  link.addEventListener("error", show, { once: true });
  setTimeout(show, 1500);
}
