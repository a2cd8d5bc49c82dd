/**
 * A real Redis Cluster: three masters (no replicas), each a Debian `redis-server` process started
 * here with `--cluster-enabled yes` on ports the OS hands out, joined with
 * `redis-cli --cluster create … --cluster-yes`, ready once every node says `cluster_state:ok`.
 * Used by a test file (redis-cluster.ts: useClusterTestbed) and by the cluster test tier
 * (cluster-tier.ts). No vitest imports: the tier's global setup runs it outside a test file.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Cluster, Redis } from "ioredis";
import { eventually } from "./eventually.js";
import { answers } from "./redis.js";

const run = promisify(execFile);

export interface TestCluster {
  /** Every node, comma-separated: REDIS_URL for the CLI with RUNFLOW_BATCH_REDIS_CLUSTER=1. */
  readonly url: string;
  /** One node's URL (what a plain connection to "the cluster" would be given). */
  readonly nodeUrl: string;
  readonly ports: readonly number[];
  /** A cluster connection for the test's own reads (closed by stop). */
  readonly client: Cluster;
  /** The slot of a key (CLUSTER KEYSLOT, asked of the cluster). */
  keyslot(key: string): Promise<number>;
  /** The port of the master that owns a key's slot (CLUSTER SLOTS). */
  owner(key: string): Promise<number>;
  /** Every key of the cluster matching a pattern (SCAN on each master). */
  keys(pattern: string): Promise<string[]>;
  /** Kills a node (SIGKILL): its slots are unreachable (no replicas) until `restart`. */
  kill(port: number): Promise<void>;
  /** Starts a killed node again on its port and files; resolves once it answers PING. */
  restart(port: number): Promise<void>;
  /** Stops the nodes and removes their files. */
  stop(): Promise<void>;
}

/** A port the OS hands out whose cluster bus port (+10000) is free as well. */
async function freeClusterPort(): Promise<number> {
  for (;;) {
    const port = await listenOnce(0);
    if (port <= 55_535 && (await listenOnce(port + 10_000).catch(() => 0)) !== 0) return port;
  }
}

async function listenOnce(port: number): Promise<number> {
  const server = createServer();
  server.listen(port, "127.0.0.1");
  await Promise.race([
    once(server, "listening"),
    once(server, "error").then(([error]) => Promise.reject(error as Error)),
  ]);
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === "object" && address !== null ? address.port : 0;
}

async function stopNode(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGKILL");
  await exited;
}

/**
 * `durable`: every write on disk (appendfsync always), so a killed node restarts with its keys;
 * off for tests that never kill a node (faster writes).
 */
export async function startRedisCluster(masters = 3, { durable = true } = {}): Promise<TestCluster> {
  const binary = process.env.RUNFLOW_BATCH_REDIS_SERVER ?? "redis-server";
  const dir = await mkdtemp(path.join(os.tmpdir(), "rfb-cluster-"));
  const children = new Map<number, ChildProcess>();
  // Each node in a directory of its own, every write on disk (a killed node restarts with its keys).
  const launch = async (port: number) => {
    const own = path.join(dir, String(port));
    await mkdir(own, { recursive: true });
    const child = spawn(
      binary,
      ["--port", String(port), "--bind", "127.0.0.1", "--dir", own, "--cluster-enabled", "yes"]
        .concat(["--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "15000"])
        .concat(durable ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"])
        .concat(["--save", ""])
        .concat(["--maxmemory-policy", "noeviction"]),
      { stdio: "ignore" },
    );
    child.on("error", () => undefined); // a missing binary is reported by the wait for PING
    children.set(port, child);
  };
  const probes: Redis[] = [];
  let client: Cluster | null = null;
  // A test process that dies before afterAll takes its nodes with it.
  const killAll = () => {
    for (const child of children.values()) child.kill("SIGKILL");
  };
  process.once("exit", killAll);
  const stop = async () => {
    process.removeListener("exit", killAll);
    client?.disconnect();
    for (const probe of probes) probe.disconnect();
    await Promise.all([...children.values()].map(stopNode));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    for (let i = 0; i < masters; i += 1) ports.push(await freeClusterPort());
    for (const port of ports) await launch(port);
    const nodes = ports.map((port) => {
      const probe = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1 });
      probe.on("error", () => undefined);
      probes.push(probe);
      return probe;
    });
    await eventually(async () => (await Promise.all(nodes.map((n) => n.ping()))).every((r) => r === "PONG"), {
      timeoutMs: 15_000,
      what: `${masters} redis-server processes (${binary}) with cluster support to answer`,
    });
    const addresses = ports.map((port) => `127.0.0.1:${port}`);
    await run("redis-cli", ["--cluster", "create", ...addresses, "--cluster-replicas", "0", "--cluster-yes"]);
    // Ready when every node says cluster_state:ok and sees every master with its slots.
    await eventually(
      async () => {
        const infos = await Promise.all(nodes.map((n) => n.cluster("INFO")));
        const views = await Promise.all(nodes.map((n) => n.cluster("SLOTS")));
        return (
          infos.every((info) => /cluster_state:ok/.test(String(info))) &&
          views.every((ranges) => new Set(ranges.map((range) => range[2]?.[1])).size === masters)
        );
      },
      { timeoutMs: 20_000, what: "every node of the cluster to say cluster_state:ok and see every master" },
    );
    for (const probe of probes.splice(0)) probe.disconnect();
    const ready = new Cluster(
      ports.map((port) => ({ host: "127.0.0.1", port })),
      { redisOptions: { maxRetriesPerRequest: null } },
    );
    client = ready;
    ready.on("error", () => undefined);
    await eventually(async () => (await ready.set("rfb-cluster-probe", "1")) === "OK", {
      what: "a cluster connection to write",
    });
    await ready.del("rfb-cluster-probe");
    return {
      url: ports.map((port) => `redis://127.0.0.1:${port}`).join(","),
      nodeUrl: `redis://127.0.0.1:${ports[0]}`,
      ports,
      client: ready,
      keyslot: async (key) => Number(await ready.cluster("KEYSLOT", key)),
      async owner(key) {
        const slot = Number(await ready.cluster("KEYSLOT", key));
        const ranges = await ready.cluster("SLOTS");
        const range = ranges.find(([first, last]) => first <= slot && slot <= last);
        const master = range?.[2];
        if (!master) throw new Error(`no master owns slot ${slot}`);
        return master[1];
      },
      async keys(pattern) {
        const found: string[] = [];
        for (const node of ready.nodes("master")) {
          let cursor = "0";
          do {
            const [next, batch] = await node.scan(cursor, "MATCH", pattern, "COUNT", 1000);
            cursor = next;
            found.push(...batch);
          } while (cursor !== "0");
        }
        return found;
      },
      async kill(port) {
        const child = children.get(port);
        if (child) await stopNode(child);
      },
      async restart(port) {
        await launch(port);
        await eventually(() => answers(`redis://127.0.0.1:${port}`), {
          timeoutMs: 15_000,
          what: `the cluster node on port ${port} to answer again`,
        });
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
