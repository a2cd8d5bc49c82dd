/**
 * Credit and charges in integer micro-dollars. A new run reserves its price at create (402
 * INSUFFICIENT_CREDIT when the credit left after reservations cannot cover it); when it ends
 * the reservation is released and, on success only, the price is billed and taken off the
 * credit. `GET /v1/billing/balance` reports the credit left after reservations ("what can be
 * spent now"), so it matches what the 402 check sees. Unlimited credit (balanceUsd null) is
 * reported as $1,000,000 minus what was billed and reserved.
 */
import { formatUsd, parseUsdValue, type Micros } from "../core/money.js";

export const UNLIMITED_DISPLAY_MICROS: Micros = 1_000_000 * 1_000_000;
export const LOW_BALANCE_THRESHOLD_MICROS: Micros = 1_000_000;

export const usd6 = (micros: Micros): string => formatUsd(micros, 6);

export class Billing {
  /** Credit left after billed charges; null = unlimited. */
  private creditMicros: Micros | null = null;
  private reservedMicros: Micros = 0;
  private billed: Micros = 0;

  constructor(balanceUsd: string | number | null | undefined) {
    this.setBalance(balanceUsd ?? null);
  }

  /** Sets the account's credit (a top-up or a cut); reservations of runs in flight still hold. */
  setBalance(balanceUsd: string | number | null): void {
    this.creditMicros = balanceUsd === null ? null : parseUsdValue(balanceUsd);
  }

  /** Credit that new runs can use. */
  availableMicros(): Micros {
    const credit = this.creditMicros ?? UNLIMITED_DISPLAY_MICROS - this.billed;
    return credit - this.reservedMicros;
  }

  /** Reserves `price` for a new run; false (nothing reserved) when the credit left cannot cover it. */
  tryReserve(price: Micros): boolean {
    if (this.creditMicros !== null && this.availableMicros() < price) return false;
    this.reservedMicros += price;
    return true;
  }

  /** A run ended: release its reservation; bill `cost` (0 for a failed run). */
  settle(reservedPrice: Micros, cost: Micros): void {
    this.reservedMicros -= reservedPrice;
    this.billed += cost;
    if (this.creditMicros !== null) this.creditMicros -= cost;
  }

  get billedMicros(): Micros {
    return this.billed;
  }

  get reserved(): Micros {
    return this.reservedMicros;
  }

  get unlimited(): boolean {
    return this.creditMicros === null;
  }

  /** The body of GET /v1/billing/balance. */
  balanceBody(): Record<string, unknown> {
    return {
      balance: usd6(Math.max(0, this.availableMicros())),
      low_balance_threshold: usd6(LOW_BALANCE_THRESHOLD_MICROS),
      currency: "USD",
      reserved: usd6(this.reservedMicros),
      billed: usd6(this.billed),
      unlimited: this.unlimited,
    };
  }
}
