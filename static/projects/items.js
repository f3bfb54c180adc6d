// The item analysis charts (projects/items.py builds each figure): one stacked bar per item,
// drawn with our own plotly.js; each chart says so when it could not be drawn. Charts that
// arrive later (the panel swapped in by htmx once a large run's analysis is ready) are drawn too.
/* global Plotly */
function drawItemCharts(root) {
  for (const chart of root.querySelectorAll("[data-items-chart][data-state='loading']")) {
    const source = document.getElementById(chart.dataset.itemsChart);
    if (!source) continue;
    if (typeof Plotly === "undefined") {
      chart.dataset.state = "failed";
      chart.textContent = "The chart could not be drawn: its script did not load. Reload the page.";
      continue;
    }
    const figure = JSON.parse(source.textContent);
    Plotly.newPlot(chart, figure.data, figure.layout, { displaylogo: false, responsive: true })
      .then(() => { chart.dataset.state = "drawn"; })
      .catch((error) => {
        chart.dataset.state = "failed";
        chart.textContent = `The chart could not be drawn: ${error.message || error}`;
      });
  }
}

drawItemCharts(document);
document.body.addEventListener("htmx:afterSettle", () => drawItemCharts(document));
