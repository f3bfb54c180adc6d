// The replay page: a widget replaying a recorded session in its playback frame, the session's event
// timeline beside it, and the controls. One clock drives all three: every change of the current
// moment (play, seek bar, a click on the timeline, a key) only sets `state.current`, and one
// function, render(), shows that moment everywhere at once (the widget via `pathlens:seek`, the
// playhead, the seek bar, the clock, the current event): on each animation frame while playing,
// at once for a seek while paused. docs/replay.md.
//
// Data arrive inline (#replay-data): the events in time order ({t, type, data}), the session's
// sittings and the timeline figure that replay/ built. Times below are play times: milliseconds
// since the first event with each gap between sittings cut to a short pause (sessiontime.js), so
// a session resumed two days later plays, seeks and links as the minutes it was worked
// ("offsets"); the widget is told absolute event times (`t`), as its protocol says.

/* global Plotly */

import { formatClock, formatDuration } from "../js/format.js";
import { decode } from "../js/typedarrays.js";
import { sortEvents } from "../widgets/timeline.js";
import { describeData, eventSentence as sentence, hoverText as hoverWords } from "./eventtext.js";
import { setupNotes } from "./notes.js";
import { createSessionTime } from "./sessiontime.js";
import { COLUMN_PX, thinRow } from "./thinning.js";
import { advanceFrom, clamp, indexAt as indexIn, sittingWords as sittingIn } from "./timeindex.js";

performance.mark("replay:start");

const ORIGIN = location.origin;
const LEAD_MS = 600; // skipping an idle gap lands this long before the next event
const JUMP_MS = 5000; // Shift + arrow
const FRAME_MIN_HEIGHT = 320;
const FRAME_MAX_HEIGHT = 1600;

const $ = (id) => document.getElementById(id);
const root = $("replay");
const data = JSON.parse($("replay-data").textContent);

// Sorted exactly as the widget sorts them (same function), so an index here is an index there.
const events = sortEvents(data.events.map((event) => ({ ...event, widget: data.widget, session: data.session })));
const count = events.length;
// The sittings as replay/sessiontime.py cut them (the platform's rule), with play times.
const clock = createSessionTime(data.sittings);
const sittings = clock.parts.length;
const t0 = clock.start;
const span = clock.length; // play length: the sittings end to end, gaps cut
const offsets = Float64Array.from(events, (event) => clock.play(event.t));
// The teacher's words (widgets/words.py): a label per type, a sentence per event, same order.
const labels = data.labels ?? {};
const words = data.words ?? [];
const labelOf = (type) => labels[type] ?? type;
const wordsOf = (index) => words[index] ?? labelOf(events[index].type);

const frame = $("replay-frame");
const chart = $("replay-chart");
const problem = $("replay-problem");
const controls = {
  play: $("replay-play"),
  previous: $("replay-previous"),
  next: $("replay-next"),
  seek: $("replay-seek"),
  clock: $("replay-clock"),
  skip: $("replay-skip"),
  idle: $("replay-idle"),
  link: $("replay-link"),
  copy: $("replay-copy"),
  speeds: [...document.querySelectorAll('input[name="speed"]')],
};
const now = {
  time: $("replay-now-time"),
  sitting: $("replay-now-sitting"),
  event: $("replay-now-event"),
  data: $("replay-now-data"),
  raw: $("replay-now-raw"),
};
const announcer = $("replay-announcer");
const number = new Intl.NumberFormat("en").format;

// --- Time ---------------------------------------------------------------------------------------

/** Index of the last event at or before `offset` (what the widget shows then), -1 for none. */
const indexAt = (offset) => indexIn(offsets, offset);

// --- State: the one clock -----------------------------------------------------------------------

const state = {
  current: clamp(Number(data.initial) || 0, 0, span),
  playing: false,
  speed: 1,
  skipIdle: controls.skip ? controls.skip.checked : true,
  idleMs: (Number(data.idle) || 5) * 1000,
  lastFrame: null,
  skipped: 0, // ms of idle gaps skipped so far (for the curious, and for tests)
};
let ready = false; // controls work once the widget and the timeline are up
let notesUi = null; // notes.js, set up at the start (below)
let frameRequested = false;
let shown = { current: NaN, index: NaN, playhead: NaN, sitting: NaN, sittingWords: "" };

