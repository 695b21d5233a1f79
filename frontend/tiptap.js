// The TipTap editor and the extensions our article editor uses, bundled by esbuild (make assets)
// into one IIFE file under static/vendor/tiptap/, exposed as window.SocialopsTiptap. TipTap ships
// ES modules only; a classic script keeps our pages free of import maps and inline script.
export { Editor, Extension } from "@tiptap/core";
export { default as StarterKit } from "@tiptap/starter-kit";
export { default as Image } from "@tiptap/extension-image";
export { TextStyle, Color } from "@tiptap/extension-text-style";
export { default as TextAlign } from "@tiptap/extension-text-align";
export { Plugin, PluginKey } from "@tiptap/pm/state";
export { Decoration, DecorationSet } from "@tiptap/pm/view";
