// TEI001 "Fractions on a number line": the state machine. Pure: no DOM, importable in Node
// (tests/js/tei001.test.mjs). The server's scoring rule (widgets/tei001.py) replays the same rules
// over the same events, so what the learner sees here is what the score is computed from.
//
// Positions are whole twelfths from 0 (0–24 covers the line from 0 to 2), so every card of every
// item lands on an exact integer: 3/4 is 9, 3/2 is 18.

export const DENOMINATOR = 12;
export const MAX_POSITION = 2 * DENOMINATOR;
export const MAX_ATTEMPTS = 3;

// Each item: the tick spacing of its line, in twelfths (3 = quarters, 2 = sixths, 1 = twelfths),
// and its cards, in tray order. widgets/tei001.py holds the same list; tests/widgets/test_tei001.py
// reads the JSON between the markers below and checks the two agree.
/* items:begin */
export const ITEMS = deepFreeze([
  { "step": 3, "cards": ["1/4", "1/2", "3/4", "5/4"] },
  { "step": 2, "cards": ["1/3", "5/6", "4/3", "5/3"] },
  { "step": 1, "cards": ["2/3", "3/4", "7/6", "3/2", "6/4"] }
]);
/* items:end */

const UNIT_NAMES = { 2: "half", 3: "third", 4: "quarter", 6: "sixth", 12: "twelfth" };
const UNIT_PLURALS = { 2: "halves", 3: "thirds", 4: "quarters", 6: "sixths", 12: "twelfths" };

export function initialState() {
  return {
    item: 0, // number of the item on screen (1-based); 0 before the first one starts
    items: ITEMS.map(() => ({
      placements: {}, // card → position in twelfths, for the cards on the line
      attempts: 0,
      checked: {}, // card → "right" | "close" | "wrong", as the last check found them
      feedback: {}, // the same, less the cards moved since (their verdict no longer holds)
      outcome: null, // null while open; "correct" | "incorrect" once complete
    })),
    completed: false,
  };
}

export function reduce(state, event) {
  if (!event || typeof event !== "object") return state;
  const handler = Object.hasOwn(HANDLERS, event.type) ? HANDLERS[event.type] : null;
  if (!handler) return state;
  const data = event.data && typeof event.data === "object" ? event.data : {};
  return handler(state, data);
}

const HANDLERS = {
  item_started(state, { item }) {
    if (!Number.isInteger(item) || item !== state.item + 1 || item > ITEMS.length) return state;
    if (state.item > 0 && state.items[state.item - 1].outcome === null) return state;
    return { ...state, item };
  },

  card_placed(state, { item, card, position }) {
    const progress = openItem(state, item);
    if (!progress || !hasCard(item, card) || Object.hasOwn(progress.placements, card)) return state;
    if (!isValidPosition(item, position)) return state;
    return withItem(state, item, place(progress, card, position));
  },

  card_moved(state, { item, card, position }) {
    const progress = openItem(state, item);
    if (!progress || !hasCard(item, card) || !Object.hasOwn(progress.placements, card)) return state;
    if (!isValidPosition(item, position) || progress.placements[card] === position) return state;
    return withItem(state, item, place(progress, card, position));
  },

  card_removed(state, { item, card }) {
    const progress = openItem(state, item);
    if (!progress || !hasCard(item, card) || !Object.hasOwn(progress.placements, card)) return state;
    return withItem(state, item, {
      ...progress,
      placements: without(progress.placements, card),
      feedback: without(progress.feedback, card),
    });
  },

  // The event's own `attempt` and `correct_cards` are what the browser claimed; the verdicts are
  // recomputed from the placements, exactly as the server does.
  answer_checked(state, { item }) {
    const progress = openItem(state, item);
    if (!progress || !allPlaced(item, progress.placements)) return state;
    const attempts = progress.attempts + 1;
    const feedback = evaluate(item, progress.placements);
    const allRight = Object.values(feedback).every((verdict) => verdict === "right");
    let outcome = null;
    if (allRight) outcome = "correct";
    else if (attempts >= MAX_ATTEMPTS) outcome = "incorrect";
    return withItem(state, item, { ...progress, attempts, checked: feedback, feedback, outcome });
  },

  // A marker for analytics: completion itself follows from the check above.
  item_completed(state) {
    return state;
  },

  session_completed(state) {
    if (state.completed || !state.items.every((progress) => progress.outcome !== null)) return state;
    return { ...state, completed: true };
  },
};

