// Chernoff faces tutorial: the view's frame and every step, built once per mount, so that a
// replay can seek through a long session without rebuilding the page. The `view` object made here
// is what render.js and input.js share: the elements of each step, and slider values the learner
// is moving but has not yet let go of (which no event records).

import { h } from "../dom.js";
import { CITIES, FEATURES, GROUPS, NEUTRAL, STEPS, featureById } from "./reducer.js";
import { createFace, keyList } from "./face.js";
import { LEADS, SHORT_UNITS, capitalise } from "./words.js";

const CAVEAT =
  "Chernoff faces are memorable, but be careful: some features (like the mouth) catch the eye " +
  "more than others, and a face can suggest a mood the data does not have. Always show the key.";

/** Builds the tutorial into `root` and returns the view. */
export function buildView(root, { dispatch, mode }) {
  const playback = mode !== "record";
  const container = h("div", { class: "ct", "data-mode": playback ? "playback" : "record" });
  loadStyles(container);
  const view = {
    playback,
    dispatch,
    container,
    current: null, // the last state rendered
    shownStep: null,
    drafts: new Map(), // "step:feature" → slider value not yet committed
    timers: new Map(), // "step:feature" → pending keyboard commit
    dragging: null, // the range input under a pointer
    steps: new Map(), // step id → its elements
    ...buildTop(),
    ...buildNav(),
  };
  const body = h("div", { class: "ct-body" });
  for (const step of STEPS) {
    const stepView = buildStep(step, playback);
    view.steps.set(step.id, stepView);
    body.append(stepView.section);
  }
  const live = h("p", { class: "ct-visually-hidden", role: "status", "aria-live": "polite" });
  view.announce = (message) => {
    // Clear first so the same message is read again when repeated.
    live.textContent = "";
    view.navHint.textContent = message;
    setTimeout(() => {
      live.textContent = message;
    }, 50);
  };
  container.append(view.header, body, view.nav, live);
  root.replaceChildren(container);
  return view;
}

/** The title, the step count, the dots per group and the progress bar. */
function buildTop() {
  const stepCount = h("p", { class: "ct-top__count" });
  const track = h("ol", { class: "ct-track", "aria-hidden": "true" });
  const dots = new Map();
  for (const group of GROUPS) {
    const dotList = h("span", { class: "ct-track__dots" });
    for (const step of STEPS.filter((each) => each.group === group.id)) {
      const dot = h("span", { class: "ct-track__dot" });
      dots.set(step.id, dot);
      dotList.append(dot);
    }
    track.append(
      h("li", { class: "ct-track__group", "data-group": group.id }, h("span", { class: "ct-track__label", text: group.label }), dotList),
    );
  }
  const barFill = h("span", { class: "ct-bar__fill" });
  const bar = h(
    "div",
    { class: "ct-bar", role: "progressbar", "aria-label": "Steps done", "aria-valuemin": 0, "aria-valuemax": STEPS.length },
    barFill,
  );
  const header = h(
    "header",
    { class: "ct-top" },
    h("div", { class: "ct-top__row" }, h("p", { class: "ct-top__title", text: "Chernoff faces tutorial" }), stepCount),
    track,
    bar,
  );
  return { header, stepCount, track, dots, bar, barFill };
}

function buildNav() {
  const backButton = h("button", { type: "button", class: "ct-btn ct-btn--quiet" }, "← Back");
  const nextButton = h("button", { type: "button", class: "ct-btn ct-btn--primary" }, "Next →");
  const navHint = h("p", { class: "ct-nav__hint", id: "ct-nav-hint" });
  const nav = h("nav", { class: "ct-nav", "aria-label": "Tutorial steps" }, backButton, navHint, nextButton);
  return { backButton, nextButton, navHint, nav };
}

