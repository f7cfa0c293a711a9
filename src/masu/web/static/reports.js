/* Draws the admin reports' charts with the vendored Chart.js.

   Reads the figures from the `<script type="application/json" id="report-charts">` block (data, never run):
   for each chart a kind ("bar" or "line"), labels and labelled series, and the flags `horizontal`, `stacked`,
   `percent` and `whole` (counts). Each is drawn on the `canvas[data-chart=<name>]`, which gets `data-drawn="yes"` once Chart.js
   has rendered it. No animation, so nothing moves for people who asked for less motion. The same figures are
   in the table under each chart, so the page says everything without this script. */
(function () {
  "use strict";

  var COLOURS = ["#2f6f8f", "#d9822b", "#4c956c", "#b23a48", "#7a5195"];

  var markDrawn = {
    id: "masuMarkDrawn",
    afterRender: function (chart) {
      chart.canvas.dataset.drawn = "yes";
    },
  };

  function datasets(spec) {
    return spec.series.map(function (series, index) {
      var colour = COLOURS[index % COLOURS.length];
      return {
        label: series.label,
        data: series.data,
        backgroundColor: colour,
        borderColor: colour,
        spanGaps: true,
      };
    });
  }

  function scales(spec, rtl) {
    var value = { beginAtZero: true, stacked: !!spec.stacked, ticks: {} };
    if (spec.percent) {
      value.max = 100;
    }
    if (spec.whole) {
      value.ticks.precision = 0; // counts: no 0.5 booking on the axis
    }
    var category = { stacked: !!spec.stacked };
    if (!rtl) {
      return spec.horizontal ? { x: value, y: category } : { x: category, y: value };
    }
    // Right to left: time and names run from the right, as the text does.
    if (spec.horizontal) {
      value.reverse = true;
      category.position = "right";
      return { x: value, y: category };
    }
    category.reverse = true;
    value.position = "right";
    return { x: category, y: value };
  }

  function draw(canvas, spec, rtl, lang) {
    return new window.Chart(canvas, {
      type: spec.kind,
      data: { labels: spec.labels, datasets: datasets(spec) },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        locale: lang,
        indexAxis: spec.horizontal ? "y" : "x",
        scales: scales(spec, rtl),
        plugins: {
          legend: { display: spec.series.length > 1, rtl: rtl },
          tooltip: { rtl: rtl },
        },
      },
      plugins: [markDrawn],
    });
  }

  function start() {
    var block = document.getElementById("report-charts");
    if (!block || typeof window.Chart === "undefined") {
      return;
    }
    var charts = JSON.parse(block.textContent);
    var root = document.documentElement;
    var rtl = root.dir === "rtl";
    Object.keys(charts).forEach(function (name) {
      var canvas = document.querySelector('canvas[data-chart="' + name + '"]');
      if (canvas) {
        draw(canvas, charts[name], rtl, root.lang || "en");
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