// --- Rules shared with the view ------------------------------------------------------------------

/** The card's place on the line, in twelfths: "3/4" → 9. */
export function targetOf(card) {
  const [numerator, denominator] = card.split("/").map(Number);
  return (numerator * DENOMINATOR) / denominator;
}

/** "right" on the spot, "close" within one tick of the item's line, "wrong" otherwise. */
export function verdictFor(item, card, position) {
  const distance = Math.abs(position - targetOf(card));
  if (distance === 0) return "right";
  return distance <= ITEMS[item - 1].step ? "close" : "wrong";
}

export function evaluate(item, placements) {
  const feedback = {};
  for (const card of ITEMS[item - 1].cards) {
    if (Object.hasOwn(placements, card)) feedback[card] = verdictFor(item, card, placements[card]);
  }
  return feedback;
}

export function isValidPosition(item, position) {
  return (
    Number.isInteger(position) &&
    position >= 0 &&
    position <= MAX_POSITION &&
    position % ITEMS[item - 1].step === 0
  );
}

export function allPlaced(item, placements) {
  return ITEMS[item - 1].cards.every((card) => Object.hasOwn(placements, card));
}

/** Ticks between 0 and 1 on the item's line (4 for quarters). */
export function ticksPerWhole(item) {
  return DENOMINATOR / ITEMS[item - 1].step;
}

export function unitName(parts, plural = true) {
  return (plural ? UNIT_PLURALS : UNIT_NAMES)[parts] ?? `${parts}ths`;
}

/** A gentle hint for a card after a check; it nudges towards the idea, never gives the answer. */
export function hintFor(item, card, position) {
  const verdict = verdictFor(item, card, position);
  const [numerator, denominator] = card.split("/").map(Number);
  const target = targetOf(card);
  if (verdict === "right") return "Right where it belongs.";
  if (verdict === "close") {
    return `Close: just one tick off. Count the ${unitName(ticksPerWhole(item))} from 0 again.`;
  }
  if (target > DENOMINATOR && position < DENOMINATOR) {
    return `${card} is more than one whole: its top number is bigger than its bottom number.`;
  }
  if (target < DENOMINATOR && position > DENOMINATOR) {
    return `${card} is less than one whole: its top number is smaller than its bottom number.`;
  }
  const ticksPerPart = ticksPerWhole(item) / denominator;
  const counting =
    ticksPerPart === 1
      ? "each tick is one of them"
      : `each ${unitName(denominator, false)} spans ${ticksPerPart} ticks here`;
  return (
    `Split each whole into ${denominator} equal parts (${unitName(denominator)}); ` +
    `${card} is ${numerator} of them, counted from 0 — ${counting}.`
  );
}

// --- Helpers -------------------------------------------------------------------------------------

function openItem(state, item) {
  if (!Number.isInteger(item) || item !== state.item || item < 1) return null;
  const progress = state.items[item - 1];
  return progress.outcome === null ? progress : null;
}

function hasCard(item, card) {
  return typeof card === "string" && ITEMS[item - 1].cards.includes(card);
}

function place(progress, card, position) {
  return {
    ...progress,
    placements: { ...progress.placements, [card]: position },
    feedback: without(progress.feedback, card),
  };
}

function withItem(state, item, progress) {
  const items = state.items.slice();
  items[item - 1] = progress;
  return { ...state, items };
}

function without(object, key) {
  if (!Object.hasOwn(object, key)) return object;
  const copy = { ...object };
  delete copy[key];
  return copy;
}

function deepFreeze(value) {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
