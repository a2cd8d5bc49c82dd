/**
 * Four tiers (vitest projects), run one after another by `npm test`:
 * - unit: pure tests beside their modules in src/ (and the test helpers' own tests): no Redis, no
 *   network, no child processes; the whole tier in seconds (`npm run test:unit`). Files share
 *   their worker process (isolate: false: no fresh module graph per file) — processes, not threads,
 *   since a socket over a file descriptor (the FIFO reader) aborts a worker thread.
 * - integration: test/ against a real Redis, the simulator over HTTP and CLI child processes.
 * - browser: test/browser/, pages in headless Chromium (test/browser/browser.ts finds it).
 * - cluster: the pipeline, lifecycle and budget tests again, against a three-master Redis Cluster
 *   the tier starts (test/helpers/cluster-tier.ts; `npm run test:cluster`).
 * Every file of every tier must close the sockets, servers and processes it opened (leak guard).
 */
import { defineConfig } from "vitest/config";

const LEAK_GUARD = "test/helpers/leak-guard.ts";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["src/**/*.test.ts", "test/helpers/**/*.test.ts"],
          setupFiles: [LEAK_GUARD],
          pool: "forks",
          isolate: false,
          // Generous for a loaded machine: the property tests take seconds there.
          testTimeout: 30_000,
          hookTimeout: 30_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          exclude: ["test/helpers/**", "test/browser/**"],
          setupFiles: [LEAK_GUARD],
          pool: "forks",
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Three files at a time: they spend most of their time waiting on child processes,
          // simulated latencies and Redis, not on the two cores.
          maxWorkers: 3,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          setupFiles: [LEAK_GUARD],
          pool: "forks",
          testTimeout: 60_000,
          hookTimeout: 60_000,
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
      {
        test: {
          name: "cluster",
          include: ["test/pipeline/**/*.test.ts", "test/ledger/lifecycle.test.ts", "test/budget/*.test.ts"],
          globalSetup: ["test/helpers/cluster-tier.ts"],
          setupFiles: [LEAK_GUARD],
          pool: "forks",
          testTimeout: 60_000,
          hookTimeout: 60_000,
          maxWorkers: 2,
          sequence: { groupOrder: 3 },
        },
      },
    ],
  },
});
