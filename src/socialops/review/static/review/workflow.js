/* Passage comments: select text in a field of the shown revision, and the comment form gets the
 * field, the quote and its offsets. Offsets count Unicode code points (what the server counts),
 * not the UTF-16 units of JavaScript strings, so emoji before the passage do not shift it. */
(function () {
  "use strict";

  function codePoints(text) {
    return Array.from(text).length;
  }

  function offsetIn(container, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(container);
    range.setEnd(node, offset);
    return codePoints(range.toString());
  }

  function setup(form) {
    var fields = document.querySelectorAll("[data-passage-field]");
    var preview = form.querySelector("[data-passage-preview]");
    var label = form.querySelector("[data-passage-label]");
    var quoteOut = form.querySelector("[data-passage-quote]");
    var inputs = {
      field: form.querySelector("input[name=field]"),
      quote: form.querySelector("input[name=quote]"),
      start: form.querySelector("input[name=start]"),
      end: form.querySelector("input[name=end]")
    };
    if (!inputs.field || !inputs.start || !inputs.end) { return; }

    function clear() {
      inputs.field.value = "";
      inputs.quote.value = "";
      inputs.start.value = "";
      inputs.end.value = "";
      preview.classList.add("d-none");
    }

    function show(container, start, end, text) {
      inputs.field.value = container.getAttribute("data-passage-field");
      inputs.quote.value = text;
      inputs.start.value = String(start);
      inputs.end.value = String(end);
      var heading = container.closest(".card-body");
      var title = heading ? heading.querySelector("h2") : null;
      label.textContent = title ? title.textContent + ":" : "";
      quoteOut.textContent = text.length > 120 ? text.slice(0, 120) + "…" : text;
      preview.classList.remove("d-none");
    }

    function onSelect() {
      var selection = window.getSelection();
      if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return; }
      var range = selection.getRangeAt(0);
      for (var i = 0; i < fields.length; i++) {
        var container = fields[i];
        if (container.contains(range.startContainer) && container.contains(range.endContainer)) {
          var start = offsetIn(container, range.startContainer, range.startOffset);
          var end = offsetIn(container, range.endContainer, range.endOffset);
          if (end > start) { show(container, start, end, range.toString()); }
          return;
        }
      }
    }

    for (var i = 0; i < fields.length; i++) {
      fields[i].addEventListener("mouseup", onSelect);
      fields[i].addEventListener("keyup", onSelect);
    }
    var clearButton = form.querySelector("[data-passage-clear]");
    if (clearButton) { clearButton.addEventListener("click", clear); }
    // A form shown again after an error keeps its passage.
    if (inputs.field.value && inputs.start.value !== "" && inputs.end.value !== "") {
      label.textContent = inputs.field.value + ":";
      quoteOut.textContent = inputs.quote.value;
      preview.classList.remove("d-none");
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-passage-form]");
    if (form) { setup(form); }
  });
})();
