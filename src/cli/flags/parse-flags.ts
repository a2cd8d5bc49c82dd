/** Turning flag text into numbers and money, with usage errors that name the flag. */
import { UsageError } from "../../core/errors.js";
import { parseDuration } from "../../core/duration.js";
import { parseUsd } from "../../core/money.js";

export function parsePositiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a whole number of at least 1, got ${JSON.stringify(value)}`);
  return n;
}

/** "25" or "25.50" → micro-dollars; null when the flag was not given. */
export function parseUsdFlag(flag: string, value: string | undefined): number | null {
  if (value === undefined) return null;
  try {
    return parseUsd(value);
  } catch {
    throw new UsageError(`${flag} must be a dollar amount such as 25 or 12.50, got ${JSON.stringify(value)}`);
  }
}

/** "90" (seconds), "30s", "5m", "500ms" → ms; `fallback` when the flag was not given. */
export function parseDurationFlag(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = parseDuration(value);
  if (ms === null || ms <= 0) {
    throw new UsageError(
      `${flag} must be a duration such as 90 (seconds), 30s, 5m or 2h, got ${JSON.stringify(value)}`,
    );
  }
  return ms;
}
