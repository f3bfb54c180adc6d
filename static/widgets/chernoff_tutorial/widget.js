// Chernoff faces tutorial: the view. Builds every step once, then `render(state)` only updates
// what changed, so a replay can seek through a long session without rebuilding the page.
//
// Learner input becomes events through `dispatch` (docs/contracts.md, "Widget modules"):
// a slider reports its value when the learner lets go of it (or pauses on the keyboard), never
// on every pixel of a drag; the face follows the drag locally in the meantime.

import {
  ATTEMPTS_BEFORE_SKIP,
  CITIES,
  FEATURES,
  GROUPS,
  NEUTRAL,
  STEP_IDS,
  STEPS,
  TOLERANCE_PERCENT,
  canAdvance,
  faceValues,
  featureById,
  matchResult,
  scoreOf,
  stepById,
  stepIndex,
  taskDone,
} from "./reducer.js";

const SVG_NS = "http://www.w3.org/2000/svg";
// Keyboard arrows fire `change` on every press (and auto-repeat when held): wait for a pause.
const KEYBOARD_COMMIT_MS = 400;

const SHORT_UNITS = {
  population: (value) => `${value} million`,
  rainfall: (value) => `${value} mm/yr`,
  happiness: (value) => `${value} / 10`,
  temperature: (value) => `${value} °C`,
};

const LEVEL_WORDS = {
  population: ["very narrow face", "narrow face", "medium-width face", "wide face", "very wide face"],
  rainfall: ["tiny eyes", "small eyes", "medium eyes", "large eyes", "huge eyes"],
  happiness: ["deep frown", "slight frown", "straight mouth", "slight smile", "big smile"],
  temperature: [
    "eyebrows rising steeply in the middle",
    "eyebrows rising in the middle",
    "level eyebrows",
    "eyebrows slanting down to the nose",
    "eyebrows slanting steeply down to the nose",
  ],
};

const LEADS = {
  welcome: [
    "In 1973 the statistician Herman Chernoff had an idea: draw every row of a data table as a " +
      "cartoon face. We are very good at spotting small differences between faces, so a whole " +
      "table can be compared at a glance.",
    "Here is the city of Pinewood. Each number about the city sets one feature of its face.",
  ],
  explore_size: [
    "Big cities get wide faces; rainy cities get big eyes. Move both sliders and watch the face change.",
  ],
  explore_mood: [
    "Happy cities smile. Warm cities have eyebrows that slant down towards the nose; in cold cities " +
      "the eyebrows rise in the middle. Move both sliders.",
  ],
  match_1: [
    "This is the face of Sunhaven. Set the four sliders so that your face looks the same, then " +
      `press Check. Every slider must be within ${TOLERANCE_PERCENT} % of its range.`,
  ],
  match_2: ["Now Mistport. Read the target face feature by feature, then set the sliders and press Check."],
  read_1: ["Each face is a city. Use what you learned to answer the questions."],
  read_2: ["Three more cities. Compare the faces feature by feature."],
  finish: [],
};

const NEXT_HINTS = {
  explore: "Move every slider on this step first.",
  match: `Press Check first — you can move on after a match or after ${ATTEMPTS_BEFORE_SKIP} tries.`,
  read: "Answer every question correctly first.",
};