function schedule() {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(onFrame);
}

function onFrame(timestamp) {
  frameRequested = false;
  if (state.playing) {
    if (state.lastFrame !== null) advance((timestamp - state.lastFrame) * state.speed);
    state.lastFrame = timestamp;
  }
  render();
  if (state.playing) schedule();
}

/** Where the moment `offset` is among the sittings, in words ("" for a one-sitting session). */
const sittingWords = (offset) => sittingIn(clock, offset);

function advance(elapsed) {
  let { next, skipped } = advanceFrom(offsets, state.current, elapsed, {
    skipIdle: state.skipIdle,
    idleMs: state.idleMs,
    leadMs: LEAD_MS,
  });
  if (skipped > 0) {
    state.skipped += skipped;
    root.dataset.skipped = String(Math.round(state.skipped));
    announce(`Skipped ${formatDuration(skipped)} without activity.`);
  }
  if (next >= span) {
    next = span;
    setPlaying(false, "The end of the session.");
  }
  state.current = next;
}

/** Every way of changing the moment comes here. While paused it is shown at once (the widget
 * gets its seek in this task and paints in the coming frame); while playing, the clock's next
 * frame shows it. */
function seek(offset, { pause = false } = {}) {
  if (pause) setPlaying(false);
  state.current = clamp(offset, 0, span);
  if (state.playing || !ready) schedule();
  else render();
}

function setPlaying(playing, reason = "") {
  if (playing && span > 0 && state.current >= span) state.current = 0; // play again from the start
  if (playing && span <= 0) playing = false;
  if (playing) shown.sitting = clock.partAt(state.current).number; // announce only crossings
  if (state.playing === playing) return;
  state.playing = playing;
  state.lastFrame = null;
  controls.play.querySelector(".replay-play__label").textContent = playing ? "Pause" : "Play";
  root.dataset.playing = String(playing);
  if (playing) {
    announce(`Playing at ${state.speed}×.`);
    schedule();
  } else {
    announce(`${reason ? `${reason} ` : ""}Paused at ${formatClock(state.current)}. ${eventSentence(indexAt(state.current))}`);
    updateLink(true);
  }
}

function step(direction) {
  const index = indexAt(state.current);
  if (direction > 0) {
    if (index + 1 >= count) return;
    seek(offsets[index + 1], { pause: true });
  } else {
    // Back to the moment before the event now shown: the last event strictly earlier than it.
    const shownAt = index >= 0 ? offsets[index] : 0;
    const earlier = indexAt(shownAt - 0.001);
    seek(earlier >= 0 ? offsets[earlier] : 0, { pause: true });
  }
  announceAfterFrame();
}

// --- Rendering ----------------------------------------------------------------------------------

function eventSentence(index) {
  if (index < 0) return sentence({ index });
  const sitting = sittings > 1 ? clock.partAt(offsets[index]).number : 0;
  return sentence({ words: wordsOf(index), offset: offsets[index], sitting, index, count });
}

function render() {
  const current = state.current;
  if (current === shown.current) return;
  shown.current = current;
  const index = indexAt(current);

  const t = clock.absolute(current);
  seekWidget(t);
  controls.seek.value = String(current);
  const position = `${formatClock(current)} / ${formatClock(span)}`;
  const where = sittingWords(current);
  controls.seek.setAttribute("aria-valuetext", `${position}, ${where ? `${where}. ` : ""}${eventSentence(index)}`);
  controls.clock.textContent = position;
  now.time.textContent = formatClock(current);
  notesUi?.moved(current);
  movePlayhead(current);
  root.dataset.current = String(current);
  root.dataset.t = String(t);
  if (sittings > 1) {
    if (where !== shown.sittingWords) {
      shown.sittingWords = where;
      now.sitting.textContent = where;
    }
    const part = clock.partAt(current).number;
    root.dataset.sitting = String(part);
    // While playing, arriving in the next sitting is announced, as a skipped idle gap is.
    if (state.playing && part !== shown.sitting && !clock.inGap(current)) announce(`${where}.`);
    shown.sitting = part;
  }

  if (index !== shown.index) {
    shown.index = index;
    root.dataset.index = String(index);
    if (index < 0) {
      now.event.textContent = "Before the first event";
      now.data.textContent = "";
      if (now.raw) now.raw.textContent = "none yet";
    } else {
      const event = events[index];
      now.event.replaceChildren(Object.assign(document.createElement("strong"), { textContent: wordsOf(index) }));
      now.data.textContent = `${labelOf(event.type)} · event ${number(index + 1)} of ${number(count)} · at ${formatClock(offsets[index])}`;
      if (now.raw) now.raw.textContent = `${event.type} · ${describeData(event.data, 400)}`;
    }
    controls.previous.disabled = !ready || index <= 0;
    controls.next.disabled = !ready || index + 1 >= count;
  }
  if (!state.playing) updateLink(false);
}

