/**
 * `schedule sync`, also run by `serve` at start and when a file changes: make Redis hold exactly
 * the enabled schedules of a folder. Changed files are upserted (their scheduler keeps its id,
 * so BullMQ replaces its next job), schedulers whose file is gone or disabled are removed, and
 * nothing is touched while any file of the folder is invalid: a broken edit never removes a
 * working schedule.
 */
import { UsageError } from "../core/errors.js";
import type { ScheduleFolder } from "./load.js";
import type { ScheduleQueue } from "./scheduler.js";
import type { ScheduleProblem } from "./schedule-problem.js";
import { nameOfSchedulerId, planSync } from "./sync-plan.js";

export interface SyncResult {
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly unchanged: readonly string[];
  /** Names whose scheduler was removed, with why. */
  readonly removed: readonly { readonly name: string; readonly why: "file gone" | "disabled" }[];
}

/** Every problem of the folder's files, one per line, and what to do; exit 2. */
export class ScheduleFilesError extends UsageError {
  readonly problems: readonly ScheduleProblem[];
  constructor(shownDir: string, problems: readonly ScheduleProblem[], consequence: string) {
    const files = new Set(problems.map((p) => p.file)).size;
    super(
      `${shownDir}: ${files} schedule file${files === 1 ? " has" : "s have"} problems; ${consequence}.\n` +
        problems.map((p) => `  ${p.message}`).join("\n") +
        `\nFix ${files === 1 ? "it" : "them"} and sync again.`,
    );
    this.problems = problems;
  }
}

export async function syncSchedules(
  queue: ScheduleQueue,
  folder: ScheduleFolder,
  shownDir: string,
): Promise<SyncResult> {
  if (folder.problems.length > 0)
    throw new ScheduleFilesError(shownDir, folder.problems, "nothing was changed in Redis");
  const valid = folder.files.flatMap((f) =>
    f.ok ? [{ name: f.schedule.name, hash: f.hash, enabled: f.schedule.enabled, file: f }] : [],
  );
  const installed = await queue.installed();
  const plan = planSync(valid, installed);
  for (const w of [...plan.add, ...plan.change]) await queue.upsert(w.file.schedule, w.hash);
  const disabled = new Set(plan.disabled.map((w) => w.name));
  const removed: { name: string; why: "file gone" | "disabled" }[] = [];
  for (const id of plan.remove) {
    await queue.remove(id);
    const name = nameOfSchedulerId(id) ?? id;
    removed.push({ name, why: disabled.has(name) ? "disabled" : "file gone" });
  }
  return {
    added: plan.add.map((w) => w.name),
    changed: plan.change.map((w) => w.name),
    unchanged: plan.unchanged.map((w) => w.name),
    removed,
  };
}

/** What a sync changed, one line each; `Nothing to change` when nothing did. */
export function syncLines(result: SyncResult): string[] {
  const lines = [
    ...result.added.map((n) => `added ${n}`),
    ...result.changed.map((n) => `updated ${n}`),
    ...result.removed.map(
      (r) => `removed ${r.name} (${r.why === "disabled" ? "enabled: false" : "its file is gone"})`,
    ),
  ];
  const held = result.added.length + result.changed.length + result.unchanged.length;
  const summary =
    `${lines.length === 0 ? "Nothing to change: " : ""}Redis holds ${held} schedule${held === 1 ? "" : "s"}` +
    (result.unchanged.length > 0 && lines.length > 0 ? ` (${result.unchanged.length} unchanged)` : "") +
    ".";
  return [...lines, summary];
}
