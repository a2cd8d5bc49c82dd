import { describe, expect, it } from "vitest";
import { RunflowApiError } from "../runflow/errors.js";
import type { Balance, RunflowClient } from "../runflow/types.js";
import { RATE_LIMITED_TRIES, withRateLimit } from "./limited-client.js";
import type { RequestLimiter } from "./shared-limiter.js";

const BALANCE: Balance = { balanceMicros: 1_000_000, lowBalanceThresholdMicros: null };
const rateLimited = (retryAfterMs: number | null) =>
  new RunflowApiError(
    { method: "GET", path: "/v1/billing/balance" },
    { status: 429, code: "RATE_LIMITED", serverMessage: null, errors: [], retryAfterMs },
  );

/** A client answering getBalance from a script, and a limiter that notes every hold it is told. */
function scripted(answers: readonly (Error | Balance)[]) {
  let calls = 0;
  const client = {
    async getBalance() {
      const answer = answers[Math.min(calls, answers.length - 1)]!;
      calls += 1;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    close: async () => undefined,
  } as unknown as RunflowClient;
  const holds: (number | null)[] = [];
  const limiter: RequestLimiter = {
    acquire: async () => undefined,
    rateLimited: (ms) => void holds.push(ms),
    close: () => undefined,
  };
  return { client, limiter, holds, calls: () => calls };
}

describe("a 429 behind the limiter", () => {
  it("holds back for Retry-After, or else the retry policy's backoff, and tries again", async () => {
    const s = scripted([rateLimited(7_000), rateLimited(null), rateLimited(null), BALANCE]);
    const client = withRateLimit(s.client, s.limiter, () => 1);
    expect(await client.getBalance()).toEqual(BALANCE);
    expect(s.holds).toEqual([7_000, 2_000, 4_000]);
  });

  it("hands the 429 to the caller's policy after its tries", async () => {
    const s = scripted([rateLimited(null)]);
    const client = withRateLimit(s.client, s.limiter, () => 0);
    await expect(client.getBalance()).rejects.toMatchObject({ status: 429 });
    expect(s.calls()).toBe(RATE_LIMITED_TRIES);
    expect(s.holds).toEqual([500, 1_000, 2_000, 4_000, 8_000]);
  });
});
