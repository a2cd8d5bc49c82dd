/**
 * Durations, in one place: as people write them on a command line, in the environment or a
 * schedule file ("90" seconds, "500ms", "30s", "5m", "2h", "1h30m"), and as the tool writes them
 * back — in sentences and reports, in the tight progress line, roughly for an estimate, and in a
 * schedule file's own spelling. Pure.
 */
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or null when `text` is not a duration. A bare number is seconds. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1_000);
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(trimmed)) return null;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(amount) * (UNIT_MS[unit as string] as number);
  }
  return Math.round(total);
}

const pad = (n: number) => String(n).padStart(2, "0");

/** For sentences, logs and reports: "850 ms", "30 s", "12.3 s", "4 min 05 s", "2 h 03 min"; "—" for none. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1_000;
  if (seconds < 59.95) {
    const tenths = Math.round(seconds * 10) / 10;
    return `${Number.isInteger(tenths) ? tenths : tenths.toFixed(1)} s`;
  }
  const whole = Math.round(seconds);
  if (whole < 3_600) return `${Math.floor(whole / 60)} min ${pad(whole % 60)} s`;
  return `${Math.floor(whole / 3_600)} h ${pad(Math.floor((whole % 3_600) / 60))} min`;
}

/** For the progress line, where width counts: "42s", "3m05s", "1h02m". */
export function compactDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1_000));
  if (s < 60) return `${s}s`;
  if (s < 3_600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  return `${Math.floor(s / 3_600)}h${pad(Math.floor((s % 3_600) / 60))}m`;
}

/**
 * For an estimate, where only the order of magnitude is true (`status`'s elapsed time and time
 * left): seconds to 89 s, whole minutes to 89 min, then hours and minutes — "75s", "6m", "2h05m".
 */
export function roughDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1_000));
  if (s < 90) return `${s}s`;
  if (s < 5_400) return `${Math.round(s / 60)}m`;
  const minutes = Math.round(s / 60);
  return `${Math.floor(minutes / 60)}h${pad(minutes % 60)}m`;
}

/** As a schedule file or a flag writes it, so parseDuration reads it back: `2h`, `1h30m`, `90s`, `1.5s`. */
export function durationText(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000 || ms % 1_000 !== 0) return `${Math.round(ms / 100) / 10}s`;
  const seconds = Math.round(ms / 1_000);
  const h = Math.floor(seconds / 3_600);
  const m = Math.floor((seconds % 3_600) / 60);
  const s = seconds % 60;
  return `${h > 0 ? `${h}h` : ""}${m > 0 ? `${m}m` : ""}${s > 0 ? `${s}s` : ""}`;
}

/** Milliseconds from `start` to `end` (ISO strings); null when either is missing or unreadable. */
export function between(start: string | null | undefined, end: string | null | undefined): number | null {
  if (!start || !end) return null;
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isFinite(ms) ? Math.max(0, ms) : null;
}
