import { appendFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { manualClock } from "../helpers/manual-clock.js";
import { createRun, getRun, withSimulator } from "../helpers/simulator-http.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function stateFile(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "rfb-journal-"));
  dirs.push(dir);
  return path.join(dir, "rehearsal", "simulator.jsonl");
}

describe("a rehearsal's simulator journal", () => {
  it("knows its runs and idempotency keys again after a restart, and bills each once", async () => {
    const file = await stateFile();
    const clock = manualClock();
    const body = { input: { prompt: "a chair", quality: "low" }, client_ref: "b/row-1" };
    const first = await withSimulator({ stateFile: file, clock, latencyMs: 1_000, seed: 1 });
    const created = await createRun(first, "openai/gpt-image-2", body, { idempotencyKey: "key-1" });
    expect(created.status).toBe(201);
    const image = (await getRun(first, created.json.id as string)).json;
    await first.close(); // Ctrl-C while the run is in flight

    const second = await withSimulator({ stateFile: file, clock, latencyMs: 1_000, seed: 2 });
    expect((await getRun(second, created.json.id as string)).json.status_code).not.toBe("succeeded");
    clock.advance(1_000);
    const done = await getRun(second, created.json.id as string);
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ id: created.json.id, status_code: "succeeded", cost: "0.009000" });
    const replay = await createRun(second, "openai/gpt-image-2", body, { idempotencyKey: "key-1" });
    expect(replay.json.id).toBe(created.json.id);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(second.ledger()).toMatchObject({ runsCreated: 1, billedMicros: 9_000 });
    expect(image.input).toEqual(done.json.input);
  });

  it("skips a line torn by a crash and numbers new runs after the old ones", async () => {
    const file = await stateFile();
    const first = await withSimulator({ stateFile: file });
    const a = await createRun(first, "openai/gpt-image-2", { input: { prompt: "a" } });
    await first.close();
    await appendFile(file, '{"run":{"id":"torn');
    const second = await withSimulator({ stateFile: file });
    expect((await getRun(second, a.json.id as string)).status).toBe(200);
    const b = await createRun(second, "openai/gpt-image-2", { input: { prompt: "b" } });
    expect(b.json.id).not.toBe(a.json.id);
    expect(second.ledger().runs.map((r) => r.id)).toEqual([a.json.id, b.json.id]);
  });
});
