#!/usr/bin/env node
/** The `runflow-batch` binary: the only place that exits the process. */
import { processEnvironment } from "../config/config.js";
import { runCli } from "./program.js";

const controller = new AbortController();
let signals = 0;
let graceful = false;
const onSignal = (name: NodeJS.Signals) => {
  signals += 1;
  if (!graceful) process.exit(130); // nothing to hand back: stop at once
  if (signals === 1) {
    process.stderr.write(
      `\nrunflow-batch: ${name} received; stopping cleanly. Press Ctrl-C again to exit at once.\n`,
    );
    controller.abort();
  } else {
    process.exit(130);
  }
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: processEnvironment(),
  signal: controller.signal,
  onStopHandled: () => void (graceful = true),
});
process.exitCode = code;
// Open handles (keep-alive sockets, timers of a closed queue) must not keep a finished command alive.
setTimeout(() => process.exit(code), 1_000).unref();
