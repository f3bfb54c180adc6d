// Chernoff faces tutorial: the learner's input turned into events through `dispatch`. A slider
// reports its value when the learner lets go of it (or pauses on the keyboard), never on every
// pixel of a drag; the face follows the drag locally in the meantime (`view.drafts`).

import { CITIES, STEP_IDS, canAdvance, matchResult, stepById, stepIndex, taskDone } from "./reducer.js";
import { refreshFace } from "./render.js";
import { NEXT_HINTS } from "./words.js";

// Keyboard arrows fire `change` on every press (and auto-repeat when held): wait for a pause.
const KEYBOARD_COMMIT_MS = 400;

/** Listens to the navigation, every step's controls, and the page being left. */
export function bindInput(view) {
  view.backButton.addEventListener("click", () => goBack(view));
  view.nextButton.addEventListener("click", () => goNext(view));
  for (const stepView of view.steps.values()) {
    const { step } = stepView;
    for (const row of stepView.rows ?? []) bindSlider(view, stepView, row);
    stepView.checkButton?.addEventListener("click", () => check(view, step));
    for (const { question, buttons } of stepView.questions ?? []) {
      for (const button of buttons) button.addEventListener("click", () => answer(view, step, question, button.dataset.choice));
    }
    stepView.restartButton?.addEventListener("click", () => location.reload());
  }
  if (view.playback) return;
  window.addEventListener("pagehide", () => flushSliders(view));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") flushSliders(view);
  });
  document.addEventListener("pointerup", () => {
    view.dragging = null;
  });
}

function send(view, type, data) {
  if (!view.playback) view.dispatch(type, data);
}

function bindSlider(view, stepView, row) {
  const { input, key, featureId } = row;
  const stepId = stepView.step.id;
  const host = stepView.stage;
  const highlight = (on) => {
    if (on) host.dataset.highlight = featureId;
    else if (host.dataset.highlight === featureId) delete host.dataset.highlight;
  };
  input.addEventListener("input", () => {
    view.drafts.set(key, Number(input.value));
    refreshFace(view, stepView);
  });
  input.addEventListener("pointerdown", () => {
    view.dragging = input;
  });
  input.addEventListener("change", () => {
    view.drafts.set(key, Number(input.value));
    clearTimeout(view.timers.get(key));
    if (view.dragging === input) {
      view.dragging = null;
      commitSlider(view, stepId, featureId);
    } else {
      view.timers.set(key, setTimeout(() => commitSlider(view, stepId, featureId), KEYBOARD_COMMIT_MS));
    }
  });
  input.addEventListener("blur", () => {
    highlight(false);
    commitSlider(view, stepId, featureId);
  });
  input.addEventListener("focus", () => highlight(true));
  row.element.addEventListener("pointerenter", () => highlight(true));
  row.element.addEventListener("pointerleave", () => document.activeElement !== input && highlight(false));
}

function commitSlider(view, step, feature) {
  const key = `${step}:${feature}`;
  clearTimeout(view.timers.get(key));
  view.timers.delete(key);
  if (!view.drafts.has(key)) return;
  const value = view.drafts.get(key);
  view.drafts.delete(key);
  const current = view.current;
  if (!current || current.finished) return;
  const unchanged = current.sliders[step][feature] === value && current.touched[step][feature];
  if (!unchanged) send(view, "slider_changed", { step, feature, value });
}

/** Sends every slider value not yet sent: before any other action, and when the page is left. */
function flushSliders(view) {
  for (const key of [...view.drafts.keys()]) {
    const [step, feature] = key.split(":");
    commitSlider(view, step, feature);
  }
}

function goNext(view) {
  flushSliders(view);
  const current = view.current;
  const stepId = current.step;
  const step = stepById(stepId);
  if (current.finished) return;
  if (!canAdvance(current, stepId)) {
    view.announce(NEXT_HINTS[step.kind] ?? "");
    return;
  }
  if (!current.completed[stepId] && taskDone(current, stepId)) send(view, "step_completed", { step: stepId });
  if (step.kind === "finish") {
    send(view, "session_completed", {});
    return;
  }
  send(view, "step_viewed", { step: STEP_IDS[stepIndex(stepId) + 1] });
}

function goBack(view) {
  flushSliders(view);
  const index = stepIndex(view.current.step);
  if (index > 0 && !view.current.finished) send(view, "step_viewed", { step: STEP_IDS[index - 1] });
}

function check(view, step) {
  flushSliders(view);
  const current = view.current;
  if (!current || current.finished || current.checks[step.id].matched) return;
  const result = matchResult(current.sliders[step.id], CITIES[step.city].values);
  send(view, "match_checked", {
    step: step.id,
    attempt: current.checks[step.id].attempts + 1,
    distance: result.distance,
    matched: result.matched,
  });
}

function answer(view, step, question, choice) {
  flushSliders(view);
  const current = view.current;
  const answered = current?.answers[step.id][question.id];
  if (!answered || current.finished || answered.correct || answered.tries.includes(choice)) return;
  send(view, "question_answered", { step: step.id, question: question.id, choice });
}

/**
 * After an action finishes a step's task, records that the step is completed. Queued, so the
 * event follows the action that completed it rather than interrupting its render.
 */
export function completeIfDone(view, state) {
  const stepId = state.step;
  const kind = stepById(stepId).kind;
  if (view.playback || state.finished || state.completed[stepId]) return;
  if (kind === "intro" || kind === "finish" || !taskDone(state, stepId)) return;
  queueMicrotask(() => {
    const current = view.current;
    if (current && !current.completed[stepId] && taskDone(current, stepId)) {
      send(view, "step_completed", { step: stepId });
    }
  });
}
