/**
 * The dashboard's `/`: recent batches with live progress (rows by state, pace, ETA, cost so far
 * vs estimate and cap), each linking to its batch page. Refreshed in place every few seconds. Pure.
 */
import type { BatchStatus } from "../../report/status-view.js";
import { formatDuration } from "../../report/duration.js";
import { esc } from "../../report/html/escape.js";
import { documentStart } from "../../report/html/page.js";

export function batchRows(statuses: readonly BatchStatus[]): string {
  if (statuses.length === 0) return `<tr><td colspan="7" class="empty">No batches yet: start one with <code>runflow-batch run MANIFEST --out DIR</code>.</td></tr>`;
  return statuses
    .map((s) => {
      const r = s.rows;
      const done = r.succeeded + r.failed;
      const percent = r.total === 0 ? 100 : Math.floor((done / r.total) * 100);
      const pace = s.rows_per_minute === null ? "—" : `${s.rows_per_minute} rows/min`;
      const eta = s.eta_seconds === null ? "—" : formatDuration(s.eta_seconds * 1_000);
      const cap = s.money.cap_usd === null ? "no cap" : `cap $${s.money.cap_usd}`;
      const href = `/batches/${encodeURIComponent(s.batch)}`;
      return (
        `<tr class="batch" data-batch="${esc(s.batch)}" data-state="${esc(s.state)}">` +
        `<td><a href="${esc(href)}">${esc(s.batch)}</a><br><small>${esc(s.created_at)}</small></td>` +
        `<td><span class="state st-${esc(s.state)}">${esc(s.state)}</span></td>` +
        `<td><div class="progress"><div style="width:${percent}%"></div></div>` +
        `<span class="done" data-done="${done}" data-total="${r.total}">${done}/${r.total}</span> · ` +
        `<span class="pill p-succeeded">${r.succeeded} succeeded</span> <span class="pill p-failed">${r.failed} failed</span> ` +
        `<span class="pill">${r.in_flight} in flight</span> <span class="pill">${r.pending} pending</span>` +
        (r.held_by_budget > 0 ? ` <span class="pill p-held-by-budget">${r.held_by_budget} held by budget</span>` : "") +
        `</td><td class="num">${esc(pace)}</td><td class="num">${esc(eta)}</td>` +
        `<td class="num"><b class="spent" data-usd="${s.money.spent_usd}">$${s.money.spent_usd}</b> of $${s.money.estimated_usd}` +
        `<br><small>${esc(cap)} · reserved $${s.money.reserved_usd}</small></td></tr>`
      );
    })
    .join("");
}

const LIVE_LIST = (refreshMs: number) => `<script>
(function () {
  var body = document.querySelector("tbody.batches-body");
  setInterval(function () {
    fetch("/fragments/batches", { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { body.innerHTML = html; document.body.dataset.refreshed = String(Date.now()); } })
      .catch(function () {});
  }, ${refreshMs});
})();
</script>`;

export function batchesPage(statuses: readonly BatchStatus[], refreshMs: number): string {
  return (
    documentStart("runflow-batch dashboard") +
    `<nav class="top"><b>runflow-batch</b><a href="/">batches</a><a href="/queues">queues</a><a href="/metrics">metrics</a></nav>` +
    `<h1>Batches</h1>` +
    `<table class="batches"><thead><tr><th>batch</th><th>state</th><th>rows</th><th>pace</th><th>ETA</th><th>cost so far</th></tr></thead>` +
    `<tbody class="batches-body">${batchRows(statuses)}</tbody></table>` +
    `</main>${LIVE_LIST(refreshMs)}</body></html>\n`
  );
}
