// Content pages: theme colours, the item form that adapts to the chosen form, live target sums.
// Loaded as a file (CSP forbids inline script); everything is driven by data-* attributes.
(function () {
  "use strict";

  var COLOR = /^#[0-9a-fA-F]{6}$/;

  // <span class="theme-swatch" data-color="#1f77b4">: the colour comes from data, not a style attribute.
  function initSwatches(root) {
    root.querySelectorAll("[data-color]").forEach(function (el) {
      var color = el.getAttribute("data-color");
      if (COLOR.test(color)) el.style.backgroundColor = color;
    });
    root.querySelectorAll("[data-border-color]").forEach(function (el) {
      var color = el.getAttribute("data-border-color");
      if (COLOR.test(color)) el.style.borderLeftColor = color;
    });
  }

  // The item form: elements with data-forms="article short_post" show only for those forms.
  function initFormSwitch(root) {
    root.querySelectorAll("[data-form-switch]").forEach(function (select) {
      var form = select.closest("form");
      function apply() {
        var chosen = select.value;
        form.querySelectorAll("[data-forms]").forEach(function (el) {
          var forms = el.getAttribute("data-forms").split(" ");
          el.hidden = forms.indexOf(chosen) < 0;
        });
      }
      select.addEventListener("change", apply);
      apply();
    });
  }

  // Target shares: the total of the [data-share] inputs, shown as you type.
  function initShareSums(root) {
    root.querySelectorAll("[data-share-sum]").forEach(function (form) {
      var out = form.querySelector("[data-share-total]");
      var bar = form.querySelector("[data-share-bar]");
      function update() {
        var total = 0;
        form.querySelectorAll("[data-share]").forEach(function (input) {
          var v = parseInt(input.value, 10);
          if (!isNaN(v)) total += v;
        });
        out.textContent = total + "%";
        var ok = total === 100 || total === 0;
        out.classList.toggle("text-success", total === 100);
        out.classList.toggle("text-danger", !ok);
        if (bar) {
          bar.style.width = Math.min(total, 100) + "%";
          bar.classList.toggle("bg-success", total === 100);
          bar.classList.toggle("bg-danger", total > 100);
        }
      }
      form.addEventListener("input", update);
      update();
    });
  }

  // "Insert" buttons beside library images put ![name](asset:ID) into the body at the cursor.
  function initAssetInsert(root) {
    root.querySelectorAll("[data-insert-asset]").forEach(function (button) {
      button.addEventListener("click", function () {
        var target = document.getElementById(button.getAttribute("data-target"));
        if (!target) return;
        if (target.richEditor) {
          // The article editor inserts the picture itself (stored as asset:ID).
          target.richEditor.insertAsset(button.getAttribute("data-insert-asset"), button.getAttribute("data-alt"));
          return;
        }
        var snippet = "![" + (button.getAttribute("data-alt") || "") + "](asset:" + button.getAttribute("data-insert-asset") + ")";
        var start = target.selectionStart || target.value.length;
        var end = target.selectionEnd || start;
        target.value = target.value.slice(0, start) + snippet + target.value.slice(end);
        target.focus();
        target.selectionStart = target.selectionEnd = start + snippet.length;
      });
    });
  }

  function init(root) { initSwatches(root); initFormSwitch(root); initShareSums(root); initAssetInsert(root); }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (ev) { init(ev.target); });
})();
