/**
 * A report page: the header (on every page), the contact sheet's filters, the page links, and
 * around them the cards, which the writer streams in between `pageStart` and `pageEnd`. Pure.
 */
import { esc } from "./escape.js";
import { filterChoices, headerHtml, type HeaderModel } from "./header.js";
import { LOCAL_TIMES_JS } from "./local-time.js";
import { PICKS_JS } from "./picks-script.js";
import {
  initialPicksScript,
  pickFilterHtml,
  picksBarHtml,
  sheetAttributes,
  type PicksPlace,
} from "./picks-view.js";
import { REPORT_JS } from "./script.js";
import { REPORT_CSS } from "./styles.js";

/** Cards per page file: a 50,000-row batch opens at page 1 quickly. */
export const CARDS_PER_PAGE = 1_000;

export interface PagePlace {
  /** 1-based. */
  readonly number: number;
  readonly count: number;
  /** The href of page n from this page. */
  readonly href: (n: number) => string;
  /** Rows on this page and how many of them failed, per page, for the page links. */
  readonly failedPerPage?: readonly number[];
}

/** report.html, then report-pages/page-2.html … ; links between them are relative. */
export function reportPagePath(n: number): string {
  return n === 1 ? "report.html" : `report-pages/page-${n}.html`;
}

export function relativePageHref(from: number, to: number): string {
  const target = reportPagePath(to);
  if (from === 1) return target;
  return to === 1 ? "../report.html" : target.slice("report-pages/".length);
}

function options(name: string, all: string, values: readonly string[]): string {
  const items = values.map((v) => `<option value="${esc(v)}">${esc(v)}</option>`).join("");
  return `<select name="${name}" aria-label="${name}"><option value="">${esc(all)}</option>${items}</select>`;
}

function pageLinks(place: PagePlace): string {
  if (place.count <= 1) return "";
  const links: string[] = [];
  for (let n = 1; n <= place.count; n++) {
    const failed = place.failedPerPage?.[n - 1] ?? 0;
    const title = failed > 0 ? ` title="${failed} failed"` : "";
    const mark = failed > 0 ? ` <small>(${failed}✗)</small>` : "";
    links.push(
      n === place.number
        ? `<span class="here"${title}>${n}${mark}</span>`
        : `<a href="${esc(place.href(n))}"${title}>${n}${mark}</a>`,
    );
  }
  return `<nav class="pages" aria-label="pages">${links.join("")}</nav>`;
}

function filtersHtml(m: HeaderModel): string {
  const choices = filterChoices(m.tiers);
  return (
    `<form class="filters" role="search">` +
    options("status", "all statuses", ["succeeded", "failed", "pending", "held", "canceled"]) +
    options("model", "all models", choices.models) +
    options("tier", "all tiers", choices.tiers) +
    pickFilterHtml() +
    `<input type="search" name="q" placeholder="search id or prompt" aria-label="search">` +
    `<span class="shown"></span></form>`
  );
}

export function documentStart(title: string, extraHead = ""): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<link rel="icon" href="data:,"><title>${esc(title)}</title>` +
    `<style>${REPORT_CSS}</style>${extraHead}</head><body><main>`
  );
}

/** report.html's picks: kept in the browser, starting from none stored on the batch. */
const LOCAL_PICKS: PicksPlace = { mode: "local", initial: [] };

export function pageStart(m: HeaderModel, place: PagePlace, picks: PicksPlace = LOCAL_PICKS): string {
  const where = place.count > 1 ? ` page ${place.number} of ${place.count}` : "";
  const title = `Batch ${m.batch} — report${where ? ` (${where.trim()})` : ""}`;
  return (
    documentStart(title) +
    `<div id="live">${headerHtml(m, place.href)}</div>` +
    `<section class="sheet"${sheetAttributes(m.batch, picks)}>` +
    `<h2>Contact sheet${where ? ` ·${where}` : ""}</h2>` +
    initialPicksScript(picks.initial) +
    picksBarHtml(picks) +
    filtersHtml(m) +
    pageLinks(place) +
    `<div class="cards">`
  );
}

export function pageEnd(place: PagePlace, extraScript = ""): string {
  const scripts =
    `<script>${LOCAL_TIMES_JS}</script><script>${REPORT_JS}</script><script>${PICKS_JS}</script>` +
    extraScript;
  return `</div>${pageLinks(place)}</section></main>${scripts}</body></html>\n`;
}
