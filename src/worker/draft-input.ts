/**
 * The input a row's create sends. For a final made from a draft image (`promote --as edit`) it is
 * the row's input with the picked image first in `image_urls` — a URL Runflow signs afresh on
 * every read of the draft's run, so it is read right before the create, never taken from the time
 * the batch was submitted. The exact body is saved (ledger/create-bodies.ts) before the POST and
 * sent again as it was on every retry of the attempt: a newly signed URL under the same
 * Idempotency-Key would be another body, which Runflow refuses (409) instead of replaying the run.
 * Only a new attempt, or a create Runflow definitely refused, takes a fresh URL. Other rows send
 * their input as stored, and nothing is read or saved for them.
 */
import type { DraftRef } from "../core/draft-ref.js";
import type { CreateBodies } from "../ledger/create-bodies.js";
import type { RowLedger } from "../ledger/row-ledger.js";
import { classifyError } from "../runflow/errors.js";
import type { Run, RunflowClient } from "../runflow/types.js";
import type { RowWork } from "./row-types.js";

type Input = Readonly<Record<string, unknown>>;

/** Runflow no longer serves the draft image a final is made from: the row fails, naming the draft run. */
export class DraftUnavailable extends Error {
  constructor(draft: DraftRef, detail: string) {
    super(
      `the draft image it is made from is no longer served by Runflow: draft run ${draft.run_id} ` +
        `(batch ${draft.batch}, row ${draft.row}, image ${draft.image}) ${detail}. Run that draft row ` +
        "again (or pick another image) and promote again",
    );
    this.name = "DraftUnavailable";
  }
}

/** Reading the draft's run failed for now (network, 5xx): tried again; no create was sent. */
export class DraftReadFailed extends Error {
  override readonly cause: unknown;
  constructor(draft: DraftRef, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`could not read draft run ${draft.run_id} for a fresh image URL: ${reason}`, { cause });
    this.name = "DraftReadFailed";
    this.cause = cause;
  }
}

export interface DraftInputDeps {
  readonly client: Pick<RunflowClient, "getRun">;
  readonly rows: Pick<RowLedger, "clearPosting">;
  readonly createBodies?: CreateBodies;
}

function bodiesOf(deps: DraftInputDeps): CreateBodies {
  if (!deps.createBodies)
    throw new Error("a row made from a draft image needs the worker's create-body store");
  return deps.createBodies;
}

/** The draft image's URL as Runflow signs it now. */
async function freshUrl(work: RowWork, draft: DraftRef, deps: DraftInputDeps): Promise<string> {
  let run: Run;
  try {
    run = await deps.client.getRun(draft.run_id);
  } catch (error) {
    const kind = classifyError(error).kind;
    if (kind === "permanent") {
      const reason = error instanceof Error ? error.message : String(error);
      throw new DraftUnavailable(draft, `cannot be read (${reason})`);
    }
    // No create of this attempt was sent (its body is saved first): the unanswered-POST guard goes.
    await deps.rows.clearPosting(work.batch, work.row.key);
    throw kind === "retry" ? new DraftReadFailed(draft, error) : error;
  }
  const url = run.outputUrls[draft.image - 1];
  if (url) return url;
  const has = run.outputUrls.length;
  throw new DraftUnavailable(
    draft,
    run.status === "succeeded" || run.status === "partial_succeeded"
      ? `has ${has === 0 ? "no output" : `${has} output${has === 1 ? "" : "s"}`} to give`
      : `is ${run.status}`,
  );
}

/** What this attempt's create sends as `input`. */
export async function createInput(work: RowWork, deps: DraftInputDeps): Promise<Input> {
  const { row } = work;
  if (!row.draft?.reference) return row.input;
  const bodies = bodiesOf(deps);
  const saved = await bodies.get(work.batch, row.key);
  if (saved && saved.attempt === work.attempt && saved.content_sha === work.contentSha) return saved.input;
  const own = Array.isArray(row.input.image_urls) ? (row.input.image_urls as unknown[]) : [];
  const input = { ...row.input, image_urls: [await freshUrl(work, row.draft, deps), ...own] };
  await bodies.save(work.batch, row.key, { attempt: work.attempt, content_sha: work.contentSha, input });
  return input;
}

/** Runflow definitely created nothing with the saved body: the next try may sign a fresh URL. */
export async function forgetInput(work: RowWork, deps: DraftInputDeps): Promise<void> {
  if (work.row.draft?.reference) await bodiesOf(deps).forget(work.batch, work.row.key);
}
