/** An unreachable Redis (a real refused connection): a configuration error that says how to fix it. */
import { describe, expect, it } from "vitest";
import { connectRedis } from "../../src/redis/connection.js";

describe("connecting to Redis", () => {
  it("turns an unreachable Redis into a configuration error that says how to fix it", async () => {
    await expect(connectRedis("redis://127.0.0.1:1", { timeoutMs: 2_000 })).rejects.toMatchObject({
      exitCode: 4,
      message: expect.stringMatching(
        /cannot reach Redis at redis:\/\/127\.0\.0\.1:1 .*docker compose up -d redis.*REDIS_URL/,
      ),
    });
  });
});
