// A learner's progress chart (dashboard/profiles.py builds the figure): drawn with our own
// plotly.js, and says so when it could not be.
/* global Plotly */
const chart = document.getElementById("profile-chart");
const source = document.getElementById("profile-chart-data");
if (chart && source) {
  if (typeof Plotly === "undefined") {
    chart.dataset.state = "failed";
    chart.textContent = "The chart could not be drawn: its script did not load. Reload the page.";
  } else {
    const figure = JSON.parse(source.textContent);
    Plotly.newPlot(chart, figure.data, figure.layout, { displaylogo: false, responsive: true })
      .then(() => { chart.dataset.state = "drawn"; })
      .catch((error) => {
        chart.dataset.state = "failed";
        chart.textContent = `The chart could not be drawn: ${error.message || error}`;
      });
  }
}
