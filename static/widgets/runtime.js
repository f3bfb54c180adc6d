// The shared widget runtime: reads the page's configuration, mounts the widget's view, and either
// records (learner input becomes logged events, applied with the widget's reducer) or plays back
// (the replay page posts recorded events and times; the widget shows the state at each time).
// Contract: docs/contracts.md ("Widget modules", "Playback postMessage protocol");
// guide: docs/widgets.md ("The runtime and playback protocol").
//
// A widget's main.js is two lines:
//   import * as reducer from "./reducer.js"; import * as view from "./widget.js";
//   startWidget({ reducer, view });

import { createTimeline, sortEvents } from "./timeline.js";

const EVENT_TYPE = /^[a-z][a-z0-9_]{0,63}$/;
const PROTOCOL = "pathlens:";

/**
 * Starts the widget on the page. Resolves to a small handle (mode, current state, dispatch) that
 * end-to-end tests and the browser console can use; the page needs nothing from it.
 */
export async function startWidget({ reducer, view }) {
  const root = document.getElementById("widget-root");
  if (!root) throw new Error("startWidget: the page has no #widget-root element");

  let config;
  try {
    config = readConfig();
  } catch (error) {
    showFailure(root, "This activity could not start because its page is incomplete.", error);
    throw error;
  }
  root.dataset.mode = config.mode;
  return config.mode === "playback" ? play(root, config, reducer, view) : record(root, config, reducer, view);
}

function readConfig() {
  const element = document.getElementById("widget-config");
  if (!element) throw new Error("the page has no #widget-config element");
  const config = JSON.parse(element.textContent);
  if (!config || typeof config !== "object") throw new Error("#widget-config is not a JSON object");
  if (config.mode !== "record" && config.mode !== "playback") {
    throw new Error(`#widget-config has an unknown mode: ${JSON.stringify(config.mode)}`);
  }
  for (const key of ["widget", "session"]) {
    if (typeof config[key] !== "string" || !config[key]) throw new Error(`#widget-config lacks "${key}"`);
  }
  if (config.history != null && !Array.isArray(config.history)) {
    throw new Error('#widget-config "history" is not a list');
  }
  return config;
}

function showFailure(root, message, error) {
  console.error("Pathlens widget:", error);
  const box = document.createElement("p");
  box.className = "pl-widget-failure";
  box.setAttribute("role", "alert");
  box.textContent = message;
  root.replaceChildren(box);
}

// --- Record mode ----------------------------------------------------------------------------------

async function record(root, config, reducer, view) {
  let createLogger;
  try {
    // Loaded only when recording, so a playback page holds no code that can send events.
    // Relative to this file: /static/collector/logger.js under the default STATIC_URL.
    ({ createLogger } = await import("../collector/logger.js"));
  } catch (error) {
    showFailure(root, "This activity could not start: your work could not be saved. Please reload the page.", error);
    throw error;
  }

  // Playback orders events by their `t`, so `t` must never go backwards within a session, even if
  // the device clock does (or, on a later day, is behind the clock that stamped the history).
  let lastT = -Infinity;
  const now = () => {
    lastT = Math.max(Date.now(), lastT);
    return lastT;
  };
  const logger = createLogger({
    endpoint: config.endpoint,
    token: config.token,
    widget: config.widget,
    session: config.session,
    now,
  });

  // A resumed session continues from the fold of its earlier events, exactly as playback would
  // fold them (same sort, same reducer), so what the learner sees is what the teacher will see.
  // The server's history misses what an earlier page load of this session logged but could not
  // send yet (a reload right after an action, or offline): the logger still holds those events
  // and will send them, so they belong in the fold too.
  const known = new Set((config.history ?? []).map((event) => event.id));
  const unsent = (logger.sessionBacklog?.() ?? []).filter((event) => !known.has(event.id));
  const history = sortEvents([...(config.history ?? []), ...unsent]);
  if (history.length) lastT = Math.max(lastT, history[history.length - 1].t);
  let state = createTimeline(reducer, history).finalState;

  let ui;
  let rendered;
  const render = () => {
    if (state === rendered) return;
    rendered = state;
    ui.render(state);
  };

  function dispatch(type, data = {}) {
    if (typeof type !== "string" || !EVENT_TYPE.test(type)) {
      throw new TypeError(`dispatch: bad event type ${JSON.stringify(type)}`);
    }
    if (!data || typeof data !== "object" || Array.isArray(data)) {
      throw new TypeError(`dispatch(${type}): data must be a plain object`);
    }
    const event = logger.log(type, data);
    try {
      state = reducer.reduce(state, event);
    } catch (error) {
      // The event is logged either way; a reducer bug must not take the whole widget down.
      console.error(`Pathlens widget: reduce failed on ${type}`, error);
    }
    if (type === "session_completed") logger.flush?.();
    if (ui) render();
    return event;
  }

  ui = view.mount(root, { dispatch, mode: "record" });
  mountSaveStatus(root, logger);
  // Reopening a finished session is looking back at it, not resuming it: a session_resumed here
  // would turn a completed session back into a "resumed" one for the teacher.
  const finished = history.some((event) => event.type === "session_completed");
  if (!finished) dispatch(history.length ? "session_resumed" : "session_started", {});
  render();
  root.dataset.widgetReady = "true";

  return {
    mode: "record",
    dispatch,
    getState: () => state,
    logger,
  };
}

