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
import type { ImagePick } from "../../ledger/picks-file.js";
import type { LineageView } from "../../report/html/lineage.js";
import type { PicksPlace } from "../../report/html/picks-view.js";
import type { ResultLine } from "../../report/result-lines.js";
import { TOP_NAV } from "./batches-page.js";

const batchHref = (batch: string) => `/batches/${encodeURIComponent(batch)}`;

export function batchPlace(batch: string, page: number, pages: number): PagePlace {
  return { number: page, count: pages, href: (n) => `${batchHref(batch)}?page=${n}` };
}

/** Where an image of any batch is served: its files URL. */
export const fileUrl = (batch: string, file: string) =>
  `${batchHref(batch)}/files/${file.split("/").map(encodeURIComponent).join("/")}`;

export function cardsHtml(batch: string, lines: readonly ResultLine[], lineage?: LineageView): string {
  const prefix = `${batchHref(batch)}/files/`;
  const options = { prefix, thumbFor: () => null, lineage };
  return lines.map((line) => cardHtml(line, options)).join("");
}

/** The batch page's picks: shared on the batch, changed only with --allow-actions. */
export function dashboardPicks(
  batch: string,
  allowActions: boolean,
  initial: readonly ImagePick[],
): PicksPlace {
  const url = `${batchHref(batch)}/picks`;
  return allowActions
    ? { mode: "server", url, exportHref: `${url}.csv`, initial }
    : { mode: "view", exportHref: `${url}.csv`, initial };
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
  extras: { readonly picks: PicksPlace; readonly lineage?: LineageView | undefined },
): string {
  const live = `${batchHref(model.batch)}/live?page=${place.number}`;
  const start = pageStart(model, place, extras.picks).replace("<main>", `<main>${TOP_NAV}`);
  return start + cardsHtml(model.batch, lines, extras.lineage) + pageEnd(place, LIVE(live, refreshMs));
}

export function notFoundPage(batch: string): string {
  return (
    `<!doctype html><title>No such batch</title>` +
    `<p>No batch <code>${esc(batch)}</code> in Redis. <a href="/">All batches</a></p>\n`
  );
}
