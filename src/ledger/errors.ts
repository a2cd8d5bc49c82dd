/**
 * What the ledger finds in Redis and cannot read: a batch record, a row's result or another entry
 * of a batch (its budget history, its workers' wait notes) written by another version of
 * runflow-batch or changed by hand. Nothing the user did wrong in the command,
 * but not a bug either: Redis holds something this version cannot use. Each is a
 * ConfigurationError (exit 4) whose message says what and how to go on, never a stack.
 */
import type { z } from "zod";
import { ConfigurationError } from "../core/errors.js";

/** A batch's hash in Redis does not read as a batch record (exit 4). */
export class UnreadableBatchError extends ConfigurationError {
  constructor(
    readonly batchId: string,
    readonly problems: readonly string[],
  ) {
    super(
      `batch ${batchId}'s record in Redis cannot be read (${problems.join("; ")}); it was written by ` +
        "another version of runflow-batch or changed by hand. Submit the manifest again under a new --batch id.",
    );
  }
}

/** A row's recorded result does not read as one (exit 4). */
export class UnreadableResultError extends ConfigurationError {
  constructor(
    readonly batchId: string,
    readonly row: string,
    detail: string,
  ) {
    super(
      `the recorded result of row ${row} in batch ${batchId} cannot be read (${detail}); it was written by ` +
        "another version of runflow-batch or changed by hand. Submit the manifest again under a new --batch id.",
    );
  }
}

/** Any other entry the ledger keeps for a batch that does not read as one (exit 4): `what` names it. */
export class UnreadableLedgerEntryError extends ConfigurationError {
  constructor(what: string, detail: string, next = "Submit the manifest again under a new --batch id.") {
    super(
      `${what} in Redis cannot be read (${detail}); it was written by another version of runflow-batch ` +
        `or changed by hand. ${next}`,
    );
  }
}

/** A schema's complaints, one `field: message` each, for the messages above. */
export function issuesText(error: z.ZodError, whole: string): string {
  return error.issues.map((i) => `${i.path.join(".") || whole}: ${i.message}`).join("; ");
}
