/** Parsing the simulator's latency and rate flags, shared by `simulator` and `run --simulate`. */
import { UsageError } from "../errors.js";

/** "0", "250" or "15000-40000" → a fixed latency or a range in milliseconds. */
export function parseLatency(flag: string, value: string): number | { min: number; max: number } {
  const match = /^(\d+)(?:-(\d+))?$/.exec(value.trim());
  if (!match) throw new UsageError(`${flag} must be milliseconds (e.g. 250) or a range MIN-MAX (e.g. 15000-40000), got ${JSON.stringify(value)}`);
  const min = Number(match[1]);
  if (match[2] === undefined) return min;
  const max = Number(match[2]);
  if (max < min) throw new UsageError(`${flag} range must be MIN-MAX with MIN ≤ MAX, got ${JSON.stringify(value)}`);
  return { min, max };
}

/** A share between 0 and 1. */
export function parseRate(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`${flag} must be a number from 0 to 1, got ${JSON.stringify(value)}`);
  return n;
}
