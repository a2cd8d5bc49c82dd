/**
 * The managed local Redis: a `redis-server` this tool starts in the state directory when no
 * Redis is configured or answers, and leaves running (like `docker compose up -d`) so later
 * commands find their batches. It daemonizes (its own session: a Ctrl-C of the command that
 * started it does not reach it), writes a pidfile, and listens on a unix socket. A pidfile
 * whose process is gone is stale: removed and said so.
 */
import { spawn } from "node:child_process";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { ConfigurationError } from "../core/errors.js";
import {
  managedRedisConf,
  managedRedisPaths,
  MAX_SOCKET_PATH_BYTES,
  type ManagedRedisOptions,
  type ManagedRedisPaths,
} from "./managed-config.js";
import { findRedisServer, type ServerLookup } from "./server-binary.js";

export type ManagedRedisStatus =
  | {
      readonly state: "running";
      readonly pid: number;
      readonly port: number | null;
      readonly paths: ManagedRedisPaths;
    }
  /** Not running; `stalePid` when a pidfile names a process that is gone (or is not redis-server). */
  | { readonly state: "stopped"; readonly paths: ManagedRedisPaths; readonly stalePid: number | null }
  /** A redis-server with the pidfile's pid is alive but does not answer on the socket. */
  | { readonly state: "unresponsive"; readonly paths: ManagedRedisPaths; readonly pid: number };

/** INFO's process_id and tcp_port when the socket answers PING, else null. */
async function ask(socket: string, timeoutMs = 1_000): Promise<{ pid: number; port: number | null } | null> {
  const client = new Redis({
    path: socket,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
    const info = await client.info("server");
    const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, "m").exec(info)?.[1] ?? NaN);
    const port = field("tcp_port");
    return { pid: field("process_id"), port: Number.isFinite(port) && port > 0 ? port : null };
  } catch {
    return null;
  } finally {
    client.disconnect();
  }
}

async function readPid(pidfile: string): Promise<number | null> {
  const text = await readFile(pidfile, "utf8").catch(() => null);
  const pid = text === null ? NaN : Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

/** True while the process exists and is not a zombie (where /proc tells). */
async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  return stat === null || !/^\d+ \(.*\) Z/.test(stat);
}

/** A live process that is redis-server (or cannot be told otherwise: no /proc). */
async function isRedisServer(pid: number): Promise<boolean> {
  if (!(await isAlive(pid))) return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => null);
  return cmdline === null || cmdline.includes("redis-server");
}

export async function managedRedisStatus(stateDir: string): Promise<ManagedRedisStatus> {
  const paths = managedRedisPaths(stateDir);
  const answer = await ask(paths.socket);
  if (answer) return { state: "running", pid: answer.pid, port: answer.port, paths };
  const pid = await readPid(paths.pidfile);
  if (pid !== null && (await isRedisServer(pid))) return { state: "unresponsive", paths, pid };
  return { state: "stopped", paths, stalePid: pid };
}

