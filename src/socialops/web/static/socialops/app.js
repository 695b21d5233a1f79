// socialops page behaviour. Loaded as a file (CSP forbids inline script); pages pass data in
// <script type="application/json"> blocks and data-* attributes.
(function () {
  "use strict";

  // Charts: <div class="chart" data-echarts="ID"> takes its ECharts option from the JSON block #ID.
  function initCharts(root) {
    if (typeof window.echarts === "undefined") return;
    root.querySelectorAll("[data-echarts]").forEach(function (el) {
      if (el.dataset.echartsReady) return;
      var source = document.getElementById(el.dataset.echarts);
      if (!source) return;
      var option = JSON.parse(source.textContent);
      // Screen readers get the chart as one image with a name: the template's label if it gave
      // one, else ECharts' own description (title, series and their values, in the page's language).
      var labelled = el.hasAttribute("aria-label");
      if (!labelled) option.aria = Object.assign({ enabled: true }, option.aria || {});
      var zh = (document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0;
      var chart = window.echarts.init(el, null, { renderer: "canvas", locale: zh ? "ZH" : "EN" });
      chart.setOption(option);
      el.setAttribute("role", "img");
      if (!el.getAttribute("aria-label")) {
        var title = [].concat(option.title || [])[0];
        el.setAttribute("aria-label", (title && title.text) || el.dataset.echarts);
      }
      el.dataset.echartsReady = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  // Progress bars: width from data-progress (0–100) so no inline style attribute is needed.
  function initProgress(root) {
    root.querySelectorAll("[data-progress]").forEach(function (el) {
      var v = Math.max(0, Math.min(100, parseFloat(el.dataset.progress) || 0));
      el.style.width = v + "%";
    });
  }

  // Buttons and forms with data-confirm ask first (for deletes and other regrettable clicks).
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var msg = form.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) ev.preventDefault();
  }, true);

  // A table wider than a phone scrolls sideways; keyboard users can only scroll what they can
  // focus, so a scrolling wrapper without links or buttons becomes focusable itself.
  function initScrollers(root) {
    root.querySelectorAll(".table-responsive").forEach(function (el) {
      var scrolls = el.scrollWidth > el.clientWidth;
      var focusable = el.querySelector("a[href], button, input, select, textarea, [tabindex]");
      if (scrolls && !focusable) el.setAttribute("tabindex", "0");
      else if (!scrolls && el.getAttribute("tabindex") === "0") el.removeAttribute("tabindex");
    });
  }
  window.addEventListener("resize", function () { initScrollers(document); });

  function init(root) { initCharts(root); initProgress(root); initScrollers(root); }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  // The whole page, not only the swap target: an outerHTML swap settles on the element it replaced.
  // Charts already drawn are skipped.
  document.addEventListener("htmx:afterSettle", function () { init(document); });
})();
