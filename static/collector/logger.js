// The browser logger: the one way widgets send learner events to the ingestion API
// (POST /api/v1/events). It batches, retries, survives reloads and offline spells, and never
// attributes an event to a learner other than the one whose token it was logged with.
// Contract: docs/contracts.md ("Browser logger", "Event"); behaviour for operators and widget
// authors: docs/collector.md ("Browser logger"); tests: tests/js/logger.test.mjs.
//
// Plain ES module, no dependencies. Everything that touches time or the browser is an option, so
// the tests drive it with fake clocks, fetch and storage.

const EVENT_TYPE = /^[a-z][a-z0-9_]{0,63}$/;
const MAX_DATA_BYTES = 8 * 1024; // the server refuses larger `data` (collector/validation.py)
const MAX_EVENTS_PER_REQUEST = 1000; // the server answers 413 above this

const OUTBOX_PREFIX = "pathlens:outbox:";

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 30_000;

// Browsers refuse a keepalive request once the bodies of all keepalive requests the page still
// has in flight would exceed 64 KiB. Stay well under it: other scripts on the page may use some.
const KEEPALIVE_BUDGET_BYTES = 60 * 1024;

// The server will never accept these batches as they are, so retrying them would block every
// later event behind them forever. A 400 or 409 that names the events it refuses (by index or by
// id) costs only those: the rest of the batch is sent again at once.
const REJECTED_STATUSES = new Set([400, 409, 413, 415]);

const utf8 = new TextEncoder();
const byteLength = (text) => utf8.encode(text).length;

/**
 * @param {object} options
 * @param {string} options.endpoint  the ingestion URL, e.g. "/api/v1/events"
 * @param {string} options.token     the learner token, sent as `Authorization: Bearer <token>`
 * @param {string} options.widget    the widget id stamped on every event
 * @param {string} options.session   the session id stamped on every event
 * @param {typeof fetch} [options.fetch]
 * @param {Storage|null} [options.storage]  localStorage-like; null keeps events in memory only
 * @param {() => number} [options.now]      epoch ms
 * @param {() => number} [options.random]   in [0, 1), for backoff jitter
 * @param {Function} [options.setTimeout]
 * @param {Function} [options.clearTimeout]
 * @param {Function} [options.addEventListener]     for pagehide, visibilitychange and online
 * @param {Function} [options.removeEventListener]
 * @param {number} [options.maxBatch]       events per request (50)
 * @param {number} [options.flushInterval]  ms from the first queued event to its send (500)
 */
export function createLogger(options = {}) {
  const L = loggerState(options);
  recoverEarlierPageLoads(L);
  L.listeners = {
    pagehide: () => sendBeforeLeaving(L),
    visibilitychange: (event) => onVisibilityChange(L, event),
    online: () => onOnline(L),
  };
  if (L.listen) for (const [type, handler] of Object.entries(L.listeners)) L.listen(type, handler);
  // Recovered events have waited long enough already.
  for (const outbox of [L.own, ...L.leftovers]) if (outbox.events.length) outbox.dueAt = L.now();
  pumpAll(L);
  return loggerApi(L);
}

