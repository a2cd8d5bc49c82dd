/**
 * The start-up balance check, patient like any request: a transient answer (5xx, network) is
 * retried with the retry policy's backoff (runflow/retry-policy.ts: 1 s doubling to 30 s, with
 * jitter), a 429 waits its Retry-After (or the backoff) and retries too. Only a definite answer
 * ends it — a balance, a refusal of the key (exit 4), or an answer that says the balance cannot
 * be read (the batch goes on without the check) — or the start timeout (`--start-timeout`), past
 * which it is a ConfigurationError (exit 4).
 */
import { setTimeout as sleepFor } from "node:timers/promises";
import { ConfigurationError } from "../../core/errors.js";
import { formatDuration } from "../../core/duration.js";
import type { Logger } from "../../log/logger.js";
import { classifyError } from "../../runflow/errors.js";
import { BACKOFF, retryWaitMs } from "../../runflow/retry-policy.js";
import type { Balance, RunflowClient } from "../../runflow/types.js";

export type BalanceAnswer =
  | { readonly kind: "balance"; readonly balance: Balance }
  /** Runflow answered for sure, but not with a balance (a 404 on an older API): go on without the check. */
  | { readonly kind: "unavailable"; readonly reason: string };

export interface BalanceCheckOptions {
  readonly client: Pick<RunflowClient, "getBalance">;
  /** How long transient answers are retried before giving up, in ms. */
  readonly timeoutMs: number;
  readonly logger?: Logger | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function checkBalance(o: BalanceCheckOptions): Promise<BalanceAnswer> {
  const now = o.now ?? Date.now;
  const sleep =
    o.sleep ?? ((ms: number, signal?: AbortSignal) => sleepFor(ms, undefined, signal ? { signal } : {}));
  const deadline = now() + o.timeoutMs;
  for (let attempt = 0; ; attempt += 1) {
    let error: unknown;
    try {
      return { kind: "balance", balance: await o.client.getBalance() };
    } catch (caught) {
      error = caught;
    }
    const decision = classifyError(error);
    const reason = message(error);
    if (decision.kind === "configuration") throw new ConfigurationError(reason, { cause: error });
    if (decision.kind !== "retry" && decision.kind !== "rate-limited") return { kind: "unavailable", reason };
    const retryAfterMs = decision.kind === "rate-limited" ? decision.retryAfterMs : null;
    const wait = retryWaitMs(retryAfterMs, attempt + 1, BACKOFF.balanceCheck, o.random);
    const left = deadline - now();
    if (left <= 0) {
      throw new ConfigurationError(
        `cannot reach Runflow to check the balance: ${reason} ` +
          `(${attempt + 1} tries over ${formatDuration(o.timeoutMs)}, --start-timeout); nothing was submitted. ` +
          "Check RUNFLOW_BASE_URL and the network, or raise --start-timeout.",
        { cause: error },
      );
    }
    const what =
      decision.kind === "rate-limited"
        ? "rate limited the balance check"
        : `did not answer the balance check (${reason})`;
    const log = attempt === 0 ? o.logger?.warn.bind(o.logger) : o.logger?.debug.bind(o.logger);
    log?.(
      { attempt: attempt + 1, delayMs: Math.min(wait, left) },
      `Runflow ${what}; trying again (for up to ${formatDuration(o.timeoutMs)}).`,
    );
    try {
      await sleep(Math.min(wait, left), o.signal);
    } catch (aborted) {
      throw new ConfigurationError(
        "stopped while waiting for Runflow to answer the balance check; nothing was submitted",
        {
          cause: aborted,
        },
      );
    }
  }
}

/**
 * A long-running process's (`worker`, `serve`) check of its API key at start: one authenticated
 * request. A key Runflow refuses (401, 403) is a ConfigurationError (exit 4) with Runflow's
 * message, as `run` and `submit` say it — instead of a worker idling forever on an account with
 * no batches. Anything else (unreachable, 5xx, 429, no balance endpoint) cannot tell, so the
 * process goes on: its rows retry, and a refusal on them stops it the same way.
 */
export async function checkApiKey(client: Pick<RunflowClient, "getBalance">, logger: Logger): Promise<void> {
  try {
    await client.getBalance();
  } catch (error) {
    const reason = message(error);
    if (classifyError(error).kind === "configuration") throw new ConfigurationError(reason, { cause: error });
    logger.warn({ reason }, `Could not check the Runflow API key at start (${reason}); going on.`);
  }
}
