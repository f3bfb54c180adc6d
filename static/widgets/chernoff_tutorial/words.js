// Chernoff faces tutorial: what the view says, and the face's proportions. Pure (no DOM), so
// tests/js/chernoff_tutorial_view.test.mjs checks it in Node.

import { ATTEMPTS_BEFORE_SKIP, CITIES, FEATURES, TOLERANCE_PERCENT, featureById } from "./reducer.js";

export const SHORT_UNITS = {
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

export const LEADS = {
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

export const NEXT_HINTS = {
  explore: "Move every slider on this step first.",
  match: `Press Check first — you can move on after a match or after ${ATTEMPTS_BEFORE_SKIP} tries.`,
  read: "Answer every question correctly first.",
};

export function matchFeedback(step, check) {
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

export function questionFeedback(question, answered) {
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

export function normalised(featureId, value) {
  const feature = featureById(featureId);
  return Math.min(1, Math.max(0, (value - feature.min) / (feature.max - feature.min)));
}

export function describeFace(values) {
  return FEATURES.map((feature) => {
    const words = LEVEL_WORDS[feature.id];
    return words[Math.min(words.length - 1, Math.floor(normalised(feature.id, values[feature.id]) * words.length))];
  }).join(", ");
}

/**
 * Where the parts of a face go for these data values (SVG user units, a 200 × 220 box): the head's
 * half-width, each eye's centre and radius, each brow's inner and outer end, the mouth's curve.
 */
export function faceParts(values) {
  const width = normalised("population", values.population);
  const eyeSize = normalised("rainfall", values.rainfall);
  const smile = normalised("happiness", values.happiness);
  const warmth = normalised("temperature", values.temperature);
  const rx = 52 + 38 * width;
  const eyeOffset = Math.max(24, rx * 0.44);
  const radius = 6 + 14 * eyeSize;
  const angle = ((warmth - 0.5) * 2 * 30 * Math.PI) / 180; // > 0: inner ends down (warm)
  const sides = [-1, 1].map((side) => {
    const x = 100 + side * eyeOffset;
    // The inner end of each brow is the one nearer the nose (towards x = 100).
    const dx = 16 * Math.cos(angle);
    const dy = 16 * Math.sin(angle);
    return {
      cheekX: 100 + side * rx * 0.64,
      eyeX: x,
      browInner: { x: x - side * dx, y: 58 + dy },
      browOuter: { x: x + side * dx, y: 58 - dy },
    };
  });
  return { rx, radius, sides, mouthY: 156 + (smile - 0.5) * 2 * 44 };
}

/** The label of the Next button: "Finish ✓" on the last step, "Skip for now →" past an unmatched face. */
export function nextLabel(kind, skipping) {
  if (kind === "finish") return "Finish ✓";
  return skipping ? "Skip for now →" : "Next →";
}

export function capitalise(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
