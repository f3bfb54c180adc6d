// The playback frame's two additions to a widget, for the replay page around it: how tall the
// widget is (so the page sizes the iframe to fit and the widget never scrolls inside it), and the
// replay's shortcut keys pressed while the widget has the focus (so Space still plays after a
// click on the widget). These messages are not part of the widgets' protocol (pathlens:*); they
// go to this origin's page only. docs/replay.md.

const SHORTCUTS = new Set([" ", "k", "K", "ArrowLeft", "ArrowRight", "Home", "End", "<", ">", ",", "."]);
let reported = 0;

function report(force = false) {
  // The body's own height (no min-height here: frame.css), not the viewport's, or a taller
  // frame would make a taller body and the two would grow each other forever.
  const height = Math.ceil(document.body.getBoundingClientRect().height);
  if (!force && Math.abs(height - reported) < 2) return;
  reported = height;
  window.parent.postMessage({ type: "replay:size", height }, location.origin);
}

function forward(event) {
  if (!SHORTCUTS.has(event.key) || event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.target instanceof Element && event.target.closest("input, textarea, select, [contenteditable]")) return;
  event.preventDefault();
  window.parent.postMessage({ type: "replay:key", key: event.key, shiftKey: event.shiftKey }, location.origin);
}

if (window.parent !== window) {
  new ResizeObserver(report).observe(document.body);
  report();
  document.addEventListener("keydown", forward);
  // The page asks once it listens: a report sent before its script ran would be lost, and the
  // frame would keep its first height with the widget scrolling inside it.
  window.addEventListener("message", (event) => {
    if (event.origin === location.origin && event.source === window.parent && event.data?.type === "replay:measure") report(true);
  });
}