// The logger's state, shared by the functions below (`L` in each): the options checked, the
// page's own outbox and those earlier page loads left, and what is on the wire.
function loggerState(options) {
  const { endpoint, token, widget, session } = options;
  requireText("endpoint", endpoint);
  requireText("token", token);
  requireText("widget", widget);
  requireText("session", session);
  const {
    fetch: fetchEvents = globalThis.fetch?.bind(globalThis),
    storage = browserStorage(),
    now = Date.now,
    random = Math.random,
    setTimeout: startTimer = globalThis.setTimeout.bind(globalThis),
    clearTimeout: stopTimer = globalThis.clearTimeout.bind(globalThis),
    maxBatch = 50,
    flushInterval = 500,
  } = options;
  if (typeof fetchEvents !== "function") throw new Error("createLogger: no fetch available");
  if (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > MAX_EVENTS_PER_REQUEST) {
    throw new RangeError(`createLogger: maxBatch must be an integer from 1 to ${MAX_EVENTS_PER_REQUEST}`);
  }
  if (!Number.isFinite(flushInterval) || flushInterval < 0) {
    throw new RangeError("createLogger: flushInterval must be a number of milliseconds >= 0");
  }
  // Whoever injects addEventListener injects its removal too; never pair a fake with window's.
  const listen = options.addEventListener ?? globalThis.addEventListener?.bind(globalThis);
  const unlisten =
    options.removeEventListener ??
    (options.addEventListener ? undefined : globalThis.removeEventListener?.bind(globalThis));
  return {
    endpoint,
    token,
    widget,
    session,
    fetchEvents,
    now,
    random,
    startTimer,
    stopTimer,
    maxBatch,
    flushInterval,
    listen,
    unlisten,
    listeners: {},
    store: createStore(storage),
    own: createOutbox({ key: `${OUTBOX_PREFIX}${widget}:${session}`, endpoint, token, own: true }),
    // Outboxes that earlier page loads left in storage, sent with their own endpoint and token.
    leftovers: [],
    inFlight: null, // the outbox whose request is on the wire: one request at a time
    closed: false,
    status: "idle",
    statusListeners: new Set(),
    flushWaiters: [],
    keepaliveBytesInFlight: 0,
  };
}

// --- The logger's methods ---------------------------------------------------------------------

function loggerApi(L) {
  const { own } = L;
  return {
    /** Queues an event and returns it (with its id and t). Throws on a programming error. */
    log(type, data = {}) {
      if (L.closed) throw new Error("Pathlens logger: log() after close()");
      const copy = checkedData(type, data);
      const event = { id: newEventId(), session: L.session, widget: L.widget, type, t: L.now(), data: copy };
      own.events.push(event);
      persist(L, own);
      pump(L, own);
      return event;
    },

    /** Sends what is queued now; resolves once all of it is settled, or sending is blocked (401). */
    flush() {
      const waiter = { ids: new Set(own.events.map((event) => event.id)) };
      const settled = new Promise((resolve) => {
        waiter.resolve = resolve;
      });
      L.flushWaiters.push(waiter);
      if (own.events.length) own.dueAt = L.now();
      pump(L, own);
      settleFlushWaiters(L);
      return settled;
    },

    /** This page's events not yet accepted by the server, oldest first. */
    pending() {
      return own.events.slice();
    },

    /**
     * Every event of this widget session still waiting in storage, from this page and from
     * earlier page loads (whatever their token), so a reloaded page can show work the server
     * has not received yet.
     */
    sessionBacklog() {
      const events = own.events.slice();
      for (const outbox of L.leftovers) {
        if (outbox.key === own.key || outbox.key.startsWith(`${own.key}:`)) events.push(...outbox.events);
      }
      return events;
    },

    /** Calls `listener(status)` on every change; returns the function that unsubscribes it. */
    onStatus(listener) {
      if (typeof listener !== "function") throw new TypeError("Pathlens logger: onStatus needs a function");
      L.statusListeners.add(listener);
      return () => L.statusListeners.delete(listener);
    },

    /** A new token for this page's learner (after "unauthorized"); sending resumes with it. */
    setToken(newToken) {
      requireText("token", newToken);
      if (L.closed) return;
      own.token = newToken;
      persist(L, own);
      if (own.blocked) {
        own.blocked = false;
        own.attempt = 0;
        own.dueAt = L.now();
        report(L, own, "idle");
        pump(L, own);
      }
    },

    /** Stops listening and timing. Unsent events stay in storage for the next page load. */
    close() {
      if (L.closed) return;
      L.closed = true;
      if (L.unlisten) for (const [type, handler] of Object.entries(L.listeners)) L.unlisten(type, handler);
      for (const outbox of [own, ...L.leftovers]) clearTimers(L, outbox);
      settleFlushWaiters(L);
      L.statusListeners.clear();
    },
  };
}

