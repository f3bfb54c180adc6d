// BLL002 "Balance lever lab": the state machine. Pure, no DOM, importable in Node.
//
// The lever has pegs at -4..-1 (left) and 1..4 (right); peg 0 is the pivot. A weight's turning
// effect (torque) is mass x peg; the lever tips towards the side whose total is bigger.
// The learner works through CHALLENGES in order. Each challenge starts from a fixed set-up (weights
// already on the lever that cannot be moved, and a tray of weights to place), asks for a
// prediction, and is checked when the learner lets go ("released").
//
// The same rules, in Python, score a session on the server (widgets/bll002.py). Change both
// together; tests/widgets/test_bll002.py checks that they agree.
//
// Every event is checked here against the current state; an event that does not fit (a weight the
// tray does not have, a release before a prediction, a client-claimed outcome...) leaves the state
// unchanged. A state is never mutated: every change returns new objects.

export const PEGS = [-4, -3, -2, -1, 1, 2, 3, 4];
export const MASSES = [1, 2, 3];
export const ANSWERS = ["left", "balance", "right"];
export const MAX_STACK = 4; // weights per peg

const w = (peg, mass) => ({ peg, mass });

// goal "predict": the set-up is fixed; correct when the prediction matches what the lever does.
// goal "balance": place the tray's weights so the lever balances; `useAll` means every tray
// weight must be on the lever before letting go. Correct when it balances on the first release.
export const CHALLENGES = deepFreeze([
  {
    id: 1,
    goal: "predict",
    title: "Which way will it tip?",
    task: "Two weights of 2 units. One sits further from the middle. What happens when you let go?",
    fixed: [w(-3, 2), w(1, 2)],
    tray: {},
    useAll: false,
    hints: [
      "Both weights are the same. Look at how far each one is from the middle.",
      "A weight further from the middle turns the lever more: left is 2 × 3, right is 2 × 1.",
    ],
  },
  {
    id: 2,
    goal: "predict",
    title: "Light and far, heavy and near",
    task: "A 1-unit weight far out on the left, a 2-unit weight closer in on the right. Predict!",
    fixed: [w(-4, 1), w(2, 2)],
    tray: {},
    useAll: false,
    hints: [
      "Multiply each weight by its distance from the middle, then compare the two sides.",
      "Left: 1 × 4 = 4. Right: 2 × 2 = 4.",
    ],
  },
  {
    id: 3,
    goal: "balance",
    title: "Make it balance",
    task: "Put the 2-unit weight on a peg so that the lever balances.",
    fixed: [w(-2, 2)],
    tray: { 2: 1 },
    useAll: true,
    hints: [
      "The two weights are the same, so they need the same distance from the middle.",
      "The left weight is 2 pegs from the middle. Try 2 pegs to the right.",
    ],
  },
  {
    id: 4,
    goal: "balance",
    title: "Lighter goes further",
    task: "Balance the 3-unit weight with a 2-unit weight. Where must the lighter one go?",
    fixed: [w(-2, 3)],
    tray: { 2: 1 },
    useAll: true,
    hints: [
      "A lighter weight has to sit further out to balance a heavier one.",
      "Left: 3 × 2 = 6. Which distance makes 2 × ? = 6?",
    ],
  },
  {
    id: 5,
    goal: "predict",
    title: "Four weights",
    task: "Two weights on each side. Which side wins, or is it a draw?",
    fixed: [w(-3, 1), w(-1, 3), w(2, 2), w(3, 1)],
    tray: {},
    useAll: false,
    hints: [
      "Work out each side: add up weight × distance for every weight on it.",
      "Left: 1 × 3 + 3 × 1 = 6. Right: 2 × 2 + 1 × 3 = 7.",
    ],
  },
  {
    id: 6,
    goal: "balance",
    title: "Two weights to place",
    task: "Use both weights from the tray to balance the lever.",
    fixed: [w(-4, 1), w(-1, 2)],
    tray: { 1: 1, 3: 1 },
    useAll: true,
    hints: [
      "The left side turns with 1 × 4 + 2 × 1 = 6. The right side needs 6 too.",
      "Try the 3-unit weight 1 peg from the middle. Where does the 1-unit weight go now?",
    ],
  },
  {
    id: 7,
    goal: "balance",
    title: "Heavy on the right",
    task: "The right side is heavy. Use both 2-unit weights to balance the lever.",
    fixed: [w(-1, 1), w(3, 3)],
    tray: { 2: 2 },
    useAll: true,
    hints: [
      "Right: 3 × 3 = 9. Left already has 1 × 1 = 1, so the left needs 8 more.",
      "Each 2-unit weight gives 2 × its distance. The two distances must add up to 4.",
    ],
  },
  {
    id: 8,
    goal: "balance",
    title: "Final challenge",
    task: "Use all four weights from the tray to balance the lever. Weights may go on either side.",
    fixed: [w(4, 2)],
    tray: { 1: 2, 2: 1, 3: 1 },
    useAll: true,
    hints: [
      "The right side turns with 2 × 4 = 8. A weight on the right adds to that; on the left it takes away.",
      "Two 1-unit weights at the same distance on opposite sides cancel out. Then: 3 × 2 + 2 × 1 = 8.",
    ],
  },
]);

