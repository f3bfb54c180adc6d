// The browser logger (static/collector/logger.js) against a fake ingestion server, a fake clock,
// fake storage and a fake window: batching, retries, rejections, reloads, leaving the page.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createLogger } from "../../static/collector/logger.js";

const T0 = 1_767_225_600_000; // 2026-01-01, inside the server's accepted epoch range
const ENDPOINT = "/api/v1/events";
const KEY = "pathlens:outbox:BLL002:s1";
const KEEPALIVE_LIMIT = 64 * 1024;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// Lets every promise chain that is ready run (fetch answers, then the logger's reaction to them).
const settle = () => new Promise((resolve) => setImmediate(resolve));

// setTimeout/clearTimeout/now on a clock that only moves when the test says so.
function createClock() {
  let time = T0;
  let nextId = 1;
  const timers = new Map();
  return {
    now: () => time,
    setTimeout: (callback, ms = 0) => {
      const id = nextId++;
      timers.set(id, { at: time + Math.max(0, ms), callback });
      return id;
    },
    clearTimeout: (id) => timers.delete(id),
    timerCount: () => timers.size,
    async advance(ms) {
      const end = time + ms;
      for (;;) {
        await settle();
        let due = null;
        for (const [id, timer] of timers) {
          if (timer.at <= end && (!due || timer.at < due.timer.at)) due = { id, timer };
        }
        if (!due) break;
        timers.delete(due.id);
        time = due.timer.at;
        due.timer.callback();
      }
      time = end;
      await settle();
    },
  };
}

function response(status, body = "", headers = {}) {
  return { status, ok: status >= 200 && status < 300, headers: new Headers(headers), text: async () => body };
}

// The ingestion API: records every request; stores events by id, as the real one does, so a
// resent event counts as a duplicate rather than a second event. Each request is answered by the
// next scripted behaviour, or by `server.behaviour` when the script is empty:
//   "accept" | "network" (fetch rejects) | "hold" (answer later via request.answer(...)) |
//   "hold-accepted" (stored now, answer held) | {status, body, headers}
function createServer(clock) {
  const server = {
    requests: [],
    stored: new Map(), // id -> {event, token}
    duplicates: 0,
    script: [],
    behaviour: "accept",
    then(...behaviours) {
      server.script.push(...behaviours);
    },
    store(request) {
      let accepted = 0;
      for (const event of request.events) {
        if (server.stored.has(event.id)) server.duplicates += 1;
        else {
          server.stored.set(event.id, { event, token: request.token });
          accepted += 1;
        }
      }
      return response(202, JSON.stringify({ accepted, duplicates: request.events.length - accepted }));
    },
    storedIds: () => [...server.stored.keys()],
    fetch: async (url, init) => {
      const body = JSON.parse(init.body);
      const request = {
        url,
        init,
        body,
        events: body.events,
        ids: body.events.map((event) => event.id),
        token: init.headers.Authorization.replace(/^Bearer /, ""),
        keepalive: init.keepalive === true,
        bytes: Buffer.byteLength(init.body),
        at: clock.now(),
      };
      server.requests.push(request);
      const behaviour = server.script.length ? server.script.shift() : server.behaviour;
      if (behaviour === "accept") return server.store(request);
      if (behaviour === "network") throw new TypeError("Failed to fetch");
      if (behaviour === "hold" || behaviour === "hold-accepted") {
        const stored = behaviour === "hold-accepted" ? server.store(request) : null;
        return new Promise((resolve, reject) => {
          request.answer = (answer = "accept") => {
            if (answer === "network") reject(new TypeError("Failed to fetch"));
            else if (answer === "accept") resolve(stored ?? server.store(request));
            else resolve(response(answer.status, answer.body, answer.headers));
          };
        });
      }
      return response(behaviour.status, behaviour.body ?? "", behaviour.headers ?? {});
    },
  };
  return server;
}

// localStorage's interface over a Map, so a test can look inside and "reload" onto it.
function createStorage() {
  const map = new Map();
  return {
    map,
    get length() {
      return map.size;
    },
    key: (index) => [...map.keys()][index] ?? null,
    getItem: (key) => (map.has(key) ? map.get(key) : null),
    setItem: (key, value) => map.set(key, String(value)),
    removeItem: (key) => map.delete(key),
    outbox: (key = KEY) => (map.has(key) ? JSON.parse(map.get(key)) : null),
  };
}