// A copy of `data` as it will be sent, so that the caller changing its object later cannot change
// what is sent. Throws on a programming error: a bad type, data that is no plain object, too large.
function checkedData(type, data) {
  if (typeof type !== "string" || !EVENT_TYPE.test(type)) {
    throw new Error(`Pathlens logger: event type ${JSON.stringify(type)} does not match ${EVENT_TYPE}`);
  }
  if (!isPlainObject(data)) {
    throw new Error(`Pathlens logger: data of "${type}" must be a plain object, not ${describe(data)}`);
  }
  let json;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    throw new Error(`Pathlens logger: data of "${type}" cannot be sent as JSON: ${error.message}`);
  }
  if (byteLength(json) > MAX_DATA_BYTES) {
    throw new Error(`Pathlens logger: data of "${type}" is over 8 KiB once encoded; the server would refuse it`);
  }
  return JSON.parse(json);
}

// --- Storage -----------------------------------------------------------------------------------

function persist(L, outbox) {
  if (outbox.own) {
    if (outbox.events.length === 0) L.store.remove(outbox.key);
    else L.store.write(outbox.key, { endpoint: outbox.endpoint, token: outbox.token, events: outbox.events });
    return;
  }
  // A leftover outbox may belong to a page still open in another tab, which keeps appending to
  // it: take out only what this logger settled and keep whatever else is stored there now.
  const stored = L.store.read(outbox.key);
  if (!stored || stored.token !== outbox.token || stored.endpoint !== outbox.endpoint) return;
  const remaining = stored.events.filter((event) => !outbox.settled.has(event.id));
  if (remaining.length === 0) L.store.remove(outbox.key);
  else L.store.write(outbox.key, { ...stored, events: remaining });
}

function recoverEarlierPageLoads(L) {
  const earlier = L.store.read(L.own.key);
  if (earlier && earlier.endpoint === L.endpoint && earlier.token === L.token) {
    L.own.events.push(...earlier.events);
  } else if (earlier) {
    // Same widget and session, but logged with another token: it must keep that token, so it
    // moves aside (to a key of its own) before this page's events overwrite the key.
    const movedKey = `${L.own.key}:earlier:${newEventId()}`;
    L.store.write(movedKey, earlier);
    L.leftovers.push(leftoverOutbox(movedKey, earlier));
  }
  for (const key of L.store.keys()) {
    if (key === L.own.key || L.leftovers.some((outbox) => outbox.key === key)) continue;
    const record = L.store.read(key);
    if (record && record.events.length > 0) L.leftovers.push(leftoverOutbox(key, record));
    else L.store.remove(key); // empty, or unreadable (then store.read already warned)
  }
  persist(L, L.own);
}

// --- Sending -----------------------------------------------------------------------------------

// Sends `outbox`'s next batch if it is due and nothing else is on the wire; otherwise makes sure
// something (a timer, or the end of the request in flight) will call it again.
function pump(L, outbox) {
  if (L.closed || outbox.blocked || outbox.retryTimer !== null) return;
  if (outbox.events.length === 0) {
    outbox.dueAt = null;
    clearBatchTimer(L, outbox);
    return;
  }
  outbox.dueAt ??= L.now() + L.flushInterval;
  const wait = outbox.events.length >= L.maxBatch ? 0 : outbox.dueAt - L.now();
  if (wait > 0) {
    outbox.batchTimer ??= L.startTimer(() => {
      outbox.batchTimer = null;
      pump(L, outbox);
    }, wait);
    return;
  }
  if (L.inFlight) return; // pumpAll() runs when its answer comes
  clearBatchTimer(L, outbox);
  send(L, outbox);
}

