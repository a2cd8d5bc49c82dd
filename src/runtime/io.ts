/**
 * What a command talks to: where to print, the environment, standard input and the stop signal.
 * The CLI builds it from the process (cli/main.ts); tests build it from buffers.
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
  /**
   * Told when paid work starts (a batch's rows run): from then on a stop waits for the command to
   * stop cleanly. Before it, a command asked to stop is ended within seconds if it has not stopped.
   */
  readonly onPaidWork?: () => void;
}
