/**
 * A batch record Redis holds but this version cannot read (a corrupted or foreign-version hash)
 * is a typed error (issue 18, item 6): `status BATCH` exits 4 with the message saying which
 * batch, which field and what to do — never "unexpected error (please report it)" and a stack.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createKeys } from "../../src/ledger/keys.js";
import { cli } from "../helpers/cli.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

const STACK = /^\s+at .+:\d+:\d+\)?$/m;

describe("an unreadable batch record", () => {
  const bed = useTestbed();

  it("makes `status BATCH` exit 4 with a message that says what to do, and no stack", async () => {
    const dir = await tempDir();
    const submitted = await cli(
      ["submit", await writeJsonl(dir, generations(3)), "--out", path.join(dir, "out")],
      bed.env(),
    );
    expect(submitted.code, submitted.stderr).toBe(0);
    const batch = submitted.stdout.trim();

    // A hash changed by hand (or written by a future version): its estimate is not a number.
    await bed.redis.redis.hset(createKeys(bed.redis.prefix).batch(batch), "estimate_micros", "lots");
    const status = await cli(["status", batch], bed.env());
    expect(status.code, status.stderr).toBe(4);
    expect(status.stderr).toMatch(
      new RegExp(`batch ${batch}'s record in Redis cannot be read \\(.*estimate_micros.*\\).*new --batch id`),
    );
    expect(status.stderr).not.toMatch(/unexpected error/);
    expect(status.stderr).not.toMatch(STACK);
  });
});
