/**
 * `redis start|stop|status`: the managed local Redis by hand. Queue commands start it on their
 * own when REDIS_URL is not set and nothing answers at the default address (src/redis/).
 */
import { readConfig } from "../config/config.js";
import { EXIT } from "../core/exit-codes.js";
import { managedRedisStatus, startManagedRedis, stopManagedRedis } from "../redis/managed.js";
import type { CommandContext } from "./context.js";

export type RedisAction = "start" | "stop" | "status";

export interface RedisSettings {
  readonly action: RedisAction;
  /** `start --port N`: also listen on 127.0.0.1:N. */
  readonly port?: number | undefined;
}

const where = (socket: string, port: number | null) =>
  `socket ${socket}${port === null ? "" : ` and 127.0.0.1:${port}`}`;

export async function redis(ctx: CommandContext, settings: RedisSettings): Promise<void> {
  const config = readConfig({}, ctx.io.env);
  const out = (line: string) => ctx.io.stdout.write(`${line}\n`);
  if (config.redisUrlExplicit && settings.action !== "status") {
    ctx.io.stderr.write(
      `Note: REDIS_URL is set (${config.redisUrl}), so commands use that Redis, not the managed one.\n`,
    );
  }
  if (settings.action === "start") {
    const started = await startManagedRedis({
      stateDir: config.stateDir,
      redisServer: config.redisServer,
      searchPath: config.searchPath,
      port: settings.port,
    });
    const stale = started.stalePid === null ? "" : ` (removed a stale pidfile of pid ${started.stalePid})`;
    if (!started.started && settings.port !== undefined && started.port !== settings.port) {
      ctx.io.stderr.write(
        `It is already running without 127.0.0.1:${settings.port}; ` +
          "`runflow-batch redis stop`, then start it with --port.\n",
      );
    }
    out(
      `Managed Redis ${started.started ? `started${stale}` : "already running"}: ` +
        `pid ${started.pid}, ${where(started.paths.socket, started.port)}; ` +
        `data in ${started.paths.dir} (append-only, noeviction). Stop it with \`runflow-batch redis stop\`.`,
    );
    return;
  }
  if (settings.action === "stop") {
    const result = await stopManagedRedis(config.stateDir);
    const dir = `${config.stateDir}/redis`;
    if (result.stopped !== null)
      out(`Managed Redis stopped (pid ${result.stopped}); its data stays in ${dir}.`);
    else {
      const stale = result.stalePid === null ? "" : ` (removed a stale pidfile of pid ${result.stalePid})`;
      out(`Managed Redis is not running${stale}; data in ${dir}.`);
    }
    return;
  }
  const status = await managedRedisStatus(config.stateDir);
  const using = config.redisUrlExplicit ? `Commands use REDIS_URL=${config.redisUrl}.` : "";
  if (status.state === "running") {
    const at = where(status.paths.socket, status.port);
    out(`Managed Redis running: pid ${status.pid}, ${at}; data in ${status.paths.dir}. ${using}`.trimEnd());
  } else if (status.state === "unresponsive") {
    out(
      `Managed Redis pid ${status.pid} is alive but does not answer on ${status.paths.socket}; ` +
        `see ${status.paths.log}. ${using}`.trimEnd(),
    );
    ctx.setExitCode(EXIT.unavailable);
  } else {
    const stale =
      status.stalePid === null
        ? ""
        : ` (stale pidfile: pid ${status.stalePid} is gone; the next start removes it)`;
    out(`Managed Redis not running${stale}; data in ${status.paths.dir}. ${using}`.trimEnd());
  }
}
