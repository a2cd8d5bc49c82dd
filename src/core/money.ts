/**
 * Money as integer micro-dollars (1 USD = 1,000,000). Parsing and printing go through decimal
 * strings only: no float ever touches an amount. Pure.
 */
export type Micros = number;
const MICROS_PER_USD = 1_000_000;

const DECIMAL = /^(\d+)(?:\.(\d{1,6}))?$/;

/** "0.133" → 133000. Refuses negatives, more than 6 decimals, and anything not a plain decimal. */
export function parseUsd(text: string): Micros {
  const match = DECIMAL.exec(text.trim());
  if (!match)
    throw new RangeError(
      `expected a dollar amount such as 0.133 (at most 6 decimals), got ${JSON.stringify(text)}`,
    );
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? "").padEnd(6, "0"));
  const micros = whole * MICROS_PER_USD + fraction;
  if (!Number.isSafeInteger(micros)) throw new RangeError(`amount too large: ${text}`);
  return micros;
}

/** Like parseUsd, but also takes a JSON number by its shortest decimal spelling (0.133 → "0.133"). */
export function parseUsdValue(value: unknown): Micros {
  if (typeof value === "number" && Number.isFinite(value)) return parseUsd(String(value));
  if (typeof value === "string") return parseUsd(value);
  throw new RangeError(`expected a dollar amount such as "0.133", got ${JSON.stringify(value)}`);
}

/**
 * 133000 → "0.133"; 1234567 → "1.234567". At least `minDecimals` places (3 by default, as the
 * reports show), more only when the amount needs them, so printing never rounds.
 */
export function formatUsd(micros: Micros, minDecimals = 3): string {
  if (!Number.isSafeInteger(micros))
    throw new RangeError(`not an integer amount of micro-dollars: ${micros}`);
  const sign = micros < 0 ? "-" : "";
  const abs = Math.abs(micros);
  const whole = Math.floor(abs / MICROS_PER_USD);
  let fraction = String(abs % MICROS_PER_USD).padStart(6, "0");
  while (fraction.length > minDecimals && fraction.endsWith("0")) fraction = fraction.slice(0, -1);
  return fraction.length > 0 ? `${sign}${whole}.${fraction}` : `${sign}${whole}`;
}
