/**
 * Fetching a feed or manifest from a URL, against a local HTTP server: 5xx and 408 answers are
 * tried again, a server that stays down is exit 4 naming the URL, a body over the size cap and a
 * refused token are exit 2 (the token's value never said), a silent server times out, and the
 * URL rules (https, http only to this machine, no credentials in it, no query shown). A plain
 * manifest given as a URL is estimated like a file.
 */
import { readdir, rm } from "node:fs/promises";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigurationError, UsageError } from "../../src/core/errors.js";
import { fetchFeed } from "../../src/feed/fetch.js";
import { checkFeedUrl } from "../../src/feed/url.js";
import { cli } from "../helpers/cli.js";
import { tempDir } from "../helpers/manifests.js";

const MANIFEST =
  "id,model,prompt,quality\na1,openai/gpt-image-2,A red boot,low\na2,openai/gpt-image-2,A blue boot,low\n";

let server: Server;
let base: string;
let dir: string;
const hits = new Map<string, number>();

function answer(res: ServerResponse, status: number, body = "") {
  res.writeHead(status, { "Content-Type": "text/csv" });
  res.end(body);
}

beforeAll(async () => {
  dir = await tempDir("rfb-fetch-");
  server = createServer((req, res) => {
    const route = (req.url ?? "").replace(/\?.*/, "");
    const seen = (hits.get(route) ?? 0) + 1;
    hits.set(route, seen);
    if (route === "/flaky.csv") return seen < 3 ? answer(res, 503) : answer(res, 200, MANIFEST);
    if (route === "/busy.csv") return seen < 2 ? answer(res, 408) : answer(res, 200, MANIFEST);
    if (route === "/down.csv") return answer(res, 502);
    if (route === "/big.csv") return answer(res, 200, "x".repeat(5_000));
    if (route === "/private.csv")
      return req.headers.authorization === "Bearer right" ? answer(res, 200, MANIFEST) : answer(res, 401);
    if (route === "/silent.csv") return; // never answers
    if (route === "/jobs.csv") return answer(res, 200, MANIFEST);
    return answer(res, 404);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

const settings = (extra: object = {}) => ({
  cacheDir: path.join(dir, "feeds"),
  cacheKey: "test",
  backoffMs: 5,
  ...extra,
});

describe("feeds from a URL", () => {
  it("tries a 5xx again and keeps the copy", async () => {
    const fetched = await fetchFeed(`${base}/flaky.csv?token=abc`, settings());
    expect(fetched).toMatchObject({
      outcome: "fetched",
      requests: 3,
      bytes: MANIFEST.length,
      label: `${base}/flaky.csv`,
    });
    expect(path.basename(fetched.path)).toBe("feed.csv");
  });

  it("tries a 408 again, as the retry policy says", async () => {
    const fetched = await fetchFeed(`${base}/busy.csv`, settings({ cacheDir: path.join(dir, "busy") }));
    expect(fetched).toMatchObject({ outcome: "fetched", requests: 2, bytes: MANIFEST.length });
  });

  it("a server that stays down is exit 4 naming the URL and what it answered", async () => {
    const failure = await fetchFeed(`${base}/down.csv`, settings({ attempts: 2 })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConfigurationError);
    expect((failure as Error).message).toBe(
      `${base}/down.csv: the feed could not be fetched after 2 tries: the server answered 502 Bad Gateway. ` +
        "Check the URL and the network, then run it again.",
    );
  });

  it("a body over the size cap stops the download and keeps nothing", async () => {
    const failure = await fetchFeed(`${base}/big.csv`, settings({ cacheKey: "big", maxBytes: 1_000 })).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(UsageError);
    expect((failure as Error).message).toBe(`${base}/big.csv is larger than 1,000 bytes; reading stopped`);
    const kept = await readdir(path.join(dir, "feeds"), { recursive: true });
    expect(kept.filter((name) => name.includes("feed.csv"))).toHaveLength(1); // flaky.csv's only
  });

  it("a refused token is exit 2 naming the header, never its value", async () => {
    const failure = await fetchFeed(
      `${base}/private.csv`,
      settings({ headers: { Authorization: "Bearer wrong" } }),
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UsageError);
    expect((failure as Error).message).toContain(
      "the server answered 401 (the Authorization header sent was refused)",
    );
    expect((failure as Error).message).not.toContain("wrong");
    const fetched = await fetchFeed(
      `${base}/private.csv`,
      settings({ headers: { Authorization: "Bearer right" } }),
    );
    expect(fetched.outcome).toBe("fetched");
  });

  it("a server that never answers times out", async () => {
    const failure = await fetchFeed(`${base}/silent.csv`, settings({ attempts: 1, timeoutMs: 300 })).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ConfigurationError);
    expect((failure as Error).message).toContain("no complete answer within 0.3 s");
  });

  it("URL rules: https, http only to this machine, no credentials in it", () => {
    expect(checkFeedUrl("https://feeds.example.com/p.xml").hostname).toBe("feeds.example.com");
    expect(checkFeedUrl("http://localhost:8080/p.xml").hostname).toBe("localhost");
    expect(() => checkFeedUrl("http://feeds.example.com/p.xml")).toThrow(
      "http://feeds.example.com/p.xml: feeds are fetched over https:// (http:// only from this machine, for tests)",
    );
    expect(() => checkFeedUrl("https://me:pw@feeds.example.com/p.xml?key=1")).toThrow(
      "https://feeds.example.com/p.xml: the URL holds a user name or password; give credentials as a header",
    );
  });

  it("estimate of a manifest given as a URL, with the credential from an environment variable", async () => {
    const env = { XDG_STATE_HOME: path.join(dir, "state"), FEED_AUTH: "Bearer right" };
    const result = await cli(
      ["estimate", `${base}/private.csv`, "--feed-header", "Authorization=FEED_AUTH"],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${base}/private.csv: 2 rows, all valid.`);
    const unset = await cli(
      ["estimate", `${base}/private.csv`, "--feed-header", "Authorization=NO_SUCH_VAR"],
      env,
    );
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain(
      "the Authorization header of the feed comes from the environment variable NO_SUCH_VAR, which is not set",
    );
  });
});
