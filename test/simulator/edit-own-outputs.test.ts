/**
 * An edit may take an earlier run's output as its reference (issue 21: a draft promoted with
 * `--as edit`): the simulator checks URLs of its own outputs when the run is created — fresh ones
 * are accepted, an expired one, one it did not sign and one of a run whose outputs are no longer
 * served are answered 422 VALIDATION_ERROR naming the field and the reason. URLs of other hosts
 * are accepted unread. POST /__simulator/runs/{id}/expire-outputs makes a run's outputs gone.
 */
import { describe, expect, it } from "vitest";
import type { Simulator } from "../../src/simulator/index.js";
import { createRun, getRun, withClockedSimulator } from "../helpers/simulator-http.js";

const EDIT = "openai/gpt-image-2/edit";

async function draftUrl(
  sim: Simulator,
  clock: { advance(ms: number): void },
): Promise<{ id: string; url: string }> {
  const id = (
    await createRun(sim, "openai/gpt-image-2", {
      input: { prompt: "a chair", quality: "low", num_images: 2 },
    })
  ).json.id as string;
  clock.advance(10);
  const output = (await getRun(sim, id)).json.output as { image_urls: string[] };
  return { id, url: output.image_urls[1] as string };
}

const edit = (sim: Simulator, urls: string[]) =>
  createRun(sim, EDIT, { input: { prompt: "the same chair, finished", quality: "high", image_urls: urls } });

describe("edits of the simulator's own outputs", () => {
  it("accepts a fresh output URL, and one of another host unread", async () => {
    const { sim, clock } = await withClockedSimulator({ urlTtlSeconds: 60 });
    const draft = await draftUrl(sim, clock);
    const made = await edit(sim, [draft.url, "https://cdn.example.com/product.png"]);
    expect(made.status).toBe(201);
    expect((made.json.input as { image_urls: string[] }).image_urls[0]).toBe(draft.url);
  });

  it("answers 422 for an expired URL, one it did not sign, and one of outputs no longer served", async () => {
    const { sim, clock } = await withClockedSimulator({ urlTtlSeconds: 60 });
    const draft = await draftUrl(sim, clock);
    clock.advance(61_000);
    const expired = await edit(sim, [draft.url]);
    expect(expired.status).toBe(422);
    expect(expired.json.code).toBe("VALIDATION_ERROR");
    expect(expired.json.errors).toEqual([
      expect.objectContaining({
        field: "input.image_urls.0",
        message: "input.image_urls.0 has expired (URL_EXPIRED): read the run again for a fresh URL",
      }),
    ]);

    const fresh = ((await getRun(sim, draft.id)).json.output as { image_urls: string[] })
      .image_urls[1] as string;
    const forged = fresh.replace(/sig=[0-9a-f]{32}/, `sig=${"0".repeat(32)}`);
    const foreign = await edit(sim, ["https://cdn.example.com/a.png", forged]);
    expect(foreign.status).toBe(422);
    expect(String(foreign.json.message)).toContain(
      "input.image_urls.1 is not signed by this Runflow (SIGNATURE_INVALID)",
    );

    const gone = await fetch(`${sim.url}/__simulator/runs/${draft.id}/expire-outputs`, { method: "POST" });
    expect(gone.status).toBe(200);
    expect((await getRun(sim, draft.id)).json).toMatchObject({ status_code: "succeeded", output: null });
    expect((await fetch(fresh)).status).toBe(410);
    const unserved = await edit(sim, [fresh]);
    expect(unserved.status).toBe(422);
    expect(String(unserved.json.message)).toContain(
      "input.image_urls.0 is no output this Runflow serves (OUTPUT_NOT_FOUND)",
    );
    expect(sim.ledger().runsCreated).toBe(1); // the draft only: refused creates make nothing
  });
});
