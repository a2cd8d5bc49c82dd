/**
 * Sending a notification: POST the JSON body to the batch's --notify-url, signed when a secret is
 * set, retried on a network error, a timeout or a status the retry policy retries (408, 429 with
 * its Retry-After, 5xx), waiting its backoff (runflow/retry-policy.ts); any other answer is
 * final. It never throws: a notification that cannot be delivered is logged (once, with the
 * reason) and never changes the batch.
 */
import { setTimeout as sleepFor } from "node:timers/promises";
import { request } from "undici";
import { NOTIFY_DEFAULTS } from "../config/defaults.js";
import type { Logger } from "../log/logger.js";
import { parseRetryAfter } from "../runflow/read-error.js";
import { BACKOFF, isRetryableStatus, retryWaitMs } from "../runflow/retry-policy.js";
import { SIGNATURE_HEADER, signNotification } from "./sign.js";
import type { NotificationBody } from "./summary.js";

export interface SendOptions {
  readonly url: string;
  readonly body: NotificationBody;
  /** RUNFLOW_BATCH_NOTIFY_SECRET: signs the body (HMAC-SHA256) when set. */
  readonly secret: string | null;
  readonly logger: Logger;
  readonly attempts?: number;
  readonly backoffMs?: number;
  readonly timeoutMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** The backoff's jitter (tests pin it). */
  readonly random?: () => number;
}

export interface SendOutcome {
  readonly delivered: boolean;
  readonly attempts: number;
  /** The last answer or error, when not delivered. */
  readonly reason: string | null;
}

type Try =
  | { readonly ok: true }
  | { readonly ok: false; readonly retry: boolean; readonly reason: string; readonly waitMs: number | null };

/** The URL without its query string or credentials, for logs. */
function shown(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

async function attempt(o: SendOptions, text: string, timeoutMs: number, now: () => number): Promise<Try> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "runflow-batch",
  };
  if (o.secret)
    headers[SIGNATURE_HEADER.toLowerCase()] = signNotification(o.secret, text, Math.floor(now() / 1_000));
  try {
    const answer = await request(o.url, {
      method: "POST",
      headers,
      body: text,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await answer.body.dump().catch(() => undefined);
    const status = answer.statusCode;
    if (status >= 200 && status < 300) return { ok: true };
    const waitMs = status === 429 ? parseRetryAfter(answer.headers["retry-after"], now()) : null;
    return {
      ok: false,
      retry: isRetryableStatus(status),
      reason: `answered ${status}`,
      waitMs,
    };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = typeof code === "string" ? code : error instanceof Error ? error.message : String(error);
    return { ok: false, retry: true, reason: `no answer (${reason})`, waitMs: null };
  }
}

export async function sendNotification(o: SendOptions): Promise<SendOutcome> {
  const attempts = o.attempts ?? NOTIFY_DEFAULTS.attempts;
  const backoffMs = o.backoffMs ?? NOTIFY_DEFAULTS.backoffMs;
  const timeoutMs = o.timeoutMs ?? NOTIFY_DEFAULTS.timeoutMs;
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => sleepFor(ms));
  const text = JSON.stringify(o.body);
  const log = o.logger.child({ batch: o.body.batch, url: shown(o.url) });
  let reason = "not tried";
  for (let n = 1; n <= attempts; n += 1) {
    const result = await attempt(o, text, timeoutMs, now);
    if (result.ok) {
      log.info(
        { attempts: n },
        `Notified ${shown(o.url)} that batch ${o.body.batch} ended (${o.body.state}).`,
      );
      return { delivered: true, attempts: n, reason: null };
    }
    reason = result.reason;
    if (!result.retry || n === attempts) {
      log.warn(
        { attempts: n, reason },
        `Could not notify ${shown(o.url)} that batch ${o.body.batch} ended: it ${reason}` +
          (result.retry ? ` after ${n} tries` : "") +
          "; the batch and its reports are not affected.",
      );
      return { delivered: false, attempts: n, reason };
    }
    await sleep(retryWaitMs(result.waitMs, n, BACKOFF.notify(backoffMs), o.random));
  }
  return { delivered: false, attempts, reason };
}
