// A widget session as a seekable time line: events sorted by time, folded once with the widget's
// reducer, with a snapshot of the state every `every` events so that any moment can be shown by
// starting from the nearest snapshot and folding a short run of events.
//
// Pure module: no DOM, importable in Node (tests/js/timeline.test.mjs).
//
// Snapshots are plain references to the states the reducer returned. That is safe because the
// widget contract says `reduce(state, event)` returns a new state and never mutates its input, so
// a state, once returned, never changes. A reducer that mutated its input would corrupt the
// snapshots (and break playback); tests/js/<widget>.test.mjs checks each reducer for that.

/** Events with a finite numeric `t`, sorted by `t`; ties keep the order they arrived in. */
export function sortEvents(events) {
  // Array.prototype.sort is stable (ES2019), which is what keeps ties in arrival order.
  return Array.from(events ?? [])
    .filter((event) => event && typeof event === "object" && Number.isFinite(event.t))
    .sort((a, b) => a.t - b.t);
}

/**
 * @param {{initialState: () => any, reduce: (state: any, event: object) => any}} reducer
 * @param {Iterable<object>} events  any order; events without a finite numeric `t` are dropped
 * @param {{every?: number}} options  snapshot interval, in events
 */
export function createTimeline(reducer, events, { every = 200 } = {}) {
  if (!Number.isInteger(every) || every < 1) {
    throw new RangeError(`every must be a positive integer, not ${every}`);
  }
  const sorted = sortEvents(events);
  const times = sorted.map((event) => event.t);
  const initial = reducer.initialState();

  // snapshots[k] is the state after the first k * every events; snapshots[0] is the initial state.
  const snapshots = [initial];
  let state = initial;
  for (let i = 0; i < sorted.length; i += 1) {
    state = reducer.reduce(state, sorted[i]);
    if ((i + 1) % every === 0) snapshots.push(state);
  }
  const finalState = state;

  /** Index of the last event with `t <= time`, or -1 when there is none. */
  function indexAt(time) {
    if (Number.isNaN(time)) return -1;
    // Binary search for the first event with t > time.
    let low = 0;
    let high = times.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (times[middle] <= time) low = middle + 1;
      else high = middle;
    }
    return low - 1;
  }

  /** The state after applying events 0..index (inclusive); index -1 gives the initial state. */
  function stateAtIndex(index) {
    const last = Math.min(Math.max(Math.trunc(index), -1), sorted.length - 1);
    if (last === sorted.length - 1) return finalState;
    const applied = last + 1;
    const k = Math.floor(applied / every);
    let result = snapshots[k];
    for (let i = k * every; i < applied; i += 1) result = reducer.reduce(result, sorted[i]);
    return result;
  }

  /** The state after every event with `event.t <= time`. */
  function stateAt(time) {
    return stateAtIndex(indexAt(time));
  }

  return {
    events: sorted,
    count: sorted.length,
    start: sorted.length ? times[0] : null,
    end: sorted.length ? times[times.length - 1] : null,
    finalState,
    indexAt,
    stateAt,
    stateAtIndex,
  };
}
