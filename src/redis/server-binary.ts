/**
 * Finding `redis-server` for the managed local Redis: RUNFLOW_BATCH_REDIS_SERVER when set,
 * else the first one on PATH. Missing, it is a configuration error (exit 4) that says how to
 * install one, start one, or point REDIS_URL elsewhere.
 */
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { ConfigurationError } from "../core/errors.js";

const INSTALL_HINT =
  "Install redis-server and run the command again: `sudo apt-get install -y redis-server` (Debian, Ubuntu) or " +
  "`brew install redis` (macOS); or start one with Docker: `docker compose up -d redis`; " +
  "or point REDIS_URL at a Redis you have, e.g. `REDIS_URL=redis://host:6379 runflow-batch …`.";

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface ServerLookup {
  /** RUNFLOW_BATCH_REDIS_SERVER, when set. */
  readonly redisServer: string | null;
  /** PATH. */
  readonly searchPath: string;
  /** What was tried before, for the message: e.g. "nothing answers at redis://127.0.0.1:6379". */
  readonly why?: string;
}

export async function findRedisServer(lookup: ServerLookup): Promise<string> {
  const fail = (problem: string) =>
    new ConfigurationError(
      lookup.why
        ? `no Redis: ${lookup.why}, and ${problem} to start a local one. ${INSTALL_HINT}`
        : `cannot start the managed Redis: ${problem}. ${INSTALL_HINT}`,
    );
  if (lookup.redisServer !== null) {
    if (await isExecutableFile(lookup.redisServer)) return lookup.redisServer;
    throw fail(`RUNFLOW_BATCH_REDIS_SERVER=${lookup.redisServer} is not an executable redis-server`);
  }
  for (const dir of lookup.searchPath.split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, "redis-server");
    if (await isExecutableFile(candidate)) return candidate;
  }
  throw fail("redis-server is not installed (not on PATH)");
}
