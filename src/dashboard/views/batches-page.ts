/**
 * The dashboard's `/`: recent batches with live progress (rows by state, pace, ETA, cost so far
 * vs estimate and cap), each linking to its batch page and saying where its results go and what
 * it was submitted from; times in the viewer's zone. Refreshed in place every few seconds. Pure.
 */
import type { BatchStatus } from "../../report/status-view.js";
import { formatDuration } from "../../core/duration.js";
import { esc } from "../../report/html/escape.js";
import { LOCAL_TIMES_JS, timeHtml } from "../../report/html/local-time.js";
import { documentStart } from "../../report/html/page.js";

export const TOP_NAV =
  `<nav class="top"><b>runflow-batch</b><a href="/">batches</a><a href="/queues">queues</a>` +
  `<a href="/metrics">metrics</a></nav>`;

const pill = (text: string, kind = "") => `<span class="pill${kind ? ` p-${kind}` : ""}">${text}</span>`;

function rowCells(s: BatchStatus): string {
  const r = s.rows;
  const done = r.succeeded + r.failed;
  const percent = r.total === 0 ? 100 : Math.floor((done / r.total) * 100);
  const pills = [
    pill(`${r.succeeded} succeeded`, "succeeded"),
    pill(`${r.failed} failed`, "failed"),
    pill(`${r.in_flight} in flight`),
    pill(`${r.pending} pending`),
    ...(r.held_by_budget > 0 ? [pill(`${r.held_by_budget} held by budget`, "held-by-budget")] : []),
  ];
  return (
    `<td><div class="progress"><div style="width:${percent}%"></div></div>` +
    `<span class="done" data-done="${done}" data-total="${r.total}">${done}/${r.total}</span> · ` +
    `${pills.join(" ")}</td>`
  );
}

function moneyCell(s: BatchStatus): string {
  const cap = s.money.cap_usd === null ? "no cap" : `cap $${s.money.cap_usd}`;
  const spent = `<b class="spent" data-usd="${s.money.spent_usd}">$${s.money.spent_usd}</b>`;
  const note = `<small>${esc(cap)} · reserved $${s.money.reserved_usd}</small>`;
  return `<td class="num">${spent} of $${s.money.estimated_usd}<br>${note}</td>`;
}

export function batchRows(statuses: readonly BatchStatus[]): string {
  if (statuses.length === 0) {
    const hint = "No batches yet: start one with <code>runflow-batch run MANIFEST --out DIR</code>.";
    return `<tr><td colspan="6" class="empty">${hint}</td></tr>`;
  }
  return statuses
    .map((s) => {
      const pace = s.rows_per_minute === null ? "—" : `${s.rows_per_minute} rows/min`;
      const eta = s.eta_seconds === null ? "—" : formatDuration(s.eta_seconds * 1_000);
      const href = `/batches/${encodeURIComponent(s.batch)}`;
      return (
        `<tr class="batch" data-batch="${esc(s.batch)}" data-state="${esc(s.state)}">` +
        `<td><a href="${esc(href)}">${esc(s.batch)}</a><br><small>${timeHtml(s.created_at)}</small>` +
        `<br><small class="dest">into <code class="out">${esc(s.out)}</code> from ` +
        `<code class="manifest">${esc(s.manifest)}</code></small></td>` +
        `<td><span class="state st-${esc(s.state)}">${esc(s.state)}</span></td>` +
        rowCells(s) +
        `<td class="num">${esc(pace)}</td><td class="num">${esc(eta)}</td>` +
        moneyCell(s) +
        `</tr>`
      );
    })
    .join("");
}

const LIVE_LIST = (refreshMs: number) => `<script>
(function () {
  var body = document.querySelector("tbody.batches-body");
  function show(html) {
    if (html === null) return;
    body.innerHTML = html;
    if (window.runflowLocalTimes) window.runflowLocalTimes(body);
    document.body.dataset.refreshed = String(Date.now());
  }
  setInterval(function () {
    fetch("/fragments/batches", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(show)
      .catch(function () {});
  }, ${refreshMs});
})();
</script>`;

const HEAD = ["batch", "state", "rows", "pace", "ETA", "cost so far"]
  .map((name) => `<th>${name}</th>`)
  .join("");

export function batchesPage(statuses: readonly BatchStatus[], refreshMs: number): string {
  return (
    documentStart("runflow-batch dashboard") +
    TOP_NAV +
    `<h1>Batches</h1>` +
    `<table class="batches"><thead><tr>${HEAD}</tr></thead>` +
    `<tbody class="batches-body">${batchRows(statuses)}</tbody></table>` +
    `</main><script>${LOCAL_TIMES_JS}</script>${LIVE_LIST(refreshMs)}</body></html>\n`
  );
}
