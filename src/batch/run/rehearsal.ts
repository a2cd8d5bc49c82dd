/**
 * A rehearsal: the built-in simulator in this process, its runs remembered in the batch's
 * directory (DIR/.rehearsal/simulator.jsonl), so Ctrl-C and the same command resume them, and a
 * later `retry` or `report` of the rehearsal finds them again.
 */
import path from "node:path";
import type { Logger } from "../../log/logger.js";
import { startSimulator, type Simulator } from "../../simulator/index.js";

export type Latency = number | { readonly min: number; readonly max: number };

export function rehearsalStateFile(outDir: string): string {
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