/** Mounts the tutorial into `root`; returns `{ render(state) }`. */
export function mount(root, { dispatch, mode }) {
  const playback = mode !== "record";
  const container = h("div", { class: "ct", "data-mode": playback ? "playback" : "record" });
  loadStyles(container);

  let current = null; // the last state rendered
  let shownStep = null;
  const drafts = new Map(); // "step:feature" → slider value not yet committed
  const timers = new Map(); // "step:feature" → pending keyboard commit
  let dragging = null; // the range input under a pointer

  // --- Actions (record mode only) -----------------------------------------------------------------

  function send(type, data) {
    if (!playback) dispatch(type, data);
  }

  function commitSlider(step, feature) {
    const key = `${step}:${feature}`;
    clearTimeout(timers.get(key));
    timers.delete(key);
    if (!drafts.has(key)) return;
    const value = drafts.get(key);
    drafts.delete(key);
    if (!current || current.finished) return;
    const unchanged = current.sliders[step][feature] === value && current.touched[step][feature];
    if (!unchanged) send("slider_changed", { step, feature, value });
  }

  function flushSliders() {
    for (const key of [...drafts.keys()]) {
      const [step, feature] = key.split(":");
      commitSlider(step, feature);
    }
  }

  function goNext() {
    flushSliders();
    const stepId = current.step;
    const step = stepById(stepId);
    if (current.finished) return;
    if (!canAdvance(current, stepId)) {
      announce(NEXT_HINTS[step.kind] ?? "");
      return;
    }
    if (!current.completed[stepId] && taskDone(current, stepId)) send("step_completed", { step: stepId });
    if (step.kind === "finish") {
      send("session_completed", {});
      return;
    }
    send("step_viewed", { step: STEP_IDS[stepIndex(stepId) + 1] });
  }

  function goBack() {
    flushSliders();
    const index = stepIndex(current.step);
    if (index > 0 && !current.finished) send("step_viewed", { step: STEP_IDS[index - 1] });
  }

  // After an action finishes a step's task, record that the step is completed. Queued, so the
  // event follows the action that completed it rather than interrupting its render.
  function completeIfDone(state) {
    const stepId = state.step;
    const kind = stepById(stepId).kind;
    if (playback || state.finished || state.completed[stepId]) return;
    if (kind === "intro" || kind === "finish" || !taskDone(state, stepId)) return;
    queueMicrotask(() => {
      if (current && !current.completed[stepId] && taskDone(current, stepId)) {
        send("step_completed", { step: stepId });
      }
    });
  }

  // --- Layout -------------------------------------------------------------------------------------

  const stepCount = h("p", { class: "ct-top__count" });
  const track = h("ol", { class: "ct-track", "aria-hidden": "true" });
  const dots = new Map();
  for (const group of GROUPS) {
    const groupSteps = STEPS.filter((step) => step.group === group.id);
    const dotList = h("span", { class: "ct-track__dots" });
    for (const step of groupSteps) {
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

  const views = new Map();
  const body = h("div", { class: "ct-body" });
  for (const step of STEPS) {
    const view = buildStep(step);
    views.set(step.id, view);
    body.append(view.section);
  }

  const live = h("p", { class: "ct-visually-hidden", role: "status", "aria-live": "polite" });
  const backButton = h("button", { type: "button", class: "ct-btn ct-btn--quiet", onclick: goBack }, "← Back");
  const nextButton = h("button", { type: "button", class: "ct-btn ct-btn--primary", onclick: goNext }, "Next →");
  const navHint = h("p", { class: "ct-nav__hint", id: "ct-nav-hint" });
  const nav = h("nav", { class: "ct-nav", "aria-label": "Tutorial steps" }, backButton, navHint, nextButton);

  container.append(header, body, nav, live);
  root.replaceChildren(container);

  if (!playback) {
    const flushOnLeave = () => flushSliders();
    window.addEventListener("pagehide", flushOnLeave);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") flushSliders();
    });
    document.addEventListener("pointerup", () => {
      dragging = null;
    });
  }

  function announce(message) {
    // Clear first so the same message is read again when repeated.
    live.textContent = "";
    navHint.textContent = message;
    setTimeout(() => {
      live.textContent = message;
    }, 50);
  }

  // --- Steps --------------------------------------------------------------------------------------

  function buildStep(step) {
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
    const update = builders[step.kind](step, section);
    return { section, heading, update };
  }

  function buildIntro(step, section) {
    const city = CITIES[step.city];
    const face = createFace();
    face.update(city.values, city.name);
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
          h(
            "ol",
            { class: "ct-plan" },
            h("li", { text: "learn which face feature shows which number," }),
            h("li", { text: "build faces from data," }),
            h("li", { text: "read data from faces." }),
          ),
        ),
      ),
    );
    return () => {};
  }

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
      stage.append(
        h(
          "div",
          { class: "ct-faces" },
          h(
            "div",
            { class: "ct-pair" },
            h("figure", { class: "ct-card ct-card--face ct-card--target" }, target.svg, h("figcaption", { text: `Target: ${city.name}` })),
            h("figure", { class: "ct-card ct-card--face ct-card--yours" }, yours.svg, h("figcaption", { text: "Your face" })),
          ),
          reveal,
        ),
      );
    } else {
      stage.append(h("figure", { class: "ct-card ct-card--face ct-card--solo" }, yours.svg, h("figcaption", { text: "Your city" })));
    }

    const rows = step.features.map((featureId) => sliderRow(step, featureId, stage));
    const panel = h("div", { class: "ct-panel" }, h("div", { class: `ct-sliders ct-sliders--${rows.length}` }, rows.map((row) => row.element)));
    stage.append(panel);
    section.append(stage);

    let checklist = null;
    let checkButton = null;
    let feedback = null;
    if (isMatch) {
      checkButton = h("button", { type: "button", class: "ct-btn ct-btn--primary ct-btn--check", onclick: () => check(step) }, "Check my face");
      feedback = h("p", { class: "ct-feedback", role: "status", "aria-live": "polite" });
      panel.append(h("div", { class: "ct-checkrow" }, checkButton, feedback));
    } else {
      checklist = h(
        "ul",
        { class: "ct-checklist", "aria-label": "To do" },
        step.features.map((featureId) =>
          h("li", { "data-feature": featureId }, h("span", { class: "ct-tick", "aria-hidden": "true" }), `Move the ${featureById(featureId).label} slider`),
        ),
      );
      panel.append(checklist);
    }

    function refreshFace() {
      const values = faceValues(current, step.id);
      for (const featureId of step.features) {
        const key = `${step.id}:${featureId}`;
        if (drafts.has(key)) values[featureId] = drafts.get(key);
      }
      yours.update(values, "Your face");
      for (const row of rows) row.show(values[row.featureId]);
    }

    function sliderRow(owner, featureId, highlightHost) {
      const feature = featureById(featureId);
      const id = `ct-${owner.id}-${featureId}`;
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
      const key = `${owner.id}:${featureId}`;
      const highlight = (on) => {
        if (on) highlightHost.dataset.highlight = featureId;
        else if (highlightHost.dataset.highlight === featureId) delete highlightHost.dataset.highlight;
      };
      input.addEventListener("input", () => {
        drafts.set(key, Number(input.value));
        refreshFace();
      });
      input.addEventListener("pointerdown", () => {
        dragging = input;
      });
      input.addEventListener("change", () => {
        drafts.set(key, Number(input.value));
        clearTimeout(timers.get(key));
        if (dragging === input) {
          dragging = null;
          commitSlider(owner.id, featureId);
        } else {
          timers.set(key, setTimeout(() => commitSlider(owner.id, featureId), KEYBOARD_COMMIT_MS));
        }
      });
      input.addEventListener("blur", () => {
        highlight(false);
        commitSlider(owner.id, featureId);
      });
      input.addEventListener("focus", () => highlight(true));
      const element = h(
        "div",
        {
          class: "ct-slider",
          "data-feature": featureId,
          onpointerenter: () => highlight(true),
          onpointerleave: () => document.activeElement !== input && highlight(false),
        },
        h("div", { class: "ct-slider__top" }, h("label", { for: id, text: feature.label }), output),
        input,
        h(
          "div",
          { class: "ct-slider__scale", "aria-hidden": "true" },
          h("span", { text: SHORT_UNITS[featureId](feature.min) }),
          h("span", { text: SHORT_UNITS[featureId](feature.max) }),
        ),
        h(
          "p",
          { class: "ct-slider__maps", id: `${id}-maps` },
          h("span", { class: "ct-chip" }, h("span", { class: "ct-visually-hidden", text: "Shown as " }), h("span", { "aria-hidden": "true", text: "→ " }), feature.faceLabel),
        ),
      );
      return {
        element,
        featureId,
        show(value) {
          output.textContent = SHORT_UNITS[featureId](value);
          input.setAttribute("aria-valuetext", `${value} ${feature.unit}`);
          input.style.setProperty("--fill", `${(100 * (value - feature.min)) / (feature.max - feature.min)}%`);
        },
        sync(value, disabled) {
          if (dragging !== input && !drafts.has(key)) input.value = String(value);
          input.disabled = disabled;
        },
      };
    }

    return (state) => {
      const locked = playback || state.finished || (isMatch && state.checks[step.id].matched);
      for (const row of rows) row.sync(state.sliders[step.id][row.featureId], locked);
      refreshFace();
      if (checklist) {
        for (const item of checklist.children) {
          const done = Boolean(state.touched[step.id][item.dataset.feature]);
          item.classList.toggle("is-done", done);
          item.querySelector(".ct-tick").textContent = done ? "✓" : "";
        }
      }
      if (isMatch) {
        const result = state.checks[step.id];
        checkButton.disabled = locked;
        setText(feedback, matchFeedback(step, result));
        feedback.dataset.tone = result.matched ? "good" : result.attempts ? "try" : "";
        stage.classList.toggle("is-matched", result.matched);
        if (result.matched && reveal.hidden) {
          const city = CITIES[step.city];
          reveal.replaceChildren(h("p", { class: "ct-reveal__title", text: `You decoded ${city.name}:` }), keyList(city.values));
        }
        reveal.hidden = !result.matched;
      }
    };
  }

  function check(step) {
    flushSliders();
    if (!current || current.finished || current.checks[step.id].matched) return;
    const result = matchResult(current.sliders[step.id], CITIES[step.city].values);
    send("match_checked", {
      step: step.id,
      attempt: current.checks[step.id].attempts + 1,
      distance: result.distance,
      matched: result.matched,
    });
  }

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
          {
            type: "button",
            class: "ct-choice",
            "data-choice": cityId,
            "aria-pressed": "false",
            onclick: () => answer(step, question, cityId),
          },
          h("span", { class: "ct-choice__mark", "aria-hidden": "true" }),
          h("span", { text: CITIES[cityId].name }),
        ),
      );
      const feedback = h("p", { class: "ct-feedback", role: "status", "aria-live": "polite" });
      const legendId = `ct-q-${step.id}-${question.id}`;
      const element = h(
        "div",
        { class: "ct-question", role: "group", "aria-labelledby": legendId },
        h("p", { class: "ct-question__prompt", id: legendId }, h("span", { class: "ct-question__number", text: String(index + 1) }), question.prompt),
        h("div", { class: "ct-choices" }, buttons),
        feedback,
      );
      return { question, buttons, feedback, element };
    });
    section.append(h("div", { class: "ct-read" }, gallery, h("div", { class: "ct-questions" }, questions.map((q) => q.element))));

    return (state) => {
      for (const { question, buttons, feedback } of questions) {
        const answered = state.answers[step.id][question.id];
        for (const button of buttons) {
          const choice = button.dataset.choice;
          const tried = answered.tries.includes(choice);
          const right = tried && choice === question.answer;
          const wrong = tried && !right;
          button.classList.toggle("is-right", right);
          button.classList.toggle("is-wrong", wrong);
          button.setAttribute("aria-pressed", String(tried));
          button.querySelector(".ct-choice__mark").textContent = right ? "✓" : wrong ? "✗" : "";
          button.disabled = playback || state.finished || answered.correct || wrong;
        }
        setText(feedback, questionFeedback(question, answered));
        feedback.dataset.tone = answered.correct ? "good" : answered.tries.length ? "try" : "";
      }
    };
  }

  function answer(step, question, choice) {
    flushSliders();
    const answered = current?.answers[step.id][question.id];
    if (!answered || current.finished || answered.correct || answered.tries.includes(choice)) return;
    send("question_answered", { step: step.id, question: question.id, choice });
  }

  function buildFinish(step, section) {
    const points = h("span", { class: "ct-score__points" });
    const maximum = h("span", { class: "ct-score__max" });
    const matched = h("li");
    const firstTry = h("li");
    const done = h(
      "div",
      { class: "ct-done", role: "status", hidden: true },
      h("p", { class: "ct-done__title", text: "✓ Tutorial complete — well done!" }),
      playback
        ? null
        : h("button", { type: "button", class: "ct-btn ct-btn--quiet", onclick: () => location.reload() }, "Start again"),
    );
    section.append(
      h(
        "div",
        { class: "ct-finish" },
        h(
          "div",
          { class: "ct-summary" },
          h("p", { class: "ct-score" }, points, maximum),
          h("ul", { class: "ct-summary__list" }, matched, firstTry),
        ),
        h(
          "div",
          { class: "ct-finish__key" },
          h("h3", { text: "Remember the key" }),
          h("ul", { class: "ct-rules" }, FEATURES.map((feature) => h("li", { "data-feature": feature.id }, h("span", { class: "ct-swatch", "aria-hidden": "true" }), capitalise(feature.rule) + "."))),
          h(
            "p",
            { class: "ct-caveat" },
            "Chernoff faces are memorable, but be careful: some features (like the mouth) catch the eye " +
              "more than others, and a face can suggest a mood the data does not have. Always show the key.",
          ),
        ),
      ),
      done,
    );
    return (state) => {
      const score = scoreOf(state);
      setText(points, String(score.score));
      setText(maximum, ` / ${score.maximum} points`);
      setText(matched, `Faces matched: ${score.matched} of ${score.matchSteps}`);
      setText(firstTry, `Questions right first time: ${score.firstTry} of ${score.questions}`);
      done.hidden = !state.finished;
    };
  }

  // --- Render -------------------------------------------------------------------------------------

  function render(state) {
    current = state;
    const index = stepIndex(state.step);
    const step = stepById(state.step);
    const view = views.get(state.step);
    const stepChanged = state.step !== shownStep;
    if (stepChanged) {
      for (const [id, other] of views) other.section.hidden = id !== state.step;
      const first = shownStep === null;
      shownStep = state.step;
      setText(navHint, "");
      // Take keyboard and screen-reader users to the new step, but never steal focus on the first
      // render or in a replay.
      if (!first && !playback) view.heading.focus();
    }
    const focused = container.contains(document.activeElement) ? document.activeElement : null;
    view.update(state);

    const doneCount = STEP_IDS.filter((id) => state.completed[id]).length;
    setText(stepCount, `Step ${index + 1} of ${STEPS.length}`);
    for (const [id, dot] of dots) {
      dot.classList.toggle("is-done", Boolean(state.completed[id]));
      dot.classList.toggle("is-current", id === state.step);
    }
    for (const item of track.children) item.classList.toggle("is-current", item.dataset.group === step.group);
    bar.setAttribute("aria-valuenow", String(doneCount));
    bar.setAttribute("aria-valuetext", `${doneCount} of ${STEPS.length} steps done`);
    barFill.style.width = `${(100 * doneCount) / STEPS.length}%`;

    const locked = playback || state.finished;
    backButton.disabled = locked || index === 0;
    nextButton.disabled = locked;
    nextButton.hidden = state.finished;
    const advance = canAdvance(state, state.step);
    nextButton.setAttribute("aria-disabled", String(!advance));
    nextButton.classList.toggle("is-waiting", !advance);
    if (advance && navHint.textContent) setText(navHint, "");
    nextButton.setAttribute("aria-describedby", "ct-nav-hint");
    const skipping = step.kind === "match" && !taskDone(state, state.step) && advance;
    setText(nextButton, step.kind === "finish" ? "Finish ✓" : skipping ? "Skip for now →" : "Next →");
    container.classList.toggle("is-finished", state.finished);
    nav.hidden = state.finished;

    // A control that just got disabled or hidden (a right answer, a matched face, the finished
    // tutorial) drops keyboard focus on the floor; hand it to the next control instead.
    const lost = focused && (focused.disabled || focused.closest("[hidden]") !== null);
    if (lost && !playback && !stepChanged) moveFocusOn(focused);

    completeIfDone(state);
  }

  function moveFocusOn(from) {
    const usable = (element) => !element.disabled && element.closest("[hidden]") === null;
    const candidates = [...container.querySelectorAll("button, input")].filter(
      (element) => usable(element) && element !== backButton,
    );
    const after = candidates.find((element) => from.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING);
    const fallback = usable(nextButton) ? nextButton : views.get(current.step).heading;
    (after ?? fallback).focus();
  }

  return { render };
}