let pendingAnnouncement = false;
function announceAfterFrame() {
  pendingAnnouncement = true;
  requestAnimationFrame(() => {
    if (!pendingAnnouncement) return;
    pendingAnnouncement = false;
    announce(eventSentence(indexAt(state.current)));
  });
}

function announce(text) {
  // A fresh text node each time, so that the same sentence twice is read twice.
  announcer.textContent = "";
  announcer.textContent = text;
}

let linkTimer = null;
function momentUrl() {
  const url = new URL(location.href);
  url.searchParams.set("t", (Math.round(state.current / 100) / 10).toString());
  return url;
}

function updateLink(now) {
  clearTimeout(linkTimer);
  const apply = () => {
    const url = momentUrl();
    controls.link.href = `${url.pathname}${url.search}`;
    // The address bar follows too, so it can be shared as it is (a plain visit stays plain).
    if (state.current > 0 || new URL(location.href).searchParams.has("t")) {
      history.replaceState(history.state, "", url);
    }
  };
  if (now) apply();
  else linkTimer = setTimeout(apply, 250);
}

// --- The widget's playback frame ------------------------------------------------------------------

let frameHeight = 0;
const widget = {
  state: frame ? "waiting" : "absent", // waiting | loading | ready | failed | absent
  document: null, // the frame document that was sent the events
  direct: true, // seeks are dispatched in the frame at once (below), until that proves not to work
  inFlight: false,
  sentAt: 0,
  wanted: null,
};

function post(message) {
  frame.contentWindow.postMessage(message, ORIGIN);
}

/**
 * A seek is the protocol's message, delivered at once: the frame is same-origin, so the page
 * dispatches it on the frame's window itself, with this origin and this window as its source,
 * just as the runtime checks a posted one. The widget then renders within the page's own task,
 * and the next frame the browser draws shows the widget, the playhead and the seek bar at the
 * same moment; a posted message would be handled only after that frame, one frame late. Should a
 * widget ever not answer such a seek, the page posts them from then on.
 */
function deliverSeek(message) {
  if (widget.direct) {
    try {
      const target = frame.contentWindow;
      target.dispatchEvent(new target.MessageEvent("message", { data: message, origin: ORIGIN, source: window }));
      return;
    } catch (error) {
      console.warn("Pathlens replay: seeking by postMessage from now on", error);
      widget.direct = false;
    }
  }
  post(message);
}

function loadWidget() {
  const doc = frame.contentDocument;
  if (doc && doc === widget.document) return; // this document already has the events
  widget.document = doc;
  widget.state = "loading";
  widget.inFlight = false;
  performance.mark("replay:widget-load");
  // Posted (a structured clone): the widget keeps events of its own realm.
  post({ type: "pathlens:load", events });
}

function seekWidget(t) {
  widget.wanted = t;
  if (widget.state !== "ready") return;
  const now = performance.now();
  if (widget.inFlight) {
    if (now - widget.sentAt >= 1000) {
      widget.direct = false; // no answer for a second: post seeks from now on
    } else if (!widget.direct) {
      // Posted seeks go one at a time: the latest wanted moment goes as soon as the widget has
      // shown the last one, so a slow widget is never buried under a queue of stale moments.
      // (A dispatched seek is done when dispatchEvent returns: nothing can queue up.)
      return;
    }
  } else {
    widget.sentAt = now; // since when an answer has been awaited
  }
  widget.inFlight = true;
  const wanted = widget.wanted;
  widget.wanted = null;
  frame.dataset.seekT = String(wanted);
  deliverSeek({ type: "pathlens:seek", t: wanted });
}

