// Chernoff faces tutorial: the view the runtime mounts. It builds every step once, then
// `render(state)` only updates what changed, so a replay can seek through a long session without
// rebuilding the page. Learner input becomes events through `dispatch`.
// Contract: docs/contracts.md ("Widget modules"); guide: docs/widgets.md.
//
//   build.js   the frame and every step, and the `view` object the others share
//   render.js  draws a state            face.js    a face in SVG, and the key
//   input.js   learner input → events   words.js   texts and face proportions (pure, tested in Node)

import { buildView } from "./build.js";
import { bindInput, completeIfDone } from "./input.js";
import { render } from "./render.js";

/** Mounts the tutorial into `root`; returns `{ render(state) }`. */
export function mount(root, { dispatch, mode }) {
  const view = buildView(root, { dispatch, mode });
  bindInput(view); // in playback too: nothing is sent, and the controls are disabled
  return {
    render(state) {
      render(view, state);
      completeIfDone(view, state);
    },
  };
}
