// Chernoff faces tutorial: the lesson content and the pure state machine.
//
// Pure module: no DOM, importable in Node (tests/js/chernoff_tutorial.test.mjs). The view
// (widget.js) reads the content and the selectors below; the server's scoring rule
// (widgets/chernoff_tutorial.py) holds a copy of the facts it needs, and a test compares the two
// through `scoringFacts()`, so change them together.
//
// The reducer never trusts what a client claims about a result: a `match_checked` event carries
// the distance the browser saw, but the state recomputes the match from the slider values in the
// stream, exactly as the server does when it scores the session.

/** A face matches its target when every slider is within this percentage of its range. */
export const TOLERANCE_PERCENT = 10;

/** Failed checks after which the learner may move on without a match. */
export const ATTEMPTS_BEFORE_SKIP = 3;

// Each data feature of a city drives one feature of the face.
export const FEATURES = deepFreeze([
  {
    id: "population",
    label: "Population",
    min: 1,
    max: 20,
    step: 1,
    unit: "million people",
    face: "width",
    faceLabel: "face width",
    rule: "a wider face means more people",
  },
  {
    id: "rainfall",
    label: "Rainfall",
    min: 0,
    max: 3000,
    step: 100,
    unit: "mm of rain a year",
    face: "eyes",
    faceLabel: "eye size",
    rule: "bigger eyes mean more rain",
  },
  {
    id: "happiness",
    label: "Happiness",
    min: 0,
    max: 10,
    step: 1,
    unit: "out of 10",
    face: "mouth",
    faceLabel: "mouth curve",
    rule: "a bigger smile means happier people",
  },
  {
    id: "temperature",
    label: "Temperature",
    min: 0,
    max: 30,
    step: 1,
    unit: "°C on average",
    face: "brows",
    faceLabel: "eyebrow slant",
    rule: "eyebrows slanting down towards the nose mean a warmer city",
  },
]);

export const FEATURE_IDS = deepFreeze(FEATURES.map((feature) => feature.id));

/** The values every slider starts from, and the face features not being explored. */
export const NEUTRAL = deepFreeze({ population: 10, rainfall: 1500, happiness: 5, temperature: 15 });

export const CITIES = deepFreeze({
  pinewood: { name: "Pinewood", values: { population: 6, rainfall: 1100, happiness: 7, temperature: 12 } },
  sunhaven: { name: "Sunhaven", values: { population: 4, rainfall: 300, happiness: 8, temperature: 27 } },
  mistport: { name: "Mistport", values: { population: 16, rainfall: 2600, happiness: 3, temperature: 6 } },
  alderby: { name: "Alderby", values: { population: 3, rainfall: 900, happiness: 6, temperature: 8 } },
  brightwater: { name: "Brightwater", values: { population: 7, rainfall: 1800, happiness: 7, temperature: 24 } },
  coldmere: { name: "Coldmere", values: { population: 12, rainfall: 600, happiness: 4, temperature: 2 } },
  dunesfield: { name: "Dunesfield", values: { population: 18, rainfall: 200, happiness: 5, temperature: 18 } },
  fernhill: { name: "Fernhill", values: { population: 5, rainfall: 2700, happiness: 3, temperature: 14 } },
  greystone: { name: "Greystone", values: { population: 9, rainfall: 700, happiness: 9, temperature: 20 } },
  hollowbay: { name: "Hollowbay", values: { population: 2, rainfall: 1500, happiness: 5, temperature: 11 } },
});

// The lesson, in order. Groups: learn the mapping, match a target face, read faces.
export const STEPS = deepFreeze([
  { id: "welcome", group: "learn", kind: "intro", title: "Faces that carry data", city: "pinewood" },
  {
    id: "explore_size",
    group: "learn",
    kind: "explore",
    title: "Size: population and rainfall",
    features: ["population", "rainfall"],
  },
  {
    id: "explore_mood",
    group: "learn",
    kind: "explore",
    title: "Mood: happiness and temperature",
    features: ["happiness", "temperature"],
  },
  { id: "match_1", group: "match", kind: "match", title: "Build the face of Sunhaven", city: "sunhaven", features: FEATURE_IDS },
  { id: "match_2", group: "match", kind: "match", title: "Build the face of Mistport", city: "mistport", features: FEATURE_IDS },
  {
    id: "read_1",
    group: "read",
    kind: "read",
    title: "Read four cities",
    cities: ["alderby", "brightwater", "coldmere", "dunesfield"],
    questions: [
      { id: "warmest", prompt: "Which city is the warmest?", feature: "temperature", answer: "brightwater" },
      { id: "most_people", prompt: "Which city has the most people?", feature: "population", answer: "dunesfield" },
    ],
  },
  {
    id: "read_2",
    group: "read",
    kind: "read",
    title: "Read three more cities",
    cities: ["fernhill", "greystone", "hollowbay"],
    questions: [
      { id: "happiest", prompt: "Where are people the happiest?", feature: "happiness", answer: "greystone" },
      { id: "rainiest", prompt: "Which city gets the most rain?", feature: "rainfall", answer: "fernhill" },
    ],
  },
  { id: "finish", group: "finish", kind: "finish", title: "What you learned" },
]);

