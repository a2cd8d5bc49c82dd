/**
 * The command-line program: one file per command, wired here. `runCli` returns the exit code
 * instead of exiting, so tests can drive the CLI in-process.
 */
import { Command, CommanderError } from "commander";
import { BatchError } from "../core/errors.js";
import { EXIT, type ExitCode } from "../core/exit-codes.js";
import { clusterFault } from "../redis/faults.js";
import type { CommandContext } from "../commands/context.js";
import type { CommandIo } from "../runtime/io.js";
import { registerEstimate } from "./estimate.js";
import { registerRender } from "./render.js";
import { registerSimulator } from "./simulator.js";
import { registerSubmit } from "./submit.js";
import { registerWorker } from "./worker.js";
import { registerRun } from "./run.js";
import { registerStatus } from "./status.js";
import { registerReport } from "./report.js";
import { registerBudget } from "./budget.js";
import { registerCancel } from "./cancel.js";
import { registerRetry } from "./retry.js";
import { registerDashboard } from "./dashboard.js";
import { registerRedis } from "./redis.js";
import { registerServe } from "./serve.js";
import { registerSchedule } from "./schedule.js";
import { registerPicks } from "./picks.js";
import { registerPromote } from "./promote.js";

const VERSION = "0.1.0";

function createProgram(ctx: CommandContext): Command {
  const program = new Command("runflow-batch")
    .description(
      "Batch image generation and editing on Runflow: streamed manifests, Redis queues, exact cost reports.",
    )
    .version(VERSION)
    .option("--redis-cluster", "REDIS_URL names nodes of a Redis Cluster (RUNFLOW_BATCH_REDIS_CLUSTER=1)")
    .option(
      "--s3-endpoint <url>",
      "an S3-compatible store's endpoint for --out s3://… (MinIO, R2; default AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL)",
    )
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.stdout.write(text),
      writeErr: (text) => ctx.io.stderr.write(text),
    })
    .addHelpText(
      "after",
      `
Exit codes: 0 success, 1 some rows failed (reports still written), 2 bad usage, invalid
manifest or an output directory that cannot be written (nothing submitted), 3 stopped for money
(budget cap, or a balance that cannot cover the batch), 4 Redis or Runflow unreachable or
misconfigured, 5 the batch was canceled, 130 interrupted (run it again to resume).

Environment: RUNFLOW_API_KEY, RUNFLOW_BASE_URL (default https://api.runflow.io),
REDIS_URL (default redis://127.0.0.1:6379; with RUNFLOW_BATCH_REDIS_CLUSTER=1 or --redis-cluster, nodes
of a Redis Cluster, comma-separated), RUNFLOW_CALLBACK_SECRET, RUNFLOW_BATCH_NOTIFY_SECRET
(signs --notify-url notifications), RUNFLOW_BATCH_REDIS_TIMEOUT, LOG_LEVEL.
Object storage (--out s3://BUCKET/PREFIX): the AWS SDK's credentials (AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, AWS_PROFILE, a role), AWS_REGION, AWS_ENDPOINT_URL (or --s3-endpoint),
RUNFLOW_BATCH_S3_PATH_STYLE, AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED (Cloudflare R2).

Examples:
  runflow-batch estimate jobs/catalogue.csv
  runflow-batch run jobs/catalogue.csv --out out/catalogue --simulate
  runflow-batch submit jobs/catalogue.csv --max-cost 25 && runflow-batch worker`,
    );
  program.commands.forEach((c) => c.exitOverride());
  registerEstimate(program, ctx);
  registerRender(program, ctx);
  registerRun(program, ctx);
  registerSubmit(program, ctx);
  registerWorker(program, ctx);
  registerServe(program, ctx);
  registerSchedule(program, ctx);
  registerStatus(program, ctx);
  registerReport(program, ctx);
  registerRetry(program, ctx);
  registerBudget(program, ctx);
  registerCancel(program, ctx);
  registerPicks(program, ctx);
  registerPromote(program, ctx);
  registerSimulator(program, ctx);
  registerDashboard(program, ctx);
  registerRedis(program, ctx);
  for (const command of program.commands) {
    command.exitOverride().configureOutput({
      writeOut: (text) => ctx.io.stdout.write(text),
      writeErr: (text) => ctx.io.stderr.write(text),
    });
  }
  return program;
}

/** Runs one command line; returns the exit code. User mistakes print a sentence, never a stack. */
export async function runCli(argv: readonly string[], io: CommandIo): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.ok;
  // --redis-cluster says what RUNFLOW_BATCH_REDIS_CLUSTER=1 says: the commands read it from here.
  const env: Record<string, string | undefined> = { ...io.env };
  const ctx: CommandContext = {
    io: { ...io, env },
    setExitCode: (code) => void (exitCode = code),
    handlesStop: () => io.onStopHandled?.(),
  };
  const program = createProgram(ctx);
  program.hook("preAction", () => {
    const global = program.opts<{ redisCluster?: boolean; s3Endpoint?: string }>();
    if (global.redisCluster) env.RUNFLOW_BATCH_REDIS_CLUSTER = "1";
    if (global.s3Endpoint !== undefined) env.RUNFLOW_BATCH_S3_ENDPOINT = global.s3Endpoint;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; usage mistakes were already printed.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const known = error instanceof BatchError ? error : clusterFault(error);
    if (known) {
      io.stderr.write(`runflow-batch: ${known.message}\n`);
      return known.exitCode;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(`runflow-batch: unexpected error (please report it):\n${detail}\n`);
    return EXIT.failedRows;
  }
}
