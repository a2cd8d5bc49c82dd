/**
 * The managed local Redis, on paper: where its files live under the state directory and the
 * configuration it runs with — append-only persistence (a crash loses at most a second),
 * `noeviction` (an evicted key is a lost job), a unix socket only the user can open, TCP on
 * 127.0.0.1 only when asked, a pidfile. Pure.
 */
import { join } from "node:path";

export interface ManagedRedisPaths {
  /** $XDG_STATE_HOME/runflow-batch/redis (or ~/.local/state/…): data, socket, pidfile, log. */
  readonly dir: string;
  readonly socket: string;
  readonly pidfile: string;
  readonly config: string;
  readonly log: string;
  /** Held while one command starts the server, so two commands never start two. */
  readonly startLock: string;
}

export function managedRedisPaths(stateDir: string): ManagedRedisPaths {
  const dir = join(stateDir, "redis");
  return {
    dir,
    socket: join(dir, "redis.sock"),
    pidfile: join(dir, "redis.pid"),
    config: join(dir, "redis.conf"),
    log: join(dir, "redis.log"),
    startLock: join(dir, "start.lock"),
  };
}

/** Unix socket paths longer than this do not fit in sockaddr_un on every system (macOS: 104 bytes). */
export const MAX_SOCKET_PATH_BYTES = 103;

export interface ManagedRedisOptions {
  /** Also listen on 127.0.0.1 at this port (never on other addresses); none by default. */
  readonly port?: number | undefined;
}

/** A value as redis.conf reads it: double-quoted, with backslashes and quotes escaped. */
function quoted(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export function managedRedisConf(paths: ManagedRedisPaths, options: ManagedRedisOptions = {}): string {
  const lines = [
    "# Written by runflow-batch for its managed local Redis; rewritten at every start.",
    "daemonize yes",
    `dir ${quoted(paths.dir)}`,
    `pidfile ${quoted(paths.pidfile)}`,
    `logfile ${quoted(paths.log)}`,
    `unixsocket ${quoted(paths.socket)}`,
    "unixsocketperm 700",
    options.port === undefined ? "port 0" : `port ${options.port}`,
    "bind 127.0.0.1",
    "protected-mode yes",
    "appendonly yes",
    "appendfsync everysec",
    "maxmemory-policy noeviction",
  ];
  return `${lines.join("\n")}\n`;
}
