/**
 * The simulator's state in one place, built by `createEngine` from explicit dependencies (the
 * settings, the starting balance, the public base URL, a clock, a logger): runs, billing,
 * idempotency keys, the ledger, callbacks, seeded random streams and the single sweep timer that
 * settles runs at their end time. HTTP lives in server.ts; this file has no sockets. Settings,
 * random streams, the rate limiter and accepted keys are replaced (never changed in place) by
 * configure(); the parts read them through the engine on every request.
 */
import type { Logger } from "../log/logger.js";
import { createBilling, type Billing } from "./billing.js";
import { createCallbackSender } from "./callbacks.js";
import { monotonic, type Clock } from "./clock.js";
import { createRateLimiter, type RateLimiter } from "./faults.js";
import { createIdempotencyStore, type IdempotencyStore } from "./idempotency.js";
import { createLedgerBook, type Ledger, type LedgerBook } from "./ledger.js";
import { checkOptionChanges, withChanges, type Settings, type SimulatorOptions } from "./options.js";
import { createUrlSigner, type UrlSigner } from "./presign.js";
import { createPrng, deriveSeed, type Prng } from "./prng.js";
import type { Journal } from "./journal.js";
import { createRunStore, finalCost, type RunStore, type SimRun } from "./run-store.js";
import { createSweep } from "./sweep.js";

export interface EngineDeps {
  readonly settings: Settings;
  /** Starting credit in USD; null = unlimited. */
  readonly balanceUsd: string | number | null;
  /** http://HOST:PORT: output URLs in callbacks, and in answers to requests without a usable Host. */
  readonly baseUrl: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where created runs are remembered across restarts (rehearsals); its restored runs are loaded at once. */
  readonly journal?: Journal | undefined;
}

/** Independent seeded streams, so the number of GETs a client makes does not change which runs fail. */
type RandomStream = "runs" | "faults" | "downloads";

export interface Engine {
  readonly baseUrl: string;
  /** The dependency's clock, made monotonic: every part of the simulator reads time here. */
  readonly clock: Clock;
  readonly logger: Logger;
  readonly runs: RunStore;
  readonly billing: Billing;
  readonly idempotency: IdempotencyStore;
  readonly book: LedgerBook;
  readonly signer: UrlSigner;
  /** The settings in force now. */
  settings(): Settings;
  random(stream: RandomStream): Prng;
  /** 0 when a request may go ahead under the rate limit; else the milliseconds until one may. */
  rateLimitWait(now: number): number;
  /** Accepted: one of the configured keys, or any "rf_…" key when none is configured. */
  isAcceptedKey(key: string): boolean;
  /** The run's outputs are no longer served (expired by the admin endpoint): GET shows none, downloads 410. */
  outputsGone(runId: string): boolean;
  /** Stops serving a run's outputs, as Runflow does once it no longer keeps them; false for an unknown run. */
  expireOutputs(runId: string): boolean;
  /** A new run, with its create's idempotency fingerprint (null without a key). */
  addRun(run: SimRun, fingerprint: string | null): void;
  /** Settles every run whose end time has passed; called before each request and by the sweep. */
  settle(now: number): void;
  /** Applies option changes at runtime (checked first; throws SimulatorOptionsError). */
  configure(changes: Partial<SimulatorOptions>): void;
  ledger(): Ledger;
  /** Cancels the sweep and every callback delivery. */
  close(): void;
}

const STREAMS: readonly RandomStream[] = ["runs", "faults", "downloads"];

function limiterFor(settings: Settings, now: number): RateLimiter | null {
  return settings.rateLimit === null ? null : createRateLimiter(settings.rateLimit, now);
}

function streamsFor(seed: number): ReadonlyMap<RandomStream, Prng> {
  return new Map(STREAMS.map((name) => [name, createPrng(deriveSeed(seed, name))]));
}

/** A restarted rehearsal knows its earlier runs: same ids, futures, credit and idempotency keys. */
function restore(
  journal: Journal | undefined,
  runs: RunStore,
  billing: Billing,
  idempotency: IdempotencyStore,
) {
  for (const { run, fingerprint } of journal?.restored ?? []) {
    runs.restore(run);
    billing.tryReserve(run.priceMicros);
    if (run.idempotencyKey !== null && fingerprint !== null)
      idempotency.bind(run.idempotencyKey, fingerprint, run.id, run.createdMs);
  }
}

export function createEngine(deps: EngineDeps): Engine {
  const clock = monotonic(deps.clock);
  let settings = deps.settings;
  let streams = streamsFor(settings.seed);
  let limiter = limiterFor(settings, clock.now());
  let acceptedKeys: ReadonlySet<string> = new Set(settings.apiKeys);

  const billing = createBilling(deps.balanceUsd);
  const idempotency = createIdempotencyStore();
  const book = createLedgerBook();
  const signer = createUrlSigner();
  const { baseUrl, logger } = deps;
  const callbacks = createCallbackSender({ settings: () => settings, signer, baseUrl, clock, logger });
  const gone = new Set<string>();
  const runs = createRunStore((run) => {
    billing.settle(run.priceMicros, finalCost(run));
    callbacks.enqueue(run, clock.now());
  });

  const sweep = createSweep(clock, runs, idempotency);
  restore(deps.journal, runs, billing, idempotency);
  const { settle } = sweep;

  return {
    baseUrl,
    clock,
    logger,
    runs,
    billing,
    idempotency,
    book,
    signer,
    settings: () => settings,
    random: (stream) => streams.get(stream) as Prng,
    rateLimitWait: (now) => limiter?.take(now) ?? 0,
    isAcceptedKey: (key) =>
      acceptedKeys.size > 0 ? acceptedKeys.has(key) : key.startsWith("rf_") && key.length > 3,
    outputsGone: (runId) => gone.has(runId),
    expireOutputs(runId) {
      if (!runs.get(runId)) return false;
      gone.add(runId);
      return true;
    },
    addRun(run, fingerprint) {
      deps.journal?.append({ run, fingerprint });
      runs.add(run);
      if (run.idempotencyKey !== null && fingerprint !== null)
        idempotency.bind(run.idempotencyKey, fingerprint, run.id, run.createdMs);
      sweep.arm();
    },
    settle,
    configure(changes) {
      checkOptionChanges(changes as Record<string, unknown>);
      settings = withChanges(settings, changes);
      if (changes.balanceUsd !== undefined) billing.setBalance(changes.balanceUsd);
      if (changes.seed !== undefined) streams = streamsFor(settings.seed);
      if (changes.rateLimit !== undefined) limiter = limiterFor(settings, clock.now());
      if (changes.apiKeys !== undefined) acceptedKeys = new Set(settings.apiKeys);
    },
    ledger() {
      const now = clock.now();
      settle(now);
      return book.build(runs.all(), now, {
        billedMicros: billing.billedMicros(),
        reservedMicros: billing.reservedMicros(),
        inFlight: runs.inFlight(),
        callbacks: callbacks.stats(),
      });
    },
    close() {
      deps.journal?.close();
      sweep.close();
      callbacks.close();
    },
  };
}