export const STEP_IDS = deepFreeze(STEPS.map((step) => step.id));

export const GROUPS = deepFreeze([
  { id: "learn", label: "Learn" },
  { id: "match", label: "Match" },
  { id: "read", label: "Read" },
  { id: "finish", label: "Finish" },
]);

const STEP_BY_ID = new Map(STEPS.map((step) => [step.id, step]));
const FEATURE_BY_ID = new Map(FEATURES.map((feature) => [feature.id, feature]));

export function stepById(id) {
  return STEP_BY_ID.get(id);
}

export function featureById(id) {
  return FEATURE_BY_ID.get(id);
}

export function stepIndex(id) {
  return STEP_IDS.indexOf(id);
}

/** Steps whose sliders the learner sets (explore and match steps). */
function hasSliders(step) {
  return step !== undefined && (step.kind === "explore" || step.kind === "match");
}

// --- State ------------------------------------------------------------------------------------------

export function initialState() {
  const sliders = {};
  const touched = {};
  const checks = {};
  const answers = {};
  for (const step of STEPS) {
    if (hasSliders(step)) {
      sliders[step.id] = Object.fromEntries(step.features.map((id) => [id, NEUTRAL[id]]));
      touched[step.id] = {};
    }
    if (step.kind === "match") checks[step.id] = { attempts: 0, matched: false, last: null };
    if (step.kind === "read") {
      answers[step.id] = Object.fromEntries(
        step.questions.map((question) => [question.id, { tries: [], correct: false }]),
      );
    }
  }
  return {
    step: STEP_IDS[0],
    visited: { [STEP_IDS[0]]: true },
    completed: {},
    sliders,
    touched,
    checks,
    answers,
    finished: false,
  };
}

/** Returns the state after `event`; never mutates `state`; ignores unknown or malformed events. */
export function reduce(state, event) {
  const data = event && typeof event.data === "object" && event.data !== null ? event.data : {};
  switch (event?.type) {
    case "step_viewed":
      return viewStep(state, data);
    case "slider_changed":
      return changeSlider(state, data);
    case "match_checked":
      return checkMatch(state, data);
    case "question_answered":
      return answerQuestion(state, data);
    case "step_completed":
      return completeStep(state, data);
    case "session_completed":
      return state.finished ? state : { ...state, finished: true };
    default:
      return state;
  }
}

function viewStep(state, { step }) {
  if (!STEP_BY_ID.has(step)) return state;
  if (state.step === step && state.visited[step]) return state;
  return { ...state, step, visited: { ...state.visited, [step]: true } };
}

function changeSlider(state, { step, feature, value }) {
  const definition = STEP_BY_ID.get(step);
  if (!hasSliders(definition) || !definition.features.includes(feature)) return state;
  if (!isValueInRange(feature, value)) return state;
  const sliders = state.sliders[step];
  const touched = state.touched[step];
  if (sliders[feature] === value && touched[feature]) return state;
  return {
    ...state,
    sliders: { ...state.sliders, [step]: { ...sliders, [feature]: value } },
    touched: { ...state.touched, [step]: { ...touched, [feature]: true } },
  };
}

function checkMatch(state, { step }) {
  const definition = STEP_BY_ID.get(step);
  if (definition?.kind !== "match") return state;
  const check = state.checks[step];
  // Recomputed from the sliders: the event's own `distance` and `matched` are only claims.
  const result = matchResult(state.sliders[step], CITIES[definition.city].values);
  return {
    ...state,
    checks: {
      ...state.checks,
      [step]: { attempts: check.attempts + 1, matched: check.matched || result.matched, last: result },
    },
  };
}

function answerQuestion(state, { step, question, choice }) {
  const definition = STEP_BY_ID.get(step);
  if (definition?.kind !== "read") return state;
  const asked = definition.questions.find((candidate) => candidate.id === question);
  if (!asked || !definition.cities.includes(choice)) return state;
  const answer = state.answers[step][question];
  if (answer.correct) return state; // a question closes once it is answered correctly
  return {
    ...state,
    answers: {
      ...state.answers,
      [step]: {
        ...state.answers[step],
        [question]: { tries: [...answer.tries, choice], correct: choice === asked.answer },
      },
    },
  };
}

