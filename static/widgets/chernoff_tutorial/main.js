// Chernoff faces tutorial: the page's entry point. The shared runtime does the rest
// (docs/contracts.md, "Widget modules").
import { startWidget } from "../runtime.js";
import * as reducer from "./reducer.js";
import * as view from "./widget.js";

startWidget({ reducer, view });
