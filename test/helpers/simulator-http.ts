/**
 * Plain-HTTP helpers for the simulator contract tests (deliberately not our Runflow client).
 * Tests that depend on time pass a manual clock (../helpers/manual-clock.ts) and advance it; tests
 * that wait for I/O use eventually() (../helpers/eventually.ts). No test sleeps.
 */
import { afterEach } from "vitest";
import { startSimulator, type Simulator, type SimulatorOptions } from "../../src/simulator/index.js";
import { manualClock, type ManualClock } from "./manual-clock.js";

export const KEY = "rf_test_contract";

export interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

export async function createRun(
  sim: Simulator,
  model: string,
  body: unknown,
  options: { key?: string | null; idempotencyKey?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const key = options.key === undefined ? KEY : options.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (options.idempotencyKey !== undefined) headers["idempotency-key"] = options.idempotencyKey;
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  return answer(await fetch(`${sim.url}/v1/models/${model}/runs`, { method: "POST", headers, body: raw }));
}

export async function getJson(sim: Simulator, path: string, key: string | null = KEY): Promise<Answer> {
  const headers: Record<string, string> = key === null ? {} : { authorization: `Bearer ${key}` };
  return answer(await fetch(`${sim.url}${path}`, { headers }));
}

export const getRun = (sim: Simulator, id: string) => getJson(sim, `/v1/runs/${id}`);

const started: Simulator[] = [];
// Every simulator a test starts is closed after it (close() is idempotent).
afterEach(async () => {
  for (const sim of started.splice(0)) await sim.close();
});

/** Starts a simulator for a whole test file (beforeAll); the file closes it (afterAll). */
export function sharedSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ seed: 42, ...options });
}

/** Starts a simulator for the current test; it is closed after the test. */
export async function withSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await sharedSimulator(options);
  started.push(sim);
  return sim;
}

/** withSimulator on a manual clock: simulated time moves only with `clock.advance(ms)`. */
export async function withClockedSimulator(
  options: SimulatorOptions = {},
): Promise<{ sim: Simulator; clock: ManualClock }> {
  const clock = manualClock();
  return { sim: await withSimulator({ ...options, clock }), clock };
}

export const PROMPT = { input: { prompt: "a red bicycle on a white background" } };
