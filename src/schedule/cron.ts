/**
 * Cron expressions as schedules use them: 5 fields (minute hour day month weekday), or 6 with
 * seconds first; checked, and iterated in a time zone with the cron-parser BullMQ itself uses,
 * so the times shown are the times the scheduler fires. Pure: `from` is always given.
 */
import { CronExpressionParser } from "cron-parser";

export type CronCheck =
  { readonly ok: true; readonly seconds: boolean } | { readonly ok: false; readonly reason: string };

export const CRON_EXPECTED =
  '5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, e.g. "0 2 * * *"';

export function checkCron(cron: string, zone: string): CronCheck {
  const fields = cron
    .trim()
    .split(/\s+/)
    .filter((f) => f !== "");
  if (fields.length !== 5 && fields.length !== 6) {
    return { ok: false, reason: `${fields.length} field${fields.length === 1 ? "" : "s"}` };
  }
  try {
    CronExpressionParser.parse(cron, { tz: zone, currentDate: new Date(0) }).next();
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  return { ok: true, seconds: fields.length === 6 };
}

/** The next `count` fire times strictly after `fromMs`, in ms since the epoch. */
export function nextFireTimes(cron: string, zone: string, fromMs: number, count: number): number[] {
  const interval = CronExpressionParser.parse(cron, { tz: zone, currentDate: new Date(fromMs) });
  const times: number[] = [];
  for (let i = 0; i < count && interval.hasNext(); i++) times.push(interval.next().getTime());
  return times;
}
