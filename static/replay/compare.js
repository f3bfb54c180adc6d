// The compare view: two sessions of one widget side by side on one clock (play time: time since
// each session's start, the gaps between sittings cut), one control bar, both timelines. A seek
// anywhere (the seek bar, a click on either timeline) moves both; a session shorter than the
// moment shows its end. Built from the replay's pure modules (sessiontime.js, timeindex.js,
// thinning.js, eventtext.js). docs/replay.md, "Compare two sessions".

/* global Plotly */

import { formatClock } from "../js/format.js";
import { sortEvents } from "../widgets/timeline.js";
import { hoverText } from "./eventtext.js";
import { createSessionTime } from "./sessiontime.js";
import { thinRow } from "./thinning.js";
import { alignByItem, clamp, indexAt, itemAnchors } from "./timeindex.js";

const ORIGIN = location.origin;
const root = document.getElementById("compare");
const data = JSON.parse(document.getElementById("compare-data").textContent);
const play = document.getElementById("compare-play");
const bar = document.getElementById("compare-seek");
const clockOut = document.getElementById("compare-clock");
const DTYPES = { i4: Int32Array, u2: Uint16Array, f8: Float64Array };

function decode(spec) {
  const binary = atob(spec.bdata);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return new DTYPES[spec.dtype](bytes.buffer);
}

const panes = data.panes.map((pane, number) => {
  const element = document.querySelector(`.compare-pane[data-pane="${number}"]`);
  const events = sortEvents(pane.events.map((event) => ({ ...event, widget: data.widget, session: `compare-${number}` })));
  const clock = createSessionTime(pane.sittings);
  return {
    number,
    element,
    events,
    clock,
    words: pane.words,
    labels: pane.labels,
    figure: pane.figure,
    offsets: Float64Array.from(events, (event) => clock.play(event.t)),
    frame: element.querySelector("iframe"),
    chart: element.querySelector(".compare-chart"),
    playhead: element.querySelector(".compare-playhead"),
    now: element.querySelector(".compare-pane__event"),
    widget: "waiting", // waiting | ready | failed | absent
    document: null,
    plot: null,
    shownIndex: NaN,
  };
});
const span = Math.max(...panes.map((pane) => pane.clock.length));
// The clock is the first session's time ("lead"); in "item" mode the second follows it item by
// item (timeindex.js alignByItem), otherwise both read the same time since start.
const state = { current: 0, playing: false, speed: 1, last: null, align: "time" };
const [itemType, itemKey] = data.itemStart ?? [];
for (const pane of panes) {
  pane.anchors = itemAnchors(pane.events, pane.offsets, (event) =>
    event.type === itemType && event.data && event.data[itemKey] !== undefined ? String(event.data[itemKey]) : undefined,
  );
}

/** The moment pane `pane` shows while the clock reads `current`. */
function localTime(pane, current) {
  const at = state.align === "item" && pane.number > 0 ? alignByItem(panes[0].anchors, pane.anchors, current) : current;
  return Math.min(at, pane.clock.length);
}

/** The clock reading at which pane `pane` shows its moment `offset` (a click on its timeline). */
function clockFor(pane, offset) {
  return state.align === "item" && pane.number > 0 ? alignByItem(pane.anchors, panes[0].anchors, offset) : offset;
}
let frameRequested = false;

// --- The widgets -------------------------------------------------------------------------------

for (const pane of panes) {
  if (!pane.frame) pane.widget = "absent";
}

function load(pane) {
  const doc = pane.frame.contentDocument;
  if (doc && doc === pane.document) return;
  pane.document = doc;
  pane.frame.contentWindow.postMessage({ type: "pathlens:load", events: pane.events }, ORIGIN);
}

window.addEventListener("message", (event) => {
  if (event.origin !== ORIGIN) return;
  const pane = panes.find((candidate) => candidate.frame && event.source === candidate.frame.contentWindow);
  const message = event.data;
  if (!pane || !message || typeof message.type !== "string") return;
  if (message.type === "pathlens:hello") load(pane);
  else if (message.type === "pathlens:ready") {
    pane.widget = "ready";
    pane.frame.contentWindow.postMessage({ type: "replay:measure" }, ORIGIN);
    seekWidget(pane, true);
    maybeReady();
  } else if (message.type === "pathlens:shown") {
    pane.frame.dataset.shownT = String(message.t);
    pane.frame.dataset.shownIndex = String(message.index);
  } else if (message.type === "pathlens:error") {
    pane.widget = "failed";
    pane.now.textContent = `The widget could not replay this session (${message.message}).`;
    maybeReady();
  } else if (message.type === "replay:size" && Number.isFinite(message.height)) {
    pane.frame.style.height = `${clamp(Math.ceil(message.height), 320, 1600)}px`;
  }
});

for (const pane of panes) {
  if (!pane.frame) continue;
  if (pane.frame.contentDocument?.querySelector("#widget-root[data-widget-ready]")) load(pane);
  pane.frame.addEventListener("load", () => {
    if (pane.frame.contentDocument?.querySelector("#widget-root[data-widget-ready]")) load(pane);
  });
}

function seekWidget(pane, force = false) {
  if (pane.widget !== "ready") return;
  const t = pane.clock.absolute(localTime(pane, state.current));
  if (!force && pane.frame.dataset.seekT === String(t)) return;
  pane.frame.dataset.seekT = String(t);
  pane.frame.contentWindow.postMessage({ type: "pathlens:seek", t }, ORIGIN);
}

// --- The timelines -----------------------------------------------------------------------------