/** One step's section, hidden until it is the current step, and its parts by kind. */
function buildStep(step, playback) {
  const headingId = `ct-h-${step.id}`;
  const heading = h("h2", { id: headingId, class: "ct-step__title", tabindex: "-1", text: step.title });
  const groupLabel = GROUPS.find((group) => group.id === step.group).label;
  const section = h(
    "section",
    { class: `ct-step ct-step--${step.kind}`, "data-step": step.id, "aria-labelledby": headingId, hidden: true },
    h("p", { class: "ct-step__group", text: groupLabel }),
    heading,
    (LEADS[step.id] ?? []).map((text) => h("p", { class: "ct-lead", text })),
  );
  const builders = { intro: buildIntro, explore: buildSliders, match: buildSliders, read: buildRead, finish: buildFinish };
  return { step, section, heading, ...builders[step.kind](step, section, playback) };
}

function buildIntro(step, section) {
  const city = CITIES[step.city];
  const face = createFace();
  face.update(city.values, city.name);
  const plan = h(
    "ol",
    { class: "ct-plan" },
    h("li", { text: "learn which face feature shows which number," }),
    h("li", { text: "build faces from data," }),
    h("li", { text: "read data from faces." }),
  );
  section.append(
    h(
      "div",
      { class: "ct-intro" },
      h("figure", { class: "ct-card ct-card--face" }, face.svg, h("figcaption", { text: city.name })),
      h(
        "div",
        { class: "ct-intro__key" },
        h("h3", { text: "The key" }),
        keyList(city.values),
        h("p", { class: "ct-plan-title", text: "In this tutorial you will:" }),
        plan,
      ),
    ),
  );
  return {};
}

/** An explore step (sliders and a to-do list) or a match step (a target face, sliders, Check). */
function buildSliders(step, section) {
  const isMatch = step.kind === "match";
  const yours = createFace();
  const stage = h("div", { class: "ct-stage" });
  let reveal = null;
  if (isMatch) {
    const city = CITIES[step.city];
    const target = createFace();
    target.update(city.values, `Target: ${city.name}`);
    reveal = h("div", { class: "ct-reveal", hidden: true });
    const pair = h(
      "div",
      { class: "ct-pair" },
      h("figure", { class: "ct-card ct-card--face ct-card--target" }, target.svg, h("figcaption", { text: `Target: ${city.name}` })),
      h("figure", { class: "ct-card ct-card--face ct-card--yours" }, yours.svg, h("figcaption", { text: "Your face" })),
    );
    stage.append(h("div", { class: "ct-faces" }, pair, reveal));
  } else {
    stage.append(h("figure", { class: "ct-card ct-card--face ct-card--solo" }, yours.svg, h("figcaption", { text: "Your city" })));
  }

  const rows = step.features.map((featureId) => buildSliderRow(step, featureId));
  const panel = h("div", { class: "ct-panel" }, h("div", { class: `ct-sliders ct-sliders--${rows.length}` }, rows.map((row) => row.element)));
  stage.append(panel);
  section.append(stage);

  const parts = { isMatch, yours, stage, reveal, rows, checklist: null, checkButton: null, feedback: null };
  if (isMatch) {
    parts.checkButton = h("button", { type: "button", class: "ct-btn ct-btn--primary ct-btn--check" }, "Check my face");
    parts.feedback = h("p", { class: "ct-feedback", role: "status", "aria-live": "polite" });
    panel.append(h("div", { class: "ct-checkrow" }, parts.checkButton, parts.feedback));
  } else {
    const items = step.features.map((featureId) =>
      h("li", { "data-feature": featureId }, h("span", { class: "ct-tick", "aria-hidden": "true" }), `Move the ${featureById(featureId).label} slider`),
    );
    parts.checklist = h("ul", { class: "ct-checklist", "aria-label": "To do" }, items);
    panel.append(parts.checklist);
  }
  return parts;
}

