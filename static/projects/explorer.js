// The learning-path explorer: draws the figure that projects/charts.py built, and keeps it in
// step with the paths panel that htmx swaps in (#explorer-panel, with its #path-data).
//
// Data: the chart's data-figure-url (every session: the figure, which stored session each mark
// is, which learner), preloaded from <head> so it downloads while plotly.js loads, and the
// panel's #path-data (the compared paths: traces, labels, session ids). Numbers are typed arrays
// ({dtype, bdata}); plotly.js decodes those in figures itself, and ../js/typedarrays.js ours.

/* global Plotly */

import { formatDuration, plural } from "../js/format.js";
import { decode } from "../js/typedarrays.js";

// customdata rows: active ms, events, score % (NaN: no answer given), sittings. An attempt at
// another activity (xAPI content) counts statements instead of events, and has a best score.
function measureLines(custom, attempts) {
  const lines = [];
  for (let i = 0; i + 3 < custom.length; i += 4) {
    const [active, events, score, sittings] = custom.subarray(i, i + 4);
    const parts = [`${formatDuration(active)} active`];
    if (sittings > 1) parts.push(plural(sittings, "sitting"));
    parts.push(plural(events, attempts ? "statement" : "event"));
    const scoreText = attempts
      ? (Number.isNaN(score) ? "No score reported" : `Best score ${Math.round(score)} %`)
      : (Number.isNaN(score) ? "No answer given" : `Score ${Math.round(score)} %`);
    lines.push(`${parts.join(" · ")}<br>${scoreText}`);
  }
  return lines;
}

// The paths travel in an attribute: htmx drops <script> elements from the fragments it swaps.
function pathsJson() {
  return document.getElementById("path-data")?.dataset.paths;
}

function webglAvailable() {
  try {
    const canvas = document.createElement("canvas");
    return Boolean(canvas.getContext("webgl2") || canvas.getContext("webgl"));
  } catch {
    return false;
  }
}

// What the explorer shows now: the figure's data (`view`, from loadBase), the compared paths, the
// x axis, and which paths the teacher labelled or brought forward. Shared by the functions below.
const shown = {
  view: null,
  figureUrl: null,
  pathsText: null,
  paths: null,
  mode: "time",
  labelled: new Set(), // learner ids (strings) whose paths show their labels
  highlighted: null, // learner id (string) whose path is brought forward
};

const CONFIG = {
  responsive: true,
  displaylogo: false,
  scrollZoom: false,
  modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toImage"],
};

// Marks for the benchmark (benchmarks/explore.py) and the browser's performance panel.
performance.mark("explorer:start");
const chart = document.getElementById("path-chart");
const problem = document.getElementById("chart-problem");

if (chart && chart.dataset.figureUrl && typeof Plotly !== "undefined") {
  start().catch((error) => {
    chart.dataset.state = "failed";
    problem.hidden = false;
    problem.textContent = `The chart could not be drawn: ${error.message || error}`;
  });
} else if (chart) {
  chart.dataset.state = "failed";
  if (problem) {
    problem.hidden = false;
    problem.textContent = "The chart could not be drawn: its script did not load. Reload the page.";
  }
}

async function loadBase(url) {
  // The same mode and credentials as the <link rel="preload">, so the preloaded answer is used.
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`the server answered ${response.status}`);
  const base = await response.json();
  const useGl = webglAvailable() && base.figure.data.reduce((n, t) => n + t.x.bdata.length, 0) > GL_ABOVE;
  const points = base.points.map((p) => ({
    ids: decode(p.ids), learners: decode(p.learners), steps: decode(p.steps),
  }));
  const traces = base.figure.data.map((trace, i) => ({
    ...trace,
    type: useGl ? trace.type : "scatter",
    text: Array.from(points[i].learners, (index) => base.labels[index]),
    hovertext: measureLines(decode(trace.customdata), trace.meta.kind === "attempts"),
    timeX: trace.x,
    stepX: Array.from(points[i].steps),
  }));
  return { base, useGl, points, traces, learnerIds: decode(base.learnerIds) };
}

// Above this many base64 characters of x values (about 10,000 sessions) the marks go to WebGL;
// below, SVG draws them as fast and crisper, and hover dims paths without a redraw.
const GL_ABOVE = 110_000;
const DIMMED = 0.12;

async function start() {
  shown.view = await loadBase(chart.dataset.figureUrl);
  shown.figureUrl = chart.dataset.figureUrl;
  performance.mark("explorer:decoded");
  shown.pathsText = pathsJson();
  shown.paths = JSON.parse(shown.pathsText);
  shown.mode = document.getElementById("path-data")?.dataset.x || "time";

  await draw();
  applyMode();
  performance.mark("explorer:drawn");
  chart.dataset.state = "drawn";
  chart.dataset.drawnMs = String(Math.round(performance.now()));
  listenToTheChart();
  listenToThePage();
}

