/**
 * Picking on the contact sheet (issue 21), as a culling tool does it: each image of a card can be
 * picked or rejected — with the mouse (the ✓ and ✗ on the image) or the keyboard (arrow keys move
 * between images, P picks, X rejects, U clears, N adds a note to a verdict) — with counts, a
 * filter by pick state (picks-view.ts) and an export as picks.csv (ledger/picks-file.ts's format:
 * the same columns, sorting and quoting).
 *
 * Where the picks live depends on the page (`.sheet`'s data-picks-mode):
 * - `local` (report.html, a static file): in the browser's localStorage under the batch's id,
 *   across reloads and pages; until the browser holds any, the page starts from the picks stored
 *   on the batch when the report was written (embedded as JSON);
 * - `server` (the dashboard with --allow-actions): on the batch in Redis, through
 *   POST data-picks-url; every reviewer sees the others' after a reload;
 * - `view` (the dashboard without --allow-actions): shown and exported, not changed.
 * Vanilla JS; window.runflowPaintPicks repaints after the dashboard swaps cards in.
 */
export const PICKS_JS = `
(function () {
  var sheet = document.querySelector(".sheet[data-batch]");
  if (!sheet) return;
  var mode = sheet.dataset.picksMode || "local", batch = sheet.dataset.batch, url = sheet.dataset.picksUrl;
  var storeKey = "runflow-batch:picks:" + batch;
  var status = sheet.querySelector(".picks-status"), counts = sheet.querySelector(".picks-counts");
  var picks = {}, selected = null;
  function key(id, image) { return JSON.stringify([id, image]); }
  function embedded() {
    var node = document.getElementById("rfb-picks"), list = [], out = {};
    try { list = JSON.parse(node ? node.textContent : "[]"); } catch (e) { list = []; }
    list.forEach(function (p) { out[key(p.id, p.image)] = { pick: p.pick, note: p.note || "" }; });
    return out;
  }
  function load() {
    picks = embedded();
    if (mode !== "local") return;
    try {
      var saved = window.localStorage.getItem(storeKey);
      if (saved) picks = JSON.parse(saved).picks || {};
    } catch (e) { say("This browser does not keep picks for files: export them before closing."); }
  }
  function say(text) { if (status) status.textContent = text; }
  function shotOf(id, image) {
    var cards = document.querySelectorAll(".card");
    for (var i = 0; i < cards.length; i++) {
      if (cards[i].dataset.id !== id) continue;
      return cards[i].querySelector('.shot[data-image="' + image + '"]');
    }
    return null;
  }
  function refOf(shot) {
    var card = shot.closest(".card");
    return { id: card.dataset.id, image: Number(shot.dataset.image) };
  }
  function paint() {
    var cards = document.querySelectorAll(".card");
    for (var i = 0; i < cards.length; i++) {
      var shots = cards[i].querySelectorAll(".shot[data-image]"), states = [];
      for (var j = 0; j < shots.length; j++) {
        var p = picks[key(cards[i].dataset.id, Number(shots[j].dataset.image))];
        var state = p ? p.pick : "none";
        shots[j].classList.toggle("pk-pick", state === "pick");
        shots[j].classList.toggle("pk-reject", state === "reject");
        shots[j].title = p && p.note ? p.note : "";
        var buttons = shots[j].querySelectorAll("button[data-v]");
        for (var b = 0; b < buttons.length; b++)
          buttons[b].setAttribute("aria-pressed", String(buttons[b].dataset.v === state));
        if (states.indexOf(state) === -1) states.push(state);
      }
      cards[i].dataset.picks = states.join(" ");
    }
    var picked = 0, rejected = 0;
    Object.keys(picks).forEach(function (k) { if (picks[k].pick === "pick") picked++; else rejected++; });
    if (counts) counts.textContent = picked + " picked · " + rejected + " rejected";
    if (selected) {
      var again = shotOf(selected.id, selected.image);
      var old = document.querySelector(".shot.sel");
      if (old && old !== again) old.classList.remove("sel");
      if (again) again.classList.add("sel");
    }
  }
  function filter() { if (window.runflowReportFilter) window.runflowReportFilter(); else paint(); }
  function send(ref, entry, before) {
    if (mode !== "server") return;
    var body = { id: ref.id, image: ref.image, pick: entry ? entry.pick : null, note: entry ? entry.note : "" };
    fetch(url, { method: "POST", credentials: "same-origin",
      headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) { return r.ok ? null : r.text(); })
      .then(function (problem) {
        if (problem === null) return;
        restore(ref, before);
        say("Not saved: " + problem);
      })
      .catch(function () { restore(ref, before); say("Not saved: the dashboard did not answer."); });
  }
  function restore(ref, before) {
    if (before) picks[key(ref.id, ref.image)] = before; else delete picks[key(ref.id, ref.image)];
    filter();
  }
  function change(shot, value, note) {
    if (mode === "view") { say("Picks are read-only here: start the dashboard with --allow-actions."); return; }
    var ref = refOf(shot), k = key(ref.id, ref.image), before = picks[k];
    var entry = value === null ? null : { pick: value, note: note !== undefined ? note : before ? before.note : "" };
    if (entry) picks[k] = entry; else delete picks[k];
    if (mode === "local") {
      try { window.localStorage.setItem(storeKey, JSON.stringify({ v: 1, picks: picks })); }
      catch (e) { say("Could not keep the picks in this browser: export them."); }
    }
    send(ref, entry, before);
    select(shot);
    filter();
    say(ref.id + " image " + ref.image + ": " + (entry ? entry.pick + "ed" : "cleared"));
  }
  function select(shot) {
    var old = document.querySelector(".shot.sel");
    if (old) old.classList.remove("sel");
    if (!shot) { selected = null; return; }
    shot.classList.add("sel");
    selected = refOf(shot);
    if (shot.scrollIntoView) shot.scrollIntoView({ block: "nearest" });
    shot.focus({ preventScroll: true });
  }
  function visibleShots() {
    var all = document.querySelectorAll(".card:not([hidden]) .shot[data-image]");
    return Array.prototype.slice.call(all);
  }
  function move(direction) {
    var shots = visibleShots();
    if (shots.length === 0) return;
    var current = document.querySelector(".shot.sel"), at = shots.indexOf(current);
    if (at === -1) return select(shots[0]);
    if (direction === "ArrowLeft") return select(shots[Math.max(0, at - 1)]);
    if (direction === "ArrowRight") return select(shots[Math.min(shots.length - 1, at + 1)]);
    var here = current.getBoundingClientRect(), cx = here.left + here.width / 2, best = null, bestScore = 0;
    shots.forEach(function (shot) {
      var r = shot.getBoundingClientRect();
      var dy = direction === "ArrowDown" ? r.top - here.bottom : here.top - r.bottom;
      if (dy < -1) return;
      var score = dy * 4 + Math.abs(r.left + r.width / 2 - cx);
      if (best === null || score < bestScore) { best = shot; bestScore = score; }
    });
    if (best) select(best);
  }
  function csvField(value) {
    return /[",\\r\\n]/.test(value) || value !== value.trim() ? '"' + value.replace(/"/g, '""') + '"' : value;
  }
  function csv() {
    var rows = Object.keys(picks).map(function (k) {
      var ref = JSON.parse(k);
      return { id: ref[0], image: ref[1], pick: picks[k].pick, note: picks[k].note || "" };
    });
    rows.sort(function (a, b) { return a.id !== b.id ? (a.id < b.id ? -1 : 1) : a.image - b.image; });
    return "id,image,pick,note\\n" + rows.map(function (r) {
      return [r.id, String(r.image), r.pick, r.note].map(csvField).join(",") + "\\n";
    }).join("");
  }
  sheet.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-v]");
    if (button) {
      var shot = button.closest(".shot");
      var state = picks[key(refOf(shot).id, refOf(shot).image)];
      change(shot, state && state.pick === button.dataset.v ? null : button.dataset.v);
      return;
    }
    var exportButton = event.target.closest(".picks-export");
    if (exportButton && mode === "local") {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([csv()], { type: "text/csv" }));
      link.download = "picks.csv";
      document.body.appendChild(link);
      link.click();
      link.remove();
    }
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target, tag = target && target.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key.indexOf("Arrow") === 0) { event.preventDefault(); move(event.key); return; }
    var shot = document.querySelector(".shot.sel");
    if (!shot) return;
    var k = event.key.toLowerCase(), ref = refOf(shot), now = picks[key(ref.id, ref.image)];
    if (k === "p") change(shot, "pick");
    else if (k === "x") change(shot, "reject");
    else if (k === "u") change(shot, null);
    else if (k === "n") {
      if (!now) { say("Pick or reject the image first, then add a note."); return; }
      var note = window.prompt("Note for " + ref.id + " image " + ref.image, now.note || "");
      if (note !== null) change(shot, now.pick, note);
    } else return;
    event.preventDefault();
  });
  window.runflowPaintPicks = paint;
  window.runflowPicksCsv = csv;
  load();
  filter();
})();
`;
