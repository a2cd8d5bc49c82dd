/**
 * The rows of a final batch, read from its draft's ledger (issue 21): the picked images (the
 * batch's stored picks), each with its draft row and result, made into final rows
 * (final-rows.ts) and priced — a row source for the batch's one pass (open/manifest-pass.ts),
 * so promote's rows go through the same validation, pricing, plan, staging, pre-flight, cap and
 * reports as a manifest's. Also what the saving is measured against: every draft image at the
 * final quality.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../../core/canonical-json.js";
import { fileBaseFor } from "../../core/file-names.js";
import type { Micros } from "../../core/money.js";
import { isModelId } from "../../core/models.js";
import type { BatchRecord } from "../../ledger/batch-record.js";
import type { FinalOfDraft } from "../../ledger/finals.js";
import type { ImagePick } from "../../ledger/picks-file.js";
import type { ResultReader } from "../../ledger/result-reader.js";
import type { RowStore } from "../../ledger/row-store.js";
import { makeProblem } from "../../manifest/problems.js";
import type { PricedItem } from "../../pricing/priced-rows.js";
import { priceOf, UnknownPriceError, type PriceTable } from "../../pricing/table.js";
import type { RowSource } from "../open/manifest-pass.js";
import { finalRowOf, type FinalOptions } from "./final-rows.js";

const CHUNK = 500;

export interface DraftLedger {
  readonly results: Pick<ResultReader, "results" | "scanResults">;
  readonly rowStore: Pick<RowStore, "get">;
}

export interface PromoteRows {
  readonly source: RowSource;
  /** The finals the last pass made (draft image → final row), for the draft's record of them. */
  finals(): readonly Omit<FinalOfDraft, "finalBatch">[];
}

function priced(item: ReturnType<typeof finalRowOf>, seq: number, prices: PriceTable): PricedItem {
  if (!item.ok) return { ok: false, seq, problems: item.problems, location: item.location };
  try {
    return {
      ok: true,
      seq,
      row: item.row,
      estimateMicros: priceOf(prices, item.row.model, item.row.quality, 1),
    };
  } catch (error) {
    if (!(error instanceof UnknownPriceError)) throw error;
    const { location } = item.row;
    const problem = makeProblem(location, "quality", "a tier with a price", item.row.quality, error.message);
    return { ok: false, seq, problems: [problem], location };
  }
}

/** The final rows of these picks (only `pick` verdicts count), in the picks' order. */
export function promoteRows(
  ledger: DraftLedger,
  draft: BatchRecord,
  picks: readonly ImagePick[],
  o: FinalOptions,
): PromoteRows {
  const picked = picks.filter((p) => p.pick === "pick");
  let made: Omit<FinalOfDraft, "finalBatch">[] = [];
  const sha256 = createHash("sha256")
    .update(canonicalJson({ draft: draft.id, picks: picked.map((p) => [p.id, p.image]), options: o }))
    .digest("hex");
  async function* items(prices: PriceTable): AsyncGenerator<PricedItem[]> {
    made = [];
    const files = new Map<string, string>(); // file base → the image it was given to
    for (let start = 0; start < picked.length; start += CHUNK) {
      const chunk = picked.slice(start, start + CHUNK);
      const ids = chunk.map((p) => p.id);
      const [rows, results] = await Promise.all([
        ledger.rowStore.get(draft.id, ids),
        ledger.results.results(draft.id, ids),
      ]);
      yield chunk.map((pick, i) => {
        const seq = start + i;
        const item = finalRowOf({ ...pick, row: rows[i] ?? null, result: results[i] ?? null }, seq, o);
        if (item.ok) {
          const base = fileBaseFor(item.row.key);
          const earlier = files.get(base);
          if (earlier !== undefined) {
            const named = `its final would be named like ${earlier}'s (${item.row.key})`;
            const message = `${pick.id} image ${pick.image}: ${named}`;
            const problem = makeProblem(item.row.location, "id", "a name of its own", item.row.key, message);
            return { ok: false, seq, problems: [problem], location: item.row.location };
          }
          files.set(base, `${pick.id} image ${pick.image}`);
          made.push({ row: pick.id, image: pick.image, finalRow: item.row.key });
        }
        return priced(item, seq, prices);
      });
    }
  }
  return {
    source: {
      source: { path: draft.submission.out, label: `picks of batch ${draft.id}`, format: "jsonl" },
      sha256,
      items,
    },
    finals: () => made,
  };
}

/** What the draft cost and what all its images would have cost at the final quality. */
export interface DraftCost {
  readonly images: number;
  readonly spentMicros: Micros;
  /** Every draft image at the final quality (the draft rows' own models). */
  readonly allAtFinalMicros: Micros;
}

export async function draftCost(
  ledger: DraftLedger,
  draft: BatchRecord,
  quality: FinalOptions["quality"],
  prices: PriceTable,
): Promise<DraftCost> {
  let images = 0;
  let allAtFinalMicros = 0;
  for await (const result of ledger.results.scanResults(draft.id)) {
    if (result.images.length === 0 || !isModelId(result.model)) continue;
    images += result.images.length;
    try {
      allAtFinalMicros += priceOf(prices, result.model, quality, result.images.length);
    } catch (error) {
      if (!(error instanceof UnknownPriceError)) throw error;
    }
  }
  return { images, spentMicros: draft.spentMicros, allAtFinalMicros };
}
