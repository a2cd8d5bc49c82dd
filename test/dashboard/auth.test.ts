/**
 * Who may open the dashboard: loopback without a token; any other address only with one (the
 * command refuses to start otherwise, exit 2); with a token, pages answer 401 until it is given
 * as a bearer header, or once as ?token= (which sets a cookie). A batch's files are served only
 * from its images/ and thumbs/.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isLoopback } from "../../src/dashboard/auth.js";
import { batchFile } from "../../src/dashboard/files.js";
import { startDashboard, type Dashboard } from "../../src/dashboard/server.js";
import { createKeys } from "../../src/ledger/keys.js";
import { cli } from "../helpers/cli.js";
import { tempDir } from "../helpers/manifests.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

describe("dashboard access", () => {
  let redis: TestRedis;
  let dashboard: Dashboard | null = null;
  beforeEach(async () => {
    redis = await testRedis();
  });
  afterEach(async () => {
    await dashboard?.close();
    dashboard = null;
    await redis.cleanup();
  });

  it("knows loopback addresses", () => {
    expect(["127.0.0.1", "127.3.2.1", "localhost", "::1"].every(isLoopback)).toBe(true);
    expect(["0.0.0.0", "10.0.0.5", "::", "example.com"].some(isLoopback)).toBe(false);
  });

  it("refuses to bind beyond loopback without a token", async () => {
    const keys = createKeys(redis.prefix);
    await expect(startDashboard({ redis: redis.redis, keys, host: "0.0.0.0", port: 0 })).rejects.toThrow(
      /--token/,
    );
    const result = await cli(["dashboard", "--host", "0.0.0.0", "--port", "0"], {
      REDIS_URL: redis.url,
      RUNFLOW_BATCH_PREFIX: redis.prefix,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/RUNFLOW_BATCH_DASHBOARD_TOKEN/);
  });

  it("with a token, answers 401 until it is given, by header or once by query (then a cookie)", async () => {
    dashboard = await startDashboard({
      redis: redis.redis,
      keys: createKeys(redis.prefix),
      host: "0.0.0.0",
      port: 0,
      token: "s3cret",
    });
    const url = `http://127.0.0.1:${dashboard.port}`;
    expect((await fetch(`${url}/`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: "Bearer s3cret" } })).status).toBe(200);
    const once = await fetch(`${url}/?token=s3cret`, { redirect: "manual" });
    expect(once.status).toBe(303);
    expect(once.headers.get("location")).toBe("/");
    const cookie = (once.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(cookie).toMatch(/^runflow_batch_dashboard=/);
    const page = await fetch(`${url}/`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<h1>Batches</h1>");
  });

  it("serves a batch's files only from images/ and thumbs/", async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, "images"), { recursive: true });
    await writeFile(path.join(dir, "images", "a b.png"), "png bytes");
    await writeFile(path.join(dir, "secret.png"), "not for the web");
    const ok = await batchFile(dir, "images/a%20b.png");
    expect([ok.status, ok.headers.get("content-type"), await ok.text()]).toEqual([
      200,
      "image/png",
      "png bytes",
    ]);
    for (const bad of [
      "secret.png",
      "images/../secret.png",
      "images/%2e%2e/secret.png",
      "images/a%20b.txt",
      "thumbs/none.webp",
    ]) {
      expect((await batchFile(dir, bad)).status, bad).toBe(404);
    }
  });
});
