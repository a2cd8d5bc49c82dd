/**
 * Callback delivery (docs/runflow-api.md): when a run with a callback_url ends, POST the documented
 * payload (`+00:00` timestamps, a Runflow-Request-Id header kept across retries, and
 * Runflow-Signature = lowercase hex HMAC-SHA256 keyed by the whole secret string over the exact
 * body bytes when a secret is configured). At least once: a non-2xx answer, a timeout or a
 * connection error is retried, 5 attempts in all, after base × 1, 2, 4, 8 (base 1 s by default).
 * At most 64 deliveries are in the air at once; the rest wait their turn. Retry delays and the
 * per-attempt timeout run on the simulator's clock.
 */
import { createHmac, randomUUID } from "node:crypto";
import type { Logger } from "../log/logger.js";
import { usd6 } from "./billing.js";
import type { CancelTimer, Clock } from "./clock.js";
import { isoOffset } from "./ids.js";
import type { Settings } from "./options.js";
import { outputRecord } from "./outputs.js";
import type { UrlSigner } from "./presign.js";
import { withoutTiming } from "./record.js";
import { finalCost, type SimRun } from "./run-store.js";

const CALLBACK_ATTEMPTS = 5;
const MAX_IN_FLIGHT = 64;

export interface CallbackStats {
  readonly delivered: number;
  readonly failedAttempts: number;
  readonly abandoned: number;
}

export interface CallbackSender {
  /** Queues the callback of a run that just ended (no-op without a callback_url, or once closed). */
  enqueue(run: SimRun, now: number): void;
  /** Counters, and deliveries not finished yet (waiting, in the air or waiting to retry). */
  stats(): CallbackStats & { pending: number };
  /** Stops: aborts deliveries in the air, drops waiting ones and retries. */
  close(): void;
}

export interface CallbackDeps {
  /** The settings in force now (secret, URL lifetime, retry base, timeout). */
  readonly settings: () => Settings;
  readonly signer: UrlSigner;
  /** Output URLs in the payload are signed against this origin. */
  readonly baseUrl: string;
  readonly clock: Clock;
  readonly logger: Logger;
}

interface Delivery {
  readonly url: string;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  readonly runId: string;
  /** Attempts made so far. */
  readonly attempts: number;
}

export function signBody(secret: string, body: Buffer | string): string {
  return createHmac("sha256", Buffer.from(secret, "utf8")).update(body).digest("hex");
}

function callbackPayload(run: SimRun, output: Record<string, unknown> | null): Record<string, unknown> {
  const succeeded = run.outcome === "succeeded";
  return {
    event: succeeded ? "run.completed" : "run.failed",
    run_id: run.id,
    status: run.outcome,
    output,
    cost: usd6(finalCost(run)),
    failure_code: succeeded ? null : (run.failure?.code ?? null),
    failure_message: succeeded ? null : (run.failure?.message ?? null),
    duration_ms: run.endMs - run.createdMs,
    created_at: isoOffset(run.createdMs),
    completed_at: isoOffset(run.endMs),
    metadata: run.metadata,
    client_ref: run.clientRef,
  };
}

const timeoutError = () => new DOMException("The operation was aborted due to timeout", "TimeoutError");

/** POSTs once; null when the receiver took it, else what went wrong. */
async function post(delivery: Delivery, timeoutMs: number, clock: Clock, closing: AbortSignal) {
  const timeout = new AbortController();
  const cancelTimeout = clock.schedule(timeoutMs, () => timeout.abort(timeoutError()));
  try {
    const signal = AbortSignal.any([closing, timeout.signal]);
    const { url, headers, body } = delivery;
    const response = await fetch(url, { method: "POST", headers, body, signal });
    await response.arrayBuffer().catch(() => undefined);
    return response.ok ? null : `HTTP ${response.status}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    cancelTimeout();
  }
}

/** The run's callback, as it is sent: its JSON body, signed when a secret is set. */
function deliveryOf(run: SimRun, url: string, now: number, deps: CallbackDeps): Delivery {
  const settings = deps.settings();
  const { baseUrl, signer } = deps;
  const succeeded = run.outcome === "succeeded";
  const output = succeeded ? outputRecord(run, baseUrl, signer, now, settings.urlTtlSeconds) : null;
  const payload = withoutTiming(callbackPayload(run, output), settings.omittedTiming);
  const body = Buffer.from(JSON.stringify(payload), "utf8");
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "runflow-simulator",
    "runflow-request-id": randomUUID(),
  };
  const secret = settings.callbackSecret;
  if (secret !== null) headers["runflow-signature"] = signBody(secret, body);
  return { url, body, headers, runId: run.id, attempts: 0 };
}

export function createCallbackSender(deps: CallbackDeps): CallbackSender {
  const { clock, logger } = deps;
  const waiting: Delivery[] = [];
  const retries = new Set<CancelTimer>();
  const aborter = new AbortController();
  let delivered = 0;
  let failedAttempts = 0;
  let abandoned = 0;
  let inFlight = 0;
  let closed = false;

  function pump(): void {
    while (!closed && inFlight < MAX_IN_FLIGHT && waiting.length > 0) {
      const delivery = waiting.shift() as Delivery;
      inFlight += 1;
      void attempt({ ...delivery, attempts: delivery.attempts + 1 }).finally(() => {
        inFlight -= 1;
        pump();
      });
    }
  }

  async function attempt(delivery: Delivery): Promise<void> {
    const problem = await post(delivery, deps.settings().callbackTimeoutMs, clock, aborter.signal);
    if (problem === null) {
      delivered += 1;
      return;
    }
    if (closed) return;
    failedAttempts += 1;
    const { runId, attempts } = delivery;
    if (attempts >= CALLBACK_ATTEMPTS) {
      abandoned += 1;
      logger.warn({ runId, attempts, problem }, "Callback abandoned after the last attempt.");
      return;
    }
    const delayMs = deps.settings().callbackRetryBaseMs * 2 ** (attempts - 1);
    logger.debug({ runId, attempt: attempts, delayMs, problem }, "Callback failed; retrying.");
    const cancel = clock.schedule(delayMs, () => {
      retries.delete(cancel);
      waiting.push(delivery);
      pump();
    });
    retries.add(cancel);
  }

  return {
    enqueue(run, now) {
      if (run.callbackUrl === null || closed) return;
      waiting.push(deliveryOf(run, run.callbackUrl, now, deps));
      pump();
    },
    stats: () => {
      const pending = waiting.length + inFlight + retries.size;
      return { delivered, failedAttempts, abandoned, pending };
    },
    close() {
      closed = true;
      aborter.abort();
      for (const cancel of retries) cancel();
      retries.clear();
      waiting.length = 0;
    },
  };
}
