/**
 * Picks on the dashboard (issue 21): a batch's picks kept in Redis on the batch, shared by every
 * reviewer, behind the dashboard's token (tokenGuard runs first), and changed only when it was
 * started with --allow-actions:
 *   GET  /batches/:id/picks       {"picks": [{id, image, pick, note}], "pick": n, "reject": n}
 *   GET  /batches/:id/picks.csv   picks.csv (ledger/picks-file.ts), as `picks --export` writes it
 *   POST /batches/:id/picks       {"id", "image", "pick": "pick"|"reject"|null, "note"?}: one verdict
 *                                 (JSON only, so a cross-site form cannot send one)
 */
import type { Hono } from "hono";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { BatchRecords } from "../ledger/batch-records.js";
import type { Keys } from "../ledger/keys.js";
import { pickProblems } from "../ledger/pick-targets.js";
import { PICK_STATES, picksCsv } from "../ledger/picks-file.js";
import { createPicksStore } from "../ledger/picks.js";
import type { ResultReader } from "../ledger/result-reader.js";

export interface PicksRoutesOptions {
  readonly redis: Redis;
  readonly keys: Keys;
  readonly batches: Pick<BatchRecords, "get">;
  readonly results: Pick<ResultReader, "results">;
  readonly allowActions: boolean;
}

const verdict = z.strictObject({
  id: z.string().min(1),
  image: z.number().int().positive(),
  pick: z.enum(PICK_STATES).nullable(),
  note: z.string().max(2_000).optional(),
});

export function mountPicks(app: Hono, o: PicksRoutesOptions): void {
  const store = createPicksStore(o.redis, o.keys);
  const known = async (id: string) => (await o.batches.get(id)) !== null;

  app.get("/batches/:id/picks", async (c) => {
    const id = c.req.param("id");
    if (!(await known(id))) return c.json({ error: "no such batch" }, 404);
    const picks = await store.list(id);
    const pick = picks.filter((p) => p.pick === "pick").length;
    return c.json({ picks, pick, reject: picks.length - pick });
  });

  app.get("/batches/:id/picks.csv", async (c) => {
    const id = c.req.param("id");
    if (!(await known(id))) return c.text("no such batch\n", 404);
    return c.body(picksCsv(await store.list(id)), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": 'attachment; filename="picks.csv"',
    });
  });

  app.post("/batches/:id/picks", async (c) => {
    if (!o.allowActions)
      return c.text(
        "picks are read-only here: start the dashboard with --allow-actions to change them\n",
        403,
      );
    if (!(c.req.header("content-type") ?? "").startsWith("application/json"))
      return c.text("send the verdict as JSON (content-type: application/json)\n", 415);
    const id = c.req.param("id");
    if (!(await known(id))) return c.text("no such batch\n", 404);
    const parsed = verdict.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success)
      return c.text(
        'a verdict is {"id": row, "image": 1, 2…, "pick": "pick", "reject" or null, "note"}\n',
        400,
      );
    const { id: row, image, pick, note } = parsed.data;
    const problems = await pickProblems(o.results, id, [{ id: row, image }]);
    if (problems.length > 0) return c.text(`${problems.join("; ")}\n`, 400);
    if (pick === null) await store.clear(id, [{ id: row, image }]);
    else await store.set(id, [{ id: row, image, pick, note: note ?? "" }]);
    return c.json(await store.counts(id));
  });
}