// A session's replay, or, for "a<id>" (an attempt at another activity), its statement timeline.
function sessionUrl(id) {
  const { sessionUrl: session, attemptUrl: attempt } = shown.view.base;
  if (typeof id === "string" && id.startsWith("a")) return attempt.replace(/0\/$/, `${id.slice(1)}/`);
  return session.replace(/0\/$/, `${id}/`);
}

// A label's name says whose and which session it is: path-<learner>-<index>.
function annotations() {
  const list = [];
  for (const learner of shown.labelled) {
    (shown.paths.annotations[learner] || []).forEach((label, i) => {
      list.push(shown.mode === "sequence" ? { ...label, x: i + 1 } : label);
    });
  }
  return list;
}

function sessionTraces() {
  return shown.view.traces.map(({ timeX, stepX, ...trace }) => ({
    ...trace,
    x: shown.mode === "sequence" ? stepX : timeX,
  }));
}

function pathTraces() {
  const { highlighted } = shown;
  return shown.paths.traces.map((trace) => {
    const key = String(trace.meta.learner);
    const dim = highlighted && highlighted !== key;
    const n = trace.text.length;
    return {
      ...trace,
      type: shown.view.useGl ? trace.type : "scatter",
      x: shown.mode === "sequence" ? Array.from({ length: n }, (_, i) => i + 1) : trace.x,
      opacity: dim ? DIMMED : 1,
      line: { ...trace.line, width: highlighted === key ? 4 : trace.line.width },
    };
  });
}

// On a narrow screen (a phone) the widget names go inside their bands instead of beside the
// plot, and the score's colour bar is left out (the help text says what grey means), so the
// plot keeps the whole width.
function layout() {
  const base = shown.view.base.figure.layout;
  const mode = shown.mode;
  const narrow = chart.clientWidth < 600;
  const xaxis = mode === "sequence"
    ? { ...base.xaxis, type: "linear", title: { text: narrow ? "" : "Session number, in each learner's order" }, dtick: 1, rangemode: "tozero" }
    : base.xaxis;
  const bands = narrow
    ? base.yaxis.ticktext.map((title, i) => ({
        xref: "paper", x: 0, y: i - 0.5, yanchor: "top", xanchor: "left", showarrow: false,
        text: title, font: { size: 11, color: "#4a5561" }, bgcolor: "rgba(255,255,255,0.8)",
      }))
    : [];
  return {
    ...base,
    xaxis: { ...xaxis, uirevision: mode },
    yaxis: { ...base.yaxis, showticklabels: !narrow },
    coloraxis: { ...base.coloraxis, showscale: !narrow },
    annotations: [...bands, ...annotations()],
    legend: { orientation: "h", x: 0, y: narrow ? -0.08 : -0.12, yanchor: "top", title: { text: "Paths: " } },
    margin: narrow ? { l: 4, r: 4, t: 8, b: 70 } : { ...base.margin, b: 80 },
  };
}

async function draw() {
  await Plotly.react(chart, [...sessionTraces(), ...pathTraces()], layout(), CONFIG);
  bindLegend();
  syncButtons();
}

function syncButtons() {
  for (const button of document.querySelectorAll("[data-path-labels]")) {
    button.hidden = false;
    button.setAttribute("aria-pressed", shown.labelled.has(button.dataset.pathLabels) ? "true" : "false");
  }
  for (const button of document.querySelectorAll("button[data-export]")) button.hidden = false;
}

// Keeps the page where it is: plotly's relayout can change the chart's height for a moment,
// and the browser then scrolls to keep the focused button in view.
async function steady(change) {
  const { scrollX, scrollY } = window;
  await change();
  if (window.scrollY !== scrollY || window.scrollX !== scrollX) window.scrollTo(scrollX, scrollY);
}

async function toggleLabels(learner) {
  const key = String(learner);
  const labelled = shown.labelled;
  if (!shown.paths.annotations[key]) return;
  if (labelled.has(key)) labelled.delete(key);
  else labelled.add(key);
  await steady(() => Plotly.relayout(chart, { annotations: layout().annotations }));
  syncButtons();
  chart.dataset.labelled = [...labelled].join(",");
}

// Hovering a path (on the chart, in the legend or its card) brings it forward, dims the rest.
async function highlight(learner) {
  const key = learner === null ? null : String(learner);
  const paths = shown.paths;
  if (key === shown.highlighted || (key && !paths.annotations[key])) return;
  shown.highlighted = key;
  const count = shown.view.traces.length;
  const opacity = paths.traces.map((t) => (key && String(t.meta.learner) !== key ? DIMMED : 1));
  const width = paths.traces.map((t) => (String(t.meta.learner) === key ? 4 : t.line.width));
  const indices = paths.traces.map((_, i) => count + i);
  await Plotly.restyle(chart, { opacity, "line.width": width }, indices);
  chart.dataset.highlighted = key || "";
}