function deepFreeze(value) {
  for (const inner of Object.values(value)) if (inner && typeof inner === "object") deepFreeze(inner);
  return Object.freeze(value);
}

export function challengeById(id) {
  return CHALLENGES.find((challenge) => challenge.id === id) ?? null;
}

/** Total turning effect; negative turns the lever left (anticlockwise). */
export function torque(weights) {
  return weights.reduce((sum, weight) => sum + weight.mass * weight.peg, 0);
}

/** "left" | "balance" | "right": what the lever does when let go. */
export function outcomeOf(weights) {
  const total = torque(weights);
  return total < 0 ? "left" : total > 0 ? "right" : "balance";
}

/** Turning effect per side, for explanations: { left: 6, right: 7 } (both positive). */
export function sideTotals(weights) {
  let left = 0;
  let right = 0;
  for (const { peg, mass } of weights) {
    if (peg < 0) left += mass * -peg;
    else right += mass * peg;
  }
  return { left, right };
}

export function trayCount(tray) {
  return MASSES.reduce((sum, mass) => sum + (tray[mass] ?? 0), 0);
}

/** Whether the current challenge's goal is reached (only meaningful once released). */
export function goalMet(state) {
  if (state.phase !== "released") return false;
  const challenge = challengeById(state.challenge);
  return challenge.goal === "predict" || state.outcome === "balance";
}

/** Whether the learner may let go now. */
export function canRelease(state) {
  if (state.phase !== "arranging" || state.prediction === null) return false;
  const challenge = challengeById(state.challenge);
  return !challenge.useAll || trayCount(state.tray) === 0;
}

export function initialState() {
  return {
    phase: "intro", // intro | arranging | released | completed | finished
    challenge: null, // id of the current (or just completed) challenge
    weights: [], // [{peg, mass, fixed}] on the lever, in the order they were put there
    tray: {}, // {mass: count} still to place
    prediction: null,
    outcome: null, // what the lever did at the last release
    correct: null, // whether the last release reached the goal (predict: prediction right)
    results: CHALLENGES.map((challenge) => ({
      challenge: challenge.id,
      attempts: 0, // releases
      hints: 0, // hints shown
      firstCorrect: null, // null until the first release, then true or false
      completed: false,
    })),
    visits: 0, // session_started + session_resumed
    resumed: false, // true right after session_resumed, until the next thing happens
  };
}

const isInt = (value) => Number.isInteger(value);
const validPeg = (peg) => isInt(peg) && PEGS.includes(peg);
const validMass = (mass) => isInt(mass) && MASSES.includes(mass);

function completedCount(state) {
  return state.results.filter((result) => result.completed).length;
}

function updateResult(state, id, change) {
  return state.results.map((result) => (result.challenge === id ? { ...result, ...change } : result));
}

function resultFor(state, id) {
  return state.results.find((result) => result.challenge === id);
}

