// Marks closer than a few pixels on screen are drawn as one (they would cover each other anyway);
// the drawn one knows how many it stands for, and zooming in draws them apart. A 10,000-event
// session is then a few hundred SVG marks at full width (docs/replay.md, "Why").
// Pure (no DOM, importable in Node: tests/js/replay_modules.test.mjs).

import { firstAtOrAfter } from "./timeindex.js";

export const COLUMN_PX = 3;

/**
 * One row's marks for the x range [from, to] (axis units, `unit` ms each) over `width` pixels:
 * `kept` event indices (the first of each column), `extra[k]` how many more events the k-th
 * stands for and `last[k]` the last of them. `indices` are the row's event indices, ascending.
 */
export function thinRow(offsets, indices, { from, to, width, unit, columnPx = COLUMN_PX }) {
  const perColumn = ((to - from) * unit) / Math.max(1, width / columnPx); // ms
  const start = from * unit - perColumn;
  const end = to * unit + perColumn;
  const kept = [];
  const extra = [];
  const last = [];
  let column = NaN;
  for (let k = firstAtOrAfter(offsets, indices, start); k < indices.length; k += 1) {
    const index = indices[k];
    const offset = offsets[index];
    if (offset > end) break;
    const here = Math.floor((offset - start) / perColumn);
    if (here === column) {
      extra[extra.length - 1] += 1;
      last[last.length - 1] = index;
      continue;
    }
    column = here;
    kept.push(index);
    extra.push(0);
    last.push(index);
  }
  return { kept, extra, last };
}
