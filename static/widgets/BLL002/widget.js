// BLL002 "Balance lever lab": the view. Draws the state it is given (render) and reports learner
// actions as events (dispatch). It keeps only passing UI state of its own: a weight being dragged
// or carried with the keyboard, and where focus should go next. Everything a replay must show
// comes from the reducer's state.

import {
  ANSWERS,
  CHALLENGES,
  MASSES,
  MAX_STACK,
  PEGS,
  canRelease,
  challengeById,
  goalMet,
  sideTotals,
  trayCount,
} from "./reducer.js";

// --- Geometry (SVG user units) ------------------------------------------------------------------
const VIEW_W = 960;
const VIEW_H = 474;
const PIVOT_X = 480;
const BEAM_TOP = 252;
const BEAM_H = 16;
const PIVOT_Y = BEAM_TOP + BEAM_H; // the lever turns about the tip of the fulcrum
const GROUND_Y = 356;
const SPACING = 96; // between pegs
const TILT_DEG = 8;
const TRAY = { x: 180, y: 392, w: 600, h: 74 };
const SIZE = { 1: { w: 46, h: 30 }, 2: { w: 56, h: 38 }, 3: { w: 66, h: 46 } };
const KNOB_H = 7;
const STACK_GAP = 3;
const DRAG_THRESHOLD = 6;

const pegX = (peg) => PIVOT_X + peg * SPACING;
const pegName = (peg) => `${Math.abs(peg)} ${peg < 0 ? "left" : "right"}`;
const PREDICTION_LABEL = { left: "Tips left", balance: "Balances", right: "Tips right" };
const OUTCOME_VERB = { left: "tips left", balance: "balances", right: "tips right" };
const PREDICTION_VERB = { left: "tip left", balance: "balance", right: "tip right" };

const SVG_NS = "http://www.w3.org/2000/svg";
let uid = 0;

function svg(tag, attrs = {}, children = []) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(key, String(value));
  }
  node.append(...children);
  return node;
}

function html(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else if (value === true) node.setAttribute(key, "");
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(key, String(value));
  }
  node.append(...children);
  return node;
}

// The Django pages link widget.css themselves (with a hashed name in production); a page that
// does not, such as a manual test page, gets it here.
function ensureStylesheet() {
  const links = [...document.querySelectorAll("link[rel=stylesheet]")];
  if (links.some((link) => /\/widgets\/BLL002\/widget(\.[0-9a-f]+)?\.css$/.test(new URL(link.href).pathname))) return null;
  const link = html("link", { rel: "stylesheet", href: new URL("./widget.css", import.meta.url).href });
  document.head.append(link);
  return link;
}

