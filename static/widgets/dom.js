// The few DOM helpers every widget view uses. A view builds its frame once with `h` and `svg`,
// then only changes text, attributes and classes, so it needs no framework. A new widget imports
// this module (`../dom.js`) rather than copying it.

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * An HTML element. `attributes`: `class`, `text` (its text), `onclick`-style listeners, and any
 * attribute (`true` sets it empty; `null`, `undefined` and `false` leave it out). `children`:
 * elements, strings or lists of them; `null` and `false` are skipped, so `cond && node` works.
 */
export function h(tag, attributes = {}, ...children) {
  return fill(document.createElement(tag), attributes, children);
}

/** The same in the SVG namespace, for what is drawn by code (faces, levers). */
export function svg(tag, attributes = {}, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attributes, children);
}

function fill(node, attributes, children) {
  for (const [key, value] of Object.entries(attributes)) {
    if (value == null || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) if (child != null && child !== false) node.append(child);
  return node;
}

/** Sets a node's text only when it changes, so screen readers and selections are left alone. */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

let counter = 0;
/** An id unique on the page, for aria-labelledby and friends. */
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/**
 * A function that says `text` through the `aria-live` element `live`. A screen reader reads a
 * live region only when its text changes, so every other message gets an invisible space: the
 * same message twice is read twice.
 */
export function createAnnouncer(live) {
  let toggle = false;
  return (text) => {
    toggle = !toggle;
    live.textContent = toggle ? text : `${text}\u00a0`;
  };
}
