/**
 * Progress of a running batch: a redrawn bar on a terminal, a log line every 10 s otherwise.
 */
import { formatUsd } from "../../core/money.js";
import type { BatchRecord } from "../../ledger/batch-store.js";
import type { Logger } from "../../log/logger.js";

export interface ProgressView {
  update(record: BatchRecord): void;
  done(): void;
}

function eta(record: BatchRecord, startedMs: number, now: number): string {
  const finished = record.succeeded + record.failed;
  const left = record.rows - finished;
  if (finished === 0 || left === 0) return "";
  const seconds = Math.round(((now - startedMs) / 1000 / finished) * left);
  return seconds < 90 ? ` · ETA ${seconds}s` : ` · ETA ${Math.round(seconds / 60)}m`;
}

export function progressLine(record: BatchRecord, width: number, startedMs: number, now: number): string {
  const finished = record.succeeded + record.failed;
  const ratio = record.rows === 0 ? 1 : finished / record.rows;
  const barWidth = Math.max(10, Math.min(30, width - 90));
  const filled = Math.round(ratio * barWidth);
  const bar = "█".repeat(filled) + "░".repeat(barWidth - filled);
  const failed = record.failed > 0 ? ` · ${record.failed} failed` : "";
  const held = record.held > 0 || record.budgetBlocked ? ` · budget cap reached` : "";
  return `${bar} ${finished}/${record.rows} rows${failed} · ${record.inFlight} in flight · ${record.images} images · $${formatUsd(record.spentMicros)}${held}${eta(record, startedMs, now)}`;
}

export function createProgressView(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, interactive: boolean, logger: Logger): ProgressView {
  const started = Date.now();
  let lastLog = 0;
  let last: BatchRecord | null = null;
  return {
    update(record) {
      last = record;
      const now = Date.now();
      if (interactive) {
        stream.write(`\r\x1b[2K${progressLine(record, stream.columns ?? 100, started, now)}`);
      } else if (now - lastLog >= 10_000) {
        lastLog = now;
        logger.info(
          { batch: record.id, done: record.succeeded + record.failed, rows: record.rows, failed: record.failed, inFlight: record.inFlight, spentUsd: formatUsd(record.spentMicros) },
          "Batch progress.",
        );
      }
    },
    done() {
      if (interactive && last) stream.write("\n");
    },
  };
}
