/**
 * The first run on a machine with nothing running: REDIS_URL unset and nothing answering at the
 * default address (moved to a closed port for this test with RUNFLOW_BATCH_DEFAULT_REDIS_URL),
 * so the README's first command starts the managed local Redis in a temporary XDG_STATE_HOME.
 * Every redis-server started here is stopped in afterAll.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { once } from "node:events";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { streamManifest } from "../../src/manifest/index.js";
import { cli } from "../helpers/cli.js";
import { tempDir } from "../helpers/manifests.js";

async function closedPort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Alive and not a zombie waiting for init to reap it. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

const stateDirs: string[] = [];

/** An environment with REDIS_URL unset, nothing at the default address, and its own state directory. */
async function freshMachine(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const state = await tempDir("rfb-state-");
  stateDirs.push(state);
  return {
    XDG_STATE_HOME: state,
    RUNFLOW_BATCH_DEFAULT_REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
    PATH: process.env.PATH ?? "",
    ...extra,
  };
}

afterAll(async () => {
  for (const state of stateDirs) {
    const pidfile = path.join(state, "runflow-batch/redis/redis.pid");
    const pid = Number((await readFile(pidfile, "utf8").catch(() => "")).trim());
    await cli(["redis", "stop"], { XDG_STATE_HOME: state, PATH: process.env.PATH ?? "" });
    if (pid > 0 && isRunning(pid)) process.kill(pid, "SIGKILL");
  }
});