/** "1 × 3 + 3 × 1 = 6" for one side of the lever. */
function sideSum(weights, side) {
  const terms = weights
    .filter((weight) => (side === "left" ? weight.peg < 0 : weight.peg > 0))
    .sort((a, b) => Math.abs(b.peg) - Math.abs(a.peg))
    .map((weight) => `${weight.mass} × ${Math.abs(weight.peg)}`);
  const total = sideTotals(weights)[side];
  if (terms.length === 0) return "nothing";
  return terms.length === 1 ? `${terms[0]} = ${total}` : `${terms.join(" + ")} = ${total}`;
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

export function mount(root, { dispatch, mode }) {
  const interactive = mode === "record";
  const id = `bll002-${(uid += 1)}`;
  const link = ensureStylesheet();

  // Passing UI state (never part of a replay).
  let state = null; // the last state given to render
  let previous = null; // the one before, to announce what changed
  let carrying = null; // { from: "tray" | "lever", mass, peg?, target: peg | "tray" | null, key }
  let drag = null; // { pointerId, source, x0, y0, moved, grab: {dx, dy} }
  let pendingFocus = null; // a data-key, or "title" / "feedback"

  // --- Static structure ---------------------------------------------------------------------------
  const eyebrow = html("p", { class: "bll__eyebrow" });
  const title = html("h2", { class: "bll__title", tabindex: "-1", id: `${id}-title` });
  const progress = html("ol", { class: "bll__progress", "aria-label": "Challenges" });
  const progressItems = CHALLENGES.map((challenge) => {
    const item = html("li", { class: "bll__dot" }, [html("span", { class: "bll__dot-label", text: String(challenge.id) })]);
    progress.append(item);
    return item;
  });
  const welcome = html("p", { class: "bll__welcome", hidden: true, text: "Welcome back! Everything is just as you left it." });
  const task = html("p", { class: "bll__task", id: `${id}-task` });
  const hintList = html("ol", { class: "bll__hints", "aria-label": "Hints" });

  // The stage: one SVG for the lever and the tray, so dragging works in one coordinate system.
  const defs = svg("defs", {}, [
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
  const description = html("p", { class: "bll-visually-hidden", id: `${id}-desc` });
  const stageSvg = svg("svg", {
    class: "bll-stage__svg",
    viewBox: `0 0 ${VIEW_W} ${VIEW_H}`,
    role: "group",
    "aria-label": "Lever",
    "aria-describedby": `${id}-desc`,
  });
  const supports = svg("g", { class: "bll-supports", "aria-hidden": "true" }, [-1, 1].map((side) => {
    const x = PIVOT_X + side * 4.35 * SPACING;
    return svg("g", {}, [
      svg("rect", { x: x - 17, y: PIVOT_Y + 2, width: 34, height: GROUND_Y - PIVOT_Y - 2, rx: 4, class: "bll-support" }),
      svg("rect", { x: x - 17, y: PIVOT_Y + 2, width: 34, height: GROUND_Y - PIVOT_Y - 2, rx: 4, fill: `url(#${id}-hatch)` }),
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
    defs,
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

  const startButton = html("button", { type: "button", class: "bll-button bll-button--primary bll-button--big", text: "Start the first challenge" });
  const intro = html("div", { class: "bll-overlay", hidden: true }, [
    html("div", { class: "bll-overlay__card" }, [
      html("h2", { class: "bll-overlay__title", text: "Ready to experiment?" }),
      html("p", { text: "Put weights on the lever, predict which way it will tip, then let go and watch." }),
      html("p", { class: "bll-overlay__small", text: `${CHALLENGES.length} challenges, from easy to tricky. Your work is saved as you go.` }),
      interactive ? startButton : html("p", { class: "bll-overlay__small", text: "Not started yet." }),
    ]),
  ]);
  const summaryList = html("ol", { class: "bll-summary" });
  const summaryText = html("p");
  const finishedTitle = html("h2", { class: "bll-overlay__title", tabindex: "-1", text: "All challenges done!" });
  const finished = html("div", { class: "bll-overlay", hidden: true }, [
    html("div", { class: "bll-overlay__card" }, [
      finishedTitle,
      summaryText,
      summaryList,
    ]),
  ]);
  const stage = html("div", { class: "bll-stage" }, [stageSvg, intro, finished]);
  const help = html("p", {
    class: "bll__help",
    id: `${id}-help`,
    text: "Drag a weight onto a peg, or tap a weight and then a peg. With a keyboard: Tab to a weight, "
      + "choose a peg with ← →, press Enter to place it, Delete to put it back in the tray.",
  });

  const choiceInputs = {};
  const choices = html("fieldset", { class: "bll-predict" }, [
    html("legend", { class: "bll-predict__legend", text: "When you let go, the lever…" }),
    html("div", { class: "bll-predict__options" }, ANSWERS.map((answer) => {
      const input = html("input", { type: "radio", name: `${id}-prediction`, value: answer, class: "bll-choice__input" });
      choiceInputs[answer] = input;
      return html("label", { class: "bll-choice" }, [input, leverIcon(answer), html("span", { class: "bll-choice__text", text: PREDICTION_LABEL[answer] })]);
    })),
  ]);
  const releaseButton = html("button", { type: "button", class: "bll-button bll-button--primary bll-button--big bll-release", text: "Let go!" });
  const releaseWhy = html("p", { class: "bll__why", id: `${id}-why` });
  releaseButton.setAttribute("aria-describedby", `${id}-why`);
  const hintButton = html("button", { type: "button", class: "bll-button bll-hint-button" });
  const actions = html("div", { class: "bll-actions" }, [releaseButton, releaseWhy, hintButton]);
  const controls = html("div", { class: "bll-controls" }, [choices, actions]);

  const feedbackTitle = html("h3", { class: "bll-feedback__title", tabindex: "-1" });
  const feedbackBody = html("p", { class: "bll-feedback__body" });
  const feedbackSums = html("p", { class: "bll-feedback__sums" });
  const feedbackButton = html("button", { type: "button", class: "bll-button bll-button--primary bll-button--big" });
  const feedbackHint = html("button", { type: "button", class: "bll-button bll-hint-button" });
  const feedback = html("div", { class: "bll-feedback", hidden: true }, [
    html("div", { class: "bll-feedback__text" }, [feedbackTitle, feedbackBody, feedbackSums]),
    html("div", { class: "bll-feedback__actions" }, [feedbackHint, feedbackButton]),
  ]);
  const live = html("p", { class: "bll-visually-hidden", "aria-live": "polite" });

  const container = html("section", { class: "bll", "aria-labelledby": `${id}-title` }, [
    html("header", { class: "bll__header" }, [html("div", {}, [eyebrow, title]), progress]),
    welcome,
    task,
    hintList,
    stage,
    help,
    description,
    controls,
    feedback,
    live,
  ]);
  if (!interactive) container.classList.add("is-playback");
  if (link) {
    // Avoid a flash of unstyled controls while the stylesheet loads.
    container.style.visibility = "hidden";
    const show = () => { container.style.visibility = ""; };
    link.addEventListener("load", show, { once: true });
    link.addEventListener("error", show, { once: true });
    setTimeout(show, 1500);
  }
  root.replaceChildren(container);

  function gradient(gradientId, top, bottom) {
    return svg("linearGradient", { id: gradientId, x1: 0, y1: 0, x2: 0, y2: 1 }, [
      svg("stop", { offset: "0%", "stop-color": top }),
      svg("stop", { offset: "100%", "stop-color": bottom }),
    ]);
  }

  // --- Drawing ------------------------------------------------------------------------------------

  /** A weight whose bottom centre is at (0, 0); placed with a translate. */
  function drawWeight(mass, { fixed = false, ghost = false } = {}) {
    const { w, h } = SIZE[mass];
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

  function stackOn(weights, peg) {
    return weights.filter((weight) => weight.peg === peg);
  }

  function stackTop(weights, peg) {
    return stackOn(weights, peg).reduce((y, weight) => y - SIZE[weight.mass].h - KNOB_H - STACK_GAP, BEAM_TOP - 2);
  }

  function trayLayout(tray) {
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

  function canArrange() {
    return interactive && state && state.phase === "arranging";
  }

  function drawStage() {
    const s = state;
    const focusedKey = stageSvg.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    const arranging = canArrange();

    // Lever weights, stacked per peg in the order they were placed.
    const leverNodes = [];
    for (const peg of PEGS) {
      let y = BEAM_TOP - 2;
      stackOn(s.weights, peg).forEach((weight, k) => {
        const key = `lever:${peg}:${k}`;
        const movable = arranging && !weight.fixed;
        const lifted = carrying?.key === key;
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
          "aria-describedby": movable ? `${id}-help` : null,
          tabindex: movable ? "0" : null,
        }, drawWeight(weight.mass, { fixed: weight.fixed }));
        leverNodes.push(node);
        y -= SIZE[weight.mass].h + KNOB_H + STACK_GAP;
      });
    }
    leverWeights.replaceChildren(...leverNodes);

    // The tray.
    const trayItems = trayLayout(s.tray);
    trayWeights.replaceChildren(...trayItems.map(({ mass, k, x, y }) => {
      const key = `tray:${mass}:${k}`;
      return svg("g", {
        class: `bll-weight${arranging ? " is-movable" : ""}${carrying?.key === key ? " is-lifted" : ""}`,
        transform: `translate(${x} ${y})`,
        "data-key": key,
        "data-from": "tray",
        "data-mass": mass,
        role: arranging ? "button" : "img",
        "aria-label": `${mass}-unit weight in the tray`,
        "aria-describedby": arranging ? `${id}-help` : null,
        tabindex: arranging ? "0" : null,
      }, drawWeight(mass));
    }));
    const challenge = challengeById(s.challenge);
    trayNote.textContent = trayItems.length ? "" : !challenge ? "" : challenge.goal === "predict" ? "Nothing to place: just predict!" : "All weights are on the lever";

    // Carrying (keyboard, or tap then tap): a ghost where the weight would go.
    const target = carrying?.target;
    for (const zone of zones.children) {
      const peg = Number(zone.dataset.peg);
      const full = stackOn(s.weights, peg).length >= MAX_STACK && !(carrying?.from === "lever" && carrying.peg === peg);
      zone.classList.toggle("is-active", Boolean(carrying));
      zone.classList.toggle("is-target", target === peg);
      zone.classList.toggle("is-full", target === peg && full);
    }
    trayPanel.classList.toggle("is-target", target === "tray");
    trayPanel.classList.toggle("is-active", carrying?.from === "lever");
    if (carrying && typeof target === "number" && !drag?.moved && !(carrying.from === "lever" && carrying.peg === target)) {
      carryGhost.replaceChildren(svg("g", { transform: `translate(${pegX(target)} ${stackTop(s.weights, target)})`, class: "bll-ghost" }, drawWeight(carrying.mass, { ghost: true })));
    } else {
      carryGhost.replaceChildren();
    }

    // The lever: held level while arranging, let go after a release.
    const letGo = s.phase === "released" || s.phase === "completed";
    const angle = letGo ? { left: -TILT_DEG, balance: 0, right: TILT_DEG }[s.outcome] ?? 0 : 0;
    beam.style.transform = `rotate(${angle}deg)`;
    beam.classList.toggle("is-wobbling", letGo && s.outcome === "balance");
    supports.classList.toggle("is-away", letGo || s.phase === "finished");

    // Turning effect per side, shown only once the lever has moved (before, it would give it away).
    if (letGo) {
      const sums = sideTotals(s.weights);
      totals.replaceChildren(
        totalPill(PIVOT_X - 3 * SPACING, "Left", sums.left, s.outcome === "left"),
        totalPill(PIVOT_X + 3 * SPACING, "Right", sums.right, s.outcome === "right"),
      );
    } else {
      totals.replaceChildren();
    }

    stageSvg.classList.toggle("is-carrying", Boolean(carrying));
    const focusKey = pendingFocus && pendingFocus.includes(":") ? pendingFocus : focusedKey;
    if (focusKey) {
      const node = findWeight(focusKey);
      if (node) {
        node.focus({ preventScroll: true });
        if (focusKey === pendingFocus) pendingFocus = null;
      }
    }
  }

  function totalPill(x, side, total, wins) {
    return svg("g", { class: `bll-total${wins ? " is-winner" : ""}`, transform: `translate(${x} 34)` }, [
      svg("rect", { x: -78, y: -22, width: 156, height: 40, rx: 20, class: "bll-total__pill" }),
      svg("text", { x: 0, y: 5, class: "bll-total__text", text: `${side}: ${total}` }),
    ]);
  }

  function findWeight(key) {
    if (key.endsWith(":top")) {
      const [, peg] = key.split(":");
      const all = leverWeights.querySelectorAll(`.bll-weight.is-movable[data-peg="${peg}"]`);
      return all[all.length - 1] ?? null;
    }
    if (key.startsWith("tray:") && key.endsWith(":any")) {
      return trayWeights.querySelector(`.bll-weight[data-mass="${key.split(":")[1]}"]`) ?? trayWeights.querySelector(".bll-weight");
    }
    return stageSvg.querySelector(`.bll-weight[data-key="${key}"]`);
  }

  function describe(s) {
    if (!s.challenge) return "The lever is empty.";
    const side = (name, test) => {
      const list = s.weights.filter(test).map((w) => `${w.mass}-unit weight on peg ${Math.abs(w.peg)}${w.fixed ? " (fixed)" : ""}`);
      return `${name}: ${list.length ? list.join(", ") : "nothing"}.`;
    };
    const tray = MASSES.filter((m) => s.tray[m] > 0).map((m) => `${s.tray[m]} × ${m}-unit`);
    return `${side("Left side", (w) => w.peg < 0)} ${side("Right side", (w) => w.peg > 0)} Tray: ${tray.length ? tray.join(", ") : "empty"}.`;
  }

  // --- Render -------------------------------------------------------------------------------------

  function render(next) {
    previous = state;
    state = next;
    carrying = null;
    endDrag();
    const s = state;
    const challenge = challengeById(s.challenge);
    const result = challenge ? s.results[challenge.id - 1] : null;

    // Header and progress.
    if (s.phase === "intro") {
      eyebrow.textContent = `${CHALLENGES.length} challenges`;
      title.textContent = "Balance lever lab";
    } else if (s.phase === "finished") {
      eyebrow.textContent = "All done";
      title.textContent = "Balance lever lab";
    } else {
      eyebrow.textContent = `Challenge ${challenge.id} of ${CHALLENGES.length}`;
      title.textContent = challenge.title;
    }
    s.results.forEach((r, i) => {
      const item = progressItems[i];
      const current = r.challenge === s.challenge && s.phase !== "completed" && s.phase !== "finished";
      const status = r.completed ? (r.firstCorrect ? "right first time" : "done") : current ? "current" : "not started";
      item.className = `bll__dot${r.completed ? (r.firstCorrect ? " is-correct" : " is-done") : ""}${current ? " is-current" : ""}`;
      item.setAttribute("aria-label", `Challenge ${r.challenge}: ${status}`);
      if (current) item.setAttribute("aria-current", "step");
      else item.removeAttribute("aria-current");
    });
    welcome.hidden = !s.resumed || s.phase === "intro";

    // Task and hints.
    const inChallenge = challenge && s.phase !== "finished";
    task.hidden = !inChallenge;
    task.textContent = inChallenge ? challenge.task : "";
    hintList.replaceChildren(...(inChallenge ? challenge.hints.slice(0, result.hints).map((hint, i) => html("li", { class: "bll__hint" }, [html("strong", { text: `Hint ${i + 1}: ` }), hint])) : []));
    hintList.hidden = hintList.childElementCount === 0;

    // Overlays.
    intro.hidden = s.phase !== "intro";
    finished.hidden = s.phase !== "finished";
    if (s.phase === "finished") {
      const right = s.results.filter((r) => r.firstCorrect).length;
      const hints = s.results.reduce((sum, r) => sum + r.hints, 0);
      summaryText.textContent = `Right first time: ${right} of ${CHALLENGES.length}. Hints used: ${hints}.`;
      summaryList.replaceChildren(...s.results.map((r) => html("li", {
        class: r.firstCorrect ? "is-correct" : "is-done",
        title: `Challenge ${r.challenge}: ${r.firstCorrect ? "right first time" : `done in ${r.attempts} tries`}`,
      }, [html("span", { class: "bll-visually-hidden", text: `Challenge ${r.challenge}: ${r.firstCorrect ? "right first time" : `done in ${r.attempts} tries`}` }), html("span", { "aria-hidden": "true", text: String(r.challenge) })])));
    }

    // Controls: predict and let go while arranging.
    const arranging = s.phase === "arranging";
    controls.hidden = !arranging;
    help.hidden = !(arranging && interactive && (trayCount(s.tray) > 0 || s.weights.some((w) => !w.fixed)));
    for (const answer of ANSWERS) {
      choiceInputs[answer].checked = s.prediction === answer;
      choiceInputs[answer].disabled = !interactive || !arranging;
    }
    releaseButton.disabled = !interactive || !canRelease(s);
    releaseWhy.textContent = !arranging ? ""
      : challenge.useAll && trayCount(s.tray) > 0 ? "Put every weight from the tray on the lever first."
        : s.prediction === null ? "Choose what you think will happen first." : "";
    renderHintButton(hintButton, challenge, result, arranging);

    // Feedback after letting go.
    const letGo = s.phase === "released" || s.phase === "completed";
    feedback.hidden = !letGo;
    if (letGo) renderFeedback(challenge, result);

    description.textContent = describe(s);
    drawStage();
    announceChanges();

    if (pendingFocus === "title") (finished.hidden ? title : finishedTitle).focus();
    else if (pendingFocus === "feedback" && !feedback.hidden) feedbackTitle.focus();
    else if (pendingFocus === "first-weight") (findWeight("tray:0:any") ?? leverWeights.querySelector(".is-movable") ?? title).focus();
    if (pendingFocus && !pendingFocus.includes(":")) pendingFocus = null;
  }

  function renderHintButton(button, challenge, result, visible) {
    button.hidden = !visible || !challenge || !interactive;
    if (button.hidden) return;
    const left = challenge.hints.length - result.hints;
    button.disabled = left === 0;
    button.textContent = left === 0 ? "No more hints" : `Hint (${result.hints + 1} of ${challenge.hints.length})`;
  }

  function renderFeedback(challenge, result) {
    const s = state;
    const met = goalMet(s) || s.phase === "completed";
    feedback.className = `bll-feedback ${s.correct ? "is-correct" : "is-wrong"}`;
    if (challenge.goal === "predict") {
      feedbackTitle.textContent = s.correct ? "Correct!" : "Not quite";
      feedbackBody.textContent = s.correct
        ? `You said it would ${PREDICTION_VERB[s.prediction]}, and it ${OUTCOME_VERB[s.outcome]}.`
        : `You said it would ${PREDICTION_VERB[s.prediction]}, but it ${OUTCOME_VERB[s.outcome]}.`;
    } else if (s.outcome === "balance") {
      feedbackTitle.textContent = result.attempts === 1 ? "Balanced, first try!" : "Balanced!";
      feedbackBody.textContent = `Both sides turn the lever equally hard. (You said it would ${PREDICTION_VERB[s.prediction]}.)`;
    } else {
      feedbackTitle.textContent = "Not balanced yet";
      feedbackBody.textContent = `It ${OUTCOME_VERB[s.outcome]} (you said it would ${PREDICTION_VERB[s.prediction]}). Move some weights and try again.`;
    }
    const rule = s.outcome === "balance" ? "Equal, so it balances." : `The ${s.outcome} side is bigger, so it goes down.`;
    feedbackSums.textContent = `Weight × distance. Left: ${sideSum(s.weights, "left")}. Right: ${sideSum(s.weights, "right")}. ${rule}`;
    const last = challenge.id === CHALLENGES.length;
    feedbackButton.hidden = !interactive;
    feedbackButton.textContent = met ? (last ? "Finish" : "Next challenge →") : "Try again";
    renderHintButton(feedbackHint, challenge, result, !met && s.phase === "released");
  }

  function announce(text) {
    if (!interactive || !text) return;
    live.textContent = "";
    // A separate task so that the same sentence twice is still read twice.
    setTimeout(() => { live.textContent = text; }, 30);
  }

  function announceChanges() {
    const before = previous;
    const s = state;
    if (!before) return;
    const challenge = challengeById(s.challenge);
    if (s.phase === "arranging" && before.challenge !== s.challenge) {
      announce(`Challenge ${challenge.id} of ${CHALLENGES.length}: ${challenge.title}. ${challenge.task}`);
    } else if (s.phase === "released" && before.phase !== "released") {
      announce(`The lever ${OUTCOME_VERB[s.outcome]}. ${feedbackTitle.textContent}. ${feedbackSums.textContent}`);
    } else if (s.phase === "finished" && before.phase !== "finished") {
      announce(`All challenges done! ${summaryText.textContent}`);
    } else if (challenge) {
      const hints = s.results[challenge.id - 1].hints;
      if (before.challenge === s.challenge && hints > before.results[challenge.id - 1].hints) {
        announce(`Hint ${hints}: ${challenge.hints[hints - 1]}`);
      }
    }
  }

  // --- Actions ------------------------------------------------------------------------------------

  function sourceOf(node) {
    const from = node.dataset.from;
    const mass = Number(node.dataset.mass);
    return from === "lever"
      ? { from, mass, peg: Number(node.dataset.peg), key: node.dataset.key }
      : { from, mass, key: node.dataset.key };
  }

  /** Puts a carried or dragged weight down at `target` (a peg, "tray", or null to cancel). */
  function drop(source, target, { keyboard = false } = {}) {
    carrying = null;
    const s = state;
    if (target === "tray" && source.from === "lever") {
      if (keyboard) pendingFocus = `tray:${source.mass}:any`;
      dispatch("weight_removed", { peg: source.peg, mass: source.mass });
      announce(`The ${source.mass}-unit weight is back in the tray.`);
    } else if (typeof target === "number" && !(source.from === "lever" && source.peg === target)) {
      if (stackOn(s.weights, target).length >= MAX_STACK) {
        announce(`Peg ${pegName(target)} is full. Choose another peg.`);
      } else {
        if (source.from === "lever") dispatch("weight_removed", { peg: source.peg, mass: source.mass });
        if (keyboard) pendingFocus = `lever:${target}:top`;
        dispatch("weight_placed", { peg: target, mass: source.mass });
        announce(`Placed the ${source.mass}-unit weight on peg ${pegName(target)}.`);
      }
    }
    drawStage();
  }

  function stepPeg(peg, key) {
    if (key === "Home") return PEGS[0];
    if (key === "End") return PEGS[PEGS.length - 1];
    const index = PEGS.indexOf(peg);
    const step = key === "ArrowLeft" || key === "ArrowDown" ? -1 : 1;
    return PEGS[Math.min(Math.max(index + step, 0), PEGS.length - 1)];
  }

  function onKeyDown(event) {
    const node = event.target.closest?.(".bll-weight.is-movable");
    if (!node || !canArrange()) return;
    const source = sourceOf(node);
    const same = carrying && carrying.key === source.key;
    const key = event.key;
    if (["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"].includes(key)) {
      event.preventDefault();
      let target;
      if (same && typeof carrying.target === "number") target = stepPeg(carrying.target, key);
      else if (source.from === "lever") target = stepPeg(source.peg, key);
      else target = key === "Home" ? PEGS[0] : key === "End" ? PEGS[PEGS.length - 1] : key === "ArrowLeft" || key === "ArrowDown" ? -1 : 1;
      carrying = { ...source, target };
      drawStage();
      const full = stackOn(state.weights, target).length >= MAX_STACK && !(source.from === "lever" && source.peg === target);
      announce(`Peg ${pegName(target)}${full ? ", full" : ""}. Press Enter to place.`);
    } else if (key === "Enter" || key === " ") {
      event.preventDefault();
      if (same && typeof carrying.target === "number") {
        drop(source, carrying.target, { keyboard: true });
      } else {
        carrying = { ...source, target: source.from === "lever" ? source.peg : 1 };
        drawStage();
        announce(`Picked up the ${source.mass}-unit weight. Choose a peg with the arrow keys, then press Enter. Escape cancels.`);
      }
    } else if (key === "Escape" && carrying) {
      event.preventDefault();
      carrying = null;
      drawStage();
      announce("Cancelled.");
    } else if ((key === "Delete" || key === "Backspace") && source.from === "lever") {
      event.preventDefault();
      drop(source, "tray", { keyboard: true });
    }
  }

  function toStage(event) {
    const matrix = stageSvg.getScreenCTM();
    if (!matrix) return { x: 0, y: 0 };
    const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    return { x: point.x, y: point.y };
  }

  /** What lies under a point of the stage: a peg, "tray", or null. */
  function targetAt({ x, y }) {
    if (y >= TRAY.y - 24 && x >= TRAY.x - 20 && x <= TRAY.x + TRAY.w + 20) return "tray";
    if (y > GROUND_Y + 6 || y < 0) return null;
    const peg = Math.round((x - PIVOT_X) / SPACING);
    if (peg === 0) return null;
    return Math.min(Math.max(peg, PEGS[0]), PEGS[PEGS.length - 1]);
  }

  function onPointerDown(event) {
    if (!canArrange() || (event.pointerType === "mouse" && event.button !== 0)) return;
    const node = event.target.closest?.(".bll-weight.is-movable");
    const point = toStage(event);
    // With a weight picked up, a tap on a weight already on the lever means "on that peg".
    const tapsAStack = node && carrying && node.dataset.from === "lever" && node.dataset.key !== carrying.key;
    if (node && !tapsAStack) {
      event.preventDefault();
      const source = sourceOf(node);
      const [, tx, ty] = /translate\(([-\d.]+) ([-\d.]+)\)/.exec(node.getAttribute("transform"));
      drag = { pointerId: event.pointerId, source, x0: point.x, y0: point.y, moved: false, grab: { dx: point.x - Number(tx), dy: point.y - Number(ty) } };
      stageSvg.setPointerCapture(event.pointerId);
    } else if (carrying) {
      drag = { pointerId: event.pointerId, source: null, x0: point.x, y0: point.y, moved: false };
      stageSvg.setPointerCapture(event.pointerId);
    }
  }

  function onPointerMove(event) {
    if (!drag || event.pointerId !== drag.pointerId || !drag.source) return;
    const point = toStage(event);
    if (!drag.moved && Math.hypot(point.x - drag.x0, point.y - drag.y0) < DRAG_THRESHOLD) return;
    drag.moved = true;
    const target = targetAt(point);
    if (!carrying || carrying.key !== drag.source.key || carrying.target !== target) {
      carrying = { ...drag.source, target };
      drawStage();
    }
    const ghost = dragLayer.firstChild ?? dragLayer.appendChild(svg("g", { class: "bll-dragged" }, drawWeight(drag.source.mass)));
    ghost.setAttribute("transform", `translate(${point.x - drag.grab.dx} ${point.y - drag.grab.dy})`);
  }

  function onPointerUp(event) {
    if (!drag || event.pointerId !== drag.pointerId) return;
    const current = drag;
    const point = toStage(event);
    endDrag();
    if (current.source && current.moved) {
      drop(current.source, targetAt(point));
    } else if (current.source) {
      // A tap on a weight picks it up (or puts it back down); a tap on a peg then places it.
      if (carrying?.key === current.source.key) {
        carrying = null;
        announce("Cancelled.");
      } else {
        carrying = { ...current.source, target: null };
        announce(`Picked up the ${current.source.mass}-unit weight. Tap a peg to place it${current.source.from === "lever" ? ", or the tray to put it back" : ""}.`);
      }
      drawStage();
    } else if (carrying) {
      drop(carrying, targetAt(point));
    }
  }

  function endDrag() {
    if (drag && stageSvg.hasPointerCapture?.(drag.pointerId)) stageSvg.releasePointerCapture(drag.pointerId);
    drag = null;
    dragLayer.replaceChildren();
  }

  function onPointerCancel(event) {
    if (!drag || event.pointerId !== drag.pointerId) return;
    endDrag();
    carrying = null;
    drawStage();
  }

  if (interactive) {
    stageSvg.addEventListener("keydown", onKeyDown);
    stageSvg.addEventListener("pointerdown", onPointerDown);
    stageSvg.addEventListener("pointermove", onPointerMove);
    stageSvg.addEventListener("pointerup", onPointerUp);
    stageSvg.addEventListener("pointercancel", onPointerCancel);
    // Touch browsers scroll the page from a touch that starts on a weight unless told not to.
    stageSvg.addEventListener("touchstart", (event) => {
      if (event.target.closest?.(".bll-weight.is-movable")) event.preventDefault();
    }, { passive: false });

    startButton.addEventListener("click", () => {
      pendingFocus = "title";
      dispatch("challenge_started", { challenge: 1 });
    });
    for (const answer of ANSWERS) {
      choiceInputs[answer].addEventListener("change", () => {
        if (choiceInputs[answer].checked) dispatch("prediction_made", { answer });
      });
    }
    releaseButton.addEventListener("click", () => {
      if (!canRelease(state)) return;
      pendingFocus = "feedback";
      // The outcome as this screen sees it; the reducer and the server work it out themselves.
      const claimed = state.weights.reduce((sum, w) => sum + w.mass * w.peg, 0);
      dispatch("released", { outcome: claimed < 0 ? "left" : claimed > 0 ? "right" : "balance" });
    });
    const askHint = () => {
      const challenge = challengeById(state.challenge);
      const result = state.results[challenge.id - 1];
      if (result.hints < challenge.hints.length) {
        dispatch("hint_requested", { challenge: challenge.id, hint: result.hints + 1 });
      }
    };
    hintButton.addEventListener("click", askHint);
    feedbackHint.addEventListener("click", askHint);
    feedbackButton.addEventListener("click", () => {
      const s = state;
      const challenge = challengeById(s.challenge);
      if (s.phase === "released" && !goalMet(s)) {
        pendingFocus = "first-weight";
        dispatch("try_again", { challenge: challenge.id });
        return;
      }
      if (s.phase === "released") {
        dispatch("challenge_completed", { challenge: challenge.id, correct: Boolean(s.results[challenge.id - 1].firstCorrect) });
      }
      pendingFocus = "title";
      if (challenge.id === CHALLENGES.length) dispatch("session_completed", {});
      else dispatch("challenge_started", { challenge: challenge.id + 1 });
    });
  }

  return { render };
}
