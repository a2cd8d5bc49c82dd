/**
 * What every command gets: where to print, the environment, and a way to set the exit code
 * (only main.ts turns it into process.exit).
 */
import type { Readable, Writable } from "node:stream";
import type { Environment } from "../config/config.js";

export interface CommandIo {
  /** Standard input: a manifest given as `-` is read from here. */
  readonly stdin?: Readable & { isTTY?: boolean };
  readonly stdout: Writable & { isTTY?: boolean; columns?: number };
  readonly stderr: Writable & { isTTY?: boolean; columns?: number };
  readonly env: Environment;
  /** Aborted when the user asks to stop (SIGINT/SIGTERM); commands that run long listen to it. */
  readonly signal?: AbortSignal;
  /** Told when a command stops cleanly on `signal`; other commands are simply ended by a signal. */
  readonly onStopHandled?: () => void;
}

export interface CommandContext {
  readonly io: CommandIo;
  /** Commands that finish with a non-zero code but no error (e.g. 1: some rows failed) set it here. */
  setExitCode(code: number): void;
  /** Says this command listens to io.signal and stops cleanly (run, worker, simulator, status --watch). */
  handlesStop(): void;
}