// A small indicator below the widget. It flips between "Saved" and "Saving…" quietly (a send that
// finishes within SAVING_DELAY_MS shows no "Saving…" at all, so it does not flicker on every
// action) and only speaks to screen readers when saving stops or starts working again.
const SAVING_DELAY_MS = 600;
const STATUS_TEXT = {
  saved: "Saved",
  saving: "Saving…",
  offline: "Offline — your work is kept and will be sent",
  unauthorized: "Not saved — please reload the page",
  rejected: "Some of your work was not accepted — please tell your teacher",
};
const STATUS_FOR_LOGGER = {
  idle: "saved",
  sending: "saving",
  retrying: "offline",
  offline: "offline",
  unauthorized: "unauthorized",
  rejected: "rejected",
};

function mountSaveStatus(root, logger) {
  if (typeof logger.onStatus !== "function") return;
  installStatusStyles();

  const indicator = document.getElementById("widget-status") ?? document.createElement("p");
  indicator.classList.add("pl-save-status");
  const dot = document.createElement("span");
  dot.className = "pl-save-status__dot";
  dot.setAttribute("aria-hidden", "true");
  const text = document.createElement("span");
  const announcer = document.createElement("span");
  announcer.className = "pl-visually-hidden";
  announcer.setAttribute("aria-live", "polite");
  indicator.replaceChildren(dot, text, announcer);
  if (!indicator.isConnected) root.after(indicator);

  let shown = null;
  let spoken = "saved";
  let savingTimer = null;
  const show = (status) => {
    if (status === shown) return;
    shown = status;
    indicator.dataset.status = status;
    text.textContent = STATUS_TEXT[status];
    // Only trouble and recovery from trouble are worth interrupting a screen-reader user for.
    const severity = status === "saving" ? spoken : status;
    if (severity !== spoken) {
      announcer.textContent = severity === "saved" ? "Your work is saved again." : STATUS_TEXT[status];
      spoken = severity;
    }
  };
  show("saved");

  logger.onStatus((loggerStatus) => {
    const status = STATUS_FOR_LOGGER[loggerStatus] ?? "saving";
    clearTimeout(savingTimer);
    if (status === "saving" && shown === "saved") {
      savingTimer = setTimeout(() => show("saving"), SAVING_DELAY_MS);
    } else {
      show(status);
    }
  });
}

function installStatusStyles() {
  if (document.getElementById("pl-runtime-styles")) return;
  const style = document.createElement("style");
  style.id = "pl-runtime-styles";
  style.textContent = `
.pl-save-status { display: flex; align-items: center; justify-content: flex-end; gap: .4rem;
  margin: .5rem 0 0; font-size: .8rem; color: #5b6878; min-height: 1.2rem; }
.pl-save-status__dot { width: .5rem; height: .5rem; border-radius: 50%; background: #1e7a46; flex: none; }
.pl-save-status[data-status="saving"] .pl-save-status__dot { background: #8a97a6; }
.pl-save-status[data-status="offline"] { color: #9a6400; }
.pl-save-status[data-status="offline"] .pl-save-status__dot { background: #f6b93b; }
.pl-save-status[data-status="unauthorized"], .pl-save-status[data-status="rejected"] { color: #b3261e; font-weight: 600; }
.pl-save-status[data-status="unauthorized"] .pl-save-status__dot,
.pl-save-status[data-status="rejected"] .pl-save-status__dot { background: #b3261e; }
.pl-visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.pl-widget-failure { padding: 1rem; border: 1px solid #f0b4ae; background: #fdeeee; color: #b3261e; border-radius: 8px; }
`;
  document.head.append(style);
}

// --- Playback mode --------------------------------------------------------------------------------

function play(root, config, reducer, view) {
  const noop = () => undefined;
  const ui = view.mount(root, { dispatch: noop, mode: "playback" });
  let timeline = createTimeline(reducer, []);
  let rendered;
  const render = (state) => {
    if (state === rendered) return; // seeks within one event gap are free
    rendered = state;
    ui.render(state);
  };
  render(timeline.finalState);

  const reply = (message) => window.parent.postMessage(message, location.origin);

  window.addEventListener("message", (event) => {
    // Same origin, and only from the replay page that embeds us.
    if (event.origin !== location.origin || event.source !== window.parent) return;
    const message = event.data;
    if (!message || typeof message !== "object" || typeof message.type !== "string") return;
    if (!message.type.startsWith(PROTOCOL)) return;

    if (message.type === "pathlens:load") {
      if (!Array.isArray(message.events)) {
        reply({ type: "pathlens:error", message: "load: events must be a list" });
        return;
      }
      try {
        timeline = createTimeline(reducer, message.events);
      } catch (error) {
        console.error("Pathlens widget: could not fold the recorded events", error);
        timeline = createTimeline(reducer, []);
        reply({ type: "pathlens:error", message: `load: ${error.message}` });
        return;
      }
      render(timeline.stateAtIndex(-1));
      reply({ type: "pathlens:ready", count: timeline.count, start: timeline.start, end: timeline.end });
    } else if (message.type === "pathlens:seek") {
      const t = Number(message.t);
      const index = timeline.indexAt(t);
      render(timeline.stateAtIndex(index));
      reply({ type: "pathlens:shown", t: message.t, index });
    }
  });

  root.dataset.widgetReady = "true";
  if (window.parent !== window) reply({ type: "pathlens:hello" });

  return {
    mode: "playback",
    dispatch: noop,
    getState: () => rendered,
    get timeline() {
      return timeline;
    },
  };
}
