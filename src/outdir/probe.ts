/**
 * Before anything is submitted: can this machine write the output directory? Creates DIR and
 * DIR/images (as the batch will), writes a small probe file in each, and removes the probe files
 * and every directory it made again — so a refused or dry-run command leaves the file system as
 * it was; the batch makes its directories when it writes in them.
 *
 * A failure is a usage error (exit 2) naming the path and the OS reason, found before a single
 * request reaches Runflow — not after the first runs were billed. Every call can fail on its own
 * (no recursive mkdir: it never returns on /proc), and the whole probe is bounded in time: a
 * file system that does not answer (a hung network mount) is said after
 * LOCAL_DEFAULTS.probeTimeoutMs.
 */
import { randomBytes } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { LOCAL_DEFAULTS } from "../config/defaults.js";
import { UsageError } from "../core/errors.js";
import { makeDirs, MakeDirsError, removeMadeDirs } from "./make-dirs.js";

/** "EACCES: permission denied" from an fs error, or its message. */
function osReason(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text =
    typeof message === "string"
      ? message.replace(/^E[A-Z]+: /, "").replace(/, \w+ '.*'$/, "")
      : String(error);
  return typeof code === "string" ? `${code}: ${text}` : text;
}

function createReason(error: MakeDirsError, dir: string): string {
  const { path: where, error: cause } = error.failure;
  // mkdir says ENOENT though its parent is there: a file system that takes no new entries (/proc).
  if (cause.code === "ENOENT" && cause.syscall === "mkdir")
    return `ENOENT: ${path.dirname(where)} does not accept new directories`;
  return where === dir ? osReason(cause) : `${osReason(cause)}, at ${where}`;
}

async function probeOne(dir: string, what: string, made: string[]): Promise<void> {
  try {
    made.push(...(await makeDirs(dir)));
  } catch (error) {
    const reason = error instanceof MakeDirsError ? createReason(error, dir) : osReason(error);
    throw new UsageError(
      `cannot create ${what} ${dir} (${reason}); nothing was submitted. ` +
        "Choose another --out, or create the directory and make it writable.",
      { cause: error },
    );
  }
  const probe = path.join(dir, `.runflow-batch-probe-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await writeFile(probe, "runflow-batch write probe\n", { flag: "wx" });
  } catch (error) {
    throw new UsageError(
      `cannot write in ${what} ${dir} (${osReason(error)}); nothing was submitted. ` +
        "Make it writable (and check the disk has space), or choose another --out.",
      { cause: error },
    );
  } finally {
    await rm(probe, { force: true }).catch(() => undefined);
  }
}

/** Resolves or rejects with `work`, or rejects with `late()` when `ms` pass first. */
async function within<T>(work: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Throws a UsageError when DIR or DIR/images cannot be created and written, or when the file
 * system does not answer within `timeoutMs`. Leaves neither probe files nor directories it made.
 */
export async function probeOutDir(dir: string, options: { timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? LOCAL_DEFAULTS.probeTimeoutMs;
  const resolved = path.resolve(dir);
  const made: string[] = [];
  const probe = async () => {
    try {
      await probeOne(resolved, "the output directory", made);
      await probeOne(path.join(resolved, "images"), "the images directory", made);
    } finally {
      await removeMadeDirs(made);
    }
  };
  await within(probe(), timeoutMs, () => {
    const seconds = Math.round(timeoutMs / 100) / 10;
    return new UsageError(
      `the output directory ${resolved} did not answer within ${seconds} s (a hung network mount, or a ` +
        "file system that blocks); nothing was submitted. Choose another --out, or fix the mount.",
    );
  });
}
