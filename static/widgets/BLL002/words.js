// BLL002 "Balance lever lab": what the view says. Pure (no DOM), so tests/js/bll002_view.test.mjs
// checks it in Node.

import { CHALLENGES, MASSES, sideTotals, trayCount } from "./reducer.js";

export const PREDICTION_LABEL = { left: "Tips left", balance: "Balances", right: "Tips right" };
export const OUTCOME_VERB = { left: "tips left", balance: "balances", right: "tips right" };
export const PREDICTION_VERB = { left: "tip left", balance: "balance", right: "tip right" };

export const pegName = (peg) => `${Math.abs(peg)} ${peg < 0 ? "left" : "right"}`;

/** "1 × 3 + 3 × 1 = 6" for one side of the lever. */
export function sideSum(weights, side) {
  const terms = weights
    .filter((weight) => (side === "left" ? weight.peg < 0 : weight.peg > 0))
    .sort((a, b) => Math.abs(b.peg) - Math.abs(a.peg))
    .map((weight) => `${weight.mass} × ${Math.abs(weight.peg)}`);
  const total = sideTotals(weights)[side];
  if (terms.length === 0) return "nothing";
  return terms.length === 1 ? `${terms[0]} = ${total}` : `${terms.join(" + ")} = ${total}`;
}

/** The lever in words, for screen readers: what is on each side and in the tray. */
export function describeLever(s) {
  if (!s.challenge) return "The lever is empty.";
  const side = (name, test) => {
    const list = s.weights.filter(test).map((w) => `${w.mass}-unit weight on peg ${Math.abs(w.peg)}${w.fixed ? " (fixed)" : ""}`);
    return `${name}: ${list.length ? list.join(", ") : "nothing"}.`;
  };
  const tray = MASSES.filter((m) => s.tray[m] > 0).map((m) => `${s.tray[m]} × ${m}-unit`);
  return `${side("Left side", (w) => w.peg < 0)} ${side("Right side", (w) => w.peg > 0)} Tray: ${tray.length ? tray.join(", ") : "empty"}.`;
}

/** Why "Let go!" is not yet possible, or "" when it is (or the learner is not arranging). */
export function releaseWhy(s, challenge) {
  if (s.phase !== "arranging") return "";
  if (challenge.useAll && trayCount(s.tray) > 0) return "Put every weight from the tray on the lever first.";
  return s.prediction === null ? "Choose what you think will happen first." : "";
}

/** A challenge's state in the progress dots. */
export function progressStatus(result, current) {
  if (result.completed) return result.firstCorrect ? "right first time" : "done";
  return current ? "current" : "not started";
}

/** What the learner reads after letting go: `{ title, body, sums }`. */
export function feedbackText(s, challenge, result) {
  let title;
  let body;
  const predicted = PREDICTION_VERB[s.prediction];
  if (challenge.goal === "predict") {
    title = s.correct ? "Correct!" : "Not quite";
    body = `You said it would ${predicted}, ${s.correct ? "and" : "but"} it ${OUTCOME_VERB[s.outcome]}.`;
  } else if (s.outcome === "balance") {
    title = result.attempts === 1 ? "Balanced, first try!" : "Balanced!";
    body = `Both sides turn the lever equally hard. (You said it would ${predicted}.)`;
  } else {
    title = "Not balanced yet";
    body = `It ${OUTCOME_VERB[s.outcome]} (you said it would ${predicted}). Move some weights and try again.`;
  }
  const rule = s.outcome === "balance" ? "Equal, so it balances." : `The ${s.outcome} side is bigger, so it goes down.`;
  const sums = `Weight × distance. Left: ${sideSum(s.weights, "left")}. Right: ${sideSum(s.weights, "right")}. ${rule}`;
  return { title, body, sums };
}

/** The summary's line once every challenge is done. */
export function summaryText(results) {
  const right = results.filter((r) => r.firstCorrect).length;
  const hints = results.reduce((sum, r) => sum + r.hints, 0);
  return `Right first time: ${right} of ${CHALLENGES.length}. Hints used: ${hints}.`;
}

/** One challenge in the summary list. */
export function resultText(r) {
  return `Challenge ${r.challenge}: ${r.firstCorrect ? "right first time" : `done in ${r.attempts} tries`}`;
}

/** The hint button's words. */
export function hintButtonText(challenge, result) {
  const left = challenge.hints.length - result.hints;
  return left === 0 ? "No more hints" : `Hint (${result.hints + 1} of ${challenge.hints.length})`;
}
