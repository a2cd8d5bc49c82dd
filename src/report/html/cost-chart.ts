/**
 * The cost chart: inline SVG drawn at build time, one bar group per model × tier with two bars,
 * estimated and actual, and their amounts written out. Each group carries its amounts as data
 * attributes (exact decimal strings) so scripts and tests read the figures, not the geometry. Pure.
 */
import { formatUsd } from "../../core/money.js";
import { esc } from "./escape.js";

export interface ChartTier {
  readonly model: string;
  readonly quality: string | null;
  readonly estimatedMicros: number;
  readonly actualMicros: number;
}

const WIDTH = 760;
const LABEL = 250;
const AMOUNT = 90;
const BAR = 14;
const GROUP = 2 * BAR + 18;
const TOP = 28;

export const tierName = (quality: string | null) => quality ?? "per request";

export function costChartSvg(tiers: readonly ChartTier[]): string {
  const max = Math.max(1, ...tiers.flatMap((t) => [t.estimatedMicros, t.actualMicros]));
  const span = WIDTH - LABEL - AMOUNT;
  const height = TOP + Math.max(1, tiers.length) * GROUP + 8;
  const scale = (micros: number) => Math.max(micros > 0 ? 1 : 0, Math.round((micros / max) * span));
  const groups = tiers.map((t, i) => {
    const y = TOP + i * GROUP;
    const est = formatUsd(t.estimatedMicros);
    const act = formatUsd(t.actualMicros);
    const we = scale(t.estimatedMicros);
    const wa = scale(t.actualMicros);
    const label = `${t.model} · ${tierName(t.quality)}`;
    return (
      `<g class="bar-group" data-model="${esc(t.model)}" data-quality="${esc(t.quality ?? "")}" ` +
      `data-estimated-usd="${est}" data-actual-usd="${act}">` +
      `<title>${esc(label)}: estimated $${est}, actual $${act}</title>` +
      `<text class="tier-label" x="${LABEL - 8}" y="${y + BAR + 4}" text-anchor="end">${esc(label)}</text>` +
      `<rect class="bar bar-estimated" x="${LABEL}" y="${y}" width="${we}" height="${BAR}" rx="2"/>` +
      `<text class="amount amount-estimated" x="${LABEL + we + 6}" y="${y + BAR - 3}">$${est}</text>` +
      `<rect class="bar bar-actual" x="${LABEL}" y="${y + BAR + 2}" width="${wa}" height="${BAR}" rx="2"/>` +
      `<text class="amount amount-actual" x="${LABEL + wa + 6}" y="${y + 2 * BAR - 1}">$${act}</text>` +
      `</g>`
    );
  });
  const legend =
    `<g class="legend"><rect class="bar-estimated" x="${LABEL}" y="6" width="12" height="12" rx="2"/>` +
    `<text x="${LABEL + 18}" y="16">estimated</text>` +
    `<rect class="bar-actual" x="${LABEL + 100}" y="6" width="12" height="12" rx="2"/>` +
    `<text x="${LABEL + 118}" y="16">actual</text></g>`;
  const empty = tiers.length === 0 ? `<text x="${LABEL}" y="${TOP + 14}">no rows</text>` : "";
  return (
    `<svg class="cost-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" ` +
    `width="${WIDTH}" height="${height}" role="img" ` +
    `aria-label="Estimated and actual cost per model and tier">` +
    legend +
    groups.join("") +
    empty +
    `</svg>`
  );
}