async function draw(pane) {
  const { layout } = pane.figure;
  const unit = layout.meta?.unit ?? 1000;
  const width = Math.max(100, pane.chart.clientWidth - layout.margin.l - layout.margin.r);
  const [from, to] = layout.xaxis.range;
  const traces = pane.figure.data.map((trace, row) => {
    const indices = decode(trace.customdata);
    const { kept, extra, last } = thinRow(pane.offsets, indices, { from, to, width, unit });
    return {
      ...trace,
      x: Float64Array.from(kept, (index) => pane.offsets[index] / unit),
      y: new Float32Array(kept.length).fill(row),
      customdata: Int32Array.from(kept),
      text: kept.map((index, k) => hoverText({
        words: pane.words[index] ?? pane.events[index].type,
        label: pane.labels[pane.events[index].type] ?? pane.events[index].type,
        offset: pane.offsets[index],
        sitting: pane.clock.parts.length > 1 ? pane.clock.partAt(pane.offsets[index]).number : 0,
        index,
        count: pane.events.length,
        alsoHere: extra[k],
        withinMs: pane.offsets[last[k]] - pane.offsets[index],
      })),
    };
  });
  // The same span on both (the longer session's), so one moment is at the same place on both.
  const pad = Math.max((span / unit) * 0.02, unit === 1000 ? 0.5 : 0.05);
  const common = { ...layout, autosize: true, xaxis: { ...layout.xaxis, range: [-pad, span / unit + pad] } };
  await Plotly.newPlot(pane.chart, traces, common, { responsive: true, displayModeBar: false });
  const measure = () => {
    const full = pane.chart._fullLayout;
    pane.plot = { left: full._size.l, width: full._size.w, from: full.xaxis.range[0], to: full.xaxis.range[1], unit };
    pane.playhead.style.top = `${full._size.t}px`;
    pane.playhead.style.height = `${full._size.h}px`;
    movePlayhead(pane);
  };
  pane.chart.on("plotly_afterplot", measure);
  pane.chart.on("plotly_relayout", measure);
  pane.chart.on("plotly_click", (click) => {
    const point = click.points?.[0];
    if (!point || !Number.isInteger(point.customdata)) return;
    seek(clockFor(pane, pane.offsets[point.customdata]), true);
  });
  measure();
  pane.chart.dataset.state = "drawn";
}

function movePlayhead(pane) {
  if (!pane.plot) return;
  const { left, width, from, to, unit } = pane.plot;
  const at = localTime(pane, state.current);
  const fraction = (at / unit - from) / (to - from);
  pane.playhead.hidden = !(fraction >= 0 && fraction <= 1);
  pane.playhead.style.transform = `translateX(${(left + fraction * width).toFixed(1)}px)`;
  pane.playhead.dataset.at = String(at);
}

// --- The one clock ------------------------------------------------------------------------------

function render() {
  const current = state.current;
  root.dataset.current = String(current);
  bar.value = String(current);
  clockOut.textContent = `${formatClock(current)} / ${formatClock(span)}`;
  for (const pane of panes) {
    const local = localTime(pane, current);
    const index = indexAt(pane.offsets, local);
    pane.element.dataset.current = String(local);
    pane.element.dataset.t = String(pane.clock.absolute(local));
    pane.element.dataset.index = String(index);
    if (index !== pane.shownIndex) {
      pane.shownIndex = index;
      pane.now.textContent = index < 0 ? "Before the first event" : `${formatClock(pane.offsets[index])} · ${pane.words[index] ?? pane.events[index].type}`;
    }
    seekWidget(pane);
    movePlayhead(pane);
  }
}

function schedule() {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame((timestamp) => {
    frameRequested = false;
    if (state.playing) {
      if (state.last !== null) state.current += (timestamp - state.last) * state.speed;
      state.last = timestamp;
      if (state.current >= span) {
        state.current = span;
        setPlaying(false);
      }
    }
    render();
    if (state.playing) schedule();
  });
}

function setPlaying(playing) {
  if (playing && state.current >= span) state.current = 0;
  state.playing = playing && span > 0;
  state.last = null;
  root.dataset.playing = String(state.playing);
  play.querySelector(".replay-play__label").textContent = state.playing ? "Pause" : "Play";
  if (state.playing) schedule();
}

function seek(offset, pause = false) {
  if (pause) setPlaying(false);
  state.current = clamp(offset, 0, span);
  render();
}

play.addEventListener("click", () => setPlaying(!state.playing));
bar.addEventListener("input", () => seek(Number(bar.value)));
for (const radio of document.querySelectorAll('input[name="align"]')) {
  radio.addEventListener("change", () => {
    if (!radio.checked) return;
    state.align = radio.value;
    root.dataset.align = radio.value;
    render();
  });
}
for (const radio of document.querySelectorAll('input[name="speed"]')) {
  radio.addEventListener("change", () => {
    if (radio.checked) state.speed = Number(radio.value);
  });
}

let ready = false;
let drawn = 0;
function maybeReady() {
  if (ready || drawn < panes.length || panes.some((pane) => pane.widget === "waiting")) return;
  ready = true;
  play.disabled = span <= 0;
  bar.disabled = span <= 0;
  render();
  root.dataset.state = "ready";
  root.dataset.readyMs = String(Math.round(performance.now()));
}

// For tests and the benchmark.
window.pathlensCompare = { seek: (offset) => seek(offset, true), get current() { return state.current; }, span };

function whenPlotly() {
  if (typeof Plotly !== "undefined") return Promise.resolve();
  return new Promise((resolve) => window.addEventListener("load", resolve, { once: true }));
}

whenPlotly()
  .then(() => Promise.all(panes.map((pane) => draw(pane).then(() => { drawn += 1; }))))
  .catch((error) => {
    for (const pane of panes) pane.now.textContent = `The timeline could not be drawn: ${error.message || error}`;
    drawn = panes.length;
  })
  .finally(maybeReady);
