/**
 * Waiting for a condition instead of sleeping: for effects that complete on their own (an HTTP
 * request in flight, a child process writing a line), never for waiting out time — drive time
 * with a manual clock (manual-clock.ts) instead. Polls fast, gives up only after a generous
 * deadline, so a busy machine makes a test slower, not red.
 */

export interface EventuallyOptions {
  /**
   * Give up after this long (default 30 s). The deadline is only how long a failing test takes to
   * say so: a check passes when its condition holds, never because time ran out, so a generous one
   * makes a busy machine slow a test down instead of turning it red, and hides nothing.
   */
  readonly timeoutMs?: number;
  /** Time between checks (default 10 ms). */
  readonly intervalMs?: number;
  /** What is awaited, for the error message. */
  readonly what?: string;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `check` until it returns a value other than `undefined` or `false` without throwing,
 * and returns that value. After the deadline it throws, naming `what`, with the last error
 * `check` threw (if any) as the cause. For assertions, use `eventuallyPasses`.
 */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: EventuallyOptions = {},
): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 10, what = "the condition" } = options;
  const deadline = Date.now() + timeoutMs;
  let last: unknown = undefined;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? `; last error: ${last.message}` : "";
      throw new Error(`eventually: ${what} was not met within ${timeoutMs} ms${detail}`, { cause: last });
    }
    await pause(intervalMs);
  }
}

/** Retries the assertions in `assert` until they all pass; after the deadline, throws its last error. */
export async function eventuallyPasses(
  assert: () => void | Promise<void>,
  options: EventuallyOptions = {},
): Promise<void> {
  let last: unknown = undefined;
  try {
    await eventually(async () => {
      try {
        await assert();
        return true;
      } catch (error) {
        last = error;
        throw error;
      }
    }, options);
  } catch (error) {
    throw last ?? error;
  }
}