function pumpAll(L) {
  // The page's own events first: they are what the learner is waiting to see saved.
  pump(L, L.own);
  for (const outbox of [...L.leftovers]) pump(L, outbox);
}

async function send(L, outbox) {
  const size = Math.min(L.maxBatch, outbox.plannedSizes[0] ?? L.maxBatch);
  const batch = outbox.events.slice(0, size);
  if (batch.length === outbox.events.length) outbox.dueAt = null; // later events start a new wait
  L.inFlight = outbox;
  report(L, outbox, "sending");
  const tokenUsed = outbox.token;
  let response = null;
  try {
    response = await post(L, outbox, JSON.stringify({ sent_at: L.now(), events: batch }), false);
  } catch {
    // fetch rejects only when no answer came back at all: offline, DNS, connection reset.
  }
  // Read to its end even when only the status matters: the browser counts an answer whose body
  // nobody read as still loading, and reports it as aborted when the learner leaves the page.
  const said = response ? await serverAnswer(response) : "";
  L.inFlight = null;
  // A closed logger's page is gone or being torn down; a newer logger may own its storage now.
  if (L.closed) return;
  const outcome = answer(L, outbox, batch, response, tokenUsed, said);
  pumpAll(L);
  if (outcome === "accepted" && outbox.own && L.inFlight !== L.own) report(L, L.own, "idle");
}

function answer(L, outbox, batch, response, tokenUsed, said) {
  if (!response) return retryLater(L, outbox, "offline", 0);
  const code = response.status;
  const rejection = said.slice(0, 2000);
  if (code >= 200 && code < 300) {
    outbox.attempt = 0;
    outbox.plannedSizes.shift();
    settle(L, outbox, batch);
    // The server stored the valid events and kept the invalid ones aside (its quarantine).
    const refused = refusedEvents(batch, code, parseAnswer(said));
    if (refused.length === 0) return "accepted";
    console.warn(
      `Pathlens logger: the server stored ${batch.length - refused.length} event(s) and refused ` +
        `${refused.length} (${code}); the refused ones are not sent again. Server said: ${rejection}`,
    );
    report(L, outbox, "rejected");
    return "rejected";
  }
  if (code === 401) {
    if (outbox.token !== tokenUsed) {
      outbox.dueAt = L.now(); // setToken() came while the old token was on the wire
      return "resend";
    }
    return unauthorized(L, outbox);
  }
  if (code === 413 && batch.length > 1) {
    const half = Math.ceil(batch.length / 2);
    outbox.plannedSizes.splice(0, 1, half, batch.length - half);
    outbox.dueAt = L.now();
    return "split";
  }
  const refused = refusedEvents(batch, code, parseAnswer(said));
  if (refused.length > 0 && refused.length < batch.length) {
    // Nothing of the batch was stored, but the answer says which events can never be: drop
    // those, and send the others again at once, since they may well be accepted.
    outbox.attempt = 0;
    if (outbox.plannedSizes.length) outbox.plannedSizes[0] = batch.length - refused.length;
    settle(L, outbox, refused);
    outbox.dueAt = L.now();
    console.warn(
      `Pathlens logger: the server refused ${refused.length} event(s) with ${code}; they are ` +
        `dropped and the other ${batch.length - refused.length} sent again. Server said: ${rejection}`,
    );
    report(L, outbox, "rejected");
    return "resend";
  }
  if (REJECTED_STATUSES.has(code)) {
    outbox.attempt = 0;
    outbox.plannedSizes.shift();
    settle(L, outbox, batch);
    console.warn(
      `Pathlens logger: the server refused ${batch.length} event(s) with ${code}; ` +
        `they are dropped, later events still go. Server said: ${rejection}`,
    );
    report(L, outbox, "rejected");
    return "rejected";
  }
  // 5xx, 429, and anything unexpected (404 from a misconfigured proxy, say): the events are
  // kept and tried again later, since dropping them cannot be undone.
  return retryLater(L, outbox, "retrying", retryAfterMs(response, L.now()));
}