window.addEventListener("message", (event) => {
  if (!frame || event.origin !== ORIGIN || event.source !== frame.contentWindow) return;
  const message = event.data;
  if (!message || typeof message !== "object" || typeof message.type !== "string") return;
  switch (message.type) {
    case "pathlens:hello":
      loadWidget();
      break;
    case "pathlens:ready":
      widget.state = "ready";
      frame.dataset.count = String(message.count);
      performance.mark("replay:widget-ready");
      post({ type: "replay:measure" }); // frame.js answers with the widget's height (replay:size)
      widget.wanted = clock.absolute(state.current);
      seekWidget(widget.wanted);
      maybeReady();
      break;
    case "pathlens:shown":
      widget.inFlight = false;
      frame.dataset.shownT = String(message.t);
      frame.dataset.shownIndex = String(message.index);
      if (widget.wanted !== null) seekWidget(widget.wanted);
      break;
    case "pathlens:error":
      widget.state = "failed";
      showProblem(`The widget could not replay this session (${message.message}). The timeline still shows every event.`);
      maybeReady();
      break;
    case "replay:key": // a shortcut pressed while the widget had the focus (frame.js)
      if (ready && typeof message.key === "string") shortcut(message.key, Boolean(message.shiftKey), document.body);
      break;
    case "replay:size":
      // Grow only: a frame that shrank and grew with every state would move the controls below
      // it under the pointer while a teacher seeks.
      if (Number.isFinite(message.height)) {
        frameHeight = Math.max(frameHeight, clamp(Math.ceil(message.height), FRAME_MIN_HEIGHT, FRAME_MAX_HEIGHT));
        frame.style.height = `${frameHeight}px`;
        frame.dataset.sized = String(frameHeight); // for tests: the widget's height has been applied
      }
      break;
    default:
  }
});

if (frame) {
  // The frame may have said hello before this script listened (a cached frame loads fast): a
  // frame whose widget is already up is loaded now; a later hello from the same document is
  // ignored, and one from a reloaded frame loads it again.
  const readyRoot = frame.contentDocument?.querySelector("#widget-root[data-widget-ready]");
  if (readyRoot && frame.contentDocument.readyState !== "loading") loadWidget();
  frame.addEventListener("load", () => {
    if (frame.contentDocument?.querySelector("#widget-root[data-widget-ready]")) loadWidget();
  });
}

// --- The timeline -------------------------------------------------------------------------------

let chartState = "loading"; // loading | drawn | failed
const layout = data.figure.layout;
const unit = layout.meta?.unit ?? 1000;

const rows = data.figure.data.map((trace, row) => ({ trace, row, indices: decode(trace.customdata) }));
let drawnFor = null; // the x range and plot width the marks were thinned for

function hoverText(index, alsoHere, lastHere) {
  return hoverWords({
    words: wordsOf(index),
    label: labelOf(events[index].type),
    offset: offsets[index],
    sitting: sittings > 1 ? clock.partAt(offsets[index]).number : 0,
    index,
    count,
    alsoHere,
    withinMs: alsoHere > 0 ? offsets[lastHere] - offsets[index] : 0,
  });
}

/** The traces to draw for x range [from, to] (axis units) over `width` pixels (thinning.js). */
function visibleTraces(from, to, width) {
  return rows.map(({ trace, row, indices }) => {
    const { kept, extra, last } = thinRow(offsets, indices, { from, to, width, unit, columnPx: COLUMN_PX });
    return {
      ...trace,
      x: Float64Array.from(kept, (index) => offsets[index] / unit),
      y: new Float32Array(kept.length).fill(row),
      customdata: Int32Array.from(kept),
      text: kept.map((index, k) => hoverText(index, extra[k], last[k])),
    };
  });
}

/** The layout for a plot area `width` px wide: a phone gets the short axis title. */
function fitLayout(base, width) {
  if (width >= 320 || !base.meta?.shortTitle) return { ...base, autosize: true };
  return { ...base, autosize: true, xaxis: { ...base.xaxis, title: { ...base.xaxis.title, text: base.meta.shortTitle } } };
}

