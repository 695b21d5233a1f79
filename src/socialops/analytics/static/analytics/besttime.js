// Best-time heatmap: weekday × hour, with a toggle between mean engagement, engagement rate and
// the planner's score. Data comes from the JSON block named by data-besttime (CSP: no inline script).
(function () {
  "use strict";

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
    });
  }

  function option(data, metric) {
    var series = data.series[metric];
    return {
      tooltip: {
        position: "top",
        formatter: function (params) { return escapeHtml(params.data[3]); }
      },
      grid: { left: 50, right: 20, top: 10, bottom: 80 },
      xAxis: { type: "category", data: data.hours, splitArea: { show: true } },
      yAxis: { type: "category", data: data.weekdays, inverse: true, splitArea: { show: true } },
      visualMap: {
        dimension: 2,  // [hour, weekday, value, label]: colour by the value, not the label
        min: series.min,
        max: series.max === series.min ? series.min + 1 : series.max,
        calculable: true,
        orient: "horizontal",
        left: "center",
        bottom: 10,
        text: [series.name, ""]
      },
      series: [{
        name: series.name,
        type: "heatmap",
        data: series.data,
        label: { show: false },
        emphasis: { itemStyle: { shadowBlur: 10, shadowColor: "rgba(0, 0, 0, 0.5)" } }
      }]
    };
  }

  function init(el) {
    if (typeof window.echarts === "undefined" || el.dataset.besttimeReady) return;
    var source = document.getElementById(el.dataset.besttime);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    var buttons = document.querySelectorAll("[data-besttime-metric]");

    function show(metric) {
      chart.setOption(option(data, metric), true);
      buttons.forEach(function (b) {
        var on = b.dataset.besttimeMetric === metric;
        b.classList.toggle("active", on);
        b.setAttribute("aria-pressed", on ? "true" : "false");
      });
      el.dataset.metric = metric;
    }

    buttons.forEach(function (b) {
      b.addEventListener("click", function () { show(b.dataset.besttimeMetric); });
    });
    show(data.initial);
    el.dataset.besttimeReady = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-besttime]").forEach(init);
  });
})();