function createWindow() {
  const handlers = new Map();
  return {
    addEventListener: (type, handler) => handlers.set(type, [...(handlers.get(type) ?? []), handler]),
    removeEventListener: (type, handler) =>
      handlers.set(type, (handlers.get(type) ?? []).filter((known) => known !== handler)),
    dispatch: (type, event = { type }) => (handlers.get(type) ?? []).forEach((handler) => handler(event)),
    listenerCount: () => [...handlers.values()].reduce((sum, list) => sum + list.length, 0),
  };
}

function setUp({ random = () => 0.5 } = {}) {
  const clock = createClock();
  const env = {
    clock,
    server: createServer(clock),
    storage: createStorage(),
    window: createWindow(),
    random,
    statuses: [],
  };
  env.open = (overrides = {}) => {
    const logger = createLogger({
      endpoint: ENDPOINT,
      token: "token-a",
      widget: "BLL002",
      session: "s1",
      fetch: env.server.fetch,
      storage: env.storage,
      now: clock.now,
      random: () => env.random(),
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
      addEventListener: env.window.addEventListener,
      removeEventListener: env.window.removeEventListener,
      ...overrides,
    });
    logger.onStatus((status) => env.statuses.push(status));
    return logger;
  };
  return env;
}

const logMany = (logger, count, data = (i) => ({ i })) =>
  Array.from({ length: count }, (_, i) => logger.log("step", data(i)));
const idsOf = (events) => events.map((event) => event.id);
const sentIds = (server) => server.requests.flatMap((request) => request.ids);
// Runs the fake clock until `promise` settles, as the browser's own clock would.
async function finish(env, promise, limitMs = 600_000) {
  let done = false;
  const settled = promise.then(() => (done = true));
  for (let waited = 0; !done && waited < limitMs; waited += 100) await env.clock.advance(100);
  assert.ok(done, `still pending after ${limitMs} ms`);
  return settled;
}

const warnings = (t) => t.mock.method(console, "warn", () => {}).mock;

// --- Events ------------------------------------------------------------------------------------------

test("it returns and queues an event with a fresh id, the session, widget, type, time and data", () => {
  const env = setUp();
  const logger = env.open();
  const data = { weight: 3, where: { x: 1 } };
  const event = logger.log("weight_placed", data);
  assert.match(event.id, UUID_V4);
  assert.deepEqual(
    { ...event, id: undefined },
    { id: undefined, session: "s1", widget: "BLL002", type: "weight_placed", t: T0, data: { weight: 3, where: { x: 1 } } },
  );
  assert.notEqual(logger.log("weight_placed", data).id, event.id);
  data.where.x = 99; // the widget reusing its object must not change what was logged
  assert.equal(logger.pending()[0].data.where.x, 1);
  assert.deepEqual(logger.log("session_started").data, {});
});

test("it refuses a bad type or data loudly", () => {
  const logger = setUp().open();
  for (const type of ["", "Weight", "1step", "step-one", "a".repeat(65), undefined, 7]) {
    assert.throws(() => logger.log(type, {}), /event type/, `type ${JSON.stringify(type)}`);
  }
  for (const data of [null, [], "text", 3, new Date(), new (class Move {})(), new Map()]) {
    assert.throws(() => logger.log("step", data), /plain object/);
  }
  const cyclic = {};
  cyclic.self = cyclic;
  assert.throws(() => logger.log("step", cyclic), /JSON/);
  assert.throws(() => logger.log("step", { text: "é".repeat(4097) }), /8 KiB/); // 8194 bytes in UTF-8
  logger.log("a".repeat(64), { text: "x".repeat(8 * 1024 - 11) }); // the limits themselves are fine
  assert.equal(logger.pending().length, 1);
});

// --- Batching ----------------------------------------------------------------------------------------

test("it sends a full batch as soon as maxBatch events are queued", async () => {
  const env = setUp();
  const logger = env.open();
  const events = logMany(logger, 49);
  await env.clock.advance(0);
  assert.equal(env.server.requests.length, 0, "49 events wait for the interval");
  events.push(logger.log("step", { i: 49 }), logger.log("step", { i: 50 }));
  await env.clock.advance(0);
  assert.equal(env.server.requests.length, 1);
  assert.deepEqual(env.server.requests[0].ids, idsOf(events.slice(0, 50)));
  await env.clock.advance(499);
  assert.equal(env.server.requests.length, 1, "the 51st waits for its own interval");
  await env.clock.advance(1);
  assert.deepEqual(env.server.requests[1].ids, [events[50].id]);
});

