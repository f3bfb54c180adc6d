// TEI001 "Fractions on a number line": the page's entry point.
// <script type="module" src="/static/widgets/TEI001/main.js"></script>

import { startWidget } from "../runtime.js";
import * as reducer from "./reducer.js";
import * as view from "./widget.js";

// The view lays cards out from their measured size, so its stylesheet must be in before it mounts.
// The Django pages link widget.css themselves (with a hashed name in production); a page that does
// not, such as a manual test page, gets it here, from beside this module.
await loadStylesheet(new URL("./widget.css", import.meta.url));
startWidget({ reducer, view });

function loadStylesheet(url) {
  const present = [...document.querySelectorAll('link[rel="stylesheet"]')].find((link) =>
    /\/widgets\/TEI001\/widget(\.[0-9a-f]+)?\.css$/.test(new URL(link.href).pathname),
  );
  if (present?.sheet) return Promise.resolve();
  const link = present ?? document.createElement("link");
  return new Promise((resolve) => {
    const done = () => resolve();
    link.addEventListener("load", done, { once: true });
    link.addEventListener("error", done, { once: true }); // unstyled beats not starting at all
    setTimeout(done, 3000);
    if (!present) {
      link.rel = "stylesheet";
      link.href = url.href;
      document.head.append(link);
    }
  });
}
