/**
 * Progress of a running batch: a redrawn line on a terminal (bar, rows, failed, elapsed, pace,
 * ETA), a log line every 10 s otherwise.
 */
import { compactDuration } from "../../core/duration.js";
import { formatUsd } from "../../core/money.js";
import type { BatchRecord } from "../../ledger/batch-record.js";
import type { Logger } from "../../log/logger.js";

export interface ProgressView {
  update(record: BatchRecord): void;
  done(): void;
}

/** Rows finished a minute since `startedMs`, one decimal; null before the first row or the first second. */
export function rowsPerMinute(finished: number, startedMs: number, now: number): number | null {
  const minutes = (now - startedMs) / 60_000;
  if (finished === 0 || minutes <= 1 / 60) return null;
  return Math.round((finished / minutes) * 10) / 10;
}

export function progressLine(
  record: BatchRecord,
  width: number,
  startedMs: number,
  now: number,
  finishedAtStart = 0,
): string {
  const rows = record.submission.rows;
  const finished = record.succeeded + record.failed;
  const ratio = rows === 0 ? 1 : finished / rows;
  const barWidth = Math.max(10, Math.min(30, width - 110));
  const filled = Math.round(ratio * barWidth);
  const bar = "█".repeat(filled) + "░".repeat(barWidth - filled);
  const held = record.held > 0 || record.budgetBlocked ? ` · budget cap reached` : "";
  // The pace counts only rows finished by this process's run, not those a resumed batch had already.
  const pace = rowsPerMinute(finished - finishedAtStart, startedMs, now);
  const left = rows - finished;
  const eta = pace === null || left === 0 || held ? "" : ` · ETA ${compactDuration((left / pace) * 60_000)}`;
  return (
    `${bar} ${finished}/${rows} rows · ${record.failed} failed · ${record.inFlight} in flight · ` +
    `${record.images} images · ` +
    `$${formatUsd(record.spentMicros)}${held} · ${compactDuration(now - startedMs)} elapsed` +
    (pace === null ? "" : ` · ${pace} rows/min`) +
    eta
  );
}

export function createProgressView(
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
  interactive: boolean,
  logger: Logger,
  clock: () => number = Date.now,
): ProgressView {
  const started = clock();
  let finishedAtStart: number | null = null;
  let lastLog = 0;
  let last: BatchRecord | null = null;
  return {
    update(record) {
      last = record;
      finishedAtStart ??= record.succeeded + record.failed;
      const now = clock();
      if (interactive) {
        stream.write(
          `\r\x1b[2K${progressLine(record, stream.columns ?? 100, started, now, finishedAtStart)}`,
        );
      } else if (now - lastLog >= 10_000) {
        lastLog = now;
        const pace = rowsPerMinute(record.succeeded + record.failed - finishedAtStart, started, now);
        logger.info(
          {
            batch: record.id,
            done: record.succeeded + record.failed,
            rows: record.submission.rows,
            failed: record.failed,
            inFlight: record.inFlight,
            spentUsd: formatUsd(record.spentMicros),
            elapsedSeconds: Math.round((now - started) / 1_000),
            rowsPerMinute: pace,
          },
          "Batch progress.",
        );
      }
    },
    done() {
      if (interactive && last) stream.write("\n");
    },
  };
}