describe("the managed local Redis", () => {
  let env: Record<string, string>;
  let state: string;
  beforeAll(async () => {
    env = await freshMachine();
    state = env.XDG_STATE_HOME as string;
  });

  it("lets the README's first command run with nothing running; a second command finds the batch; redis stop stops it", async () => {
    const out = path.join(state, "out");
    const run = await cli(
      ["run", "jobs/catalogue.csv", "--out", out, "--simulate", "--sim-latency", "20-60"],
      env,
    );
    expect(run.stderr).toMatch(
      new RegExp(
        `^Redis: started the managed local Redis \\(pid \\d+, socket ${state}/runflow-batch/redis/redis\\.sock, data in ${state}/runflow-batch/redis\\); it keeps running after this command — \`runflow-batch redis stop\` stops it\\.$`,
        "m",
      ),
    );
    expect(run.code).toBe(0);
    const pid = Number(/started the managed local Redis \(pid (\d+)/.exec(run.stderr)?.[1]);
    expect(isRunning(pid)).toBe(true);

    let images = 0;
    for await (const item of streamManifest("jobs/catalogue.csv")) if (item.ok) images += item.row.images;
    expect((await readdir(path.join(out, "images"))).length).toBe(images);
    for (const report of ["results.jsonl", "results.csv", "cost-report.json", "cost-report.md"]) {
      expect((await stat(path.join(out, report))).size).toBeGreaterThan(0);
    }
    const batchId = /(?:Starting|Resuming) batch (\S+):/.exec(run.stderr)?.[1] ?? "";
    expect(batchId).not.toBe("");

    const status = await cli(["status", batchId, "--format", "json"], env);
    expect(status.code).toBe(0);
    expect(status.stderr).toContain(`Redis: using the managed local Redis (pid ${pid},`);
    expect(JSON.stringify(JSON.parse(status.stdout))).toContain(batchId);

    const shown = await cli(["redis", "status"], env);
    expect(shown.stdout).toBe(
      `Managed Redis running: pid ${pid}, socket ${state}/runflow-batch/redis/redis.sock; data in ${state}/runflow-batch/redis.\n`,
    );

    const stop = await cli(["redis", "stop"], env);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toBe(
      `Managed Redis stopped (pid ${pid}); its data stays in ${state}/runflow-batch/redis.\n`,
    );
    expect(isRunning(pid)).toBe(false);
    expect((await cli(["redis", "status"], env)).stdout).toBe(
      `Managed Redis not running; data in ${state}/runflow-batch/redis.\n`,
    );

    // Nothing was lost: the next command starts it again from its append-only file and finds the batch.
    const again = await cli(["status", batchId, "--format", "json"], env);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/^Redis: started the managed local Redis \(pid \d+/m);
    expect(JSON.stringify(JSON.parse(again.stdout))).toContain(batchId);
    expect((await cli(["redis", "stop"], env)).code).toBe(0);
  });

  it("detects a stale pidfile, says so, and starts anyway; redis start --port also listens on 127.0.0.1", async () => {
    const machine = await freshMachine();
    const dir = path.join(machine.XDG_STATE_HOME as string, "runflow-batch/redis");
    await mkdir(dir, { recursive: true });
    const gone = spawn(process.execPath, ["-e", ""]);
    await once(gone, "exit");
    await writeFile(path.join(dir, "redis.pid"), `${gone.pid}\n`);
    expect((await cli(["redis", "status"], machine)).stdout).toBe(
      `Managed Redis not running (stale pidfile: pid ${gone.pid} is gone; the next start removes it); data in ${dir}.\n`,
    );
    const port = await closedPort();
    const start = await cli(["redis", "start", "--port", String(port)], machine);
    expect(start.code).toBe(0);
    expect(start.stdout).toMatch(
      new RegExp(
        `^Managed Redis started \\(removed a stale pidfile of pid ${gone.pid}\\): pid \\d+, socket ${dir}/redis\\.sock and 127\\.0\\.0\\.1:${port}; data in ${dir} \\(append-only, noeviction\\)\\.`,
      ),
    );
    const tcp = await cli(["status"], { ...machine, REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(tcp.code).toBe(0);
    expect(tcp.stderr).not.toContain("managed");
    const conf = await readFile(path.join(dir, "redis.conf"), "utf8");
    expect(conf).toContain("appendonly yes");
    expect(conf).toContain("maxmemory-policy noeviction");
    expect((await cli(["redis", "stop"], machine)).stdout).toMatch(/^Managed Redis stopped \(pid \d+\)/);
  });

  it("never starts one when REDIS_URL is set", async () => {
    const machine = await freshMachine();
    const port = await closedPort();
    const result = await cli(["status"], { ...machine, REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`cannot reach Redis at redis://127.0.0.1:${port}`);
    await expect(stat(path.join(machine.XDG_STATE_HOME as string, "runflow-batch/redis"))).rejects.toThrow(
      /ENOENT/,
    );
  });

  it("without redis-server: exit 4 with how to install or start one, or set REDIS_URL", async () => {
    const hint =
      "Install redis-server and run the command again: `sudo apt-get install -y redis-server` (Debian, Ubuntu) or " +
      "`brew install redis` (macOS); or start one with Docker: `docker compose up -d redis`; " +
      "or point REDIS_URL at a Redis you have, e.g. `REDIS_URL=redis://host:6379 runflow-batch …`.";
    const noPath = await freshMachine({ PATH: await tempDir("rfb-empty-path-") });
    const missing = await cli(
      ["run", "jobs/catalogue.csv", "--out", path.join(noPath.XDG_STATE_HOME as string, "out"), "--simulate"],
      noPath,
    );
    expect(missing.code).toBe(4);
    expect(missing.stderr).toBe(
      `runflow-batch: no Redis: REDIS_URL is not set, nothing answers at ${noPath.RUNFLOW_BATCH_DEFAULT_REDIS_URL}, ` +
        `and redis-server is not installed (not on PATH) to start a local one. ${hint}\n`,
    );
    const named = await freshMachine({ RUNFLOW_BATCH_REDIS_SERVER: "/nonexistent" });
    const wrong = await cli(["status"], named);
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toBe(
      `runflow-batch: no Redis: REDIS_URL is not set, nothing answers at ${named.RUNFLOW_BATCH_DEFAULT_REDIS_URL}, ` +
        `and RUNFLOW_BATCH_REDIS_SERVER=/nonexistent is not an executable redis-server to start a local one. ${hint}\n`,
    );
    const byHand = await cli(["redis", "start"], named);
    expect(byHand.code).toBe(4);
    expect(byHand.stderr).toBe(
      `runflow-batch: cannot start the managed Redis: RUNFLOW_BATCH_REDIS_SERVER=/nonexistent is not an executable redis-server. ${hint}\n`,
    );
  });
});