function bindLegend() {
  chart.querySelectorAll(".legend .traces").forEach((item) => {
    const trace = item.__data__ && item.__data__[0] && item.__data__[0].trace;
    if (!trace || !trace.meta || trace.meta.kind !== "path") return;
    item.onmouseenter = () => highlight(trace.meta.learner);
    item.onmouseleave = () => highlight(null);
  });
}

function applyMode() {
  chart.dataset.x = shown.mode;
}

function listenToTheChart() {
  chart.on("plotly_hover", (event) => {
    const point = event.points && event.points[0];
    const meta = point && point.data.meta;
    if (meta && meta.kind === "path") highlight(meta.learner);
  });
  chart.on("plotly_unhover", () => highlight(null));
  chart.on("plotly_click", onChartClick);
  chart.on("plotly_clickannotation", (event) => {
    const match = /^path-(\d+)-(\d+)$/.exec(event.annotation && event.annotation.name);
    if (!match) return;
    const id = (shown.paths.sessions[match[1]] || [])[Number(match[2])];
    if (id !== undefined) window.location.assign(sessionUrl(id));
  });
}

function onChartClick(event) {
  // A click on a label belongs to the label (plotly_clickannotation), never to a mark under it.
  const target = event.event && event.event.target;
  if (target && target.closest && target.closest(".annotation")) return;
  const point = event.points && event.points[0];
  if (!point) return;
  const meta = point.data.meta || {};
  if (meta.kind === "path") {
    toggleLabels(meta.learner);
    return;
  }
  if (meta.kind !== "sessions" && meta.kind !== "attempts") return;
  const { ids, learners } = shown.view.points[point.curveNumber] || {};
  if (!ids) return;
  // A mark on a compared path toggles that path's labels; any other mark opens its session.
  const learner = String(shown.view.learnerIds[learners[point.pointIndex]]);
  const id = meta.kind === "attempts" ? `a${ids[point.pointIndex]}` : ids[point.pointIndex];
  if (shown.paths.annotations[learner]) toggleLabels(learner);
  else window.location.assign(sessionUrl(id));
}

function listenToThePage() {
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-path-labels]");
    if (button) {
      event.preventDefault();
      toggleLabels(button.dataset.pathLabels);
      return;
    }
    const exporter = event.target.closest("button[data-export]");
    if (exporter) {
      const format = exporter.dataset.export;
      Plotly.downloadImage(chart, { format, filename: "learning-paths", scale: format === "png" ? 2 : 1 });
    }
  });
  document.addEventListener("mouseover", (event) => {
    const card = event.target.closest && event.target.closest(".path-card[data-path]");
    if (card) highlight(card.dataset.path);
  });
  document.addEventListener("mouseout", (event) => {
    const card = event.target.closest && event.target.closest(".path-card[data-path]");
    if (card && !card.contains(event.relatedTarget)) highlight(null);
  });
  document.body.addEventListener("htmx:afterSettle", onPanelSwapped);
}

// The panel was swapped (paths added or removed, filters, layout): redraw what changed.
async function onPanelSwapped() {
  const data = document.getElementById("path-data");
  if (!data) return;
  const text = data.dataset.paths;
  const newUrl = data.dataset.figureUrl;
  const newMode = data.dataset.x || "time";
  if (text === shown.pathsText && newUrl === shown.figureUrl && newMode === shown.mode) {
    syncButtons();
    return;
  }
  chart.dataset.state = "drawing";
  if (newUrl && newUrl !== shown.figureUrl) {
    shown.view = await loadBase(newUrl);
    shown.figureUrl = newUrl;
  }
  shown.pathsText = text;
  shown.paths = JSON.parse(text);
  shown.mode = newMode;
  for (const learner of [...shown.labelled]) if (!shown.paths.annotations[learner]) shown.labelled.delete(learner);
  if (shown.highlighted && !shown.paths.annotations[shown.highlighted]) shown.highlighted = null;
  await steady(draw);
  applyMode();
  chart.dataset.state = "drawn";
  chart.dataset.redrawnMs = String(Math.round(performance.now()));
}

// A refused filter (400) says why, next to the search, instead of silently doing nothing.
document.body.addEventListener("htmx:responseError", (event) => {
  const target = document.getElementById("explore-problems");
  if (!target || event.detail.xhr.status >= 500) return;
  const parsed = new DOMParser().parseFromString(event.detail.xhr.responseText, "text/html");
  target.replaceChildren(...parsed.body.childNodes);
});
document.body.addEventListener("htmx:afterSettle", () => {
  const target = document.getElementById("explore-problems");
  if (target) target.replaceChildren();
});