test("it sends queued events flushInterval after the first one, in the API's format", async () => {
  const env = setUp();
  const logger = env.open();
  const first = logger.log("step", { i: 0 });
  await env.clock.advance(300);
  const second = logger.log("step", { i: 1 }); // does not push the deadline back
  await env.clock.advance(199);
  assert.equal(env.server.requests.length, 0);
  await env.clock.advance(1);
  assert.equal(env.server.requests.length, 1);
  const [request] = env.server.requests;
  assert.equal(request.at, T0 + 500);
  assert.equal(request.url, ENDPOINT);
  assert.equal(request.init.method, "POST");
  assert.deepEqual(request.init.headers, { Authorization: "Bearer token-a", "Content-Type": "application/json" });
  assert.deepEqual(request.body, { sent_at: T0 + 500, events: [first, second] });
  assert.deepEqual(logger.pending(), []);
  assert.deepEqual(env.statuses, ["sending", "idle"]);
});

test("it keeps events in order with one request in flight at a time", async () => {
  const env = setUp();
  env.server.behaviour = "hold";
  const logger = env.open();
  const events = logMany(logger, 120);
  for (let round = 0; round < 10; round += 1) {
    await env.clock.advance(1000);
    const open = env.server.requests.filter((request) => !request.answered);
    if (open.length === 0) break;
    assert.equal(open.length, 1, "never two requests at once");
    if (round === 1) logMany(logger, 5, (i) => ({ late: i })).forEach((event) => events.push(event));
    open[0].answered = true;
    open[0].answer("accept");
  }
  await env.clock.advance(1000);
  assert.deepEqual(env.server.requests.map((r) => r.ids.length), [50, 50, 25]);
  assert.deepEqual(sentIds(env.server), idsOf(events));
  assert.deepEqual(env.server.storedIds(), idsOf(events));
  assert.equal(logger.pending().length, 0);
});

test("flush sends at once and resolves when what was queued is accepted", async () => {
  const env = setUp();
  env.server.behaviour = "hold";
  const logger = env.open();
  logMany(logger, 3);
  let done = false;
  const flushed = logger.flush().then(() => (done = true));
  assert.equal(env.server.requests.length, 1, "no wait for the interval");
  await env.clock.advance(1_000);
  assert.equal(done, false, "not before the server has answered");
  env.server.requests[0].answer("accept");
  await flushed;
  assert.equal(logger.pending().length, 0);
  await logger.flush(); // an empty queue resolves at once
});

// --- Retries -----------------------------------------------------------------------------------------

test("it retries network errors and 5xx with exponential backoff and full jitter, then succeeds", async () => {
  const env = setUp({ random: () => 0.75 });
  env.server.then("network", { status: 503 }, { status: 500 }, "network", "accept");
  const logger = env.open();
  const events = logMany(logger, 2);
  await finish(env, logger.flush());
  const gaps = env.server.requests.slice(1).map((request, i) => request.at - env.server.requests[i].at);
  // A random() * min(30 s, 500 ms * 2^attempt) wait before each retry: 0.75 of 500, 1000, 2000, 4000.
  assert.deepEqual(gaps, [375, 750, 1500, 3000]);
  assert.ok(env.server.requests.every((request) => request.ids.join() === idsOf(events).join()));
  assert.deepEqual(env.server.storedIds(), idsOf(events));
  assert.deepEqual(env.statuses, [
    ...["sending", "offline", "sending", "retrying", "sending", "retrying", "sending", "offline"],
    ...["sending", "idle"],
  ]);
  assert.equal(env.storage.outbox(), null, "accepted events leave storage");
});

test("its backoff never waits more than 30 s and starts again after a success", async () => {
  const env = setUp({ random: () => 0.999 });
  env.server.behaviour = { status: 502 };
  const logger = env.open();
  logger.log("step");
  await env.clock.advance(500 + 200_000);
  const gaps = env.server.requests.slice(1).map((request, i) => request.at - env.server.requests[i].at);
  assert.ok(gaps.length >= 8, `${gaps.length} retries`);
  assert.ok(gaps.every((gap) => gap <= 30_000), `gaps ${gaps}`);
  assert.ok(gaps.slice(-3).every((gap) => gap > 29_000), "it reaches the cap");

  env.server.behaviour = "accept";
  await env.clock.advance(30_000);
  env.server.behaviour = { status: 502 };
  const before = env.server.requests.length;
  logger.log("step");
  await env.clock.advance(500 + 500);
  assert.equal(env.server.requests.length, before + 2, "the first retry after a success waits ~0.5 s again");
});

