/**
 * `--give-up-after 5s` with no credit: every create is refused (402), nothing progresses, and
 * after 5 s the batch ends failed-rows on its own — its rows recorded failed with the reason, its
 * reports written — instead of waiting forever.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

describe("give up on purpose", () => {
  const bed = useTestbed({ latencyMs: 20, balanceUsd: "0" });

  it(
    "ends a batch with no credit as failed-rows after --give-up-after, with its reports",
    { timeout: 60_000 },
    async () => {
      const dir = await tempDir();
      const out = path.join(dir, "out");
      const args = [
        "run",
        await writeJsonl(dir, generations(8)),
        "--out",
        out,
        "--force",
        "--give-up-after",
        "5s",
      ];
      const result = await cli([...args, "--credit-pause", "500", "--poll-interval", "20"], bed.env());
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/starting anyway \(--force\)/);
      expect(bed.sim.ledger().runsCreated).toBe(0);

      const record = (await bed.store().get(batch(result.stdout)))!;
      expect(record).toMatchObject({
        state: "failed-rows",
        failed: 8,
        succeeded: 0,
        endReason: expect.stringMatching(/^gave up after 5 s/),
      });
      const lines = (await readFile(path.join(out, "results.jsonl"), "utf8"))
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(lines).toHaveLength(8);
      for (const line of lines) {
        expect(line.status).toBe("failed");
        expect(line.error).toMatch(
          /^gave up after 5 s without progress \(--give-up-after\): the Runflow account is out of credit/,
        );
      }
      expect(JSON.parse(await readFile(path.join(out, "cost-report.json"), "utf8"))).toMatchObject({
        state: "failed-rows",
      });
    },
  );
});

/** The batch id from run's summary line. */
function batch(stdout: string): string {
  const id = /batch (b-[0-9a-f]+):/.exec(stdout)?.[1];
  if (!id) throw new Error(`no batch id in ${stdout}`);
  return id;
}