function plotWidth() {
  const margin = layout.margin ?? {};
  return Math.max(100, chart.clientWidth - (margin.l ?? 80) - (margin.r ?? 80));
}

async function drawChart() {
  if (typeof Plotly === "undefined") throw new Error("its script did not load; reload the page");
  const [from, to] = layout.xaxis.range;
  const width = plotWidth();
  drawnFor = { from, to, width };
  chart.replaceChildren();
  await Plotly.newPlot(chart, visibleTraces(from, to, width), fitLayout(layout, width), {
    responsive: true,
    // No toolbar: it covered the top row of marks. Drag zooms, double-click zooms out (the hint
    // under the chart says so).
    displayModeBar: false,
  });
  chart.on("plotly_afterplot", afterPlot);
  chart.on("plotly_relayout", afterPlot);
  measurePlot();
  chart.on("plotly_click", (click) => {
    const point = click.points?.[0];
    if (!point || !Number.isInteger(point.customdata)) return;
    seek(offsets[point.customdata], { pause: true });
    announceAfterFrame();
  });
  chartState = "drawn";
  chart.dataset.state = "drawn";
  performance.mark("replay:chart-drawn");
}

// After a zoom, a pan or a resize: move the playhead, and thin the marks again for what is shown.
let rethinning = false;
function afterPlot() {
  measurePlot();
  if (!plotArea || rethinning) return;
  const { from, to, width } = plotArea;
  const same = (a, b) => Math.abs(a - b) <= Math.abs(to - from) * 1e-6;
  if (same(from, drawnFor.from) && same(to, drawnFor.to) && Math.abs(width - drawnFor.width) < 8) return;
  rethinning = true;
  drawnFor = { from, to, width };
  requestAnimationFrame(() => {
    Plotly.react(chart, visibleTraces(from, to, width), chart.layout).finally(() => {
      rethinning = false;
    });
  });
}

// The playhead is ours, over the chart: where plotly put the plot area and what x range it shows
// now (zoom changes it) are read after each draw; moving it is then a transform.
const playhead = $("replay-playhead");
let plotArea = null;

function measurePlot() {
  const full = chart._fullLayout;
  if (!full?.xaxis) return;
  const [from, to] = full.xaxis.range;
  const size = full._size;
  plotArea = { left: size.l, top: size.t, width: size.w, from, to };
  playhead.style.top = `${size.t}px`;
  playhead.style.height = `${size.h}px`;
  shown.playhead = NaN;
  movePlayhead(state.current);
  notesUi?.placeMarks();
}

function movePlayhead(current) {
  if (!plotArea || current === shown.playhead) return;
  shown.playhead = current;
  const fraction = (current / unit - plotArea.from) / (plotArea.to - plotArea.from);
  playhead.hidden = !(fraction >= 0 && fraction <= 1);
  playhead.style.transform = `translateX(${(plotArea.left + fraction * plotArea.width).toFixed(1)}px)`;
  playhead.dataset.at = String(current);
}

function showProblem(text) {
  problem.hidden = false;
  problem.textContent = text;
}

// --- Start --------------------------------------------------------------------------------------

function maybeReady() {
  if (ready) return;
  const widgetSettled = widget.state === "ready" || widget.state === "failed" || widget.state === "absent";
  if (!widgetSettled || chartState === "loading") return;
  ready = true;
  for (const control of [controls.play, controls.seek, controls.skip, controls.idle, controls.copy, ...controls.speeds]) {
    control.disabled = false;
  }
  if (span <= 0) {
    controls.play.disabled = true;
    controls.seek.disabled = true;
  }
  shown = { ...shown, current: NaN, index: NaN };
  notesUi.enable();
  render();
  root.dataset.state = "ready";
  performance.mark("replay:ready");
  root.dataset.readyMs = String(Math.round(performance.now()));
}

notesUi = setupNotes(data.notes ?? [], {
  current: () => state.current,
  seek: (offset) => {
    seek(offset, { pause: true });
    announceAfterFrame();
  },
  // Where a moment is over the chart box, as for the playhead; null when outside the plot.
  placeOf: (offset) => {
    if (!plotArea) return null;
    const fraction = (offset / unit - plotArea.from) / (plotArea.to - plotArea.from);
    return fraction >= 0 && fraction <= 1 ? plotArea.left + fraction * plotArea.width : null;
  },
  top: () => plotArea?.top ?? 0,
});