export function reduce(state, event) {
  const next = apply(state, event);
  if (next === state || !state.resumed || event?.type === "session_resumed") return next;
  return { ...next, resumed: false };
}

function apply(state, event) {
  if (!event || typeof event !== "object") return state;
  const data = event.data && typeof event.data === "object" ? event.data : {};

  switch (event.type) {
    case "session_started":
      return { ...state, visits: state.visits + 1 };

    case "session_resumed":
      return { ...state, visits: state.visits + 1, resumed: true };

    case "session_completed":
      if (completedCount(state) !== CHALLENGES.length || state.phase === "finished") return state;
      return { ...state, phase: "finished" };

    case "challenge_started": {
      if (state.phase !== "intro" && state.phase !== "completed") return state;
      if (data.challenge !== completedCount(state) + 1) return state;
      const challenge = challengeById(data.challenge);
      if (!challenge) return state;
      return {
        ...state,
        phase: "arranging",
        challenge: challenge.id,
        weights: challenge.fixed.map(({ peg, mass }) => ({ peg, mass, fixed: true })),
        tray: { ...challenge.tray },
        prediction: null,
        outcome: null,
        correct: null,
      };
    }

    case "weight_placed": {
      const { peg, mass } = data;
      if (state.phase !== "arranging" || !validPeg(peg) || !validMass(mass)) return state;
      if (!(state.tray[mass] > 0)) return state;
      if (state.weights.filter((weight) => weight.peg === peg).length >= MAX_STACK) return state;
      return {
        ...state,
        weights: [...state.weights, { peg, mass, fixed: false }],
        tray: { ...state.tray, [mass]: state.tray[mass] - 1 },
      };
    }

    case "weight_removed": {
      const { peg, mass } = data;
      if (state.phase !== "arranging" || !validPeg(peg) || !validMass(mass)) return state;
      // The topmost matching weight: the last one put there.
      const index = state.weights.findLastIndex((weight) => !weight.fixed && weight.peg === peg && weight.mass === mass);
      if (index === -1) return state;
      return {
        ...state,
        weights: state.weights.filter((_, i) => i !== index),
        tray: { ...state.tray, [mass]: (state.tray[mass] ?? 0) + 1 },
      };
    }

    case "prediction_made": {
      if (state.phase !== "arranging" || !ANSWERS.includes(data.answer)) return state;
      if (state.prediction === data.answer) return state;
      return { ...state, prediction: data.answer };
    }

    case "released": {
      // data.outcome is what the learner's screen computed; it is never trusted.
      if (!canRelease(state)) return state;
      const challenge = challengeById(state.challenge);
      const outcome = outcomeOf(state.weights);
      const correct = challenge.goal === "predict" ? state.prediction === outcome : outcome === "balance";
      const result = resultFor(state, challenge.id);
      return {
        ...state,
        phase: "released",
        outcome,
        correct,
        results: updateResult(state, challenge.id, {
          attempts: result.attempts + 1,
          firstCorrect: result.firstCorrect ?? correct,
        }),
      };
    }

    case "try_again": {
      // Only a balance challenge that did not balance can be tried again (a prediction, once the
      // lever has moved, cannot be taken back).
      if (state.phase !== "released" || data.challenge !== state.challenge || goalMet(state)) return state;
      return { ...state, phase: "arranging", prediction: null, outcome: null, correct: null };
    }

    case "hint_requested": {
      if (state.phase !== "arranging" && state.phase !== "released") return state;
      if (data.challenge !== state.challenge) return state;
      const challenge = challengeById(state.challenge);
      const result = resultFor(state, challenge.id);
      if (data.hint !== result.hints + 1 || data.hint > challenge.hints.length) return state;
      return { ...state, results: updateResult(state, challenge.id, { hints: data.hint }) };
    }

    case "challenge_completed": {
      // data.correct is the client's claim; the result keeps the reducer's own firstCorrect.
      if (data.challenge !== state.challenge || !goalMet(state)) return state;
      return {
        ...state,
        phase: "completed",
        results: updateResult(state, state.challenge, { completed: true }),
      };
    }

    default:
      return state;
  }
}
