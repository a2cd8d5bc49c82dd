/**
 * Credit and charges in integer micro-dollars. A new run reserves its price at create (402
 * INSUFFICIENT_CREDIT when the credit left after reservations cannot cover it); when it ends
 * the reservation is released and, on success only, the price is billed and taken off the
 * credit. `GET /v1/billing/balance` reports the credit left after reservations ("what can be
 * spent now"), so it matches what the 402 check sees. Unlimited credit (balanceUsd null) is
 * reported as $1,000,000 minus what was billed and reserved.
 */
import { formatUsd, parseUsdValue, type Micros } from "../core/money.js";

const UNLIMITED_DISPLAY_MICROS: Micros = 1_000_000 * 1_000_000;
const LOW_BALANCE_THRESHOLD_MICROS: Micros = 1_000_000;

export const usd6 = (micros: Micros): string => formatUsd(micros, 6);

export interface Billing {
  /** Sets the account's credit (a top-up or a cut); reservations of runs in flight still hold. */
  setBalance(balanceUsd: string | number | null): void;
  /** Credit that new runs can use. */
  availableMicros(): Micros;
  /** Reserves `price` for a new run; false (nothing reserved) when the credit left cannot cover it. */
  tryReserve(price: Micros): boolean;
  /** A run ended: release its reservation; bill `cost` (0 for a failed run). */
  settle(reservedPrice: Micros, cost: Micros): void;
  billedMicros(): Micros;
  reservedMicros(): Micros;
  /** The body of GET /v1/billing/balance. */
  balanceBody(): Record<string, unknown>;
}

/** `balanceUsd` null = unlimited credit. */
export function createBilling(balanceUsd: string | number | null): Billing {
  /** Credit left after billed charges; null = unlimited. */
  let creditMicros: Micros | null = null;
  let reserved: Micros = 0;
  let billed: Micros = 0;

  const setBalance = (usd: string | number | null) => {
    creditMicros = usd === null ? null : parseUsdValue(usd);
  };
  const availableMicros = () => (creditMicros ?? UNLIMITED_DISPLAY_MICROS - billed) - reserved;
  setBalance(balanceUsd);

  return {
    setBalance,
    availableMicros,
    tryReserve(price) {
      if (creditMicros !== null && availableMicros() < price) return false;
      reserved += price;
      return true;
    },
    settle(reservedPrice, cost) {
      reserved -= reservedPrice;
      billed += cost;
      if (creditMicros !== null) creditMicros -= cost;
    },
    billedMicros: () => billed,
    reservedMicros: () => reserved,
    balanceBody: () => ({
      balance: usd6(Math.max(0, availableMicros())),
      low_balance_threshold: usd6(LOW_BALANCE_THRESHOLD_MICROS),
      currency: "USD",
      reserved: usd6(reserved),
      billed: usd6(billed),
      unlimited: creditMicros === null,
    }),
  };
}
