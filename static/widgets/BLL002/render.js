// BLL002 "Balance lever lab": draws the state the runtime hands the view, and says what changed.
// Everything a replay shows comes from that state.

import { h } from "../dom.js";
import { ANSWERS, CHALLENGES, canRelease, challengeById, goalMet, trayCount } from "./reducer.js";
import { drawStage, endDrag, findWeight } from "./stage.js";
import {
  OUTCOME_VERB,
  describeLever,
  feedbackText,
  hintButtonText,
  progressStatus,
  releaseWhy,
  resultText,
  summaryText,
} from "./words.js";

export function render(view, next) {
  view.previous = view.state;
  view.state = next;
  view.carrying = null;
  endDrag(view);
  const s = next;
  const challenge = challengeById(s.challenge);
  const result = challenge ? s.results[challenge.id - 1] : null;

  renderHeader(view, s, challenge, result);
  view.intro.hidden = s.phase !== "intro";
  view.finished.hidden = s.phase !== "finished";
  if (s.phase === "finished") renderSummary(view, s);
  renderControls(view, s, challenge, result);
  const letGo = s.phase === "released" || s.phase === "completed";
  view.feedback.hidden = !letGo;
  if (letGo) renderFeedback(view, challenge, result);

  view.description.textContent = describeLever(s);
  drawStage(view);
  announceChanges(view);
  moveFocus(view);
}

/** Title, progress dots, the welcome back, the task and the hints asked for. */
function renderHeader(view, s, challenge, result) {
  if (s.phase === "intro") {
    view.eyebrow.textContent = `${CHALLENGES.length} challenges`;
    view.title.textContent = "Balance lever lab";
  } else if (s.phase === "finished") {
    view.eyebrow.textContent = "All done";
    view.title.textContent = "Balance lever lab";
  } else {
    view.eyebrow.textContent = `Challenge ${challenge.id} of ${CHALLENGES.length}`;
    view.title.textContent = challenge.title;
  }
  s.results.forEach((r, i) => {
    const item = view.progressItems[i];
    const current = r.challenge === s.challenge && s.phase !== "completed" && s.phase !== "finished";
    item.className = `bll__dot${r.completed ? (r.firstCorrect ? " is-correct" : " is-done") : ""}${current ? " is-current" : ""}`;
    item.setAttribute("aria-label", `Challenge ${r.challenge}: ${progressStatus(r, current)}`);
    if (current) item.setAttribute("aria-current", "step");
    else item.removeAttribute("aria-current");
  });
  view.welcome.hidden = !s.resumed || s.phase === "intro";

  const inChallenge = challenge && s.phase !== "finished";
  view.task.hidden = !inChallenge;
  view.task.textContent = inChallenge ? challenge.task : "";
  const hints = inChallenge ? challenge.hints.slice(0, result.hints) : [];
  view.hintList.replaceChildren(...hints.map((hint, i) => h("li", { class: "bll__hint" }, [h("strong", { text: `Hint ${i + 1}: ` }), hint])));
  view.hintList.hidden = view.hintList.childElementCount === 0;
}

function renderSummary(view, s) {
  view.summaryText.textContent = summaryText(s.results);
  view.summaryList.replaceChildren(
    ...s.results.map((r) =>
      h("li", { class: r.firstCorrect ? "is-correct" : "is-done", title: resultText(r) }, [
        h("span", { class: "bll-visually-hidden", text: resultText(r) }),
        h("span", { "aria-hidden": "true", text: String(r.challenge) }),
      ]),
    ),
  );
}

/** Predict and let go, while arranging. */
function renderControls(view, s, challenge, result) {
  const arranging = s.phase === "arranging";
  const interactive = view.interactive;
  view.controls.hidden = !arranging;
  view.help.hidden = !(arranging && interactive && (trayCount(s.tray) > 0 || s.weights.some((w) => !w.fixed)));
  for (const answer of ANSWERS) {
    view.choiceInputs[answer].checked = s.prediction === answer;
    view.choiceInputs[answer].disabled = !interactive || !arranging;
  }
  view.releaseButton.disabled = !interactive || !canRelease(s);
  view.releaseWhy.textContent = releaseWhy(s, challenge);
  renderHintButton(view, view.hintButton, challenge, result, arranging);
}

function renderHintButton(view, button, challenge, result, visible) {
  button.hidden = !visible || !challenge || !view.interactive;
  if (button.hidden) return;
  button.disabled = challenge.hints.length - result.hints === 0;
  button.textContent = hintButtonText(challenge, result);
}

/** What happened after letting go, and the way on. */
function renderFeedback(view, challenge, result) {
  const s = view.state;
  const met = goalMet(s) || s.phase === "completed";
  const text = feedbackText(s, challenge, result);
  view.feedback.className = `bll-feedback ${s.correct ? "is-correct" : "is-wrong"}`;
  view.feedbackTitle.textContent = text.title;
  view.feedbackBody.textContent = text.body;
  view.feedbackSums.textContent = text.sums;
  const last = challenge.id === CHALLENGES.length;
  view.feedbackButton.hidden = !view.interactive;
  view.feedbackButton.textContent = met ? (last ? "Finish" : "Next challenge →") : "Try again";
  renderHintButton(view, view.feedbackHint, challenge, result, !met && s.phase === "released");
}

function announceChanges(view) {
  const before = view.previous;
  const s = view.state;
  if (!before) return;
  const challenge = challengeById(s.challenge);
  if (s.phase === "arranging" && before.challenge !== s.challenge) {
    view.announce(`Challenge ${challenge.id} of ${CHALLENGES.length}: ${challenge.title}. ${challenge.task}`);
  } else if (s.phase === "released" && before.phase !== "released") {
    view.announce(`The lever ${OUTCOME_VERB[s.outcome]}. ${view.feedbackTitle.textContent}. ${view.feedbackSums.textContent}`);
  } else if (s.phase === "finished" && before.phase !== "finished") {
    view.announce(`All challenges done! ${view.summaryText.textContent}`);
  } else if (challenge) {
    const hints = s.results[challenge.id - 1].hints;
    if (before.challenge === s.challenge && hints > before.results[challenge.id - 1].hints) {
      view.announce(`Hint ${hints}: ${challenge.hints[hints - 1]}`);
    }
  }
}

/** Focus where the last action asked for it (the title, the feedback, the first weight). */
function moveFocus(view) {
  const pending = view.pendingFocus;
  if (pending === "title") (view.finished.hidden ? view.title : view.finishedTitle).focus();
  else if (pending === "feedback" && !view.feedback.hidden) view.feedbackTitle.focus();
  else if (pending === "first-weight") {
    (findWeight(view, "tray:0:any") ?? view.leverWeights.querySelector(".is-movable") ?? view.title).focus();
  }
  if (view.pendingFocus && !view.pendingFocus.includes(":")) view.pendingFocus = null;
}
