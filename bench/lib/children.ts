/**
 * Child processes of the pipeline bench: the Runflow simulator started through the real CLI (its
 * first stdout line names the port), and each measurement in a fresh Node process of its own
 * (bench/lib/measure.ts), so one scenario's heap, JIT state and peak RSS never leak into another's.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { MeasureResult, MeasureSpec } from "./measure.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface SimulatorChild {
  readonly url: string;
  readonly pid: number | undefined;
  /** GET /__simulator/ledger: the counters, and each run's creation and end. */
  ledger(): Promise<{
    runs: { id: string; createdAt: string; endsAt: string }[];
    runsCreated: number;
    createRequests: number;
    replays: number;
    billedUsd: string;
    inFlight: number;
    requests: {
      create: number;
      get: number;
      balance: number;
      other: number;
      rateLimited: number;
      maxPerSecond: number;
    };
  }>;
  /** User + system CPU the simulator has used so far, in seconds (Linux /proc; NaN elsewhere). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** utime + stime of a process from /proc/PID/stat (clock ticks of 1/100 s on Linux). */
function procCpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${String(pid)}/stat`, "utf8")
      .replace(/^.*\) /, "")
      .split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** `latency`: ms or "MIN-MAX"; `extra`: more simulator flags (e.g. --rate-limit 100 --retry-after). */
export async function startSimulatorChild(
  latency: number | string,
  extra: readonly string[] = [],
): Promise<SimulatorChild> {
  const args = [
    "--import",
    "tsx",
    "src/cli/main.ts",
    "simulator",
    "--port",
    "0",
    "--latency",
    String(latency),
    "--seed",
    "1",
    ...extra,
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LOG_LEVEL: "warn" },
  });
  // Its stderr (warnings, the goodbye line) is kept and shown only if it goes wrong.
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4_000)));
  child.once(
    "exit",
    (code, signal) =>
      void (
        code !== 0 &&
        signal !== "SIGTERM" &&
        console.error(`simulator exited with ${String(code ?? signal)}:\n${stderr}`)
      ),
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [line] = (await Promise.race([once(lines, "line"), once(child, "exit").then(() => [""])])) as [
    string,
  ];
  const url = /^Runflow simulator listening on (http:\S+)$/.exec(line)?.[1];
  if (!url) throw new Error(`the simulator did not start: ${line || stderr}`);
  lines.on("line", () => undefined); // keep draining stdout
  return {
    url,
    pid: child.pid,
    async ledger() {
      const res = await fetch(`${url}/__simulator/ledger`);
      return (await res.json()) as Awaited<ReturnType<SimulatorChild["ledger"]>>;
    },
    cpuSeconds: () => procCpuSeconds(child.pid),
    stop: () => stopChild(child),
  };
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await exited;
}

/** Runs one measurement in a fresh `node --import tsx bench/lib/measure.ts SPEC` and returns its result (its last stdout line). */
export async function measureInChild<S extends MeasureSpec>(spec: S): Promise<MeasureResult<S>> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/lib/measure.ts", JSON.stringify(spec)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, LOG_LEVEL: "silent" },
  });
  let last = "";
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => (last = line));
  const [code] = (await once(child, "close")) as [number | null]; // "close": after stdout has ended
  if (code !== 0) throw new Error(`measurement ${spec.kind} exited with ${String(code)}`);
  return JSON.parse(last) as MeasureResult<S>;
}
