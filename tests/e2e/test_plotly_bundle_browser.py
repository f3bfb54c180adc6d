"""The partial plotly.js bundle draws exactly what plotly's official strict build draws.

The partial bundle (static/vendor/plotly/build/) uses plotly's precompiled WebGL programs with
the regl-* packages its lockfile resolves; if those ever disagree with the ones plotly compiled
the programs for, lines and markers draw wrongly. So the same figure (WebGL markers on a grey
score scale, a solid and a dashed path; SVG markers, lines, shapes and annotations, as the
replay's timeline uses) is drawn by both bundles in a real Chromium and the pictures compared.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

pytestmark = [pytest.mark.browser]

# The bundle the site serves, and plotly's official strict build of the same version: the
# reference, kept with the tests (no page loads it; it would ship CDN addresses in static/).
BUNDLES = {
    "official": Path(settings.BASE_DIR, "tests/fixtures/plotly/plotly-strict.min.js"),
    "ours": Path(settings.BASE_DIR, "static/vendor/plotly/plotly-pathlens.min.js"),
}
FIGURE = """async (kind) => {
  const x = [], y = [], size = [];
  for (let i = 0; i < 400; i++) {
    x.push((i % 40) + Math.sin(i) * 3); y.push(Math.floor(i / 40) + Math.cos(i) * 0.3);
    size.push(4 + (i % 12));
  }
  const path = (colour, dash, ys) => ({
    type: kind, mode: "lines+markers", x: [0, 10, 20, 30, 39], y: ys,
    line: { color: colour, width: 3, dash }, marker: { size: 9, color: colour },
  });
  const div = document.createElement("div");
  document.body.replaceChildren(div);
  await Plotly.newPlot(div, [
    { type: kind, mode: "markers", x, y,
      marker: { size, color: y, colorscale: [[0, "#dde3ea"], [1, "#27313d"]] } },
    path("#EE7733", "dash", [0, 5, 2, 8, 3]),
    path("#332288", "solid", [9, 1, 7, 0, 6]),
  ], {
    width: 600, height: 400, margin: { l: 30, r: 10, t: 10, b: 30 }, showlegend: false,
    shapes: [{ type: "rect", x0: 12, x1: 18, y0: 0, y1: 9, fillcolor: "#88CCEE", opacity: 0.3 }],
    annotations: [{ x: 20, y: 7, text: "4 min active · 5 events", bgcolor: "#fff" }],
  }, { staticPlot: true });
  return Boolean(document.querySelector(".gl-canvas-context")) || kind === "scatter";
}"""


@pytest.mark.parametrize("kind", ["scattergl", "scatter"])
def test_the_partial_bundle_draws_like_the_official_strict_build(browser, kind):
    pictures = []
    for bundle in BUNDLES.values():
        page = browser.new_page(viewport={"width": 600, "height": 400})
        page.set_content("<body style='margin:0'></body>")
        page.add_script_tag(path=str(bundle))
        assert page.evaluate(FIGURE, kind), f"{bundle.name} drew no WebGL"
        pictures.append(page.screenshot())
        page.close()
    assert pictures[0] == pictures[1]


# Item analysis draws stacked horizontal bars (first try / later / gave up per item).
BARS = """async () => {
  const items = ["Item 1", "Item 2", "Item 3", "Item 4"];
  const part = (name, colour, x) => ({
    type: "bar", orientation: "h", name, x, y: items, marker: { color: colour },
    text: x.map(String), textposition: "inside",
  });
  const div = document.createElement("div");
  document.body.replaceChildren(div);
  await Plotly.newPlot(div, [
    part("First try", "#117733", [12, 8, 3, 1]),
    part("Later", "#DDCC77", [5, 9, 10, 6]),
    part("Gave up", "#CC6677", [1, 2, 6, 11]),
  ], {
    barmode: "stack", width: 600, height: 300, margin: { l: 60, r: 10, t: 10, b: 30 },
    legend: { orientation: "h" },
  }, { staticPlot: true });
  return document.querySelectorAll(".barlayer .point").length;
}"""


def test_the_partial_bundle_draws_bars_like_the_official_strict_build(browser):
    pictures = []
    for bundle in BUNDLES.values():
        page = browser.new_page(viewport={"width": 600, "height": 300})
        page.set_content("<body style='margin:0'></body>")
        page.add_script_tag(path=str(bundle))
        assert page.evaluate(BARS) == 12, f"{bundle.name} drew no bars"
        pictures.append(page.screenshot())
        page.close()
    assert pictures[0] == pictures[1]
