/**
 * The ledger's Lua scripts (lua/*.lua), which keep money and results exact with any number of
 * workers: each runs atomically inside Redis, so "spent + reserved ≤ cap" and "a row is recorded
 * once" hold at every instant. They are read from beside this module when a ledger is made
 * (src/ledger/lua under tsx and vitest, dist/ledger/lua once built: the build copies them) and
 * defined on the connection as ioredis commands (EVALSHA, loaded once per connection).
 *
 * Every script receives each key it touches through KEYS (none is built inside Lua), and all of
 * them belong to one batch, so to one hash tag (keys.ts): each runs on one Redis Cluster slot.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Redis } from "ioredis";
import { ConfigurationError } from "../core/errors.js";

const LUA_DIR = new URL("./lua/", import.meta.url);

/** Each script: its file, and how many of its arguments are keys. */
const SCRIPTS = {
  rfbCreateBatch: { file: "create-batch.lua", keys: 1 },
  rfbReserveRow: { file: "reserve-row.lua", keys: 7 },
  rfbRecordRow: { file: "record-row.lua", keys: 6 },
  rfbSetCap: { file: "set-cap.lua", keys: 1 },
  rfbReopenRow: { file: "reopen-row.lua", keys: 8 },
  rfbFinishBatch: { file: "finish-batch.lua", keys: 1 },
  rfbStartBatch: { file: "start-batch.lua", keys: 1 },
  rfbCommitRows: { file: "commit-rows.lua", keys: 5 },
} as const;

type Arg = string | number;

/** A connection with the scripts defined on it. */
export type ScriptedRedis = Redis & {
  /** create-batch.lua → 1 created now, 0 it existed already. */
  rfbCreateBatch(...args: Arg[]): Promise<number>;
  /** reserve-row.lua → [code, committed, cap or -1, crossed % or 0, first POST ms, run id or ""]. */
  rfbReserveRow(...args: Arg[]): Promise<[number, number, number, number, number, string]>;
  /** record-row.lua → 1 recorded now, 0 already recorded. */
  rfbRecordRow(...args: Arg[]): Promise<number>;
  rfbSetCap(...args: Arg[]): Promise<number>;
  /** reopen-row.lua → 1 reopened, 0 the row had no result. */
  rfbReopenRow(...args: Arg[]): Promise<number>;
  /** finish-batch.lua → 1 ended now, 0 ended already, -1 no such batch. */
  rfbFinishBatch(...args: Arg[]): Promise<number>;
  /** start-batch.lua → 1 submitted → running now, else 0. */
  rfbStartBatch(...args: Arg[]): Promise<number>;
  /** commit-rows.lua → the number of rows now in the batch. */
  rfbCommitRows(...args: Arg[]): Promise<number>;
};

function readScript(file: string): string {
  const url = new URL(file, LUA_DIR);
  try {
    return readFileSync(url, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigurationError(
      `cannot read the ledger script ${fileURLToPath(url)} (${reason}); it ships beside the code in ` +
        "ledger/lua/: run `npm run build`, which copies src/ledger/lua to dist/ledger/lua",
      { cause: error },
    );
  }
}

/** Defines the scripts on this connection (once; later calls reuse them). */
export function withLedgerScripts(redis: Redis): ScriptedRedis {
  for (const [name, script] of Object.entries(SCRIPTS)) {
    if (!(name in redis))
      redis.defineCommand(name, { numberOfKeys: script.keys, lua: readScript(script.file) });
  }
  return redis as ScriptedRedis;
}
