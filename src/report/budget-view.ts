/**
 * The budget history as the reports show it: the recorded events, plus a "stopped" one derived
 * from the batch record when the cap stopped the batch but no process recorded it (a batch
 * worked by `worker` processes only). Pure.
 */
import { formatUsd } from "../core/money.js";
import type { BudgetEvent } from "../ledger/budget-history.js";

export interface BudgetHistoryEntry {
  /** null for a derived entry: the time is not known. */
  readonly at: string | null;
  readonly kind: BudgetEvent["kind"];
  readonly cap_usd: string | null;
  readonly previous_cap_usd?: string | null;
  readonly spent_usd?: string;
  readonly text: string;
}

const cap = (micros: number | null | undefined) =>
  micros === null || micros === undefined ? "no cap" : `$${formatUsd(micros)}`;

function describe(event: BudgetEvent): string {
  const spent = event.spent_micros === undefined ? "" : ` (spent $${formatUsd(event.spent_micros)})`;
  if (event.kind === "created") return `created with ${cap(event.cap_micros)}`;
  if (event.kind === "changed")
    return `cap changed from ${cap(event.previous_cap_micros)} to ${cap(event.cap_micros)}${spent}`;
  return `the cap (${cap(event.cap_micros)}) stopped the batch${spent}`;
}

export function budgetHistoryEntries(
  events: readonly BudgetEvent[],
  now: { readonly stoppedByCap: boolean; readonly capMicros: number | null; readonly spentMicros: number },
): BudgetHistoryEntry[] {
  const entries: BudgetHistoryEntry[] = events.map((event) => ({
    at: event.at,
    kind: event.kind,
    cap_usd: event.cap_micros === null ? null : formatUsd(event.cap_micros),
    ...(event.kind === "changed"
      ? { previous_cap_usd: event.previous_cap_micros == null ? null : formatUsd(event.previous_cap_micros) }
      : {}),
    ...(event.spent_micros === undefined ? {} : { spent_usd: formatUsd(event.spent_micros) }),
    text: describe(event),
  }));
  const last = events.at(-1);
  if (now.stoppedByCap && last?.kind !== "stopped") {
    const derived: BudgetEvent = {
      at: "",
      kind: "stopped",
      cap_micros: now.capMicros,
      spent_micros: now.spentMicros,
    };
    entries.push({
      at: null,
      kind: "stopped",
      cap_usd: now.capMicros === null ? null : formatUsd(now.capMicros),
      spent_usd: formatUsd(now.spentMicros),
      text: describe(derived),
    });
  }
  return entries;
}