function completeStep(state, { step }) {
  if (!STEP_BY_ID.has(step) || state.completed[step]) return state;
  return { ...state, completed: { ...state.completed, [step]: true } };
}

export function isValueInRange(featureId, value) {
  const feature = FEATURE_BY_ID.get(featureId);
  return (
    feature !== undefined &&
    typeof value === "number" &&
    Number.isFinite(value) &&
    value >= feature.min &&
    value <= feature.max
  );
}

// --- Selectors (pure; the view and the tests use them) ----------------------------------------------

/**
 * How far `values` are from `target`. `distance` is the largest difference on any slider as a
 * fraction of that slider's range (0 = identical, 1 = opposite ends); `matched` says whether every
 * slider is within TOLERANCE_PERCENT; `off` gives, per feature, -1 (too low), 0 (close enough) or
 * 1 (too high). The comparison is done exactly as the server does it (widgets/chernoff_tutorial.py).
 */
export function matchResult(values, target) {
  let distance = 0;
  const off = {};
  for (const feature of FEATURES) {
    const range = feature.max - feature.min;
    const difference = values[feature.id] - target[feature.id];
    distance = Math.max(distance, Math.abs(difference) / range);
    const close = Math.abs(difference) * 100 <= TOLERANCE_PERCENT * range;
    off[feature.id] = close ? 0 : Math.sign(difference);
  }
  const matched = Object.values(off).every((sign) => sign === 0);
  return { distance: Math.round(distance * 1000) / 1000, matched, off };
}

/** The values the face on a step shows: the step's sliders over the neutral face. */
export function faceValues(state, stepId) {
  return { ...NEUTRAL, ...(state.sliders[stepId] ?? {}) };
}

/** Whether the step's task is done (its `step_completed` event may still be to come). */
export function taskDone(state, stepId) {
  const step = STEP_BY_ID.get(stepId);
  if (!step) return false;
  switch (step.kind) {
    case "explore":
      return step.features.every((feature) => state.touched[stepId][feature]);
    case "match":
      return state.checks[stepId].matched;
    case "read":
      return step.questions.every((question) => state.answers[stepId][question.id].correct);
    default:
      return true; // the intro and the summary only need reading
  }
}

/** Whether the learner may go on from this step (a match may be skipped after a few tries). */
export function canAdvance(state, stepId) {
  const step = STEP_BY_ID.get(stepId);
  if (!step) return false;
  if (state.completed[stepId] || taskDone(state, stepId)) return true;
  return step.kind === "match" && state.checks[stepId].attempts >= ATTEMPTS_BEFORE_SKIP;
}

/** The score as the server computes it: one point per matched face and per first-try answer. */
export function scoreOf(state) {
  let matched = 0;
  let matchSteps = 0;
  let firstTry = 0;
  let questions = 0;
  for (const step of STEPS) {
    if (step.kind === "match") {
      matchSteps += 1;
      if (state.checks[step.id].matched) matched += 1;
    }
    if (step.kind === "read") {
      for (const question of step.questions) {
        questions += 1;
        if (state.answers[step.id][question.id].tries[0] === question.answer) firstTry += 1;
      }
    }
  }
  return { score: matched + firstTry, maximum: matchSteps + questions, matched, matchSteps, firstTry, questions };
}

/** The facts the server's scoring rule and schemas depend on (compared by a pytest test). */
export function scoringFacts() {
  return {
    tolerance_percent: TOLERANCE_PERCENT,
    steps: [...STEP_IDS],
    features: Object.fromEntries(
      FEATURES.map((feature) => [feature.id, { min: feature.min, max: feature.max, step: feature.step }]),
    ),
    slider_steps: Object.fromEntries(
      STEPS.filter(hasSliders).map((step) => [step.id, [...step.features]]),
    ),
    start: { ...NEUTRAL },
    targets: Object.fromEntries(
      STEPS.filter((step) => step.kind === "match").map((step) => [step.id, { ...CITIES[step.city].values }]),
    ),
    questions: Object.fromEntries(
      STEPS.filter((step) => step.kind === "read").map((step) => [
        step.id,
        Object.fromEntries(
          step.questions.map((question) => [question.id, { choices: [...step.cities], answer: question.answer }]),
        ),
      ]),
    ),
  };
}

function deepFreeze(value) {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
