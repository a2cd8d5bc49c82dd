#!/usr/bin/env node
/**
 * The `runflow-batch` binary: the only place that exits the process.
 *
 * Stopping (SIGINT, SIGTERM): a command that does not listen to the stop signal ends at once
 * (130). One that does (run, worker, status --watch, …) is asked to stop cleanly; while it has no
 * paid work in flight it is ended if it has not stopped within LOCAL_DEFAULTS.stopGraceMs (a probe
 * or a read that never returns must not need a second Ctrl-C). Once it says paid work is running
 * (a batch's rows: io.onPaidWork), a clean stop is waited for; a second signal still exits at once.
 *
 * A reader that goes away (`runflow-batch --help | head -1`) is not an error: output to a closed
 * pipe is dropped and the command ends with its own exit code, no stack.
 */
import { processEnvironment } from "../config/config.js";
import { LOCAL_DEFAULTS } from "../config/defaults.js";
import { EXIT } from "../core/exit-codes.js";
import { runCli } from "./program.js";

const STOP_GRACE_MS = LOCAL_DEFAULTS.stopGraceMs;

const controller = new AbortController();
let signals = 0;
let firstSignal: NodeJS.Signals = "SIGINT";
let graceful = false;
let paidWork = false;

/**
 * Exits 130. process.exit first waits for every thread of the pool, which a file-system call that
 * never returns (a hung mount) holds forever; so the signals' own handling is restored first: a
 * next Ctrl-C then ends the process whatever it waits for.
 */
function exitInterrupted(): never {
  process.removeAllListeners("SIGINT");
  process.removeAllListeners("SIGTERM");
  process.exit(EXIT.interrupted);
}

/** Ends a command asked to stop that has nothing paid in flight, if it has not ended by then. */
function endAfterGrace(): void {
  if (paidWork) return;
  setTimeout(() => {
    if (paidWork) return; // it started paid work meanwhile: wait for its clean stop
    process.stderr.write(
      `runflow-batch: not stopped after ${STOP_GRACE_MS / 1000} s with nothing paid in flight; ` +
        "exiting now. Run the same command again to resume.\n",
    );
    // A file-system call may be what it is stuck in (then process.exit would wait for it): end by
    // the signal itself (a shell reads 130 for SIGINT all the same).
    if (process.getActiveResourcesInfo().some((name) => name.startsWith("FSReq"))) {
      process.removeAllListeners(firstSignal);
      process.kill(process.pid, firstSignal);
    }
    exitInterrupted();
  }, STOP_GRACE_MS).unref();
}

const onSignal = (name: NodeJS.Signals) => {
  signals += 1;
  if (signals === 1) firstSignal = name;
  if (!graceful || signals > 1) exitInterrupted(); // nothing to hand back, or asked twice
  process.stderr.write(
    `\nrunflow-batch: ${name} received; stopping cleanly. Press Ctrl-C again to exit at once.\n`,
  );
  controller.abort();
  endAfterGrace();
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

/** EPIPE: whoever read our output has gone (`| head`); what is still written is dropped. */
const onOutputError = (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") return;
  throw error;
};
process.stdout.on("error", onOutputError);
process.stderr.on("error", onOutputError);

const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: processEnvironment(),
  signal: controller.signal,
  onStopHandled: () => void (graceful = true),
  onPaidWork: () => void (paidWork = true),
});
process.exitCode = code;
// Open handles (keep-alive sockets, timers of a closed queue) must not keep a finished command alive.
setTimeout(() => process.exit(code), 1_000).unref();