// Exponential backoff with full jitter, so that a server coming back is not hit by every
// learner at the same moment; never sooner than the server's Retry-After.
function retryLater(L, outbox, retryStatus, minimumMs) {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** outbox.attempt);
  outbox.attempt += 1;
  outbox.notBefore = L.now() + minimumMs;
  clearBatchTimer(L, outbox);
  outbox.retryTimer = L.startTimer(() => retryNow(L, outbox), Math.max(minimumMs, L.random() * ceiling));
  report(L, outbox, retryStatus);
  return retryStatus;
}

function retryNow(L, outbox) {
  outbox.retryTimer = null;
  outbox.dueAt = L.now();
  pump(L, outbox);
}

function unauthorized(L, outbox) {
  if (outbox.own) {
    // Keep the events: with a new token (setToken) they can still be sent as this learner.
    outbox.blocked = true;
    clearBatchTimer(L, outbox);
    report(L, outbox, "unauthorized");
    settleFlushWaiters(L);
    return "unauthorized";
  }
  // No one on this page can get a new token for that learner, and sending the events with any
  // other token would attribute them to the wrong person.
  console.warn(
    `Pathlens logger: dropping ${outbox.events.length} unsent event(s) left by an earlier page ` +
      `(${outbox.key}): the server no longer accepts their token (401), so they cannot be attributed.`,
  );
  settle(L, outbox, outbox.events);
  return "unauthorized";
}

// The events are done with: accepted, or dropped for good.
function settle(L, outbox, events) {
  const ids = new Set(events.map((event) => event.id));
  outbox.events = outbox.events.filter((event) => !ids.has(event.id));
  if (!outbox.own) for (const id of ids) outbox.settled.add(id);
  persist(L, outbox);
  if (!outbox.own && outbox.events.length === 0) {
    clearTimers(L, outbox);
    const index = L.leftovers.indexOf(outbox);
    if (index !== -1) L.leftovers.splice(index, 1);
  }
  settleFlushWaiters(L);
}

function post(L, outbox, body, keepalive) {
  return L.fetchEvents(outbox.endpoint, {
    method: "POST",
    headers: { Authorization: `Bearer ${outbox.token}`, "Content-Type": "application/json" },
    body,
    keepalive,
  });
}

// --- Leaving the page --------------------------------------------------------------------------

// The page may be gone before an ordinary request is answered, and timers stop with it, so this
// sends what it can with keepalive requests, which outlive the page. What does not fit the
// keepalive budget stays in storage for the next page load.
function sendBeforeLeaving(L) {
  if (L.closed) return;
  let budget = KEEPALIVE_BUDGET_BYTES - L.keepaliveBytesInFlight;
  for (const outbox of [L.own, ...L.leftovers]) {
    if (outbox.blocked) continue;
    // A second call (visibilitychange, then pagehide) sends only what the first did not.
    const unsent = outbox.events.filter((event) => !outbox.keepaliveIds.has(event.id));
    let start = 0;
    while (start < unsent.length) {
      const chunk = fitChunk(unsent, start, Math.min(L.maxBatch, unsent.length - start), L.now(), budget);
      if (!chunk) return;
      sendKeepalive(L, outbox, chunk);
      budget -= chunk.bytes;
      start += chunk.events.length;
    }
  }
}

