import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Every file must close the sockets, servers and processes it opened.
    setupFiles: ["test/helpers/leak-guard.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Integration tests share one Redis and this 2-core machine; files run two at a time.
    maxWorkers: 2,
  },
});
