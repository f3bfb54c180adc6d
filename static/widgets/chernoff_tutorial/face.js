// Chernoff faces tutorial: a face drawn in SVG from four data values, and the key that explains it.
// The proportions come from words.js (faceParts), where Node tests can read them.

import { h, svg } from "../dom.js";
import { FEATURES } from "./reducer.js";
import { describeFace, faceParts } from "./words.js";

/** An SVG face; `update(values, label)` moves its parts and names it for screen readers. */
export function createFace() {
  const root = svg("svg", { viewBox: "0 0 200 220", class: "ct-face", role: "img", focusable: "false" });
  const head = svg("ellipse", { class: "ct-face__head", "data-feature": "population", cx: 100, cy: 112, ry: 92 });
  const cheeks = [svg("circle", { class: "ct-face__cheek", r: 11, cy: 136 }), svg("circle", { class: "ct-face__cheek", r: 11, cy: 136 })];
  const eyes = [-1, 1].map(() => ({
    white: svg("circle", { class: "ct-face__eye", "data-feature": "rainfall", cy: 92 }),
    pupil: svg("circle", { class: "ct-face__pupil", cy: 92 }),
    glint: svg("circle", { class: "ct-face__glint" }),
  }));
  const brows = [svg("line", { class: "ct-face__brow", "data-feature": "temperature" }), svg("line", { class: "ct-face__brow", "data-feature": "temperature" })];
  const nose = svg("path", { class: "ct-face__nose", d: "M100 106 Q92 126 100 130 Q104 131 107 128" });
  const mouth = svg("path", { class: "ct-face__mouth", "data-feature": "happiness" });
  root.append(head, ...cheeks, ...eyes.flatMap((eye) => [eye.white, eye.pupil, eye.glint]), ...brows, nose, mouth);

  return {
    svg: root,
    update(values, label) {
      const { rx, radius, sides, mouthY } = faceParts(values);
      head.setAttribute("rx", fixed(rx));
      sides.forEach((side, i) => {
        cheeks[i].setAttribute("cx", fixed(side.cheekX));
        eyes[i].white.setAttribute("cx", fixed(side.eyeX));
        eyes[i].white.setAttribute("r", fixed(radius));
        eyes[i].pupil.setAttribute("cx", fixed(side.eyeX));
        eyes[i].pupil.setAttribute("r", fixed(radius * 0.46));
        eyes[i].glint.setAttribute("cx", fixed(side.eyeX + radius * 0.16));
        eyes[i].glint.setAttribute("cy", fixed(92 - radius * 0.18));
        eyes[i].glint.setAttribute("r", fixed(Math.max(1.2, radius * 0.14)));
        brows[i].setAttribute("x1", fixed(side.browInner.x));
        brows[i].setAttribute("y1", fixed(side.browInner.y));
        brows[i].setAttribute("x2", fixed(side.browOuter.x));
        brows[i].setAttribute("y2", fixed(side.browOuter.y));
      });
      mouth.setAttribute("d", `M70 156 Q100 ${fixed(mouthY)} 130 156`);
      root.setAttribute("aria-label", `${label}: ${describeFace(values)}`);
    },
  };
}

/** The key: each data feature, its value, and the face feature it sets. */
export function keyList(values) {
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

function fixed(number) {
  return number.toFixed(2);
}
