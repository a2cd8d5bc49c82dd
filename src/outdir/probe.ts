/**
 * Before anything is submitted: can this machine write the output directory? Creates DIR and
 * DIR/images (as the batch will), writes a small probe file in each and removes it again. A
 * failure is a usage error (exit 2) naming the path and the OS reason, found before a single
 * request reaches Runflow — not after the first runs were billed.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../core/errors.js";

/** "EACCES: permission denied" from an fs error, or its message. */
function osReason(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text =
    typeof message === "string"
      ? message.replace(/^E[A-Z]+: /, "").replace(/, \w+ '.*'$/, "")
      : String(error);
  return typeof code === "string" ? `${code}: ${text}` : text;
}

async function probeOne(dir: string, what: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new UsageError(
      `cannot create ${what} ${dir} (${osReason(error)}); nothing was submitted. ` +
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

/** Throws a UsageError when DIR or DIR/images cannot be created and written; leaves them empty of probes. */
export async function probeOutDir(dir: string): Promise<void> {
  const resolved = path.resolve(dir);
  await probeOne(resolved, "the output directory");
  await probeOne(path.join(resolved, "images"), "the images directory");
}
