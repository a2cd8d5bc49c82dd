/**
 * Every test file closes the connections and servers it opened: after the file's tests, the
 * sockets and servers of this process must be back to what they were before them (given a
 * moment, since closing is asynchronous). A Redis connection, a simulator or a child process
 * left open fails the file, naming what is still open. Loaded for every file (vitest.config.ts).
 */
import { afterAll, beforeAll } from "vitest";

const WATCHED = ["TCPSocketWrap", "TCPServerWrap", "PipeWrap", "ProcessWrap"] as const;

function openResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of process.getActiveResourcesInfo()) {
    if ((WATCHED as readonly string[]).includes(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

function leftOver(before: Map<string, number>): string[] {
  const now = openResources();
  return WATCHED.flatMap((name) => {
    const extra = (now.get(name) ?? 0) - (before.get(name) ?? 0);
    return extra > 0 ? [`${extra} × ${name}`] : [];
  });
}

let before = new Map<string, number>();
beforeAll(() => {
  before = openResources();
});

afterAll(async () => {
  const deadline = Date.now() + 5_000;
  let open = leftOver(before);
  while (open.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    open = leftOver(before);
  }
  if (open.length > 0)
    throw new Error(
      `this file left open: ${open.join(", ")} — close what the tests open (afterEach/afterAll)`,
    );
}, 10_000);
