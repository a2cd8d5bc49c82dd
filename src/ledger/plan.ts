/**
 * Bringing a directory up to date: what each manifest row needs, given what the batch's ledger
 * recorded for it and whether its images are still on disk, and the one line that states the
 * plan before anything is submitted:
 *   `out/cat: 49,985 up to date, 3 changed, 12 to retry, 0 removed → 15 runs, ~$0.450`
 * Pure.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../core/canonical-json.js";
import type { DraftRef } from "../core/draft-ref.js";
import { formatUsd, type Micros } from "../core/money.js";

/**
 * - `new`: not in the batch before, never recorded, no run;
 * - `waiting`: in the batch before but never run (held by the cap, canceled, not reached yet);
 * - `resume`: a run exists (or may) and is waited for, no new charge;
 * - `changed`: model or input differ from the recorded attempt: a new attempt;
 * - `retry`: the recorded attempt failed: a new attempt;
 * - `restore`: succeeded, but an image is missing from the directory: downloaded again while Runflow has it;
 * - `up-to-date`: succeeded with the same content and every image on disk: no request;
 * - `adopt`: the ledger lost it, but the directory's results.jsonl records it succeeded with the
 *   same content and every image on disk: its result is taken back into the ledger, no request.
 */
export type RowPlan = "new" | "waiting" | "resume" | "changed" | "retry" | "restore" | "up-to-date" | "adopt";

const ROW_PLANS: readonly RowPlan[] = [
  "new",
  "waiting",
  "resume",
  "changed",
  "retry",
  "restore",
  "up-to-date",
  "adopt",
];

/** What the ledger says of a row. */
export interface RecordedRow {
  readonly status: "succeeded" | "failed";
  /** Content fingerprint of the attempt recorded; absent for rows recorded before fingerprints. */
  readonly contentSha: string | null;
  readonly imagesOnDisk: boolean;
}

/** What the ledger knows of a row that has no recorded result. */
export interface UnrecordedRow {
  /** A run was created (or may have been) for it. */
  readonly hasRun: boolean;
  /** The row was one of the batch's rows before this pass. */
  readonly wasInBatch: boolean;
}

/**
 * The fingerprint of what a row asks Runflow for: its model and input (not its metadata) and, for
 * a final made from a draft image (promote), that image — never its presigned URL, which the
 * worker fetches fresh. Rows without a draft keep the fingerprint they always had.
 */
export function rowContentSha(row: {
  readonly model: string;
  readonly input: unknown;
  readonly draft?: DraftRef | undefined;
}): string {
  const what = row.draft
    ? { model: row.model, input: row.input, draft: row.draft }
    : { model: row.model, input: row.input };
  return createHash("sha256").update(canonicalJson(what)).digest("hex").slice(0, 32);
}

export function planRow(
  contentSha: string,
  recorded: RecordedRow | null,
  unrecorded: UnrecordedRow = { hasRun: false, wasInBatch: false },
): RowPlan {
  if (recorded === null) return unrecorded.hasRun ? "resume" : unrecorded.wasInBatch ? "waiting" : "new";
  if (recorded.contentSha !== null && recorded.contentSha !== contentSha) return "changed";
  if (recorded.status === "failed") return "retry";
  return recorded.imagesOnDisk ? "up-to-date" : "restore";
}

/** Rows that cost a new run. */
const CREATES_RUN: ReadonlySet<RowPlan> = new Set<RowPlan>(["new", "waiting", "changed", "retry"]);

export interface Plan {
  readonly counts: Readonly<Record<RowPlan, number>>;
  /** Why rows were adopted from the directory (e.g. "Redis did not hold the batch"), or null. */
  readonly adoptedBecause: string | null;
  /** Recorded rows the manifest no longer has: listed as `removed` in the reports; their files stay. */
  readonly removed: number;
  readonly runs: number;
  /** Estimated cost of the runs the plan creates. */
  readonly runsMicros: Micros;
}

export interface PlanAccumulator {
  add(plan: RowPlan, estimateMicros: Micros): void;
  finish(removed: number, adoptedBecause?: string | null): Plan;
}

const noRows = (): Record<RowPlan, number> =>
  Object.fromEntries(ROW_PLANS.map((plan) => [plan, 0])) as Record<RowPlan, number>;

export function createPlanAccumulator(): PlanAccumulator {
  const counts = noRows();
  let runs = 0;
  let runsMicros = 0;
  return {
    add(plan, estimateMicros) {
      counts[plan] += 1;
      if (CREATES_RUN.has(plan)) {
        runs += 1;
        runsMicros += estimateMicros;
      }
    },
    finish: (removed, adoptedBecause = null) => ({
      counts: { ...counts },
      adoptedBecause: counts.adopt > 0 ? adoptedBecause : null,
      removed,
      runs,
      runsMicros,
    }),
  };
}

/** The plan of a directory that holds no batch yet: every row is new. */
export function allNewPlan(rows: number, estimateMicros: Micros): Plan {
  return {
    counts: { ...noRows(), new: rows },
    adoptedBecause: null,
    removed: 0,
    runs: rows,
    runsMicros: estimateMicros,
  };
}

const n = (value: number) => value.toLocaleString("en-US");

/** The plan in `estimate --format json`. */
export function planJson(plan: Plan): Record<string, unknown> {
  const { counts } = plan;
  return {
    up_to_date: counts["up-to-date"],
    adopted: counts.adopt,
    new: counts.new,
    not_run_yet: counts.waiting,
    changed: counts.changed,
    retry: counts.retry,
    restore: counts.restore,
    in_flight: counts.resume,
    removed: plan.removed,
    runs: plan.runs,
    runs_usd: formatUsd(plan.runsMicros),
  };
}

export function planLine(dir: string, plan: Plan): string {
  const { counts } = plan;
  const parts = [`${n(counts["up-to-date"])} up to date`];
  if (counts.adopt > 0) {
    const why = plan.adoptedBecause ? ` (${plan.adoptedBecause})` : "";
    parts.push(`${n(counts.adopt)} adopted from ${dir}${why}`);
  }
  if (counts.new > 0) parts.push(`${n(counts.new)} new`);
  if (counts.waiting > 0) parts.push(`${n(counts.waiting)} not run yet`);
  parts.push(`${n(counts.changed)} changed`, `${n(counts.retry)} to retry`);
  if (counts.restore > 0) parts.push(`${n(counts.restore)} to download again`);
  if (counts.resume > 0) parts.push(`${n(counts.resume)} in flight`);
  parts.push(`${n(plan.removed)} removed`);
  const runs = `${n(plan.runs)} run${plan.runs === 1 ? "" : "s"}`;
  return `${dir}: ${parts.join(", ")} → ${runs}, ~$${formatUsd(plan.runsMicros)}`;
}