/** A lock directory (mkdir is atomic); a lock older than 30 s is left over from a crash. */
async function withStartLock<T>(lock: string, body: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const age = await stat(lock).then(
        (info) => Date.now() - info.mtimeMs,
        () => 0,
      );
      if (age > 30_000 || Date.now() > deadline) await rm(lock, { recursive: true, force: true });
      else await sleep(100);
    }
  }
  try {
    return await body();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function logTail(log: string): Promise<string> {
  const text = await readFile(log, "utf8").catch(() => "");
  return text.trim().split("\n").slice(-5).join(" | ");
}

export interface StartOptions extends ManagedRedisOptions, Omit<ServerLookup, "why"> {
  readonly stateDir: string;
  /** Why a managed Redis is needed, for the message when redis-server is missing. */
  readonly why?: string;
}

export interface StartedRedis {
  readonly pid: number;
  readonly port: number | null;
  readonly paths: ManagedRedisPaths;
  /** False when it was already running. */
  readonly started: boolean;
  /** The pid of a stale pidfile that was removed, if any. */
  readonly stalePid: number | null;
}

/** Starts the managed Redis unless it is already running; returns once it answers. */
export async function startManagedRedis(options: StartOptions): Promise<StartedRedis> {
  const paths = managedRedisPaths(options.stateDir);
  if (Buffer.byteLength(paths.socket) > MAX_SOCKET_PATH_BYTES) {
    throw new ConfigurationError(
      `the managed Redis's socket path ${paths.socket} is longer than ${MAX_SOCKET_PATH_BYTES} bytes, too long for a unix socket; ` +
        "set XDG_STATE_HOME to a shorter directory, or set REDIS_URL",
    );
  }
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  return withStartLock(paths.startLock, async () => {
    const before = await managedRedisStatus(options.stateDir);
    if (before.state === "running")
      return { pid: before.pid, port: before.port, paths, started: false, stalePid: null };
    if (before.state === "unresponsive") {
      throw new ConfigurationError(
        `the managed Redis (pid ${before.pid}, ${paths.pidfile}) is running but does not answer on ${paths.socket}; ` +
          `stop it (kill ${before.pid}) and run the command again, or set REDIS_URL. Its log: ${paths.log}`,
      );
    }
    const stalePid = before.stalePid;
    if (stalePid !== null) await rm(paths.pidfile, { force: true });
    const server = await findRedisServer({
      redisServer: options.redisServer,
      searchPath: options.searchPath,
      ...(options.why ? { why: options.why } : {}),
    });
    await writeFile(paths.config, managedRedisConf(paths, options), { mode: 0o600 });
    const child = spawn(server, [paths.config], { stdio: ["ignore", "ignore", "pipe"], cwd: paths.dir });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("exit", (exitCode) => resolve(exitCode));
    }).catch((error: unknown) => {
      throw new ConfigurationError(
        `cannot start ${server}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    });
    const deadline = Date.now() + 10_000;
    let answer = code === 0 ? await ask(paths.socket) : null;
    while (code === 0 && answer === null && Date.now() < deadline) {
      await sleep(50);
      answer = await ask(paths.socket);
    }
    if (answer === null) {
      const detail = [stderr.trim(), await logTail(paths.log)].filter((part) => part !== "").join(" | ");
      const port = options.port === undefined ? "" : ` (is 127.0.0.1:${options.port} free?)`;
      throw new ConfigurationError(
        `the managed Redis did not start${port}: ${server} ${code === 0 ? "did not answer within 10 s" : `exited with code ${code}`}` +
          `${detail ? ` — ${detail}` : ""}. Its files are in ${paths.dir}; or set REDIS_URL to use another Redis.`,
      );
    }
    return { pid: answer.pid, port: answer.port, paths, started: true, stalePid };
  });
}

/** Stops the managed Redis (it saves its append-only file first); its data stays. */
export async function stopManagedRedis(
  stateDir: string,
): Promise<{ stopped: number | null; stalePid: number | null }> {
  const status = await managedRedisStatus(stateDir);
  if (status.state === "stopped") {
    if (status.stalePid !== null) await rm(status.paths.pidfile, { force: true });
    return { stopped: null, stalePid: status.stalePid };
  }
  const pid = status.pid;
  if (status.state === "unresponsive") {
    process.kill(pid, "SIGTERM");
    await untilGone(pid, 10_000, status.paths.log);
    return { stopped: pid, stalePid: null };
  }
  const client = new Redis({
    path: status.paths.socket,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on("error", () => undefined);
  await client
    .connect()
    .then(() => client.call("SHUTDOWN"))
    .catch(() => undefined) // the connection closes as it shuts down
    .finally(() => client.disconnect());
  if (!(await waitGone(pid, 10_000))) {
    process.kill(pid, "SIGTERM");
    await untilGone(pid, 10_000, status.paths.log);
  }
  return { stopped: pid, stalePid: null };
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

async function untilGone(pid: number, timeoutMs: number, log: string): Promise<void> {
  if (!(await waitGone(pid, timeoutMs)))
    throw new ConfigurationError(`the managed Redis (pid ${pid}) did not stop; its log: ${log}`);
}
