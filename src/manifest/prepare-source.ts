/**
 * What a command does with the manifest it was given before anything reads it:
 * - `-` (or /dev/stdin) reads standard input; a named pipe or `<(…)` is read the same way. It is
 *   spooled to a file named by its SHA-256 under the state directory first, so every later
 *   reader (the validation pass, the producer, the reports) reads the same bytes, and the same
 *   input piped again is the same file — the same batch, resumed. The format is
 *   `--input-format`, else sniffed from the first line.
 * - `--encoding` and the format are checked before anything is read. The CSV separator is read
 *   from the header by the manifest's one pass (readers/csv.ts), which the command then says.
 */
import { createHash, randomUUID } from "node:crypto";
import { constants, createReadStream, createWriteStream, openSync } from "node:fs";
import { Socket } from "node:net";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { readConfig, type Environment } from "../config/config.js";
import { UsageError } from "../core/errors.js";
import { ManifestError } from "./errors.js";
import { sniffFormat } from "./sniff.js";
import { checkEncoding, readFirstLine } from "./readers/text.js";
import type { ManifestSource } from "./source.js";
import { detectFormat } from "./stream.js";
import type { ManifestFormat } from "./types.js";

export const STDIN = "-";
/** Read once, like `-`: a second read (the producer after the validation pass) would find nothing. */
const STDIN_PATHS = new Set([STDIN, "/dev/stdin"]);
const STDIN_LABEL = "stdin";

export interface SourceIo {
  readonly stdin?: (Readable & { isTTY?: boolean }) | undefined;
  readonly stderr: Writable;
  readonly env: Environment;
}

/** Copies stdin to <stateDir>/stdin/<sha256>.<ext>; returns the path (the same for the same bytes). */
async function spoolStdin(
  stdin: Readable,
  dir: string,
  format: ManifestFormat | undefined,
): Promise<{ path: string; bytes: number }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const incoming = join(dir, `.incoming-${process.pid}-${randomUUID().slice(0, 8)}`);
  const hash = createHash("sha256");
  let bytes = 0;
  const count = async function* (chunks: AsyncIterable<Buffer | string>) {
    for await (const chunk of chunks) {
      hash.update(chunk);
      bytes += Buffer.byteLength(chunk);
      yield chunk;
    }
  };
  try {
    await pipeline(stdin, count, createWriteStream(incoming, { mode: 0o600 }));
    if (bytes === 0) {
      throw new UsageError(
        "`-` reads the manifest from standard input, but it was empty; pipe a CSV, JSON or JSONL manifest in",
      );
    }
    const digest = hash.digest("hex").slice(0, 32);
    let kind = format;
    if (kind === undefined) {
      const sniffed = sniffFormat(await readFirstLine(incoming));
      if (sniffed === null)
        throw new UsageError("standard input holds only blank lines; pipe a CSV, JSON or JSONL manifest in");
      kind = sniffed;
    }
    const path = join(dir, `${digest}.${kind}`);
    await rename(incoming, path);
    return { path, bytes };
  } finally {
    await rm(incoming, { force: true });
  }
}

/** A pipe, FIFO or device (`<(…)`, a named pipe): it can be read only once, so it is spooled too. */
async function readOnce(path: string): Promise<"fifo" | "device" | null> {
  const info = await stat(path).catch(() => null);
  if (info === null || info.isFile() || info.isDirectory()) return null;
  return info.isFIFO() ? "fifo" : "device";
}

/**
 * A FIFO read through the event loop, not a thread-pool read: open() of a FIFO blocks until a
 * writer comes, and a thread held so can neither be stopped nor let the process exit (Ctrl-C).
 * Opened without blocking, it waits in epoll, and ends when its writer closes it.
 */
function fifoStream(path: string): Readable {
  try {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    return new Socket({ fd, readable: true, writable: false });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ManifestError(`${path}: cannot be read (${code}).`, { file: path, cause: error });
  }
}

/** The format the name says, or undefined (then the first line tells). */
function formatOfName(path: string): ManifestFormat | undefined {
  try {
    return detectFormat(path);
  } catch {
    return undefined;
  }
}

async function spooled(
  source: ManifestSource,
  input: Readable,
  label: string,
  io: SourceIo,
): Promise<ManifestSource> {
  const dir = join(readConfig({}, io.env).stateDir, "stdin");
  const named = source.format ?? (label === STDIN_LABEL ? undefined : formatOfName(source.path));
  const { path, bytes } = await spoolStdin(input, dir, named);
  const format = named ?? detectFormat(path);
  const how = named === undefined ? `${format}, guessed from the first line; --input-format sets it` : format;
  io.stderr.write(
    `Read the manifest from ${label} (${bytes.toLocaleString("en-US")} bytes, ${how}); kept as ${path}.\n`,
  );
  return { ...source, path, format, label: source.label ?? label };
}

async function fromStdin(source: ManifestSource, io: SourceIo): Promise<ManifestSource> {
  const stdin = io.stdin;
  if (!stdin || stdin.isTTY) {
    throw new UsageError(
      "`-` reads the manifest from standard input, but nothing is piped in; " +
        "e.g. `cat jobs.csv | runflow-batch estimate -` (add --input-format csv|json|jsonl to skip the guess)",
    );
  }
  return spooled(source, stdin, STDIN_LABEL, io);
}

/** The source every reader of this command reads: stdin and pipes spooled, the encoding and format checked. */
export async function prepareManifestSource(source: ManifestSource, io: SourceIo): Promise<ManifestSource> {
  let prepared = source;
  if (STDIN_PATHS.has(source.path)) prepared = await fromStdin(source, io);
  else {
    const once = await readOnce(source.path);
    if (once !== null) {
      const input = once === "fifo" ? fifoStream(source.path) : createReadStream(source.path);
      prepared = await spooled(source, input, source.path, io);
    }
  }
  const file = prepared.label ?? prepared.path;
  await checkEncoding(prepared.encoding, file);
  detectFormat(prepared.path, prepared.format, file); // an unknown extension is said before anything is read
  return prepared;
}
