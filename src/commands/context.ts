/**
 * What every command gets: its io (runtime/io.ts) and a way to set the exit code (only
 * cli/main.ts turns it into process.exit).
 */
import type { ExitCode } from "../core/exit-codes.js";
import type { CommandIo } from "../runtime/io.js";

export interface CommandContext {
  readonly io: CommandIo;
  /** Commands that finish with a non-zero code but no error (e.g. 1: some rows failed) set it here. */
  setExitCode(code: ExitCode): void;
  /** Says this command listens to io.signal and stops cleanly (run, worker, simulator, status --watch). */
  handlesStop(): void;
}
