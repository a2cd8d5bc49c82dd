/** Parsing the simulator's latency and rate flags, shared by `simulator` and `run --simulate`. */
import { UsageError } from "../../core/errors.js";

const DAY_MS = 86_400_000;

/** "500" → 500 ms; "15000-40000" → a range (equal ends collapse to a number); at most a day. */
export function parseLatency(flag: string, value: string): number | { min: number; max: number } {
  const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(value);
  const min = Number(match?.[1]);
  const max = match?.[2] === undefined ? min : Number(match[2]);
  if (!match || min > max || max > DAY_MS) {
    throw new UsageError(
      `${flag} must be milliseconds (e.g. 500) or a range MIN-MAX (e.g. 15000-40000), got ${JSON.stringify(value)}`,
    );
  }
  return min === max ? min : { min, max };
}

/** A share between 0 and 1. */
export function parseRate(flag: string, value: string): number {
  const n = /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 0 && n <= 1))
    throw new UsageError(`${flag} must be a share from 0 to 1 (e.g. 0.1), got ${JSON.stringify(value)}`);
  return n;
}
