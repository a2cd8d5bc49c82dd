/**
 * A rehearsal: the built-in simulator in this process, its runs remembered in the batch's
 * directory (DIR/.rehearsal/simulator.jsonl), so Ctrl-C and the same command resume them, and a
 * later `retry` or `report` of the rehearsal finds them again. A rehearsal into an S3 prefix
 * keeps its journal on this machine (the temporary folder), named after the prefix.
 */
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { isS3Out, resolveOut } from "../../core/out-location.js";
import type { Logger } from "../../log/logger.js";
import { startSimulator, type Simulator } from "../../simulator/index.js";

export type Latency = number | { readonly min: number; readonly max: number };

function rehearsalStateFile(outDir: string): string {
  if (isS3Out(outDir)) {
    const name = createHash("sha256").update(resolveOut(outDir)).digest("hex").slice(0, 16);
    return path.join(tmpdir(), "runflow-batch-rehearsals", name, "simulator.jsonl");
  }
  return path.join(path.resolve(outDir), ".rehearsal", "simulator.jsonl");
}

export function startRehearsal(o: {
  outDir: string;
  latencyMs: Latency;
  failRate: number;
  logger: Logger;
}): Promise<Simulator> {
  const { outDir, latencyMs, failRate, logger } = o;
  return startSimulator({ port: 0, latencyMs, failRate, logger, stateFile: rehearsalStateFile(outDir) });
}

/** With the simulator, poll near its latency instead of a real model's typical duration. */
export function simulatorPoll(latency: Latency) {
  return { initialMs: typeof latency === "number" ? latency : latency.min, intervalMs: 500, maxMs: 2_000 };
}
