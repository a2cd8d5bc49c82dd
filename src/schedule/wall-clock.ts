/**
 * Instants as a wall clock in a time zone shows them: the date (`YYYY-MM-DD`), the time
 * (`HHmm`, or `HHmmss`) and a readable `YYYY-MM-DD HH:mm[:ss]`. Pure (Intl only).
 */

export interface WallClock {
  /** `2026-12-01` */
  readonly date: string;
  /** `0200` */
  readonly hhmm: string;
  /** `020005` */
  readonly hhmmss: string;
  /** `2026-12-01 02:00` (with `:05` seconds when asked for) */
  readonly text: string;
}

/** True when `zone` is a time zone this Node knows (an IANA name such as Europe/Berlin, or UTC). */
export function isTimeZone(zone: string): boolean {
  if (zone.trim() === "" || zone !== zone.trim()) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A reader of instants in `zone` (building the formatter once: it is the expensive part). */
export function createWallClock(zone: string): (ms: number, withSeconds?: boolean) => WallClock {
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  return (ms, withSeconds = false) => {
    const parts = format.formatToParts(new Date(ms));
    const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "00";
    const date = `${get("year")}-${get("month")}-${get("day")}`;
    const [h, m, s] = [get("hour"), get("minute"), get("second")];
    return {
      date,
      hhmm: `${h}${m}`,
      hhmmss: `${h}${m}${s}`,
      text: `${date} ${h}:${m}${withSeconds ? `:${s}` : ""}`,
    };
  };
}

export function wallClock(ms: number, zone: string, withSeconds = false): WallClock {
  return createWallClock(zone)(ms, withSeconds);
}
