// BLL002 "Balance lever lab": started by the shared runtime (record or playback, per the page).
import { startWidget } from "../runtime.js";
import * as reducer from "./reducer.js";
import * as view from "./widget.js";

startWidget({ reducer, view });
