/**
 * The simulator's state in one place: settings, runs, billing, idempotency keys, the ledger,
 * callbacks, seeded random streams and the single sweep timer that settles runs at their end
 * time. HTTP lives in server.ts; this file has no sockets.
 */
import type { Logger } from "../log/logger.js";
import { Billing } from "./billing.js";
import { CallbackSender } from "./callbacks.js";
import { RateLimiter } from "./faults.js";
import { IdempotencyStore } from "./idempotency.js";
import { LedgerBook, type Ledger } from "./ledger.js";
import { applySettings, checkOptionChanges, type Settings, type SimulatorOptions } from "./options.js";
import { UrlSigner } from "./presign.js";
import { createPrng, deriveSeed, type Prng } from "./prng.js";
import { RunStore, type SimRun } from "./run-store.js";

export class Engine {
  readonly runs: RunStore;
  readonly billing: Billing;
  readonly idempotency = new IdempotencyStore();
  readonly book = new LedgerBook();
  readonly signer = new UrlSigner();
  readonly callbacks: CallbackSender;
  runPrng!: Prng;
  faultPrng!: Prng;
  downloadPrng!: Prng;
  limiter: RateLimiter | null = null;
  acceptedKeys: ReadonlySet<string> = new Set();
  /** http://127.0.0.1:PORT once listening. */
  baseUrl = "http://127.0.0.1";
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweepAt = Infinity;

  constructor(
    readonly settings: Settings,
    readonly logger: Logger,
    balanceUsd: string | number | null | undefined,
  ) {
    this.billing = new Billing(balanceUsd);
    this.callbacks = new CallbackSender(settings, this.signer, () => this.baseUrl, logger);
    this.runs = new RunStore((run) => this.onSettle(run));
    this.refresh({ seed: settings.seed, rateLimit: settings.rateLimit, apiKeys: settings.apiKeys });
  }

  /** Applies option changes at runtime (checked first; throws SimulatorOptionsError). */
  configure(changes: Partial<SimulatorOptions>): void {
    checkOptionChanges(changes as Record<string, unknown>);
    applySettings(this.settings, changes);
    if (changes.balanceUsd !== undefined) this.billing.setBalance(changes.balanceUsd);
    this.refresh(changes);
  }

  private refresh(changes: Partial<SimulatorOptions>): void {
    if (changes.seed !== undefined) {
      this.runPrng = createPrng(deriveSeed(this.settings.seed, "runs"));
      this.faultPrng = createPrng(deriveSeed(this.settings.seed, "faults"));
      this.downloadPrng = createPrng(deriveSeed(this.settings.seed, "downloads"));
    }
    if (changes.rateLimit !== undefined) {
      this.limiter = this.settings.rateLimit === null ? null : new RateLimiter(this.settings.rateLimit, Date.now());
    }
    if (changes.apiKeys !== undefined) this.acceptedKeys = new Set(this.settings.apiKeys);
  }

  /** Accepted: one of the configured keys, or any "rf_…" key when none is configured. */
  isAcceptedKey(key: string): boolean {
    return this.acceptedKeys.size > 0 ? this.acceptedKeys.has(key) : key.startsWith("rf_") && key.length > 3;
  }

  addRun(run: SimRun): void {
    this.runs.add(run);
    this.armSweep();
  }

  /** Settles every run whose end time has passed; called before each request and by the sweep. */
  settle(now: number): void {
    const next = this.runs.nextDueMs();
    if (next !== undefined && next <= now) this.runs.settleDue(now);
    this.armSweep();
  }

  private onSettle(run: SimRun): void {
    this.billing.settle(run.priceMicros, run.costMicros ?? 0);
    this.callbacks.enqueue(run, Date.now());
  }

  private armSweep(): void {
    const next = this.runs.nextDueMs();
    if (next === undefined || (this.sweepTimer !== null && this.sweepAt <= next)) return;
    if (this.sweepTimer !== null) clearTimeout(this.sweepTimer);
    this.sweepAt = next;
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = null;
      this.sweepAt = Infinity;
      const now = Date.now();
      this.idempotency.purgeExpired(now);
      this.settle(now);
    }, Math.max(0, next - Date.now()));
    this.sweepTimer.unref();
  }

  ledger(now = Date.now()): Ledger {
    this.settle(now);
    return this.book.build(this.runs.all(), now, {
      billedMicros: this.billing.billedMicros,
      reservedMicros: this.billing.reserved,
      inFlight: this.runs.inFlight,
      callbacks: { ...this.callbacks.stats, pending: this.callbacks.pending },
    });
  }

  close(): void {
    if (this.sweepTimer !== null) clearTimeout(this.sweepTimer);
    this.sweepTimer = null;
    this.callbacks.close();
  }
}