test("it waits at least Retry-After after a 429", async () => {
  const env = setUp({ random: () => 0 }); // the jittered backoff alone would retry at once
  env.server.then({ status: 429, headers: { "Retry-After": "7" } });
  const logger = env.open();
  const [event] = logMany(logger, 1);
  await env.clock.advance(500);
  assert.equal(env.server.requests.length, 1);
  env.window.dispatch("online"); // the network coming back does not overrule the server
  await env.clock.advance(6_999);
  assert.equal(env.server.requests.length, 1);
  await env.clock.advance(1);
  assert.equal(env.server.requests.length, 2);
  assert.equal(env.server.requests[1].at, T0 + 500 + 7_000);
  assert.deepEqual(env.server.storedIds(), [event.id]);
  assert.ok(env.statuses.includes("retrying"));
});

test("it retries at once when the browser comes back online", async () => {
  const env = setUp({ random: () => 0.99 });
  env.server.then("network", "network", "network");
  const logger = env.open();
  logger.log("step");
  await env.clock.advance(500 + 495 + 990); // three failures; the next wait is ~2 s
  assert.equal(env.server.requests.length, 3);
  assert.equal(env.statuses.at(-1), "offline");
  await env.clock.advance(100);
  assert.equal(env.server.requests.length, 3);
  env.window.dispatch("online");
  await env.clock.advance(0);
  assert.equal(env.server.requests.length, 4);
  assert.equal(logger.pending().length, 0);
  assert.equal(env.statuses.at(-1), "idle");
});

// --- Refusals ----------------------------------------------------------------------------------------

test("it stops on 401, keeps the events, and resumes with setToken", async () => {
  const env = setUp();
  env.server.then({ status: 401, body: '{"error": "The learner token has expired; reload the page."}' });
  const logger = env.open();
  const events = logMany(logger, 3);
  await finish(env, logger.flush()); // resolves although nothing was accepted: sending is blocked
  assert.equal(env.statuses.at(-1), "unauthorized");
  events.push(logger.log("step", { after: true }));
  await env.clock.advance(120_000);
  assert.equal(env.server.requests.length, 1, "nothing is sent with a refused token");
  assert.deepEqual(idsOf(logger.pending()), idsOf(events));
  assert.deepEqual(idsOf(env.storage.outbox().events), idsOf(events), "kept in storage too");

  logger.setToken("token-b");
  await env.clock.advance(0);
  assert.equal(env.server.requests.length, 2);
  assert.equal(env.server.requests[1].token, "token-b");
  assert.deepEqual(env.server.requests[1].ids, idsOf(events));
  assert.deepEqual(logger.pending(), []);
  assert.equal(env.statuses.at(-1), "idle");
});

test("it drops a batch the server refuses with 400, warns, and still sends later events", async (t) => {
  const warned = warnings(t);
  const env = setUp();
  env.server.then({ status: 400, body: '{"problems": [{"index": 0, "field": "type", "message": "not a type"}]}' });
  const logger = env.open();
  const poison = logMany(logger, 2);
  await finish(env, logger.flush());
  assert.deepEqual(logger.pending(), []);
  assert.equal(env.storage.outbox(), null, "dropped from storage too");
  assert.equal(env.statuses.at(-1), "rejected");
  assert.equal(warned.callCount(), 1);
  assert.match(String(warned.calls[0].arguments[0]), /400.*not a type/s);

  const later = logMany(logger, 2);
  await env.clock.advance(60_000);
  assert.deepEqual(env.server.storedIds(), idsOf(later));
  assert.deepEqual(sentIds(env.server), [...idsOf(poison), ...idsOf(later)], "the poison batch is sent once");
  assert.equal(env.statuses.at(-1), "idle");
});

test("it drops batches refused with 409 and 415 the same way", async (t) => {
  warnings(t);
  for (const status of [409, 415]) {
    const env = setUp();
    env.server.then({ status });
    const logger = env.open();
    logMany(logger, 3);
    const later = logMany(logger, 1);
    await env.clock.advance(500);
    const kept = logMany(logger, 1);
    await env.clock.advance(60_000);
    assert.equal(env.server.requests.length, 2, `${status}`);
    assert.deepEqual(env.server.storedIds(), idsOf(kept), `${status}: ${later.length} dropped with its batch`);
  }
});

// The ingestion API since it keeps valid events: events whose data has `bad` are refused by index
// (and quarantined on the server); the rest are stored, 202, or 400 when none is valid.
function partialFetch(env) {
  return async (url, init) => {
    const body = JSON.parse(init.body);
    const errors = body.events
      .map((event, index) => (event.data?.bad ? { index, field: "data", message: "not allowed" } : null))
      .filter(Boolean);
    const valid = body.events.filter((event) => !event.data?.bad);
    if (valid.length === 0) {
      env.server.requests.push({ ids: idsOf(body.events) });
      return response(400, JSON.stringify({ error: "The batch was rejected; nothing was stored.", errors }));
    }
    const stored = await env.server.fetch(url, { ...init, body: JSON.stringify({ ...body, events: valid }) });
    const counts = JSON.parse(await stored.text());
    const refused = errors.length ? { refused: errors.length, quarantined: errors.length, errors } : {};
    return response(202, JSON.stringify({ ...counts, ...refused }));
  };
}

