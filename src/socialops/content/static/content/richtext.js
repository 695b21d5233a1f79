// The article editor: TipTap (static/vendor/tiptap, bundled by `make assets`) on the item
// form's body when the item is an article. Loaded as a file (CSP: no inline script, no eval).
//
// - The editor shows library images through our member-only file view; the form field gets
//   them back as src="asset:N" (the form the connectors resolve). The server sanitises the HTML
//   again on save (the nh3 allow-list): what this script writes is a convenience, not the gate.
// - The live compliance check (an htmx post of the whole form, see review/editor.js) reads the
//   editor's words, not its markup: the body is swapped for the editor's text in the request,
//   and the findings that come back are highlighted in the editor and selectable from the panel.
// - The phone preview asks the server for the article as a save would store it.
(function () {
  "use strict";

  var T = window.SocialopsTiptap;
  var ASSET_SRC = /src="asset:(\d{1,18})"/g;

  function unitIndex(text, codePoints) {
    // Server offsets count code points; JavaScript strings count UTF-16 units.
    var units = 0;
    var seen = 0;
    while (seen < codePoints && units < text.length) {
      var c = text.charCodeAt(units);
      units += c >= 0xd800 && c <= 0xdbff && units + 1 < text.length ? 2 : 1;
      seen += 1;
    }
    return units;
  }

  // The editor's words, one line a block, and where each run of text sits in the document.
  function docText(doc) {
    var text = "";
    var runs = [];
    doc.descendants(function (node, pos) {
      if (node.isTextblock) {
        if (text.length) text += "\n";
      } else if (node.isText) {
        runs.push([text.length, pos, node.text.length]);
        text += node.text;
      } else if (node.type.name === "hardBreak") {
        text += "\n";
      }
      return true;
    });
    return { text: text, runs: runs };
  }

  function posOf(info, offset, doc) {
    for (var i = 0; i < info.runs.length; i++) {
      var r = info.runs[i];
      if (offset >= r[0] && offset <= r[0] + r[2]) return r[1] + (offset - r[0]);
      if (offset < r[0]) return r[1];
    }
    return doc.content.size;
  }

  function escapeText(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  // A Markdown or plain body becoming an article: its paragraphs as text (never as markup).
  function textToHtml(text) {
    return text
      .split(/\n\s*\n/)
      .map(function (para) { return para.trim() ? "<p>" + escapeText(para.trim()).replace(/\n/g, "<br>") + "</p>" : ""; })
      .join("");
  }

  function mountEditor(chrome, textarea, format) {
    var form = textarea.form;
    var fileUrl = chrome.getAttribute("data-asset-url"); // …/assets/0/file/
    var prefix = fileUrl.slice(0, fileUrl.indexOf("/0/") + 1);
    var ownSrc = new RegExp('src="' + prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + '(\\d{1,18})/file/"', "g");
    var host = chrome.querySelector("[data-rich-content]");
    var previewPanel = chrome.querySelector("#rich-preview");
    var previewBody = chrome.querySelector("[data-rich-preview-body]");
    var picker = chrome.querySelector("#rich-picker");
    var helpText = textarea.parentNode.querySelector(".form-text");
    var findingsKey = new T.PluginKey("checkFindings");
    var previewTimer = null;

    function toEditor(html) {
      return html.replace(ASSET_SRC, function (_m, id) { return 'src="' + prefix + id + '/file/"'; });
    }
    function toStored(html) {
      return html.replace(ownSrc, 'src="asset:$1"');
    }

    var Findings = T.Extension.create({
      name: "checkFindings",
      addProseMirrorPlugins: function () {
        return [
          new T.Plugin({
            key: findingsKey,
            state: {
              init: function () { return T.DecorationSet.empty; },
              apply: function (tr, set) {
                var meta = tr.getMeta(findingsKey);
                return meta || set.map(tr.mapping, tr.doc);
              },
            },
            props: { decorations: function (state) { return findingsKey.getState(state); } },
          }),
        ];
      },
    });

    var initial = textarea.value;
    if (format.value !== "html") initial = textToHtml(initial);
    var editor = new T.Editor({
      element: host,
      injectCSS: false, // our stylesheet styles it: CSP allows no injected <style> without the nonce
      extensions: [
        T.StarterKit.configure({
          heading: { levels: [2, 3] },
          code: false,
          codeBlock: false,
          strike: false,
          underline: false,
          link: { openOnClick: false, autolink: true, protocols: [], HTMLAttributes: { target: null, rel: "noopener noreferrer" } },
        }),
        T.TextStyle,
        T.Color,
        T.TextAlign.configure({ types: ["heading", "paragraph"] }),
        // Only library images: a pasted picture from elsewhere would be dropped on save anyway
        // (a 公众号 article may not hot-link images), so the editor does not pretend to keep it.
        T.Image.extend({
          parseHTML: function () {
            return [{ tag: "img[src]", getAttrs: function (el) { return el.getAttribute("src").indexOf(prefix) === 0 ? null : false; } }];
          },
        }).configure({ allowBase64: false }),
        Findings,
      ],
      content: toEditor(initial),
      editorProps: {
        attributes: {
          class: "rich-content article-body",
          role: "textbox",
          "aria-multiline": "true",
          "aria-label": chrome.getAttribute("data-label") || "",
          "data-testid": "rich-content",
        },
      },
    });
    format.value = "html";
    textarea.hidden = true;
    textarea.parentNode.classList.replace("mb-3", "mb-1");
    if (helpText) helpText.hidden = true;
    chrome.hidden = false;

    function sync() {
      textarea.value = editor.isEmpty ? "" : toStored(editor.getHTML());
      textarea.dispatchEvent(new Event("input", { bubbles: true })); // the live check listens
      refreshToolbar();
      if (!previewPanel.hidden) {
        clearTimeout(previewTimer);
        previewTimer = setTimeout(refreshPreview, 500);
      }
    }

    function refreshPreview() {
      var data = new FormData();
      data.append("body", textarea.value);
      data.append("body_format", "html");
      var token = form.querySelector("[name=csrfmiddlewaretoken]");
      fetch(chrome.getAttribute("data-preview-url"), {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" },
      })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { previewBody.innerHTML = html; }) // sanitised by the server
        .catch(function () {});
    }

    var active = {
      paragraph: function () { return editor.isActive("paragraph"); },
      h2: function () { return editor.isActive("heading", { level: 2 }); },
      h3: function () { return editor.isActive("heading", { level: 3 }); },
      bold: function () { return editor.isActive("bold"); },
      italic: function () { return editor.isActive("italic"); },
      bulletList: function () { return editor.isActive("bulletList"); },
      orderedList: function () { return editor.isActive("orderedList"); },
      blockquote: function () { return editor.isActive("blockquote"); },
      center: function () { return editor.isActive({ textAlign: "center" }); },
      link: function () { return editor.isActive("link"); },
    };
    function refreshToolbar() {
      chrome.querySelectorAll("button[data-cmd]").forEach(function (b) {
        var test = active[b.getAttribute("data-cmd")];
        if (test) b.setAttribute("aria-pressed", test() ? "true" : "false");
      });
    }

    var commands = {
      paragraph: function (c) { return c.setParagraph(); },
      h2: function (c) { return c.toggleHeading({ level: 2 }); },
      h3: function (c) { return c.toggleHeading({ level: 3 }); },
      bold: function (c) { return c.toggleBold(); },
      italic: function (c) { return c.toggleItalic(); },
      bulletList: function (c) { return c.toggleBulletList(); },
      orderedList: function (c) { return c.toggleOrderedList(); },
      blockquote: function (c) { return c.toggleBlockquote(); },
      center: function (c) { return editor.isActive({ textAlign: "center" }) ? c.unsetTextAlign() : c.setTextAlign("center"); },
      hr: function (c) { return c.setHorizontalRule(); },
      clear: function (c) { return c.unsetAllMarks().clearNodes(); },
      undo: function (c) { return c.undo(); },
      redo: function (c) { return c.redo(); },
    };

    chrome.querySelector(".rich-toolbar").addEventListener("click", function (ev) {
      var button = ev.target.closest("button[data-cmd]");
      if (!button) return;
      var cmd = button.getAttribute("data-cmd");
      if (cmd === "preview") {
        previewPanel.hidden = !previewPanel.hidden;
        button.setAttribute("aria-pressed", previewPanel.hidden ? "false" : "true");
        chrome.classList.toggle("with-preview", !previewPanel.hidden);
        if (!previewPanel.hidden) refreshPreview();
        return;
      }
      if (cmd === "image") {
        picker.showModal();
        return;
      }
      if (cmd === "link") {
        var current = editor.getAttributes("link").href || "";
        var href = window.prompt(button.getAttribute("data-prompt"), current);
        if (href === null) return;
        href = href.trim();
        var chain = editor.chain().focus().extendMarkRange("link");
        if (!href) chain.unsetLink().run();
        else if (/^(https?:\/\/|mailto:)/i.test(href)) chain.setLink({ href: href }).run();
        return;
      }
      var run = commands[cmd];
      if (run) run(editor.chain().focus()).run();
    });
    chrome.querySelector("input[data-cmd=color]").addEventListener("input", function (ev) {
      editor.chain().focus().setColor(ev.target.value).run();
    });

    function insertAsset(id, alt) {
      editor.chain().focus().setImage({ src: prefix + id + "/file/", alt: alt || "" }).run();
    }
    picker.addEventListener("click", function (ev) {
      if (ev.target === picker || ev.target.closest("[data-picker-close]")) {
        picker.close();
        return;
      }
      var pick = ev.target.closest("[data-pick-asset]");
      if (!pick) return;
      picker.close();
      insertAsset(pick.getAttribute("data-pick-asset"), pick.getAttribute("data-alt"));
    });

    // The live check reads the words: the body in its request is the editor's text.
    function onConfigRequest(ev) {
      if (ev.detail.elt !== form) return;
      var text = docText(editor.state.doc).text;
      if (ev.detail.formData && ev.detail.formData.set) ev.detail.formData.set("body", text);
      else ev.detail.parameters.body = text;
    }
    document.body.addEventListener("htmx:configRequest", onConfigRequest);

    // Findings on the body, highlighted in the editor as in the panel (block, warn, info).
    function onPanelSwap(ev) {
      if (!ev.detail.target || ev.detail.target.id !== "check-panel") return;
      var doc = editor.state.doc;
      var info = docText(doc);
      var decos = [];
      ev.detail.target.querySelectorAll(".check-finding[data-field=body][data-start]").forEach(function (li) {
        var start = posOf(info, unitIndex(info.text, parseInt(li.getAttribute("data-start"), 10)), doc);
        var end = posOf(info, unitIndex(info.text, parseInt(li.getAttribute("data-end"), 10)), doc);
        if (end > start) {
          decos.push(T.Decoration.inline(start, end, { nodeName: "mark", class: "check-" + (li.getAttribute("data-severity") || "info") }));
        }
      });
      editor.view.dispatch(editor.state.tr.setMeta(findingsKey, T.DecorationSet.create(doc, decos)));
    }
    document.body.addEventListener("htmx:afterSwap", onPanelSwap);

    sync();
    editor.on("update", sync);
    editor.on("selectionUpdate", refreshToolbar);

    return {
      editor: editor,
      insertAsset: insertAsset,
      // review/editor.js: "show in the text" and "apply" on a finding of the body.
      selectFinding: function (start, end, replacement) {
        var doc = editor.state.doc;
        var info = docText(doc);
        var from = posOf(info, unitIndex(info.text, start), doc);
        var to = posOf(info, unitIndex(info.text, end), doc);
        if (replacement !== null && replacement !== undefined) {
          editor.view.dispatch(editor.state.tr.insertText(replacement, from, to));
          to = from + replacement.length;
        }
        editor.chain().focus().setTextSelection({ from: from, to: to }).scrollIntoView().run();
      },
      destroy: function () {
        textarea.value = docText(editor.state.doc).text;
        document.body.removeEventListener("htmx:configRequest", onConfigRequest);
        document.body.removeEventListener("htmx:afterSwap", onPanelSwap);
        editor.destroy();
        format.value = "markdown";
        textarea.hidden = false;
        textarea.parentNode.classList.replace("mb-1", "mb-3");
        if (helpText) helpText.hidden = false;
        chrome.hidden = true;
      },
    };
  }

  function init() {
    var chrome = document.getElementById("rich-editor");
    if (!chrome || !T) return;
    var form = chrome.closest("form");
    var textarea = form.querySelector("textarea[name=body]");
    var format = form.querySelector("input[name=body_format]");
    var select = form.querySelector("[data-form-switch]");
    if (!textarea || !format || !select) return;
    // An article already written in Markdown keeps its Markdown box; new articles get the editor.
    function wanted(switched) {
      if (select.value !== "article") return false;
      return format.value === "html" || switched || !textarea.value.trim();
    }
    function apply(switched) {
      if (wanted(switched) && !textarea.richEditor) {
        textarea.richEditor = mountEditor(chrome, textarea, format);
      } else if (select.value !== "article" && textarea.richEditor) {
        textarea.richEditor.destroy();
        textarea.richEditor = null;
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }
    select.addEventListener("change", function () { apply(true); });
    apply(false);
  }

  document.addEventListener("DOMContentLoaded", init);
})();