// --- Feedback texts -------------------------------------------------------------------------------

function matchFeedback(step, check) {
  if (check.matched) return `It's a match! Every feature is within ${TOLERANCE_PERCENT} %.`;
  if (!check.last) return "";
  const different = FEATURES.filter((feature) => check.last.off[feature.id] !== 0);
  const close = FEATURES.length - different.length;
  let text;
  if (check.attempts === 1) {
    text = `Attempt 1: not yet — ${close} of ${FEATURES.length} features are close enough. Compare the two faces feature by feature.`;
  } else {
    const hints = different.map((feature) => {
      const direction = check.last.off[feature.id] > 0 ? "less" : "more";
      const what = feature.id === "happiness" ? "happiness" : feature.id === "temperature" ? "warmth" : feature.label.toLowerCase();
      return `${feature.faceLabel} (${direction} ${what})`;
    });
    text = `Attempt ${check.attempts}: not yet. Still different: ${hints.join("; ")}.`;
  }
  if (check.attempts >= ATTEMPTS_BEFORE_SKIP) text += " Keep trying, or skip with the button below.";
  return text;
}

function questionFeedback(question, answered) {
  if (!answered.tries.length) return "";
  const last = answered.tries[answered.tries.length - 1];
  const city = CITIES[last];
  const feature = featureById(question.feature);
  if (answered.correct) {
    const value = `${city.values[feature.id]} ${feature.unit}`;
    return `Yes — ${city.name}: ${value}.${answered.tries.length === 1 ? " Right first time!" : ""}`;
  }
  return `Not ${city.name}. Hint: ${feature.rule}. Try again.`;
}

