// Connect form: show only the fields the chosen connector uses (data-connector-kinds on each).
(function () {
  "use strict";
  function sync(select) {
    var kind = select.value;
    select.form.querySelectorAll("[data-connector-kinds]").forEach(function (el) {
      var kinds = el.getAttribute("data-connector-kinds").split(" ");
      el.hidden = kinds.indexOf(kind) === -1;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-connector-kind]").forEach(function (select) {
      sync(select);
      select.addEventListener("change", function () { sync(select); });
    });
  });
})();