drawChart()
  .catch((error) => {
    chartState = "failed";
    chart.dataset.state = "failed";
    chart.replaceChildren();
    showProblem(`The event timeline could not be drawn: ${error.message || error}`);
  })
  .finally(maybeReady);

// --- Controls -----------------------------------------------------------------------------------

controls.play.addEventListener("click", () => setPlaying(!state.playing));
controls.previous.addEventListener("click", () => step(-1));
controls.next.addEventListener("click", () => step(1));
controls.seek.addEventListener("input", () => seek(Number(controls.seek.value)));
controls.seek.addEventListener("change", () => announceAfterFrame());

for (const radio of controls.speeds) {
  radio.addEventListener("change", () => {
    if (radio.checked) setSpeed(Number(radio.value));
  });
}

function setSpeed(speed) {
  state.speed = speed;
  for (const radio of controls.speeds) radio.checked = Number(radio.value) === speed;
  announce(`Speed ${speed}×.`);
}

function changeSpeed(direction) {
  const speeds = controls.speeds.map((radio) => Number(radio.value));
  const index = clamp(speeds.indexOf(state.speed) + direction, 0, speeds.length - 1);
  setSpeed(speeds[index]);
}

controls.skip.addEventListener("change", () => {
  state.skipIdle = controls.skip.checked;
  controls.idle.disabled = !state.skipIdle;
});
controls.idle.addEventListener("change", () => {
  const seconds = clamp(Math.round(Number(controls.idle.value) || 5), 1, 3600);
  controls.idle.value = String(seconds);
  state.idleMs = seconds * 1000;
});

controls.copy.addEventListener("click", async () => {
  const url = momentUrl().href;
  try {
    await navigator.clipboard.writeText(url);
    announce(`Link to ${formatClock(state.current)} copied.`);
    controls.copy.textContent = "Copied";
  } catch {
    announce("The link could not be copied here: use the “Link to this moment” link instead.");
    controls.copy.textContent = "Copy failed";
  }
  setTimeout(() => {
    controls.copy.textContent = "Copy link";
  }, 2000);
});

const TYPING = 'input:not([type="range"]):not([type="radio"]):not([type="checkbox"]), textarea, select, [contenteditable=""], [contenteditable="true"]';
const ACTIVATES_ON_SPACE = 'button, a[href], summary, input[type="checkbox"], input[type="radio"]';

/** A shortcut key, pressed on `target`; false when it is not ours to handle there. */
function shortcut(key, shiftKey, target) {
  if (target.closest(TYPING)) return false;
  switch (key) {
    case " ":
      if (target.closest(ACTIVATES_ON_SPACE)) return false; // Space presses the focused button
      setPlaying(!state.playing);
      return true;
    case "k":
    case "K":
      setPlaying(!state.playing);
      return true;
    case "ArrowLeft":
    case "ArrowRight": {
      if (target.closest('input[type="radio"]')) return false; // arrows move between speeds
      const direction = key === "ArrowLeft" ? -1 : 1;
      if (shiftKey) {
        seek(state.current + direction * JUMP_MS);
        announceAfterFrame();
      } else {
        step(direction);
      }
      return true;
    }
    case "Home":
    case "End":
      seek(key === "Home" ? 0 : span, { pause: true });
      announceAfterFrame();
      return true;
    case "<":
    case ",":
      changeSpeed(-1);
      return true;
    case ">":
    case ".":
      changeSpeed(1);
      return true;
    default:
      return false;
  }
}

document.addEventListener("keydown", (event) => {
  if (!ready || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
  const target = event.target instanceof Element ? event.target : document.body;
  if (shortcut(event.key, event.shiftKey, target)) event.preventDefault();
});

// For end-to-end tests and the benchmark: the page's own view of the replay.
window.pathlensReplay = {
  get current() {
    return state.current;
  },
  get playing() {
    return state.playing;
  },
  get start() {
    return t0;
  },
  /** The absolute time (the widget's) shown at play time `offset`. */
  absolute: (offset) => clock.absolute(offset),
  sittings: clock.parts,
  events,
  seek: (offset) => seek(offset),
  indexAt,
};
