// The learning-path explorer: draws the figure that projects/charts.py built, and keeps it in
// step with the paths panel that htmx swaps in (#explorer-panel, with its #path-data).
//
// Data: the chart's data-figure-url (every session: the figure, which stored session each mark
// is, which learner), preloaded from <head> so it downloads while plotly.js loads, and the
// panel's #path-data (the compared paths: traces, labels, session ids). Numbers are typed arrays
// ({dtype, bdata}); plotly.js decodes those in figures itself, and decode() reads ours.

/* global Plotly */

import { formatDuration, plural } from "../js/format.js";

const DTYPES = {
  i1: Int8Array, u1: Uint8Array, i2: Int16Array, u2: Uint16Array,
  i4: Int32Array, u4: Uint32Array, f4: Float32Array, f8: Float64Array,
};

function decode(spec) {
  const binary = atob(spec.bdata);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return new DTYPES[spec.dtype](bytes.buffer);
}

// customdata rows: active ms, events, score % (NaN: no answer given), sittings.
function measureLines(custom) {
  const lines = [];
  for (let i = 0; i + 3 < custom.length; i += 4) {
    const [active, events, score, sittings] = custom.subarray(i, i + 4);
    const parts = [`${formatDuration(active)} active`];
    if (sittings > 1) parts.push(plural(sittings, "sitting"));
    parts.push(plural(events, "event"));
    const scoreText = Number.isNaN(score) ? "No answer given" : `Score ${Math.round(score)} %`;
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

async function start() {
  // The same mode and credentials as the <link rel="preload">, so the preloaded answer is used.
  const response = await fetch(chart.dataset.figureUrl, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`the server answered ${response.status}`);
  const base = await response.json();
  const useGl = webglAvailable();
  const sessionUrl = (id) => base.sessionUrl.replace(/0\/$/, `${id}/`);
  const points = base.points.map((p) => ({ ids: decode(p.ids), learners: decode(p.learners) }));
  const learnerIds = decode(base.learnerIds);
  const sessionTraces = base.figure.data.map((trace, i) => ({
    ...trace,
    type: useGl ? trace.type : "scatter",
    text: Array.from(points[i].learners, (index) => base.labels[index]),
    hovertext: measureLines(decode(trace.customdata)),
  }));

  performance.mark("explorer:decoded");
  let pathsText = pathsJson();
  let paths = JSON.parse(pathsText);
  const labelled = new Set(); // learner ids (strings) whose paths show their labels
  let annotationUrls = [];

  const config = {
    responsive: true,
    displaylogo: false,
    scrollZoom: false,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
    toImageButtonOptions: { filename: "learning-paths" },
  };

  function annotations() {
    const list = [];
    annotationUrls = [];
    for (const learner of labelled) {
      const labels = paths.annotations[learner] || [];
      labels.forEach((label, i) => {
        list.push(label);
        annotationUrls.push(sessionUrl(paths.sessions[learner][i]));
      });
    }
    return list;
  }

  function pathTraces() {
    return paths.traces.map((trace) => ({ ...trace, type: useGl ? trace.type : "scatter" }));
  }

  async function draw() {
    const layout = { ...base.figure.layout, annotations: annotations() };
    await Plotly.react(chart, [...sessionTraces, ...pathTraces()], layout, config);
    syncButtons();
  }

  function syncButtons() {
    for (const button of document.querySelectorAll("[data-path-labels]")) {
      button.hidden = false;
      button.setAttribute("aria-pressed", labelled.has(button.dataset.pathLabels) ? "true" : "false");
    }
  }

  function toggleLabels(learner) {
    const key = String(learner);
    if (!paths.annotations[key]) return;
    if (labelled.has(key)) labelled.delete(key);
    else labelled.add(key);
    Plotly.relayout(chart, { annotations: annotations() });
    syncButtons();
  }

  await draw();
  performance.mark("explorer:drawn");
  chart.dataset.state = "drawn";
  chart.dataset.drawnMs = String(Math.round(performance.now()));

  chart.on("plotly_click", (event) => {
    const point = event.points && event.points[0];
    if (!point) return;
    const meta = point.data.meta || {};
    if (meta.kind === "path") {
      toggleLabels(meta.learner);
      return;
    }
    if (meta.kind !== "sessions") return;
    const { ids, learners } = points[point.curveNumber] || {};
    if (!ids) return;
    // A mark on a compared path toggles that path's labels; any other mark opens its session.
    const learner = String(learnerIds[learners[point.pointIndex]]);
    if (paths.annotations[learner]) toggleLabels(learner);
    else window.location.assign(sessionUrl(ids[point.pointIndex]));
  });

  chart.on("plotly_clickannotation", (event) => {
    const url = annotationUrls[event.index];
    if (url) window.location.assign(url);
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-path-labels]");
    if (button) toggleLabels(button.dataset.pathLabels);
  });

  // The panel was swapped (paths added or removed, table sorted): redraw the paths if changed.
  document.body.addEventListener("htmx:afterSettle", () => {
    const text = pathsJson();
    if (text === undefined || text === pathsText) {
      syncButtons();
      return;
    }
    pathsText = text;
    paths = JSON.parse(text);
    for (const learner of [...labelled]) if (!paths.annotations[learner]) labelled.delete(learner);
    draw();
  });
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
