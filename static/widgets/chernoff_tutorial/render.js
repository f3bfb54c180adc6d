// Chernoff faces tutorial: draws the state the runtime hands the view. Only what changed is
// touched, so a replay can seek through a long session cheaply.

import { setText, h } from "../dom.js";
import { CITIES, STEP_IDS, STEPS, canAdvance, faceValues, scoreOf, stepById, stepIndex, taskDone } from "./reducer.js";
import { keyList } from "./face.js";
import { SHORT_UNITS, matchFeedback, nextLabel, questionFeedback } from "./words.js";

export function render(view, state) {
  view.current = state;
  const stepView = view.steps.get(state.step);
  const stepChanged = state.step !== view.shownStep;
  if (stepChanged) {
    for (const [id, other] of view.steps) other.section.hidden = id !== state.step;
    const first = view.shownStep === null;
    view.shownStep = state.step;
    setText(view.navHint, "");
    // Take keyboard and screen-reader users to the new step, but never steal focus on the first
    // render or in a replay.
    if (!first && !view.playback) stepView.heading.focus();
  }
  const focused = view.container.contains(document.activeElement) ? document.activeElement : null;
  updateStep(view, stepView, state);
  renderProgress(view, state);
  renderNav(view, state);

  // A control that just got disabled or hidden (a right answer, a matched face, the finished
  // tutorial) drops keyboard focus on the floor; hand it to the next control instead.
  const lost = focused && (focused.disabled || focused.closest("[hidden]") !== null);
  if (lost && !view.playback && !stepChanged) moveFocusOn(view, focused);
}

function renderProgress(view, state) {
  const step = stepById(state.step);
  const doneCount = STEP_IDS.filter((id) => state.completed[id]).length;
  setText(view.stepCount, `Step ${stepIndex(state.step) + 1} of ${STEPS.length}`);
  for (const [id, dot] of view.dots) {
    dot.classList.toggle("is-done", Boolean(state.completed[id]));
    dot.classList.toggle("is-current", id === state.step);
  }
  for (const item of view.track.children) item.classList.toggle("is-current", item.dataset.group === step.group);
  view.bar.setAttribute("aria-valuenow", String(doneCount));
  view.bar.setAttribute("aria-valuetext", `${doneCount} of ${STEPS.length} steps done`);
  view.barFill.style.width = `${(100 * doneCount) / STEPS.length}%`;
}

function renderNav(view, state) {
  const { backButton, nextButton, navHint } = view;
  const step = stepById(state.step);
  const locked = view.playback || state.finished;
  backButton.disabled = locked || stepIndex(state.step) === 0;
  nextButton.disabled = locked;
  nextButton.hidden = state.finished;
  const advance = canAdvance(state, state.step);
  nextButton.setAttribute("aria-disabled", String(!advance));
  nextButton.classList.toggle("is-waiting", !advance);
  if (advance && navHint.textContent) setText(navHint, "");
  nextButton.setAttribute("aria-describedby", "ct-nav-hint");
  const skipping = step.kind === "match" && !taskDone(state, state.step) && advance;
  setText(nextButton, nextLabel(step.kind, skipping));
  view.container.classList.toggle("is-finished", state.finished);
  view.nav.hidden = state.finished;
}

function updateStep(view, stepView, state) {
  const kind = stepView.step.kind;
  if (kind === "explore" || kind === "match") updateSliders(view, stepView, state);
  else if (kind === "read") updateRead(view, stepView, state);
  else if (kind === "finish") updateFinish(stepView, state);
}

function updateSliders(view, stepView, state) {
  const { step, isMatch, rows, checklist } = stepView;
  const locked = view.playback || state.finished || (isMatch && state.checks[step.id].matched);
  for (const row of rows) {
    if (view.dragging !== row.input && !view.drafts.has(row.key)) row.input.value = String(state.sliders[step.id][row.featureId]);
    row.input.disabled = locked;
  }
  refreshFace(view, stepView);
  if (checklist) {
    for (const item of checklist.children) {
      const done = Boolean(state.touched[step.id][item.dataset.feature]);
      item.classList.toggle("is-done", done);
      item.querySelector(".ct-tick").textContent = done ? "✓" : "";
    }
  }
  if (isMatch) {
    const { checkButton, feedback, stage, reveal } = stepView;
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
}

/** Redraws "your face" and the slider values, with what the learner is moving but has not let go of. */
export function refreshFace(view, stepView) {
  const { step, yours, rows } = stepView;
  const values = faceValues(view.current, step.id);
  for (const featureId of step.features) {
    const key = `${step.id}:${featureId}`;
    if (view.drafts.has(key)) values[featureId] = view.drafts.get(key);
  }
  yours.update(values, "Your face");
  for (const row of rows) {
    const { feature, input, output } = row;
    const value = values[row.featureId];
    output.textContent = SHORT_UNITS[row.featureId](value);
    input.setAttribute("aria-valuetext", `${value} ${feature.unit}`);
    input.style.setProperty("--fill", `${(100 * (value - feature.min)) / (feature.max - feature.min)}%`);
  }
}

function updateRead(view, stepView, state) {
  const step = stepView.step;
  for (const { question, buttons, feedback } of stepView.questions) {
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
      button.disabled = view.playback || state.finished || answered.correct || wrong;
    }
    setText(feedback, questionFeedback(question, answered));
    feedback.dataset.tone = answered.correct ? "good" : answered.tries.length ? "try" : "";
  }
}

function updateFinish(stepView, state) {
  const score = scoreOf(state);
  setText(stepView.points, String(score.score));
  setText(stepView.maximum, ` / ${score.maximum} points`);
  setText(stepView.matched, `Faces matched: ${score.matched} of ${score.matchSteps}`);
  setText(stepView.firstTry, `Questions right first time: ${score.firstTry} of ${score.questions}`);
  stepView.done.hidden = !state.finished;
}

function moveFocusOn(view, from) {
  const usable = (element) => !element.disabled && element.closest("[hidden]") === null;
  const candidates = [...view.container.querySelectorAll("button, input")].filter(
    (element) => usable(element) && element !== view.backButton,
  );
  const after = candidates.find((element) => from.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING);
  const fallback = usable(view.nextButton) ? view.nextButton : view.steps.get(view.current.step).heading;
  (after ?? fallback).focus();
}
