/* Metrics dashboards: draws each <canvas data-chart="id"> with the vendored Chart.js when its section
 * ([data-chart-section]) first scrolls into view. The section's data comes from its endpoint
 * (data-charts: {"charts": {id: data}}), or else from the JSON in <script id="id"> on the page.
 * Chart.js itself (data-chartjs on this script) is fetched then, once. Without JavaScript, or if a
 * fetch fails, the chart boxes stay hidden and the tables under every chart carry the same figures. */
(function () {
  "use strict";

  var self = document.currentScript;
  var CHARTJS = self && self.dataset.chartjs;
  var chartjs = null;

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

  function loadChartJs() {
    if (window.Chart) return Promise.resolve();
    if (!chartjs) {
      chartjs = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = CHARTJS;
        tag.onload = resolve;
        tag.onerror = function () { chartjs = null; reject(new Error("Chart.js did not load")); };
        document.head.appendChild(tag);
      });
    }
    return chartjs;
  }

  function inlineData(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function sectionData(section) {
    var url = section.dataset.charts;
    if (!url) return Promise.resolve(inlineData);
    return fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) {
        if (!response.ok) throw new Error("Chart data: " + response.status);
        return response.json();
      })
      .then(function (body) { return function (id) { return body.charts[id] || null; }; });
  }

  function draw(section, dataFor) {
    section.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var data = dataFor(canvas.dataset.chart);
      if (!data || window.Chart.getChart(canvas)) return;
      var empty = data.datasets.every(function (ds) { return !ds.data.length; });
      if (empty) return;
      canvas.closest("[data-chart-box]").hidden = false;
      new window.Chart(canvas, config(data));
    });
  }

  function reveal(section) {
    Promise.all([sectionData(section), loadChartJs()])
      .then(function (done) { draw(section, done[0]); })
      .catch(function () { /* the tables under the charts already hold every figure */ });
  }

  function start() {
    var sections = document.querySelectorAll("[data-chart-section]");
    if (!("IntersectionObserver" in window)) {
      sections.forEach(reveal);
      return;
    }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        observer.unobserve(entry.target);
        reveal(entry.target);
      });
    }, {rootMargin: "200px 0px"});
    sections.forEach(function (section) { observer.observe(section); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
