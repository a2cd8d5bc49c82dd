/** `runflow-batch redis start|stop|status`: flags and help; the use case is src/commands/redis.ts. */
import { Argument, type Command } from "commander";
import type { CommandContext } from "../commands/context.js";
import type { RedisAction } from "../commands/redis.js";
import { UsageError } from "../core/errors.js";

const HELP = `
The managed local Redis: when REDIS_URL is not set and nothing answers at redis://127.0.0.1:6379,
run, submit, worker, status, report and the other queue commands start a redis-server (found on
PATH, or RUNFLOW_BATCH_REDIS_SERVER) with its data in $XDG_STATE_HOME/runflow-batch/redis (else
~/.local/state/runflow-batch/redis): append-only persistence, noeviction, a unix socket only you
can open. It keeps running after the command, so status and report find the batch later.

Examples:
  runflow-batch redis status
  runflow-batch redis start --port 6380     # also listen on 127.0.0.1:6380
  runflow-batch redis stop`;

export function registerRedis(program: Command, ctx: CommandContext): void {
  program
    .command("redis")
    .summary("start, stop or show the managed local Redis")
    .description("Start, stop or show the local Redis this tool manages when REDIS_URL is not set.")
    .addArgument(new Argument("<action>", "start, stop or status").choices(["start", "stop", "status"]))
    .option(
      "--port <n>",
      "with start: also listen on 127.0.0.1 at this TCP port (default: the unix socket only)",
    )
    .addHelpText("after", HELP)
    .action(async (action: RedisAction, flags: { port?: string }) => {
      let port: number | undefined;
      if (flags.port !== undefined) {
        port = Number(flags.port);
        if (!Number.isInteger(port) || port < 1 || port > 65_535)
          throw new UsageError(
            `--port must be a TCP port from 1 to 65535, got ${JSON.stringify(flags.port)}`,
          );
        if (action !== "start") throw new UsageError("--port only goes with `redis start`");
      }
      const { redis } = await import("../commands/redis.js");
      await redis(ctx, { action, port });
    });
}
