/**
 * What drafting saves (issue 21): the drafts as paid plus the finals, against having run every
 * draft image at the final quality. Integer micro-dollars; a sentence for promote's plan. Pure.
 */
import { formatUsd, type Micros } from "../../core/money.js";

export interface SavingFacts {
  readonly draftImages: number;
  readonly draftSpentMicros: Micros;
  readonly finals: number;
  readonly finalsMicros: Micros;
  readonly quality: string;
  /** Every draft image at the final quality. */
  readonly allAtFinalMicros: Micros;
}

const n = (value: number) => value.toLocaleString("en-US");
const plural = (count: number, word: string) => `${n(count)} ${word}${count === 1 ? "" : "s"}`;

/** Whole percent, halves up. */
function percent(part: Micros, whole: Micros): number {
  return whole <= 0 ? 0 : Math.floor((part * 200 + whole) / (whole * 2));
}

export function savingLine(f: SavingFacts): string {
  const total = f.draftSpentMicros + f.finalsMicros;
  const sum =
    `Drafts and finals: $${formatUsd(f.draftSpentMicros)} for ${plural(f.draftImages, "draft image")} + ` +
    `~$${formatUsd(f.finalsMicros)} for ${plural(f.finals, "final")} at ${f.quality} = ~$${formatUsd(total)}`;
  const all =
    `all ${plural(f.draftImages, "draft image")} at ${f.quality} ` +
    `would cost ~$${formatUsd(f.allAtFinalMicros)}`;
  const saved = f.allAtFinalMicros - total;
  if (saved <= 0) return `${sum}; ${all}: no saving.`;
  return `${sum}; ${all}: ~$${formatUsd(saved)} saved (${percent(saved, f.allAtFinalMicros)} %).`;
}
