/**
 * Sending a notification to a local HTTP listener: retried with backoff on 503 until it is taken,
 * signed so the listener can verify it; a 400 is final; an address nobody listens on is given up
 * after its tries. It never throws.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log/logger.js";
import { sendNotification } from "../../src/notify/send.js";
import { verifyNotification } from "../../src/notify/sign.js";
import { notificationBody } from "../../src/notify/summary.js";

const body = notificationBody({
  batch: "b-1",
  state: "done",
  reason: null,
  rows: { total: 2, succeeded: 2, failed: 0, notDone: 0 },
  images: 2,
  estimatedMicros: 18_000,
  actualMicros: 18_000,
  capMicros: null,
  startedAt: null,
  endedAt: "2026-11-20T18:00:00.000Z",
  outDir: "/out",
  reports: [],
});

interface Received {
  readonly text: string;
  readonly signature: string | undefined;
}

async function listener(
  statuses: readonly number[],
): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", () => {
      received.push({ text, signature: req.headers["runflow-batch-signature"] as string | undefined });
      res.writeHead(statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 200);
      res.end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

describe("sending a notification", () => {
  let server: Server | null = null;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });
  const noWait = async () => undefined;

  it("retries a 503 until it is taken, signed with the secret", async () => {
    const l = await listener([503, 503, 200]);
    server = l.server;
    const outcome = await sendNotification({
      url: l.url,
      body,
      secret: "s3cret",
      logger: silentLogger(),
      sleep: noWait,
    });
    expect(outcome).toEqual({ delivered: true, attempts: 3, reason: null });
    expect(l.received).toHaveLength(3);
    const last = l.received[2]!;
    expect(JSON.parse(last.text)).toEqual(body);
    expect(verifyNotification("s3cret", last.text, last.signature!, Math.floor(Date.now() / 1_000))).toBe(
      true,
    );
  });

  it("stops at a 400 and sends no signature without a secret", async () => {
    const l = await listener([400]);
    server = l.server;
    const outcome = await sendNotification({
      url: l.url,
      body,
      secret: null,
      logger: silentLogger(),
      sleep: noWait,
    });
    expect(outcome).toEqual({ delivered: false, attempts: 1, reason: "answered 400" });
    expect(l.received[0]!.signature).toBeUndefined();
  });

  it("gives up on an address nobody listens on without throwing", async () => {
    const waits: number[] = [];
    const outcome = await sendNotification({
      url: "http://127.0.0.1:1/hook",
      body,
      secret: null,
      logger: silentLogger(),
      attempts: 4,
      backoffMs: 100,
      random: () => 1, // the top of each jittered wait
      sleep: async (ms) => void waits.push(ms),
    });
    expect(outcome).toMatchObject({
      delivered: false,
      attempts: 4,
      reason: expect.stringMatching(/^no answer/),
    });
    expect(waits).toEqual([100, 200, 400]);
  });
});
