/**
 * A batch's dashboard page: the same header, chart, filters and cards as report.html, images
 * served from the batch's directory, with the header and cards refreshed while the batch runs.
 * Pure.
 */
import { cardHtml } from "../../report/html/cards.js";
import { esc } from "../../report/html/escape.js";
import type { HeaderModel } from "../../report/html/header.js";
import { headerHtml } from "../../report/html/header.js";
import { pageEnd, pageStart, type PagePlace } from "../../report/html/page.js";
import type { ResultLine } from "../../report/result-lines.js";
import { TOP_NAV } from "./batches-page.js";

export const batchHref = (batch: string) => `/batches/${encodeURIComponent(batch)}`;

export function batchPlace(batch: string, page: number, pages: number): PagePlace {
  return { number: page, count: pages, href: (n) => `${batchHref(batch)}?page=${n}` };
}

export function cardsHtml(batch: string, lines: readonly ResultLine[]): string {
  const prefix = `${batchHref(batch)}/files/`;
  return lines.map((line) => cardHtml(line, { prefix, thumbFor: () => null })).join("");
}

export function liveHeaderHtml(model: HeaderModel, place: PagePlace): string {
  return headerHtml(model, place.href);
}

/** Fetches the header and cards every refreshMs until the batch is finished. */
const LIVE = (url: string, refreshMs: number) => `<script>
(function () {
  var live = document.getElementById("live"), cards = document.querySelector(".cards"), last = "";
  function show(data) {
    if (!data) return;
    live.innerHTML = data.header;
    if (window.runflowLocalTimes) window.runflowLocalTimes(live);
    if (data.cards !== last) {
      last = data.cards;
      cards.innerHTML = data.cards;
      if (window.runflowReportFilter) window.runflowReportFilter();
    }
    document.body.dataset.refreshed = String(Date.now());
    document.body.dataset.finished = String(data.finished);
    if (!data.finished) setTimeout(tick, ${refreshMs});
  }
  function tick() {
    fetch(${JSON.stringify(url)}, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(show)
      .catch(function () { setTimeout(tick, ${refreshMs}); });
  }
  setTimeout(tick, ${refreshMs});
})();
</script>`;

export function batchPage(
  model: HeaderModel,
  place: PagePlace,
  lines: readonly ResultLine[],
  refreshMs: number,
): string {
  const live = `${batchHref(model.batch)}/live?page=${place.number}`;
  const start = pageStart(model, place).replace("<main>", `<main>${TOP_NAV}`);
  return start + cardsHtml(model.batch, lines) + pageEnd(place, LIVE(live, refreshMs));
}

export function notFoundPage(batch: string): string {
  return (
    `<!doctype html><title>No such batch</title>` +
    `<p>No batch <code>${esc(batch)}</code> in Redis. <a href="/">All batches</a></p>\n`
  );
}
