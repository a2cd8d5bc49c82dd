/**
 * An output directory is a batch: DIR/.runflow-batch.json names the batch that DIR holds and
 * what it is bound to, so a later command (or a dry-run `estimate --out DIR`) finds it without
 * the network, and a command for another endpoint or account is refused instead of mixing
 * results into DIR.
 */
import { z } from "zod";
import { BatchError, UsageError } from "../core/errors.js";
import { describeBinding, sameBinding, type Binding } from "../ledger/binding.js";
import type { BatchStore } from "./store.js";
import { asStore } from "./stores.js";

const MARKER_FILE = ".runflow-batch.json";

const markerSchema = z.object({
  batch: z.string().min(1),
  endpoint: z.string().min(1),
  account: z.string().min(1),
  created_at: z.string(),
  /**
   * The directories writing the marker made (DIR and missing parents), so that a command refused
   * after it (a wrong key, not enough credit) removes them again with the marker: a refused
   * command leaves the file system as it was.
   */
  made_dirs: z.array(z.string()).optional(),
});
export type DirMarker = z.infer<typeof markerSchema>;

/** The marker of DIR, or null when DIR holds no batch yet. A damaged marker is a clear error. */
export async function readMarker(dir: string | BatchStore): Promise<DirMarker | null> {
  const store = asStore(dir);
  const file = store.where(MARKER_FILE);
  let text: string | null;
  try {
    text = await store.readText(MARKER_FILE);
  } catch (error) {
    if (error instanceof BatchError) throw error; // the store's own error, with its code
    throw new UsageError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, {
      cause: error,
    });
  }
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${file} is not valid JSON; it names the batch this directory holds — restore it, or use another --out`,
      { cause: error },
    );
  }
  const result = markerSchema.safeParse(parsed);
  if (!result.success) {
    throw new UsageError(
      `${file} does not name a batch (${result.error.issues[0]?.message ?? "bad shape"}); ` +
        "restore it, or use another --out",
    );
  }
  return result.data;
}

/** Written when the batch is created or refreshed (temp file + rename, or one PUT: whole or absent). */
export async function writeMarker(dir: string | BatchStore, marker: DirMarker): Promise<void> {
  const store = asStore(dir);
  const made = await store.makeDir();
  const written: DirMarker = made.length > 0 ? { ...marker, made_dirs: made } : marker;
  await store.writeText(MARKER_FILE, JSON.stringify(written, null, 2) + "\n");
}

/**
 * Takes back the marker of a batch this command created and then refused to start: removes it,
 * and the directories writing it made while they are empty. Never fails (best effort).
 */
export async function removeMarker(dir: string | BatchStore): Promise<void> {
  const store = asStore(dir);
  const marker = await readMarker(store).catch(() => null);
  await store.remove(MARKER_FILE).catch(() => undefined);
  await store.removeMadeDirs(marker?.made_dirs ?? []);
}

/** Refuses to run into DIR when it holds a batch of another endpoint or account. */
export function checkMarkerBinding(dir: string, marker: DirMarker, binding: Binding): void {
  const held: Binding = { endpoint: marker.endpoint, account: marker.account };
  if (sameBinding(held, binding)) return;
  throw new UsageError(
    `${dir} holds batch ${marker.batch}, made for ${describeBinding(held)}; ` +
      `this command is for ${describeBinding(binding)}. ` +
      `Results of two endpoints or accounts never share a directory: pass another --out (or use the same ` +
      `RUNFLOW_BASE_URL / RUNFLOW_API_KEY, or --simulate, as the batch was made with).`,
  );
}
