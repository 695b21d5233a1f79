// The inbox's keyboard shortcuts, saved-reply picker and live timers (no inline scripts: the CSP).
(function () {
  "use strict";

  function typing(target) {
    var tag = (target && target.tagName) || "";
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  // j / k: next / previous thread of the queue; r: write a reply; other keys: the button with data-shortcut.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var key = event.key;
    if (key === "j" || key === "k") {
      var links = Array.prototype.slice.call(document.querySelectorAll("[data-thread-link]"));
      if (!links.length) return;
      var current = links.findIndex(function (a) { return a.classList.contains("active"); });
      var next = key === "j" ? current + 1 : current - 1;
      if (current < 0) next = 0;
      if (next >= 0 && next < links.length) window.location.href = links[next].href;
      event.preventDefault();
      return;
    }
    if (key === "r") {
      var box = document.querySelector("[data-reply-box]");
      if (box) { box.focus(); event.preventDefault(); }
      return;
    }
    var button = document.querySelector('[data-shortcut="' + key + '"]');
    if (button) { button.click(); event.preventDefault(); }
  });

  // Saved replies: typing filters the list; choosing one puts its text (variables filled) in the reply box.
  document.addEventListener("DOMContentLoaded", function () {
    var search = document.querySelector("[data-saved-search]");
    var picker = document.querySelector("[data-saved-picker]");
    var box = document.querySelector("[data-reply-box]");
    if (search && picker) {
      search.addEventListener("input", function () {
        var q = search.value.trim().toLowerCase();
        Array.prototype.forEach.call(picker.options, function (opt) {
          opt.hidden = q !== "" && opt.text.toLowerCase().indexOf(q) < 0 && (opt.dataset.text || "").toLowerCase().indexOf(q) < 0;
        });
      });
    }
    if (picker && box) {
      picker.addEventListener("change", function () {
        var opt = picker.options[picker.selectedIndex];
        if (opt) { box.value = opt.dataset.text || ""; box.focus(); }
      });
    }

    // Timers turn red when their target passes while the page is open (the text refreshes on reload).
    var timers = document.querySelectorAll("[data-due]");
    function tick() {
      var now = Date.now();
      timers.forEach(function (el) {
        var due = Date.parse(el.dataset.due);
        if (isNaN(due)) return;
        if (due < now) { el.classList.add("text-danger", "fw-semibold"); }
      });
    }
    if (timers.length) { tick(); window.setInterval(tick, 30000); }
  });
})();
