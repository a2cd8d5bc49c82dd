/**
 * Driving the CLI from tests: in-process (runCli with captured output) for commands that finish,
 * or as real child processes for workers that must be killed or run side by side.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runCli } from "../../src/cli/program.js";
import { clusterUrl } from "./redis.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The command's environment: in the cluster tier, a REDIS_URL naming its cluster is a cluster's
 * (RUNFLOW_BATCH_REDIS_CLUSTER=1), so the tests that run there need not know.
 */
function withCluster(env: Record<string, string>): Record<string, string> {
  const cluster = clusterUrl();
  return cluster !== null && env.REDIS_URL === cluster ? { RUNFLOW_BATCH_REDIS_CLUSTER: "1", ...env } : env;
}

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

export async function cli(
  args: readonly string[],
  env: Record<string, string>,
  signal?: AbortSignal,
): Promise<CliResult> {
  const out = capture();
  const err = capture();
  const code = await runCli(args, {
    stdout: out.stream,
    stderr: err.stream,
    env: { LOG_LEVEL: "warn", ...withCluster(env) },
    ...(signal ? { signal } : {}),
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

export interface CliProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

/**
 * With `stdin: true` the child's standard input is a pipe the test writes to (child.stdin); `cwd`:
 * the directory it runs in (default: the repository).
 */
export function spawnCli(
  args: readonly string[],
  env: Record<string, string>,
  options: { stdin?: boolean; cwd?: string } = {},
): CliProcess {
  // Elsewhere than the repository, tsx is named by its path (a bare "tsx" resolves from the cwd).
  const tsx =
    options.cwd === undefined
      ? "tsx"
      : pathToFileURL(path.join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
  const child = spawn(process.execPath, ["--import", tsx, path.join(ROOT, "src/cli/main.ts"), ...args], {
    cwd: options.cwd ?? ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      LOG_LEVEL: "warn",
      ...withCluster(env),
    },
    stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout?.on("data", (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const exited = once(child, "exit").then(([code, signal]) => (code ?? signal) as number | string);
  return { child, output: () => text, exited };
}
