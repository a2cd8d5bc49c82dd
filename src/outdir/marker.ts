/**
 * An output directory is a batch: DIR/.runflow-batch.json names the batch that DIR holds and
 * what it is bound to, so a later command (or a dry-run `estimate --out DIR`) finds it without
 * the network, and a command for another endpoint or account is refused instead of mixing
 * results into DIR.
 */
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { UsageError } from "../core/errors.js";
import { describeBinding, sameBinding, type Binding } from "../ledger/binding.js";
import { makeDirs, removeMadeDirs } from "./make-dirs.js";

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
export async function readMarker(dir: string): Promise<DirMarker | null> {
  const file = path.join(dir, MARKER_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new UsageError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, {
      cause: error,
    });
  }
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
      `${file} does not name a batch (${result.error.issues[0]?.message ?? "bad shape"}); restore it, or use another --out`,
    );
  }
  return result.data;
}

/** Written when the batch is created or refreshed (temp file + rename, so it is whole or absent). */
export async function writeMarker(dir: string, marker: DirMarker): Promise<void> {
  const made = await makeDirs(dir);
  const file = path.join(dir, MARKER_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  const written: DirMarker = made.length > 0 ? { ...marker, made_dirs: made } : marker;
  await writeFile(temp, JSON.stringify(written, null, 2) + "\n");
  await rename(temp, file);
}

/**
 * Takes back the marker of a batch this command created and then refused to start: removes it,
 * and the directories writing it made while they are empty. Never fails (best effort).
 */
export async function removeMarker(dir: string): Promise<void> {
  const marker = await readMarker(dir).catch(() => null);
  await rm(path.join(dir, MARKER_FILE), { force: true }).catch(() => undefined);
  await removeMadeDirs(marker?.made_dirs ?? []);
}

/** Refuses to run into DIR when it holds a batch of another endpoint or account. */
export function checkMarkerBinding(dir: string, marker: DirMarker, binding: Binding): void {
  const held: Binding = { endpoint: marker.endpoint, account: marker.account };
  if (sameBinding(held, binding)) return;
  throw new UsageError(
    `${dir} holds batch ${marker.batch}, made for ${describeBinding(held)}; this command is for ${describeBinding(binding)}. ` +
      `Results of two endpoints or accounts never share a directory: pass another --out (or use the same ` +
      `RUNFLOW_BASE_URL / RUNFLOW_API_KEY, or --simulate, as the batch was made with).`,
  );
}
