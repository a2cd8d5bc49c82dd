/**
 * A nightly schedule that keeps one catalogue directory up to date from a Merchant Center feed
 * served over HTTP (with a bearer token from an environment variable), against a real Redis, the
 * simulator and a worker process: the first night runs every row; the second, with the feed
 * unchanged, costs one conditional GET and no run; after three products change (title and
 * image) the third night runs exactly their six rows. The token is never printed.
 */
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { bindingFor } from "../../src/ledger/binding.js";
import { createKeys } from "../../src/ledger/keys.js";
import { createLedger } from "../../src/ledger/ledger.js";
import { silentLogger } from "../../src/log/logger.js";
import { createRunflowClient } from "../../src/runflow/client.js";
import { createOccurrenceRunner } from "../../src/schedule/occurrence-runner.js";
import { createOccurrenceStore } from "../../src/schedule/occurrence-store.js";
import { definiteStartError, occurrenceStarter } from "../../src/schedule/start-occurrence.js";
import { cli } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { tempDir } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";
import { installed, writeSchedule } from "../schedule/schedules.js";

const TOKEN = "Bearer s3cret-feed-token";

function item(i: number, version: number): string {
  const changed = (version > 0 && i <= 3) || (version > 1 && i === 5);
  return [
    "    <item>",
    `      <g:id>SKU-${i}</g:id>`,
    `      <g:title>Tee ${i}${changed ? " (new cut)" : ""}</g:title>`,
    `      <g:image_link>https://cdn.example.com/tee-${i}${changed ? "-v2" : ""}.jpg</g:image_link>`,
    "      <g:brand>Northwind</g:brand>",
    "    </item>",
  ].join("\n");
}

function feedXml(version: number): string {
  const items = Array.from({ length: 10 }, (_, i) => item(i + 1, version)).join("\n");
  return `<?xml version="1.0"?>\n<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0">\n  <channel>\n${items}\n  </channel>\n</rss>\n`;
}

interface FeedServer {
  readonly url: string;
  readonly requests: { conditional: boolean; status: number; authorization: string | undefined }[];
  version: number;
  close(): Promise<void>;
}

