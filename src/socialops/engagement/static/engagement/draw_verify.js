// The public draw page, checked again in the visitor's own browser: the entrant list file is
// downloaded and hashed, and the winners recomputed with the revealed seed (docs/draws.md), so
// the result does not depend on our server's word. Messages come translated in data attributes.
(function () {
  "use strict";
  const box = document.querySelector("[data-draw-verify]");
  if (!box || !(window.crypto && window.crypto.subtle && window.TextEncoder)) return;
  const enc = new TextEncoder();
  const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
  const sha256 = async (bytes) => hex(await crypto.subtle.digest("SHA-256", bytes));
  const say = (ok, text) => {
    box.hidden = false;
    box.classList.add(ok ? "alert-success" : "alert-danger");
    box.textContent = (ok ? "✓ " : "✗ ") + text;
  };
  (async () => {
    try {
      const d = box.dataset;
      const response = await fetch(d.entrantsUrl, { credentials: "omit" });
      const bytes = new Uint8Array(await response.arrayBuffer());
      const listOk = (await sha256(bytes)) === d.listHash;
      const seedOk = (await sha256(enc.encode(d.seed))) === d.seedHash;
      const ids = new TextDecoder().decode(bytes).split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l).entrant_id);
      const keyed = await Promise.all(ids.map(async (id) => [await sha256(enc.encode(d.seed + ":" + id)), id]));
      keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      const winners = keyed.slice(0, Number(d.count)).map((k) => k[1]);
      const winnersOk = winners.join(",") === d.winners;
      const ok = listOk && seedOk && winnersOk;
      say(ok, ok ? d.okText : d.failText);
    } catch (err) {
      say(false, box.dataset.failText);
    }
  })();
})();