/** A real `<input type="range">` with its value, its scale and the face feature it sets. */
function buildSliderRow(step, featureId) {
  const feature = featureById(featureId);
  const id = `ct-${step.id}-${featureId}`;
  const output = h("output", { class: "ct-slider__value", for: id });
  const input = h("input", {
    type: "range",
    class: "ct-range",
    id,
    min: feature.min,
    max: feature.max,
    step: feature.step,
    value: NEUTRAL[featureId],
    "aria-describedby": `${id}-maps`,
  });
  const chip = h(
    "span",
    { class: "ct-chip" },
    h("span", { class: "ct-visually-hidden", text: "Shown as " }),
    h("span", { "aria-hidden": "true", text: "→ " }),
    feature.faceLabel,
  );
  const element = h(
    "div",
    { class: "ct-slider", "data-feature": featureId },
    h("div", { class: "ct-slider__top" }, h("label", { for: id, text: feature.label }), output),
    input,
    h(
      "div",
      { class: "ct-slider__scale", "aria-hidden": "true" },
      h("span", { text: SHORT_UNITS[featureId](feature.min) }),
      h("span", { text: SHORT_UNITS[featureId](feature.max) }),
    ),
    h("p", { class: "ct-slider__maps", id: `${id}-maps` }, chip),
  );
  return { element, featureId, feature, input, output, key: `${step.id}:${featureId}` };
}

/** A read step: a gallery of city faces and questions answered by tapping a city. */
function buildRead(step, section) {
  const gallery = h(
    "ul",
    { class: `ct-gallery ct-gallery--${step.cities.length}` },
    step.cities.map((cityId) => {
      const city = CITIES[cityId];
      const face = createFace();
      face.update(city.values, city.name);
      return h("li", {}, h("figure", { class: "ct-card ct-card--face ct-card--city" }, face.svg, h("figcaption", { text: city.name })));
    }),
  );
  const questions = step.questions.map((question, index) => {
    const buttons = step.cities.map((cityId) =>
      h(
        "button",
        { type: "button", class: "ct-choice", "data-choice": cityId, "aria-pressed": "false" },
        h("span", { class: "ct-choice__mark", "aria-hidden": "true" }),
        h("span", { text: CITIES[cityId].name }),
      ),
    );
    const feedback = h("p", { class: "ct-feedback", role: "status", "aria-live": "polite" });
    const legendId = `ct-q-${step.id}-${question.id}`;
    const prompt = h("p", { class: "ct-question__prompt", id: legendId }, h("span", { class: "ct-question__number", text: String(index + 1) }), question.prompt);
    const element = h("div", { class: "ct-question", role: "group", "aria-labelledby": legendId }, prompt, h("div", { class: "ct-choices" }, buttons), feedback);
    return { question, buttons, feedback, element };
  });
  section.append(h("div", { class: "ct-read" }, gallery, h("div", { class: "ct-questions" }, questions.map((q) => q.element))));
  return { questions };
}

/** The last step: the learner's points and the key again. */
function buildFinish(step, section, playback) {
  const points = h("span", { class: "ct-score__points" });
  const maximum = h("span", { class: "ct-score__max" });
  const matched = h("li");
  const firstTry = h("li");
  const restartButton = playback ? null : h("button", { type: "button", class: "ct-btn ct-btn--quiet" }, "Start again");
  const done = h(
    "div",
    { class: "ct-done", role: "status", hidden: true },
    h("p", { class: "ct-done__title", text: "✓ Tutorial complete — well done!" }),
    restartButton,
  );
  const rules = FEATURES.map((feature) =>
    h("li", { "data-feature": feature.id }, h("span", { class: "ct-swatch", "aria-hidden": "true" }), capitalise(feature.rule) + "."),
  );
  section.append(
    h(
      "div",
      { class: "ct-finish" },
      h("div", { class: "ct-summary" }, h("p", { class: "ct-score" }, points, maximum), h("ul", { class: "ct-summary__list" }, matched, firstTry)),
      h("div", { class: "ct-finish__key" }, h("h3", { text: "Remember the key" }), h("ul", { class: "ct-rules" }, rules), h("p", { class: "ct-caveat" }, CAVEAT)),
    ),
    done,
  );
  return { points, maximum, matched, firstTry, done, restartButton };
}

// The page may link widget.css itself; if not, load it from beside this module and keep the
// widget hidden until it arrives, so nobody sees it unstyled.
function loadStyles(container) {
  const href = new URL("./widget.css", import.meta.url).href;
  const links = document.querySelectorAll('link[rel="stylesheet"]');
  if ([...links].some((link) => link.href === href)) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  container.style.visibility = "hidden";
  const show = () => {
    container.style.visibility = "";
  };
  link.addEventListener("load", show);
  link.addEventListener("error", show);
  document.head.append(link);
}