test("a batch with one invalid event: the valid ones are stored once, nothing is resent, it warns", async (t) => {
  const warned = warnings(t);
  const env = setUp();
  const logger = env.open({ fetch: partialFetch(env) });
  const events = logMany(logger, 4, (i) => (i === 2 ? { bad: true } : { i }));
  await finish(env, logger.flush());
  assert.deepEqual(env.server.storedIds(), idsOf([events[0], events[1], events[3]]));
  assert.equal(env.server.requests.length, 1, "the refused event is not sent again");
  assert.deepEqual(logger.pending(), []);
  assert.equal(env.storage.outbox(), null);
  assert.equal(env.statuses.at(-1), "rejected");
  assert.equal(warned.callCount(), 1);
  assert.match(String(warned.calls[0].arguments[0]), /stored 3 event\(s\) and refused 1.*not allowed/s);

  const later = logMany(logger, 1);
  await finish(env, logger.flush());
  assert.deepEqual(env.server.storedIds().at(-1), later[0].id);
  assert.equal(env.statuses.at(-1), "idle");
});

test("a 400 that names some events by index drops only those and sends the others again", async (t) => {
  const warned = warnings(t);
  const env = setUp();
  // A server that refuses a whole batch for one bad event (as collectors before the quarantine did).
  env.server.then({
    status: 400,
    body: JSON.stringify({ error: "rejected", errors: [{ index: 1, field: "t", message: "bad time" }] }),
  });
  const logger = env.open();
  const events = logMany(logger, 3);
  await finish(env, logger.flush());
  assert.deepEqual(env.server.storedIds(), idsOf([events[0], events[2]]), "the valid two arrive");
  assert.deepEqual(env.server.requests.map((request) => request.ids.length), [3, 2]);
  assert.deepEqual(logger.pending(), []);
  assert.equal(warned.callCount(), 1);
  assert.match(String(warned.calls[0].arguments[0]), /refused 1 event.*other 2 sent again.*bad time/s);
});

test("a batch whose every event is refused is dropped whole, once", async (t) => {
  warnings(t);
  const env = setUp();
  const logger = env.open({ fetch: partialFetch(env) });
  logMany(logger, 2, () => ({ bad: true }));
  await finish(env, logger.flush());
  assert.equal(env.server.requests.length, 1);
  assert.deepEqual(logger.pending(), []);
  assert.equal(env.statuses.at(-1), "rejected");
});

test("a 409 drops only the events whose ids it names and sends the others again", async (t) => {
  warnings(t);
  const env = setUp();
  const logger = env.open();
  const events = logMany(logger, 3);
  env.server.then({ status: 409, body: JSON.stringify({ error: "id reused", ids: [events[0].id] }) });
  await finish(env, logger.flush());
  assert.deepEqual(env.server.storedIds(), idsOf(events.slice(1)));
  assert.deepEqual(logger.pending(), []);
});

test("it splits a batch refused with 413 in halves until the parts fit, and drops a lone event that never fits", async (t) => {
  const warned = warnings(t);
  const env = setUp();
  let events = [];
  // The server takes at most 10 events at once, and never event 37, however small the batch.
  const sizes = [];
  const tooLarge = (ids) => ids.length > 10 || ids.includes(events[37].id);
  const logger = env.open({
    fetch: async (url, init) => {
      const ids = JSON.parse(init.body).events.map((event) => event.id);
      sizes.push(tooLarge(ids) ? `${ids.length}!` : ids.length);
      return tooLarge(ids) ? response(413, '{"error": "too large"}') : env.server.fetch(url, init);
    },
  });
  events = logMany(logger, 50);
  await finish(env, logger.flush());
  // 50 → 25+25; 25 → 13+12; 13 → 7+6 (sent); 12 → 6+6 (sent); the second 25 → 13+12; 13 (has
  // event 37) → 7 (sent) + 6 → 3 (sent) + 3 → 2 (sent) + 1 (event 37 alone: dropped); 12 → 6+6.
  assert.deepEqual(sizes, ["50!", "25!", "13!", 7, 6, "12!", 6, 6, "25!", "13!", 7, "6!", 3, "3!", 2, "1!", "12!", 6, 6]);
  const expected = idsOf(events).filter((id) => id !== events[37].id);
  assert.deepEqual(env.server.storedIds(), expected, "all but the oversized event, in order");
  assert.deepEqual(logger.pending(), []);
  assert.equal(warned.callCount(), 1, "one warning, for the event that was dropped");
  assert.match(String(warned.calls[0].arguments[0]), /413/);
});

