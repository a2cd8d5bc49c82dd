/**
 * The contact sheet's cards: one per row, with its image(s) (lazy, thumbnail when there is one,
 * linking to the full image), id, model, tier, cost, status, and for failed rows Runflow's
 * reason. Data attributes drive the page's filters. Each image of a succeeded row carries its
 * number (data-image) and the ✓/✗ of picking (picks-script.ts); a draft's picked image shows the
 * finals made from it, and a final shows the draft image it came from (lineage.ts). Pure.
 */
import { imageNumberOf } from "../../core/file-names.js";
import type { ResultLine } from "../result-lines.js";
import { tierName } from "./cost-chart.js";
import { esc, fileHref } from "./escape.js";
import { draftHtml, finalsHtml, type LineageView } from "./lineage.js";
import { PICK_BUTTONS } from "./picks-view.js";

export interface CardOptions {
  /** Prefix of relative links ("" on report.html, "../" on the other pages, a URL on the dashboard). */
  readonly prefix: string;
  /** The thumbnail of an image (relative path), or null to show the image itself. */
  readonly thumbFor: (image: string) => string | null;
  /** Finals of a draft's images and drafts of finals (absent: none shown). */
  readonly lineage?: LineageView | undefined;
}

/** Longest prompt shown (and searched) on a card; results.csv has the whole prompt. */
const PROMPT_SHOWN = 400;
const IMAGES_SHOWN = 4;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

function shotHtml(line: ResultLine, image: string, i: number, options: CardOptions): string {
  const src = options.thumbFor(image) ?? image;
  const alt = `${line.id} image ${i + 1}`;
  const img = `<img loading="lazy" decoding="async" src="${fileHref(options.prefix, src)}" alt="${esc(alt)}">`;
  const link = `<a href="${fileHref(options.prefix, image)}">${img}</a>`;
  const number = line.status === "succeeded" ? imageNumberOf(line.id, image) : null;
  if (number === null) return `<div class="shot">${link}</div>`;
  const finals = options.lineage ? finalsHtml(options.lineage, line.id, number, options.prefix) : "";
  return `<div class="shot" data-image="${number}" tabindex="-1">${link}${PICK_BUTTONS}${finals}</div>`;
}

function images(line: ResultLine, options: CardOptions): string {
  if (line.images.length === 0)
    return `<div class="noimg">${esc(line.status === "failed" ? "no image" : line.status)}</div>`;
  const shown = line.images.slice(0, IMAGES_SHOWN).map((image, i) => shotHtml(line, image, i, options));
  const more =
    line.images.length > IMAGES_SHOWN
      ? `<span class="more">+${line.images.length - IMAGES_SHOWN}</span>`
      : "";
  return `<div class="imgs n${Math.min(line.images.length, IMAGES_SHOWN)}">${shown.join("")}${more}</div>`;
}

export function cardHtml(line: ResultLine, options: CardOptions): string {
  const prompt = line.prompt ? clip(line.prompt, PROMPT_SHOWN) : "";
  const search = `${line.id} ${prompt}`.toLowerCase();
  const cost = line.cost_usd === null ? `est. $${line.estimated_usd}` : `$${line.cost_usd}`;
  const reason = line.error && line.status !== "succeeded" ? `<p class="reason">${esc(line.error)}</p>` : "";
  const draft = options.lineage ? draftHtml(options.lineage, line, options.prefix) : "";
  return (
    `<article class="card st-${line.status}" data-id="${esc(line.id)}" data-status="${line.status}" ` +
    `data-model="${esc(line.model)}" ` +
    `data-tier="${esc(tierName(line.quality))}" data-q="${esc(search)}">` +
    images(line, options) +
    `<div class="meta"><div class="row1"><b class="id" title="${esc(line.id)}">${esc(line.id)}</b>` +
    `<span class="status">${line.status}</span></div>` +
    `<div class="row2">${esc(line.model)} · ${esc(tierName(line.quality))} · ` +
    `<span class="cost">${cost}</span></div>` +
    reason +
    draft +
    (prompt ? `<p class="prompt">${esc(prompt)}</p>` : "") +
    `</div></article>`
  );
}