function sendKeepalive(L, outbox, chunk) {
  for (const event of chunk.events) outbox.keepaliveIds.add(event.id);
  L.keepaliveBytesInFlight += chunk.bytes;
  let request;
  try {
    request = Promise.resolve(post(L, outbox, chunk.body, true));
  } catch (error) {
    request = Promise.reject(error);
  }
  request
    .then((response) => {
      void serverMessage(response); // read to its end, as in send()
      // If the page stays (bfcache, or it was only hidden), count the answer. Anything but
      // success is left to the ordinary sending, which knows how to retry or drop.
      if (L.closed || !response.ok) return;
      settle(L, outbox, chunk.events);
      if (outbox.own && L.own.events.length === 0 && L.inFlight !== L.own && !L.own.blocked) {
        if (L.own.retryTimer !== null) L.stopTimer(L.own.retryTimer);
        L.own.retryTimer = null;
        L.own.attempt = 0;
        report(L, L.own, "idle");
      }
    })
    .catch(() => {})
    .finally(() => {
      L.keepaliveBytesInFlight -= chunk.bytes;
      for (const event of chunk.events) outbox.keepaliveIds.delete(event.id);
    });
}

function onVisibilityChange(L, event) {
  // Mobile browsers often kill a hidden page without a pagehide: hidden is the last sure moment.
  const state = event?.target?.visibilityState ?? globalThis.document?.visibilityState;
  if (state === "hidden") sendBeforeLeaving(L);
}

function onOnline(L) {
  // Backoff may be waiting up to 30 s; the network is back now. A server's Retry-After still holds.
  for (const outbox of [L.own, ...L.leftovers]) {
    if (outbox.retryTimer === null) continue;
    L.stopTimer(outbox.retryTimer);
    const wait = outbox.notBefore - L.now();
    if (wait > 0) outbox.retryTimer = L.startTimer(() => retryNow(L, outbox), wait);
    else retryNow(L, outbox);
  }
}

// --- Status and flush --------------------------------------------------------------------------

function report(L, outbox, next) {
  if (!outbox.own || L.closed || next === L.status) return;
  L.status = next;
  for (const listener of [...L.statusListeners]) {
    try {
      listener(next);
    } catch (error) {
      console.error("Pathlens logger: a status listener failed", error);
    }
  }
}

