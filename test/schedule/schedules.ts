/** Schedule files written for a test, and what Redis holds about schedules (through src/schedule). */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { createKeys } from "../../src/ledger/keys.js";
import { createOccurrenceStore, type OccurrenceEntry } from "../../src/schedule/occurrence-store.js";
import { createScheduleQueue, type InstalledSchedule } from "../../src/schedule/scheduler.js";
import type { TestRedis } from "../helpers/redis.js";

/** Writes DIR/<name>.schedule.yaml from `fields` (values written as JSON, which YAML reads). */
export async function writeSchedule(
  dir: string,
  name: string,
  fields: Record<string, unknown>,
): Promise<string> {
  const file = path.join(dir, `${name}.schedule.yaml`);
  const lines = Object.entries({ name, ...fields }).map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
  await writeFile(file, `# written by a test\n${lines.join("\n")}\n`);
  return file;
}

export async function installed(redis: TestRedis): Promise<InstalledSchedule[]> {
  const queue = createScheduleQueue(redis.redis, createKeys(redis.prefix));
  try {
    return (await queue.installed()).sort((a, b) => a.name.localeCompare(b.name));
  } finally {
    await queue.close();
  }
}

/** Oldest first. */
export async function occurrences(redis: TestRedis, name: string): Promise<OccurrenceEntry[]> {
  return (await createOccurrenceStore(redis.redis, createKeys(redis.prefix)).history(name, 1_000)).reverse();
}