// --- Storage and reloads -----------------------------------------------------------------------------

test("it writes every event to storage and removes it once accepted", async () => {
  const env = setUp();
  env.server.behaviour = "hold";
  const logger = env.open();
  const first = logger.log("step", { i: 0 });
  assert.deepEqual(env.storage.outbox(), { endpoint: ENDPOINT, token: "token-a", events: [first] });
  const second = logger.log("step", { i: 1 });
  assert.deepEqual(idsOf(env.storage.outbox().events), idsOf([first, second]));
  await env.clock.advance(500);
  assert.deepEqual(idsOf(env.storage.outbox().events), idsOf([first, second]), "in flight is not accepted");
  env.server.requests[0].answer("accept");
  await env.clock.advance(0);
  assert.equal(env.storage.outbox(), null);
});

test("after a reload it sends the events an earlier page left, each with the token it was logged with", async () => {
  const env = setUp();
  env.server.behaviour = "network";
  const before = env.open();
  const sameSession = logMany(before, 2);
  before.close();
  const otherWidget = env.open({ widget: "TEI001", session: "s9", token: "token-other" });
  const elsewhere = logMany(otherWidget, 2);
  otherWidget.close();

  env.server.behaviour = "accept";
  const after = env.open({ token: "token-b" }); // same widget and session, a new token
  const now = logMany(after, 1);
  await env.clock.advance(1_000);

  const tokenOf = (event) => env.server.stored.get(event.id)?.token;
  assert.deepEqual(sameSession.map(tokenOf), ["token-a", "token-a"]);
  assert.deepEqual(elsewhere.map(tokenOf), ["token-other", "token-other"]);
  assert.deepEqual(now.map(tokenOf), ["token-b"]);
  const loggedWith = new Map([
    ...sameSession.map((event) => [event.id, "token-a"]),
    ...elsewhere.map((event) => [event.id, "token-other"]),
    ...now.map((event) => [event.id, "token-b"]),
  ]);
  for (const request of env.server.requests) {
    assert.ok(request.ids.every((id) => loggedWith.get(id) === request.token), "each event with its own token");
  }
  assert.equal(env.server.requests.find((r) => r.ids.includes(elsewhere[0].id)).url, ENDPOINT);
  assert.deepEqual([...env.storage.map.keys()], [], "every outbox is empty and gone");
});

test("sessionBacklog lists this session's unsent events from earlier page loads, whatever their token", () => {
  const env = setUp();
  env.server.behaviour = "network";
  const before = env.open();
  const sameSession = logMany(before, 2);
  before.close();
  const otherSession = env.open({ session: "s2" });
  logMany(otherSession, 1);
  otherSession.close();

  const after = env.open({ token: "token-b" }); // a reload: same widget and session, a new token
  const now = logMany(after, 1);
  assert.deepEqual(idsOf(after.sessionBacklog()).sort(), idsOf([...sameSession, ...now]).sort());
  assert.deepEqual(after.sessionBacklog().map((event) => event.type), ["step", "step", "step"]);
  after.close();
});

test("after a reload with the same token, earlier events join this page's queue, in order", async () => {
  const env = setUp();
  env.server.behaviour = "network";
  const before = env.open();
  const earlier = logMany(before, 3);
  before.close();
  env.server.behaviour = "hold";
  const after = env.open();
  const later = logMany(after, 1);
  assert.deepEqual(idsOf(after.pending()), idsOf([...earlier, ...later]));
  await env.clock.advance(0);
  assert.deepEqual(env.server.requests.at(-1).ids, idsOf(earlier), "recovered events go out at once");
});

test("it drops, with a warning, an earlier page's events whose token the server refuses", async (t) => {
  const warned = warnings(t);
  const env = setUp();
  env.server.behaviour = "network";
  const gone = env.open({ session: "old", token: "token-revoked" });
  logMany(gone, 2);
  gone.close();

  env.server.behaviour = "accept";
  const realFetch = env.server.fetch;
  const logger = env.open({
    fetch: (url, init) =>
      init.headers.Authorization === "Bearer token-revoked" ? Promise.resolve(response(401)) : realFetch(url, init),
  });
  const mine = logMany(logger, 2);
  await env.clock.advance(1_000);
  assert.equal(env.storage.outbox("pathlens:outbox:BLL002:old"), null);
  assert.equal(warned.callCount(), 1);
  assert.match(String(warned.calls[0].arguments[0]), /401/);
  assert.deepEqual(env.server.storedIds(), idsOf(mine));
  assert.ok(!env.statuses.includes("unauthorized"), "this page's learner is fine");
});

