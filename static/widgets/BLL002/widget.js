// BLL002 "Balance lever lab": the view the runtime mounts. It draws the state it is given (render)
// and reports learner actions as events (dispatch). It keeps only passing UI state of its own: a
// weight being dragged or carried with the keyboard, and where focus should go next. Everything a
// replay must show comes from the reducer's state.
// Contract: docs/contracts.md ("Widget modules"); guide: docs/widgets.md.
//
//   build.js   the frame, and the `view` object the others share
//   render.js  draws a state            stage.js     the lever, weights and tray (SVG)
//   input.js   learner input → events   geometry.js, words.js   pure, tested in Node

import { buildView } from "./build.js";
import { bindInput } from "./input.js";
import { render } from "./render.js";

export function mount(root, { dispatch, mode }) {
  const view = buildView(root, { dispatch, mode });
  bindInput(view);
  return { render: (state) => render(view, state) };
}
