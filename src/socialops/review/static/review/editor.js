// Live checks in the editors (item, variant, "try a text"). The form carries data-check-editor
// and htmx attributes that post it to the live check as the person types (debounced 400 ms);
// the returned panel lists findings with data-field / data-start / data-end. Here: "show in
// the text" selects a finding's span in its field, "apply" puts the suggestion in its place
// (and the input event re-runs the checks). Offsets from the server count code points
// (Python str indices); JavaScript strings count UTF-16 units, so they are converted.
(function () {
  "use strict";

  function unitIndex(text, codePoints) {
    var units = 0;
    var seen = 0;
    while (seen < codePoints && units < text.length) {
      var c = text.charCodeAt(units);
      units += (c >= 0xd800 && c <= 0xdbff && units + 1 < text.length) ? 2 : 1;
      seen += 1;
    }
    return units;
  }

  // One editor per page: the form the panel belongs to.
  function editorFor() {
    return document.querySelector("form[data-check-editor]");
  }

  function fieldOf(item) {
    var form = editorFor();
    if (!form) return null;
    var name = item.getAttribute("data-field");
    if (name === "title" && form.querySelector("[name=short_title]") && !form.querySelector("[name=title]")) {
      name = "short_title";
    }
    var el = form.querySelector("textarea[name='" + name + "'], input[type=text][name='" + name + "'], input:not([type])[name='" + name + "']");
    return el;
  }

  function span(item, el) {
    var start = parseInt(item.getAttribute("data-start"), 10);
    var end = parseInt(item.getAttribute("data-end"), 10);
    if (isNaN(start) || isNaN(end)) return null;
    var text = el.value;
    return [unitIndex(text, start), unitIndex(text, end)];
  }

  document.addEventListener("click", function (ev) {
    var button = ev.target.closest("[data-check-select], [data-check-apply]");
    if (!button) return;
    var item = button.closest(".check-finding");
    if (!item) return;
    var el = fieldOf(item);
    if (!el) return;
    if (el.richEditor) {
      // The article editor (content/richtext.js) maps the offsets into its own text.
      var from = parseInt(item.getAttribute("data-start"), 10);
      var to = parseInt(item.getAttribute("data-end"), 10);
      if (isNaN(from) || isNaN(to)) return;
      ev.preventDefault();
      el.richEditor.selectFinding(from, to, button.hasAttribute("data-check-apply") ? button.getAttribute("data-check-apply") : null);
      return;
    }
    var range = span(item, el);
    if (!range) return;
    ev.preventDefault();
    if (button.hasAttribute("data-check-apply")) {
      var replacement = button.getAttribute("data-check-apply");
      el.value = el.value.slice(0, range[0]) + replacement + el.value.slice(range[1]);
      range = [range[0], range[0] + replacement.length];
      el.dispatchEvent(new Event("input", { bubbles: true }));
    }
    el.focus();
    el.setSelectionRange(range[0], range[1]);
    el.scrollIntoView({ block: "center", behavior: "smooth" });
  });
})();
