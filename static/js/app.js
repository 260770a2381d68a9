// Mechanic: render the plotly figures the server built (JSON in <script type="application/json">).
// Pages are fully readable without this file: every chart has a table under it.
(function () {
  "use strict";

  // Plotly does not wrap titles: on a narrow screen a long one is cut off at the edge. Break it
  // at the space nearest its middle and give the extra line room above the plot.
  function fitTitle(layout, width) {
    var title = layout.title;
    if (!title || typeof title.text !== "string" || !width) return;
    var fits = Math.floor(width / 9); // characters of the 15px title font per line, roughly
    var text = title.text;
    if (text.length <= fits || text.indexOf("<br>") !== -1) return;
    var middle = Math.floor(text.length / 2);
    var left = text.lastIndexOf(" ", middle);
    var right = text.indexOf(" ", middle);
    var cut = left === -1 ? right : right === -1 ? left : (middle - left <= right - middle ? left : right);
    if (cut <= 0) return;
    layout.title = Object.assign({}, title, { text: text.slice(0, cut) + "<br>" + text.slice(cut + 1) });
    var margin = Object.assign({}, layout.margin || {});
    margin.t = (margin.t || 80) + 22;
    layout.margin = margin;
  }

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
      fitTitle(layout, el.clientWidth);
      window.Plotly.newPlot(el, spec.data || [], layout, {
        responsive: true,
        displaylogo: false,
        modeBarButtonsToRemove: ["select2d", "lasso2d"],
      });
    });
  }

  // The exercise form numbers its edits, rising (microseconds on this clock, and always above
  // the number of the table the page was rendered with): each save carries the number of the
  // newest edit it holds, and the server keeps a save that arrives after a newer one from
  // writing over it (an autosave still on its way when Check is pressed).
  function numberEdits(form) {
    var field = form.querySelector("input[name=seq]");
    if (!field || form.dataset.editSeqReady) return;
    form.dataset.editSeqReady = "1";
    var last = parseInt(form.dataset.editSeq || "0", 10) || 0;
    form.addEventListener("input", function (evt) {
      if (evt.target === field) return;
      last = Math.max(Date.now() * 1000, last + 1);
      field.value = String(last);
    });
  }

  function numberAllEdits() {
    document.querySelectorAll("form[data-edit-seq]").forEach(numberEdits);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", numberAllEdits);
  } else {
    numberAllEdits();
  }
  window.addEventListener("load", function () { renderCharts(document); });
  document.addEventListener("htmx:afterSettle", function (evt) { renderCharts(document); });
})();
