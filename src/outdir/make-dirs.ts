/**
 * Making a directory and its missing parents, one level at a time, so that every file-system
 * call can fail on its own and the caller knows exactly which directories it made (to remove
 * them again when the command is refused).
 *
 * Node's own `mkdir(dir, { recursive: true })` is not used for an output directory: on a file
 * system that refuses new entries while its parent exists (`/proc/x`: mkdir says ENOENT) it
 * retries the parent forever, spinning a thread-pool thread at full speed and never answering.
 */
import { mkdir, rmdir, stat } from "node:fs/promises";
import path from "node:path";

/** A failed call, with the path it was about. */
interface DirFailure {
  readonly path: string;
  readonly error: NodeJS.ErrnoException;
}

export class MakeDirsError extends Error {
  readonly failure: DirFailure;
  constructor(failure: DirFailure) {
    super(`${failure.error.code ?? "error"} at ${failure.path}`, { cause: failure.error });
    this.failure = failure;
  }
}

function errno(error: unknown): NodeJS.ErrnoException {
  return error instanceof Error ? (error as NodeJS.ErrnoException) : new Error(String(error));
}

/** Whether `dir` is a directory now (false when it is missing; throws for any other failure). */
async function isDirectory(dir: string): Promise<boolean> {
  try {
    const info = await stat(dir);
    if (info.isDirectory()) return true;
    const error: NodeJS.ErrnoException = new Error(`ENOTDIR: not a directory, stat '${dir}'`);
    error.code = "ENOTDIR";
    throw new MakeDirsError({ path: dir, error });
  } catch (error) {
    if (error instanceof MakeDirsError) throw error;
    if (errno(error).code === "ENOENT") return false;
    throw new MakeDirsError({ path: dir, error: errno(error) });
  }
}

/**
 * Makes `dir` and any missing parents; returns the directories it made, outermost first (empty
 * when `dir` was there). Throws a MakeDirsError naming the path that failed and why.
 */
export async function makeDirs(dir: string): Promise<string[]> {
  const missing: string[] = [];
  let current = path.resolve(dir);
  while (!(await isDirectory(current))) {
    missing.unshift(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  const made: string[] = [];
  for (const level of missing) {
    try {
      await mkdir(level);
      made.push(level);
    } catch (error) {
      // Made meanwhile by another process: as good as made here (but not ours to remove).
      if (errno(error).code === "EEXIST" && (await isDirectory(level))) continue;
      throw new MakeDirsError({ path: level, error: errno(error) });
    }
  }
  return made;
}

/** Removes directories made by makeDirs, innermost first, each only while it is empty. */
export async function removeMadeDirs(made: readonly string[]): Promise<void> {
  for (const dir of [...made].reverse()) {
    try {
      await rmdir(dir);
    } catch {
      return; // not empty (someone wrote in it) or gone: what remains is not ours to remove
    }
  }
}
