import { describe, expect, it } from "vitest";
import { RunflowApiError, RunflowNetworkError } from "../../runflow/errors.js";
import type { Balance } from "../../runflow/types.js";
import { backoffDelay, BACKOFF } from "../../runflow/retry-policy.js";
import { checkApiKey, checkBalance } from "./balance-check.js";
import { silentLogger } from "../../log/logger.js";

const ref = { method: "GET", path: "/v1/billing/balance" };
const api = (status: number, retryAfterMs: number | null = null) =>
  new RunflowApiError(ref, { status, code: null, serverMessage: "no", errors: [], retryAfterMs });
const reset = () =>
  new RunflowNetworkError(ref, { code: "ECONNRESET", timedOut: false, detail: "socket hang up" });
const BALANCE: Balance = { balanceMicros: 5_000_000, lowBalanceThresholdMicros: null };

/** A client answering from a script, and a clock that moves only when the check sleeps. */
function scripted(answers: readonly (Error | Balance)[]) {
  let t = 0;
  const slept: number[] = [];
  let calls = 0;
  const client = {
    async getBalance(): Promise<Balance> {
      const answer = answers[Math.min(calls, answers.length - 1)]!;
      calls += 1;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  const sleep = async (ms: number) => {
    slept.push(ms);
    t += ms;
  };
  return { client, sleep, now: () => t, slept, calls: () => calls, random: () => 1 };
}

describe("start-up balance check", () => {
  it("retries a 503 and a dropped connection with backoff, then returns the balance", async () => {
    const s = scripted([api(503), reset(), BALANCE]);
    expect(await checkBalance({ ...s, timeoutMs: 120_000 })).toEqual({ kind: "balance", balance: BALANCE });
    expect(s.slept).toEqual([1_000, 2_000]);
  });

  it("waits a 429's Retry-After and tries again", async () => {
    const s = scripted([api(429, 7_000), api(429), BALANCE]);
    expect((await checkBalance({ ...s, timeoutMs: 120_000 })).kind).toBe("balance");
    expect(s.slept).toEqual([7_000, 2_000]);
  });

  it("ends on a definite answer: a refused key is exit 4 at once, a 404 goes on unchecked", async () => {
    const refused = scripted([api(401)]);
    await expect(checkBalance({ ...refused, timeoutMs: 120_000 })).rejects.toMatchObject({ exitCode: 4 });
    expect(refused.calls()).toBe(1);
    const missing = scripted([api(404)]);
    expect(await checkBalance({ ...missing, timeoutMs: 120_000 })).toMatchObject({ kind: "unavailable" });
    expect(missing.slept).toEqual([]);
  });

  it("gives up at the start timeout with exit 4, saying how often it tried", async () => {
    const s = scripted([api(503)]);
    await expect(checkBalance({ ...s, timeoutMs: 10_000 })).rejects.toMatchObject({
      exitCode: 4,
      message: expect.stringMatching(
        /^cannot reach Runflow to check the balance: .*503.* \(5 tries over 10 s, --start-timeout\); nothing/,
      ),
    });
    expect(s.slept).toEqual([1_000, 2_000, 4_000, 3_000]); // the last wait is cut to the deadline
  });

  it("stops waiting when the user stops the command", async () => {
    const controller = new AbortController();
    const s = scripted([api(503)]);
    const sleep = async () => {
      controller.abort();
      throw new Error("aborted");
    };
    await expect(
      checkBalance({ ...s, sleep, signal: controller.signal, timeoutMs: 60_000 }),
    ).rejects.toMatchObject({
      exitCode: 4,
      message: expect.stringContaining("stopped while waiting"),
    });
  });

  it("backs off from 1 s, doubling to 30 s, with jitter in [½, 1]", () => {
    const curve = BACKOFF.balanceCheck;
    expect([1, 2, 3, 6, 10].map((n) => backoffDelay(n, curve, () => 1))).toEqual([
      1_000, 2_000, 4_000, 30_000, 30_000,
    ]);
    expect(backoffDelay(4, curve, () => 0)).toBe(4_000);
  });
});

describe("a worker's start-up check of its key", () => {
  it("ends with exit 4 and Runflow's message when the key is refused", async () => {
    const refused = scripted([api(401)]);
    await expect(checkApiKey(refused.client, silentLogger())).rejects.toMatchObject({
      exitCode: 4,
      message: expect.stringMatching(/^GET \/v1\/billing\/balance → 401: no\. Check RUNFLOW_API_KEY/),
    });
    expect(refused.calls()).toBe(1);
  });

  it("goes on, once, when Runflow cannot tell (unreachable, 5xx, no balance endpoint)", async () => {
    for (const answer of [reset(), api(503), api(404)]) {
      const s = scripted([answer]);
      await expect(checkApiKey(s.client, silentLogger())).resolves.toBeUndefined();
      expect(s.calls()).toBe(1);
    }
    await expect(checkApiKey(scripted([BALANCE]).client, silentLogger())).resolves.toBeUndefined();
  });
});
