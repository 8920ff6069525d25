/* Metrics dashboards: draws each <canvas data-chart="id"> from the JSON in <script id="id"> with the
 * vendored Chart.js. Without JavaScript (or Chart.js) the chart boxes stay hidden and the tables
 * under every chart carry the same figures. */
(function () {
  "use strict";

  var PALETTE = ["#b3471a", "#0f6e6a", "#6b3fa0", "#1d5a85", "#7a4a00"];

  function css(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name);
    return (value && value.trim()) || fallback;
  }

  function formatter(kind) {
    if (kind === "pct") return function (v) { return v == null ? "—" : v.toFixed(1) + "%"; };
    if (kind === "score") return function (v) { return v == null ? "—" : (v > 0 ? "+" : "") + v.toFixed(2); };
    if (kind === "ratio") return function (v) { return v == null ? "—" : v.toFixed(2); };
    return function (v) { return v == null ? "—" : Math.round(v).toLocaleString(); };
  }

  function config(data) {
    var format = formatter(data.yFormat);
    var text = css("--c-text", "#2a1f17");
    var grid = css("--c-border", "#e6d6c6");
    var datasets = data.datasets.map(function (ds, i) {
      var colour = PALETTE[i % PALETTE.length];
      return Object.assign({
        borderColor: colour, backgroundColor: data.type === "bubble" ? colour + "66" : colour,
        spanGaps: true, tension: 0.2, pointRadius: 3
      }, ds);
    });
    var tooltip = {callbacks: {}};
    if (data.type === "bubble") {
      tooltip.callbacks.label = function (ctx) {
        var p = ctx.raw;
        return p.label + ": " + p.x + " members, " + format(p.y) + " engagement";
      };
    } else {
      tooltip.callbacks.label = function (ctx) { return ctx.dataset.label + ": " + format(ctx.parsed.y); };
    }
    return {
      type: data.type,
      data: {labels: data.labels, datasets: datasets},
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: {legend: {labels: {color: text}}, tooltip: tooltip},
        scales: {
          x: {ticks: {color: text, maxRotation: 0, autoSkip: true}, grid: {color: grid},
              title: {display: data.type === "bubble", text: "Members", color: text}},
          // Counts are whole numbers: without precision 0 small ranges repeat labels (4 4 3 3) after rounding.
          y: {ticks: {color: text, callback: format, precision: data.yFormat === "int" ? 0 : undefined}, grid: {color: grid}, beginAtZero: data.yFormat !== "score",
              title: {display: data.type === "bubble", text: "Engagement rate", color: text}}
        }
      }
    };
  }

  function draw() {
    if (typeof window.Chart === "undefined") return;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var empty = data.datasets.every(function (ds) { return !ds.data.length; });
      if (empty) return;
      canvas.closest("[data-chart-box]").hidden = false;
      new window.Chart(canvas, config(data));
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
