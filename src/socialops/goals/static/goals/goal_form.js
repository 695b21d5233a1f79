// Goal form: the metric select offers only the metrics that suit the chosen goal kind.
// Options carry data-kinds="growth dissemination …"; the server validates the pair regardless.
(function () {
  "use strict";

  function filter(metric, kindSelect) {
    var kind = kindSelect.value;
    var firstVisible = null;
    Array.prototype.forEach.call(metric.options, function (opt) {
      var kinds = (opt.getAttribute("data-kinds") || "").split(" ");
      var ok = !opt.value || kinds.indexOf(kind) !== -1;
      opt.hidden = !ok;
      opt.disabled = !ok;
      if (ok && opt.value && firstVisible === null) firstVisible = opt;
    });
    var current = metric.options[metric.selectedIndex];
    if ((!current || current.disabled) && firstVisible) metric.value = firstVisible.value;
  }

  function init() {
    document.querySelectorAll("select[data-filter-by-kind]").forEach(function (metric) {
      var kindSelect = document.getElementById(metric.getAttribute("data-filter-by-kind"));
      if (!kindSelect) return;
      kindSelect.addEventListener("change", function () { filter(metric, kindSelect); });
      filter(metric, kindSelect);
    });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
