/**
 * The report's inline script: filters by status, model, tier and pick state (a card shows when one
 * of its images is in that state: picks-script.ts) and a search by id or prompt,
 * kept in the address's #hash so they stay on when moving between pages. Vanilla JS, no globals
 * besides one function the dashboard calls after it swaps cards in.
 */
export const REPORT_JS = `
(function () {
  var form = document.querySelector(".filters");
  if (!form) return;
  var fields = { status: form.querySelector("[name=status]"), model: form.querySelector("[name=model]"),
    tier: form.querySelector("[name=tier]"), q: form.querySelector("[name=q]") };
  var pickField = form.querySelector("[name=pick]");
  if (pickField) fields.pick = pickField;
  var shown = document.querySelector(".shown");
  function readHash() {
    var params = new URLSearchParams(location.hash.slice(1));
    Object.keys(fields).forEach(function (k) { if (params.has(k)) fields[k].value = params.get(k); });
  }
  function hash() {
    var params = new URLSearchParams();
    Object.keys(fields).forEach(function (k) { if (fields[k].value) params.set(k, fields[k].value); });
    return params.toString();
  }
  function apply() {
    // Picks first (picks-script.ts): each card's pick states, which the pick filter reads.
    if (window.runflowPaintPicks) window.runflowPaintPicks();
    var status = fields.status.value, model = fields.model.value, tier = fields.tier.value;
    var q = fields.q.value.trim().toLowerCase(), pick = fields.pick ? fields.pick.value : "";
    var cards = document.querySelectorAll(".card"), visible = 0;
    for (var i = 0; i < cards.length; i++) {
      var d = cards[i].dataset;
      var ok = (!status || d.status === status) && (!model || d.model === model) &&
        (!tier || d.tier === tier) && (!q || d.q.indexOf(q) !== -1) &&
        (!pick || (" " + (d.picks || "") + " ").indexOf(" " + pick + " ") !== -1);
      cards[i].hidden = !ok;
      if (ok) visible++;
    }
    if (shown) shown.textContent = visible + " of " + cards.length + " rows on this page";
    var h = hash();
    var plain = location.pathname + location.search;
    if (history.replaceState) history.replaceState(null, "", h ? "#" + h : plain);
    var links = document.querySelectorAll(".pages a");
    for (var j = 0; j < links.length; j++) links[j].href = links[j].href.split("#")[0] + (h ? "#" + h : "");
  }
  readHash();
  form.addEventListener("input", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
  window.addEventListener("hashchange", function () { readHash(); apply(); });
  window.runflowReportFilter = apply;
  apply();
})();
`;