test("a reload during a request in flight loses no event and stores none twice", async () => {
  // The request may have reached the server (its answer lost with the page) or not.
  for (const inFlight of ["hold-accepted", "hold"]) {
    const env = setUp();
    env.server.then(inFlight);
    const before = env.open();
    const first = logMany(before, 3);
    await env.clock.advance(500);
    const oldRequest = env.server.requests[0];
    assert.deepEqual(oldRequest.ids, idsOf(first));
    before.close(); // the page goes; its request is still on the wire

    env.server.then("hold");
    const after = env.open();
    const second = logMany(after, 2);
    await env.clock.advance(0);
    const newRequest = env.server.requests[1];
    assert.deepEqual(newRequest.ids, idsOf(first), `${inFlight}: the earlier events are sent again`);

    // The old page's late answer must not touch storage, which is the new page's now.
    oldRequest.answer("accept");
    await env.clock.advance(0);
    assert.deepEqual(idsOf(env.storage.outbox().events), idsOf([...first, ...second]), inFlight);

    newRequest.answer("accept");
    await env.clock.advance(1_000);
    assert.deepEqual(env.server.storedIds(), idsOf([...first, ...second]), `${inFlight}: nothing missing`);
    const fromNewPage = env.server.requests.slice(1).flatMap((request) => request.ids);
    assert.equal(new Set(fromNewPage).size, fromNewPage.length, `${inFlight}: the new page sends each once`);
    assert.equal(env.storage.outbox(), null);
    assert.deepEqual(after.pending(), []);
  }
});

test("it clears an unreadable outbox left in storage and carries on", async (t) => {
  const warned = warnings(t);
  const env = setUp();
  env.storage.setItem("pathlens:outbox:BLL002:broken", "{not json");
  env.storage.setItem("pathlens:outbox:BLL002:shape", JSON.stringify({ events: "no" }));
  env.storage.setItem("someone-else", "{not json"); // not ours: left alone
  const logger = env.open();
  const events = logMany(logger, 1);
  await finish(env, logger.flush());
  assert.deepEqual(env.server.storedIds(), idsOf(events));
  assert.deepEqual([...env.storage.map.keys()], ["someone-else"]);
  assert.equal(warned.callCount(), 2);
});

test("it keeps logging when storage throws", async (t) => {
  const warned = warnings(t);
  const env = setUp();
  const broken = () => {
    throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
  };
  const storage = { getItem: broken, setItem: broken, removeItem: broken, key: broken };
  Object.defineProperty(storage, "length", { get: broken });
  const logger = env.open({ storage });
  const events = logMany(logger, 3);
  await finish(env, logger.flush());
  assert.deepEqual(env.server.storedIds(), idsOf(events));
  assert.equal(warned.callCount(), 1, "one warning, not one per event");

  const noStorage = env.open({ storage: null, session: "s3" });
  const more = logMany(noStorage, 2);
  await finish(env, noStorage.flush());
  assert.deepEqual(env.server.storedIds(), idsOf([...events, ...more]));
});

test("it keeps logging when storage is full, and keeps what it stored last", async (t) => {
  warnings(t);
  const env = setUp();
  const storage = createStorage();
  const setItem = storage.setItem;
  storage.setItem = (key, value) => {
    if (value.length > 600) throw new DOMException("full", "QuotaExceededError");
    setItem(key, value);
  };
  const logger = env.open({ storage });
  const events = logMany(logger, 6);
  assert.equal(logger.pending().length, 6);
  assert.ok(storage.outbox().events.length >= 1, "the last write that fitted is kept");
  await finish(env, logger.flush());
  assert.deepEqual(env.server.storedIds(), idsOf(events));
});

// --- Leaving the page --------------------------------------------------------------------------------