async function serveFeed(): Promise<FeedServer> {
  const state: FeedServer = {
    url: "",
    requests: [],
    version: 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const body = feedXml(state.version);
    const etag = `"${createHash("sha256").update(body).digest("hex").slice(0, 16)}"`;
    const conditional = req.headers["if-none-match"] !== undefined;
    const status =
      req.headers.authorization !== TOKEN ? 401 : req.headers["if-none-match"] === etag ? 304 : 200;
    state.requests.push({ conditional, status, authorization: req.headers.authorization });
    res.writeHead(status, status === 200 ? { "Content-Type": "application/rss+xml", ETag: etag } : {});
    res.end(status === 200 ? body : undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  (state as { url: string }).url =
    `http://127.0.0.1:${(server.address() as AddressInfo).port}/feeds/products.xml`;
  return state;
}

const RECIPE = `id: "{{ row.id }}"
jobs:
  - name: hero
    model: openai/gpt-image-2/edit
    quality: low
    image_urls: ["{{ row.image_link }}"]
    prompt: "Studio photo of the {{ row.title }} by {{ row.brand }}"
  - name: lifestyle
    model: openai/gpt-image-2
    quality: low
    prompt: "A person wearing the {{ row.title | downcase }} in a park"
`;

describe("a nightly schedule reading a feed from a URL", () => {
  const bed = useTestbed({ latencyMs: { min: 20, max: 60 }, seed: 20 });
  let feed: FeedServer | null = null;
  afterEach(async () => {
    await feed?.close();
    feed = null;
  });

  it("keeps one directory up to date: unchanged feed → 1 conditional GET, 0 runs; 3 changed products → 6 runs", async () => {
    feed = await serveFeed();
    const dir = await tempDir("rfb-nightly-feed-");
    await writeFile(path.join(dir, "products.recipe.yaml"), RECIPE);
    const out = path.join(dir, "catalogue");
    await writeSchedule(dir, "catalogue", {
      manifest: feed.url,
      recipe: "products.recipe.yaml",
      feed_headers: { Authorization: "FEED_AUTH" },
      cron: "0 2 * * *",
      tz: "UTC",
      out,
    });
    const synced = await cli(["schedule", "sync", dir], bed.env());
    expect(synced.code, synced.stderr).toBe(0);
    const schedule = (await installed(bed.redis))[0]!.data!.schedule;

    const { redis, prefix } = bed.redis;
    const keys = createKeys(prefix);
    const ledger = createLedger(redis, keys);
    const logger = silentLogger();
    const client = createRunflowClient({
      baseUrl: bed.sim.url,
      apiKey: "rf_test_key",
      logger,
      connections: 8,
    });
    const notes = new PassThrough();
    let said = "";
    notes.on("data", (chunk: Buffer) => (said += chunk.toString()));
    const env = { FEED_AUTH: TOKEN, XDG_STATE_HOME: path.join(dir, "state") };
    const runner = createOccurrenceRunner({
      store: createOccurrenceStore(redis, keys),
      batches: ledger.batches,
      start: occurrenceStarter({
        redis,
        keys,
        ledger,
        logger,
        client,
        binding: bindingFor(bed.sim.url, "rf_test_key"),
        stderr: notes,
        env,
      }),
      isDefinite: definiteStartError,
      logger,
    });
    bed.worker(["--concurrency", "8", "--poll-interval", "20"]);
    const night = (day: number) => Date.parse(`2026-12-0${day}T02:00:00Z`);
    /** The batch done with `runs` runs created in all (a reopened batch may still say done at first). */
    const done = (what: string, runs: number) =>
      eventually(
        async () => {
          const record = await bed.store().get("catalogue");
          return (
            bed.sim.ledger().runsCreated === runs &&
            record !== null &&
            record.state === "done" &&
            record.inFlight === 0
          );
        },
        { timeoutMs: 60_000, what },
      );

    try {
      // Night 1: every row of the feed runs.
      const first = await runner.handle(schedule, night(1));
      expect(first).toMatchObject({ batchId: "catalogue", error: null, started: { rows: 20 } });
      await done("the first night's batch to finish", 20);
      expect(bed.sim.ledger().runsCreated).toBe(20);
      expect(feed.requests).toEqual([{ conditional: false, status: 200, authorization: TOKEN }]);

      // Night 2: the feed is unchanged — one conditional GET (304), nothing to run.
      const second = await runner.handle(schedule, night(2));
      expect(second).toMatchObject({ batchId: "catalogue", error: null, started: { rows: 20, enqueued: 0 } });
      expect(feed.requests.slice(1)).toEqual([{ conditional: true, status: 304, authorization: TOKEN }]);
      expect(said).toContain("not modified since it was last fetched; reading the kept copy");
      await done("the second night to find nothing to do", 20);
      expect(bed.sim.ledger().runsCreated).toBe(20);

      // Three products change title and image: exactly their six rows run on night 3.
      feed.version = 1;
      const third = await runner.handle(schedule, night(3));
      expect(third).toMatchObject({ batchId: "catalogue", error: null, started: { rows: 20 } });
      expect(feed.requests.slice(2)).toEqual([{ conditional: true, status: 200, authorization: TOKEN }]);
      expect(said).toContain(
        `${out}: since it was last brought up to date, 6 rows changed: 0 because the recipe changed, 6 because the feed did`,
      );
      expect(said).toMatch(/catalogue: 14 up to date, 6 changed, 0 to retry, 0 removed → 6 runs/);
      await done("the third night's six rows", 26);
      expect(bed.sim.ledger().runsCreated).toBe(26);
      const results = await ledger.results.results("catalogue", ["SKU-1-hero", "SKU-4-hero"]);
      expect(results.map((r) => r?.prompt)).toEqual([
        "Studio photo of the Tee 1 (new cut) by Northwind",
        "Studio photo of the Tee 4 by Northwind",
      ]);

      // Night 4: the recipe's lifestyle prompt changes (10 rows) and product 5 changes in the feed
      // (its hero; its lifestyle row changed both ways and counts as the feed's).
      await writeFile(path.join(dir, "products.recipe.yaml"), RECIPE.replace("in a park", "on a beach"));
      feed.version = 2;
      const fourth = await runner.handle(schedule, night(4));
      expect(fourth).toMatchObject({ error: null });
      expect(said).toContain(
        `${out}: since it was last brought up to date, 11 rows changed: 9 because the recipe changed, 2 because the feed did`,
      );
      await done("the fourth night's eleven rows", 37);
      expect(bed.sim.ledger().runsCreated).toBe(37);

      const history = await cli(["schedule", "history", "catalogue"], bed.env());
      expect(history.code, history.stderr).toBe(0);
      // One batch for every night; each line says that night's own runs and cost ($0.009 a row).
      const lines = history.stdout.trimEnd().split("\n").slice(1);
      expect(lines.map((line) => line.split(/ {2,}/).slice(2))).toEqual([
        ["catalogue", "done", "11 runs", "$0.099"],
        ["catalogue", "done", "6 runs", "$0.054"],
        ["catalogue", "done", "0 runs", "$0.000"],
        ["catalogue", "done", "20 runs", "$0.180"],
      ]);
      expect(said + history.stdout + history.stderr).not.toContain("s3cret");
    } finally {
      await client.close();
    }
  });
});
