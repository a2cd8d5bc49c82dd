/**
 * Callback delivery (runflow-api.md): when a run with a callback_url ends, POST the documented
 * payload (`+00:00` timestamps, a Runflow-Request-Id header kept across retries, and
 * Runflow-Signature = lowercase hex HMAC-SHA256 keyed by the whole secret string over the exact
 * body bytes when a secret is configured). At least once: a non-2xx answer, a timeout or a
 * connection error is retried, 5 attempts in all, after base × 1, 2, 4, 8 (base 1 s by default).
 * At most 64 deliveries are in the air at once; the rest wait their turn.
 */
import { createHmac, randomUUID } from "node:crypto";
import type { Logger } from "../log/logger.js";
import { usd6 } from "./billing.js";
import { isoOffset } from "./ids.js";
import type { Settings } from "./options.js";
import { outputRecord } from "./outputs.js";
import type { UrlSigner } from "./presign.js";
import type { SimRun } from "./run-store.js";

export const CALLBACK_ATTEMPTS = 5;
const MAX_IN_FLIGHT = 64;

export interface CallbackStats {
  delivered: number;
  failedAttempts: number;
  abandoned: number;
}

interface Delivery {
  readonly url: string;
  readonly body: Buffer;
  readonly headers: Record<string, string>;
  readonly runId: string;
  attempt: number;
}

export function signBody(secret: string, body: Buffer | string): string {
  return createHmac("sha256", Buffer.from(secret, "utf8")).update(body).digest("hex");
}

export function callbackPayload(run: SimRun, output: Record<string, unknown> | null): Record<string, unknown> {
  const succeeded = run.outcome === "succeeded";
  return {
    event: succeeded ? "run.completed" : "run.failed",
    run_id: run.id,
    status: run.outcome,
    output,
    cost: run.costMicros === null ? null : usd6(run.costMicros),
    failure_code: succeeded ? null : (run.failure?.code ?? null),
    failure_message: succeeded ? null : (run.failure?.message ?? null),
    duration_ms: run.endMs - run.createdMs,
    created_at: isoOffset(run.createdMs),
    completed_at: isoOffset(run.endMs),
    metadata: run.metadata,
    client_ref: run.clientRef,
  };
}

export class CallbackSender {
  readonly stats: CallbackStats = { delivered: 0, failedAttempts: 0, abandoned: 0 };
  private readonly waiting: Delivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly aborter = new AbortController();
  private inFlight = 0;
  private closed = false;

  constructor(
    private readonly settings: Settings,
    private readonly signer: UrlSigner,
    private readonly baseUrl: () => string,
    private readonly logger: Logger,
  ) {}

  /** Queues the callback of a run that just ended (no-op without a callback_url). */
  enqueue(run: SimRun, now: number): void {
    if (run.callbackUrl === null || this.closed) return;
    const output = run.outcome === "succeeded" ? outputRecord(run, this.baseUrl(), this.signer, now, this.settings.urlTtlSeconds) : null;
    const body = Buffer.from(JSON.stringify(callbackPayload(run, output)), "utf8");
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "runflow-simulator",
      "runflow-request-id": randomUUID(),
    };
    const secret = this.settings.callbackSecret;
    if (secret !== null) headers["runflow-signature"] = signBody(secret, body);
    this.waiting.push({ url: run.callbackUrl, body, headers, runId: run.id, attempt: 0 });
    this.pump();
  }

  get pending(): number {
    return this.waiting.length + this.inFlight + this.timers.size;
  }

  private pump(): void {
    while (!this.closed && this.inFlight < MAX_IN_FLIGHT && this.waiting.length > 0) {
      const delivery = this.waiting.shift() as Delivery;
      this.inFlight += 1;
      void this.attempt(delivery).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async attempt(delivery: Delivery): Promise<void> {
    delivery.attempt += 1;
    let problem: string;
    try {
      const signal = AbortSignal.any([this.aborter.signal, AbortSignal.timeout(this.settings.callbackTimeoutMs)]);
      const response = await fetch(delivery.url, { method: "POST", headers: delivery.headers, body: delivery.body, signal });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) {
        this.stats.delivered += 1;
        return;
      }
      problem = `HTTP ${response.status}`;
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    if (this.closed) return;
    this.stats.failedAttempts += 1;
    if (delivery.attempt >= CALLBACK_ATTEMPTS) {
      this.stats.abandoned += 1;
      this.logger.warn({ runId: delivery.runId, attempts: delivery.attempt, problem }, "Callback abandoned after the last attempt.");
      return;
    }
    const delayMs = this.settings.callbackRetryBaseMs * 2 ** (delivery.attempt - 1);
    this.logger.debug({ runId: delivery.runId, attempt: delivery.attempt, delayMs, problem }, "Callback failed; retrying.");
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.waiting.push(delivery);
      this.pump();
    }, delayMs);
    this.timers.add(timer);
  }

  close(): void {
    this.closed = true;
    this.aborter.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.waiting.length = 0;
  }
}
