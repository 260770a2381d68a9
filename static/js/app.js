// Mechanic: render the plotly figures the server built (JSON in <script type="application/json">).
// Pages are fully readable without this file: every chart has a table under it.
(function () {
  "use strict";

  function renderCharts(root) {
    if (!window.Plotly) return;
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var spec;
      try {
        spec = JSON.parse(source.textContent);
      } catch (err) {
        return;
      }
      el.dataset.rendered = "1";
      el.innerHTML = "";
      var layout = Object.assign({}, spec.layout || {}, { autosize: true });
      window.Plotly.newPlot(el, spec.data || [], layout, {
        responsive: true,
        displaylogo: false,
        modeBarButtonsToRemove: ["select2d", "lasso2d"],
      });
    });
  }

  window.addEventListener("load", function () { renderCharts(document); });
  document.addEventListener("htmx:afterSettle", function (evt) { renderCharts(document); });
})();
