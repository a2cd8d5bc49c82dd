/** serve processes for schedule tests: started with fast polling, stopped with SIGTERM (exit 0). */
import { expect } from "vitest";
import { spawnCli, type CliProcess } from "../helpers/cli.js";

export interface Servers {
  start(dir: string, env: Record<string, string>): CliProcess;
  /** SIGTERM to every serve started; each must exit 0. */
  stopAll(): Promise<void>;
  /** SIGKILL what is still running (afterEach). */
  kill(): void;
}

export function servers(): Servers {
  const running: CliProcess[] = [];
  return {
    start(dir, env) {
      const p = spawnCli(["serve", "--schedules", dir, "--concurrency", "10", "--poll-interval", "50"], env);
      running.push(p);
      return p;
    },
    async stopAll() {
      for (const p of running.splice(0)) {
        p.child.kill("SIGTERM");
        expect(await p.exited, p.output()).toBe(0);
      }
    },
    kill() {
      for (const p of running.splice(0))
        if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    },
  };
}