test("on pagehide it sends with keepalive, in chunks within the 64 KiB keepalive limit", async () => {
  const env = setUp();
  env.server.behaviour = "hold";
  const logger = env.open();
  const bulky = (i) => ({ i, notes: "n".repeat(1000) });
  const events = logMany(logger, 120, bulky);
  await env.clock.advance(0);
  assert.equal(env.server.requests.length, 1, "an ordinary request is in flight");

  env.window.dispatch("pagehide", { type: "pagehide", persisted: false });
  const keepalive = env.server.requests.filter((request) => request.keepalive);
  assert.ok(keepalive.length >= 2, "more than one chunk");
  assert.ok(env.server.requests.filter((r) => !r.keepalive).every((r) => r.init.keepalive !== true));
  for (const request of keepalive) assert.ok(request.events.length <= 50);
  const total = keepalive.reduce((sum, request) => sum + request.bytes, 0);
  assert.ok(total < KEEPALIVE_LIMIT, `${total} bytes of keepalive bodies at once`);
  const sent = keepalive.flatMap((request) => request.ids);
  assert.deepEqual(sent, idsOf(events).slice(0, sent.length), "oldest first, each once");
  assert.ok(sent.length >= 50, `${sent.length} events fit`);

  // The page dies with these requests in flight; the next page load sends the rest.
  logger.close();
  for (const request of keepalive) request.answer("accept");
  env.server.behaviour = "accept";
  const next = env.open();
  await finish(env, next.flush());
  assert.deepEqual(new Set(env.server.storedIds()), new Set(idsOf(events)));
});

test("hidden then pagehide does not send an event twice or go over the keepalive limit", async () => {
  const env = setUp();
  env.server.behaviour = "hold"; // nothing is answered: the page is on its way out
  const logger = env.open();
  const notes = (i) => ({ i, notes: "n".repeat(500) });
  const early = logMany(logger, 70, notes);
  const keepalive = () => env.server.requests.filter((request) => request.keepalive);
  env.window.dispatch("visibilitychange", { type: "visibilitychange", target: { visibilityState: "visible" } });
  assert.equal(keepalive().length, 0, "visible is no reason to send");
  env.window.dispatch("visibilitychange", { type: "visibilitychange", target: { visibilityState: "hidden" } });
  assert.deepEqual(keepalive().flatMap((request) => request.ids), idsOf(early));

  const late = logMany(logger, 100, notes); // a hidden page can still log
  env.window.dispatch("pagehide");
  const ids = keepalive().flatMap((request) => request.ids);
  assert.equal(new Set(ids).size, ids.length, "no event in two keepalive requests");
  assert.deepEqual(ids.slice(early.length), idsOf(late).slice(0, ids.length - early.length));
  assert.ok(ids.length > early.length, "pagehide sends what came after hidden");
  assert.ok(ids.length < early.length + late.length, "but only what fits beside the requests in flight");
  const total = keepalive().reduce((sum, request) => sum + request.bytes, 0);
  assert.ok(total < KEEPALIVE_LIMIT, `${total} bytes of keepalive bodies in flight`);
});

test("if the page stays after a keepalive send, the accepted events leave the queue", async () => {
  const env = setUp();
  const logger = env.open();
  logMany(logger, 3);
  env.window.dispatch("pagehide");
  await env.clock.advance(0);
  assert.deepEqual(env.server.requests.map((r) => r.keepalive), [true]);
  assert.deepEqual(logger.pending(), []);
  assert.equal(env.storage.outbox(), null);
  await env.clock.advance(10_000);
  assert.equal(env.server.requests.length, 1, "nothing left to send the ordinary way");
});

test("it reads every answer to its end, so the browser does not count the request as still loading", async () => {
  const env = setUp();
  const read = [];
  const fetch = async (url, init) => {
    const answer = await env.server.fetch(url, init);
    return { ...answer, text: () => read.push(init.keepalive === true) && answer.text() };
  };
  const logger = env.open({ fetch });
  logMany(logger, 2);
  await finish(env, logger.flush());
  assert.deepEqual(read, [false], "the ordinary request's answer");
  logMany(logger, 2);
  env.window.dispatch("pagehide");
  await env.clock.advance(0);
  assert.deepEqual(read, [false, true], "and the keepalive request's");
});

// --- Status and closing ------------------------------------------------------------------------------

test("onStatus returns an unsubscribe function, and close stops everything", async () => {
  const env = setUp();
  env.server.behaviour = "network";
  const logger = env.open();
  const seen = [];
  const unsubscribe = logger.onStatus((status) => seen.push(status));
  logger.log("step");
  await env.clock.advance(500);
  assert.deepEqual(seen, ["sending", "offline"]);
  unsubscribe();
  await env.clock.advance(1_000);
  assert.deepEqual(seen, ["sending", "offline"]);
  assert.ok(env.statuses.length > 2, "other listeners still hear");

  assert.ok(env.window.listenerCount() > 0);
  logger.close();
  assert.equal(env.window.listenerCount(), 0);
  assert.equal(env.clock.timerCount(), 0);
  const requests = env.server.requests.length;
  env.window.dispatch("online");
  await env.clock.advance(120_000);
  assert.equal(env.server.requests.length, requests);
  assert.throws(() => logger.log("step"), /close/);
  assert.equal(env.storage.outbox().events.length, 1, "unsent events stay for the next page");
});