// --- The face -------------------------------------------------------------------------------------

function normalised(featureId, value) {
  const feature = featureById(featureId);
  return Math.min(1, Math.max(0, (value - feature.min) / (feature.max - feature.min)));
}

export function describeFace(values) {
  return FEATURES.map((feature) => {
    const words = LEVEL_WORDS[feature.id];
    return words[Math.min(words.length - 1, Math.floor(normalised(feature.id, values[feature.id]) * words.length))];
  }).join(", ");
}

/** An SVG face drawn from the four data values; `update` moves its parts. */
function createFace() {
  const svg = s("svg", { viewBox: "0 0 200 220", class: "ct-face", role: "img", focusable: "false" });
  const head = s("ellipse", { class: "ct-face__head", "data-feature": "population", cx: 100, cy: 112, ry: 92 });
  const cheeks = [s("circle", { class: "ct-face__cheek", r: 11, cy: 136 }), s("circle", { class: "ct-face__cheek", r: 11, cy: 136 })];
  const eyes = [-1, 1].map(() => ({
    white: s("circle", { class: "ct-face__eye", "data-feature": "rainfall", cy: 92 }),
    pupil: s("circle", { class: "ct-face__pupil", cy: 92 }),
    glint: s("circle", { class: "ct-face__glint" }),
  }));
  const brows = [s("line", { class: "ct-face__brow", "data-feature": "temperature" }), s("line", { class: "ct-face__brow", "data-feature": "temperature" })];
  const nose = s("path", { class: "ct-face__nose", d: "M100 106 Q92 126 100 130 Q104 131 107 128" });
  const mouth = s("path", { class: "ct-face__mouth", "data-feature": "happiness" });
  svg.append(head, ...cheeks, ...eyes.flatMap((eye) => [eye.white, eye.pupil, eye.glint]), ...brows, nose, mouth);

  return {
    svg,
    update(values, label) {
      const width = normalised("population", values.population);
      const eyeSize = normalised("rainfall", values.rainfall);
      const smile = normalised("happiness", values.happiness);
      const warmth = normalised("temperature", values.temperature);

      const rx = 52 + 38 * width;
      head.setAttribute("rx", fixed(rx));
      const eyeOffset = Math.max(24, rx * 0.44);
      const radius = 6 + 14 * eyeSize;
      const angle = ((warmth - 0.5) * 2 * 30 * Math.PI) / 180; // > 0: inner ends down (warm)
      [-1, 1].forEach((side, i) => {
        const x = 100 + side * eyeOffset;
        cheeks[i].setAttribute("cx", fixed(100 + side * rx * 0.64));
        eyes[i].white.setAttribute("cx", fixed(x));
        eyes[i].white.setAttribute("r", fixed(radius));
        eyes[i].pupil.setAttribute("cx", fixed(x));
        eyes[i].pupil.setAttribute("r", fixed(radius * 0.46));
        eyes[i].glint.setAttribute("cx", fixed(x + radius * 0.16));
        eyes[i].glint.setAttribute("cy", fixed(92 - radius * 0.18));
        eyes[i].glint.setAttribute("r", fixed(Math.max(1.2, radius * 0.14)));
        // The inner end of each brow is the one nearer the nose (towards x = 100).
        const dx = 16 * Math.cos(angle);
        const dy = 16 * Math.sin(angle);
        const inner = { x: x - side * dx, y: 58 + dy };
        const outer = { x: x + side * dx, y: 58 - dy };
        brows[i].setAttribute("x1", fixed(inner.x));
        brows[i].setAttribute("y1", fixed(inner.y));
        brows[i].setAttribute("x2", fixed(outer.x));
        brows[i].setAttribute("y2", fixed(outer.y));
      });
      const curve = 156 + (smile - 0.5) * 2 * 44;
      mouth.setAttribute("d", `M70 156 Q100 ${fixed(curve)} 130 156`);
      svg.setAttribute("aria-label", `${label}: ${describeFace(values)}`);
    },
  };
}

// --- Small helpers --------------------------------------------------------------------------------

function keyList(values) {
  return h(
    "ul",
    { class: "ct-key" },
    FEATURES.map((feature) =>
      h(
        "li",
        { "data-feature": feature.id },
        h("span", { class: "ct-swatch", "aria-hidden": "true" }),
        h("span", { class: "ct-key__data" }, h("strong", { text: feature.label }), ` ${values[feature.id]} ${feature.unit}`),
        h("span", { class: "ct-key__arrow", "aria-hidden": "true", text: "→" }),
        h("span", { class: "ct-key__face", text: feature.faceLabel }),
      ),
    ),
  );
}

function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) if (child != null && child !== false) node.append(child);
  return node;
}

function s(tag, attributes = {}) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  return node;
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function fixed(number) {
  return number.toFixed(2);
}

function capitalise(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
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
