// The replay's time: a session's own clock with the gaps between its sittings cut out. Twin of
// replay/sessiontime.py, which cuts the sittings (the platform's rule) and sends them in the page
// data; both are tested on tests/fixtures/replay_time.json (tests/replay/test_sessiontime.py and
// tests/js/sessiontime.test.mjs).
//
// Absolute time `t` is the client's clock (the events', and what the widget is told); play time
// is from the first event with each gap between sittings replaced by a short pause: what the
// clock, the seek bar, the timeline's x axis and `?t=` links read.
//
// Pure module: no DOM, importable in Node.

/** Index of the last of ascending `values` that is <= `x` (-1 for none). */
function lastAtOrBefore(values, x) {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle] <= x) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

/**
 * @param {{number: number, start: number, end: number, at: number, later: string}[]} sittings
 *   as replay/sessiontime.py's `SessionTime.as_data()` gives them, in order
 */
export function createSessionTime(sittings) {
  const parts = (sittings ?? []).map((sitting) => ({ ...sitting, length: sitting.end - sitting.start }));
  const starts = parts.map((part) => part.start);
  const ats = parts.map((part) => part.at);
  const length = parts.length ? parts[parts.length - 1].at + parts[parts.length - 1].length : 0;

  /** The sitting played at `play` (during a cut gap: the one just finished). */
  function partAt(play) {
    return parts[Math.max(0, lastAtOrBefore(ats, play))];
  }

  return {
    parts,
    length,
    start: parts.length ? parts[0].start : 0,
    partAt,
    /** Play time of absolute time `t` (a moment in a gap is the end of the sitting before). */
    play(t) {
      if (!parts.length) return 0;
      const part = parts[Math.max(0, lastAtOrBefore(starts, t))];
      return part.at + Math.min(Math.max(t - part.start, 0), part.length);
    },
    /** Absolute time shown at play time `play`: what the widget is told. */
    absolute(play) {
      if (!parts.length) return 0;
      const part = partAt(play);
      return part.start + Math.min(Math.max(play - part.at, 0), part.length);
    },
    /** True while `play` is in the pause that stands for the gap after a sitting. */
    inGap(play) {
      if (!parts.length) return false;
      const part = partAt(play);
      return part !== parts[parts.length - 1] && play > part.at + part.length;
    },
  };
}