function settleFlushWaiters(L) {
  for (const waiter of [...L.flushWaiters]) {
    if (L.closed || L.own.blocked || !L.own.events.some((event) => waiter.ids.has(event.id))) {
      L.flushWaiters.splice(L.flushWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}

function clearBatchTimer(L, outbox) {
  if (outbox.batchTimer !== null) L.stopTimer(outbox.batchTimer);
  outbox.batchTimer = null;
}

function clearTimers(L, outbox) {
  clearBatchTimer(L, outbox);
  if (outbox.retryTimer !== null) L.stopTimer(outbox.retryTimer);
  outbox.retryTimer = null;
}

function leftoverOutbox(key, { endpoint, token, events }) {
  return createOutbox({ key, endpoint, token, events });
}

function createOutbox({ key, endpoint, token, events = [], own = false }) {
  return {
    key,
    endpoint,
    token,
    events: [...events],
    own,
    blocked: false, // 401 with the current token: waits for setToken()
    dueAt: null, // when the queued events must be sent, even if fewer than maxBatch
    batchTimer: null,
    retryTimer: null,
    attempt: 0, // failed tries in a row, for the backoff
    notBefore: 0, // the server's Retry-After, which online does not cut short
    plannedSizes: [], // batch sizes left from splitting a batch the server found too large (413)
    keepaliveIds: new Set(), // events in a keepalive request not yet answered
    settled: new Set(), // leftover outboxes only: ids accepted or dropped, see persist()
  };
}

// The largest run of events from `start` (at most `limit`) whose request body fits `budget` bytes.
function fitChunk(events, start, limit, sentAt, budget) {
  const envelope = byteLength(JSON.stringify({ sent_at: sentAt, events: [] }));
  let bytes = envelope;
  let count = 0;
  while (count < limit) {
    const eventBytes = byteLength(JSON.stringify(events[start + count])) + (count > 0 ? 1 : 0); // the comma
    if (bytes + eventBytes > budget) break;
    bytes += eventBytes;
    count += 1;
  }
  if (count === 0) return null;
  const chunkEvents = events.slice(start, start + count);
  return { events: chunkEvents, body: JSON.stringify({ sent_at: sentAt, events: chunkEvents }), bytes };
}

// Storage is a best-effort mirror of the queue: quota errors, disabled storage (private modes,
// blocked cookies) and corrupt entries cost durability, never logging.
function createStore(storage) {
  let warned = false;
  const attempt = (action, fallback) => {
    if (!storage) return fallback;
    try {
      return action();
    } catch (error) {
      if (!warned) {
        warned = true;
        console.warn("Pathlens logger: storage failed; unsent events are kept in memory only", error);
      }
      return fallback;
    }
  };
  return {
    read(key) {
      const text = attempt(() => storage.getItem(key), null);
      if (text === null) return null;
      try {
        const record = JSON.parse(text);
        if (
          typeof record?.endpoint === "string" &&
          typeof record.token === "string" &&
          Array.isArray(record.events) &&
          record.events.every((event) => typeof event?.id === "string")
        ) {
          return record;
        }
      } catch {
        // reported below
      }
      console.warn(`Pathlens logger: ignoring an unreadable outbox in storage (${key})`);
      return null;
    },
    write(key, record) {
      attempt(() => storage.setItem(key, JSON.stringify(record)));
    },
    remove(key) {
      attempt(() => storage.removeItem(key));
    },
    keys() {
      return attempt(() => {
        const keys = [];
        for (let index = 0; index < storage.length; index += 1) {
          const key = storage.key(index);
          if (key?.startsWith(OUTBOX_PREFIX)) keys.push(key);
        }
        return keys;
      }, []);
    },
  };
}

function browserStorage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // reading localStorage itself throws where storage is disabled
  }
}

async function serverMessage(response) {
  return (await serverAnswer(response)).slice(0, 2000);
}

// The whole answer (a refusal of many events by index can be long), read to its end.
async function serverAnswer(response) {
  try {
    return await response.text();
  } catch {
    return "(no message)";
  }
}

function parseAnswer(text) {
  try {
    const parsed = JSON.parse(text);
    return parsed && typeof parsed === "object" ? parsed : {};
  } catch {
    return {};
  }
}

// The events of `batch` that the answer names as never acceptable: by index in `errors` (a 2xx
// whose other events were stored, or a 400), or by id in `ids` (a 409: an id already used for
// other content). Problems without an index concern the whole batch and name no event.
function refusedEvents(batch, code, parsed) {
  if (code === 409) {
    const ids = new Set(Array.isArray(parsed.ids) ? parsed.ids : []);
    return batch.filter((event) => ids.has(event.id));
  }
  if (code !== 400 && !(code >= 200 && code < 300)) return [];
  const problems = Array.isArray(parsed.errors) ? parsed.errors : [];
  const indexes = new Set(
    problems.map((problem) => problem?.index).filter((index) => Number.isInteger(index)),
  );
  return batch.filter((_, index) => indexes.has(index));
}

function retryAfterMs(response, nowMs) {
  const value = response.headers?.get?.("Retry-After");
  if (!value) return 0;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value); // Retry-After may also be an HTTP date
  return Number.isNaN(date) ? 0 : Math.max(0, date - nowMs);
}

function newEventId() {
  // crypto.randomUUID exists only in secure contexts (https, localhost); a site served over plain
  // http still has getRandomValues.
  if (typeof globalThis.crypto?.randomUUID === "function") return globalThis.crypto.randomUUID();
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function isPlainObject(value) {
  if (value === null || typeof value !== "object") return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describe(value) {
  if (value === null || value === undefined) return String(value);
  if (value === "") return "an empty string";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return `a ${value.constructor?.name ?? "object"}`;
  return `a ${typeof value}`;
}

function requireText(name, value) {
  if (typeof value !== "string" || value === "") {
    throw new Error(`Pathlens logger: ${name} must be a non-empty string, not ${describe(value)}`);
  }
}
