// TEI001 "Fractions on a number line": the view the runtime mounts. It draws the state it is
// handed and turns learner actions (drag, tap, keys) into events through `dispatch`; it keeps no
// state of its own beyond what is in the learner's hands right now (a card dragged or carried).
// Contract: docs/contracts.md ("Widget modules"); guide: docs/widgets.md.
//
//   build.js   the frame and each item's board, and the `view` object the others share
//   render.js  draws a state            layout.js  where the cards stand (measured)
//   input.js   learner input → events   words.js   what the view says (pure, tested in Node)

import { buildView } from "./build.js";
import { bindInput } from "./input.js";
import { render } from "./render.js";

export function mount(root, { dispatch, mode }) {
  const view = buildView(root, { dispatch, mode });
  bindInput(view);
  return { render: (state) => render(view, state) };
}
