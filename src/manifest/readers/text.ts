/**
 * A manifest's bytes as the readers take them. UTF-8 (the default, and what a UTF-8 BOM says)
 * stays bytes, or text through Node's own decoder: the fast path. Any other encoding
 * (`--encoding windows-1252`, `latin1`, `utf-16le`…, or a UTF-16 BOM found on its own) is
 * decoded by iconv-lite, loaded only then. `skipLines` starts the stream after that many line
 * ends (the CSV reader's way to read on after a malformed record).
 *
 * A pass opens the file once (openManifestFile): its first 64 KiB are read from the descriptor
 * the stream then reads on — the byte order mark, the CSV header's separator and the bytes'
 * fingerprint all come from that one open.
 */
import { createHash } from "node:crypto";
import { close, createReadStream, fstat, open, read } from "node:fs";
import { promisify } from "node:util";
import { Transform, type Readable, type TransformCallback } from "node:stream";
import type IconvLite from "iconv-lite";
import { ManifestError } from "../errors.js";
import type { Undecodable } from "../types.js";
import { watchUtf8 } from "./utf8-watch.js";

/** A manifest file opened for one pass: its descriptor, size and first bytes. */
export interface ManifestFile {
  readonly fd: number;
  readonly size: number;
  /** The first HEAD_BYTES bytes (fewer in a smaller file). */
  readonly head: Buffer;
}

const HEAD_BYTES = 64 * 1024;
const openFd = promisify(open);
const fstatFd = promisify(fstat);
const readFd = promisify(read);
const closeFd = promisify(close);

/** Opens a manifest once for a pass and reads its first bytes; the stream made from it closes it. */
export async function openManifestFile(path: string): Promise<ManifestFile> {
  const fd = await openFd(path, "r");
  try {
    const { size } = await fstatFd(fd);
    const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
    const { bytesRead } = await readFd(fd, head, 0, head.length, 0);
    return { fd, size, head: head.subarray(0, bytesRead) };
  } catch (error) {
    await closeFd(fd).catch(() => undefined);
    throw error;
  }
}

/** Closes a file opened for a pass that ended before a stream took it over. */
export function closeManifestFile(file: ManifestFile): Promise<void> {
  return closeFd(file.fd).catch(() => undefined);
}

/** A SHA-256 of every byte a stream reads: the manifest's fingerprint, taken in the same pass. */
export interface Fingerprint {
  update(chunk: Buffer): void;
  /** The digest of the whole file, taken elsewhere (the CSV parser thread). */
  adopt(sha256: string): void;
  /** The hex digest; null when the stream did not read the whole file. */
  digest(): string | null;
}

export function createFingerprint(size: number): Fingerprint {
  const hash = createHash("sha256");
  let bytes = 0;
  let adopted: string | null = null;
  return {
    update(chunk) {
      hash.update(chunk);
      bytes += chunk.length;
    },
    adopt: (sha256) => void (adopted = sha256),
    digest: () => adopted ?? (bytes === size ? hash.digest("hex") : null),
  };
}

export interface TextOptions {
  /** The encoding asked for (`--encoding`); a byte order mark overrides it. */
  readonly encoding?: string | undefined;
  /** Strings rather than bytes, also on the UTF-8 path (JSONL reads text). */
  readonly text?: boolean;
  /** Start after this many line ends (`\n`). */
  readonly skipLines?: number;
  /** Given the text of the last line skipped (without its line end), once it is known. */
  readonly onSkipped?: (line: string) => void;
  /** The name errors give the file. */
  readonly file?: string;
  /** The file already opened for this pass (else it is opened here). */
  readonly opened?: ManifestFile | undefined;
  /** Given every byte read, before decoding. */
  readonly onBytes?: ((chunk: Buffer) => void) | undefined;
}

export interface ManifestText {
  /** Buffers of UTF-8 (the fast path) or strings. */
  readonly stream: Readable;
  /** The encoding in use, as iconv-lite or Node names it. */
  readonly encoding: string;
  /**
   * Read as UTF-8: set once bytes that are not UTF-8 went by (before the rows holding them come
   * out of a parser reading `stream`), with what the file most likely is. Null otherwise.
   */
  undecodable(): Undecodable | null;
}

const UTF8_NAMES = new Set(["utf8", "utf-8", "unicode-1-1-utf-8"]);

function isUtf8(encoding: string | undefined): boolean {
  return encoding === undefined || UTF8_NAMES.has(encoding.trim().toLowerCase());
}

/** The encoding a byte order mark names, or null. */
function bomEncoding(head: Buffer): "utf-8" | "utf-16le" | "utf-16be" | null {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return "utf-8";
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  return null;
}

type Iconv = typeof IconvLite;
/** iconv-lite, loaded on first use (Node caches the module): UTF-8 manifests never load it. */
const loadIconv = (): Promise<Iconv> =>
  import("iconv-lite").then((module) => (module as unknown as { default?: Iconv }).default ?? module);

const ENCODING_EXAMPLES = "utf-8, windows-1252, latin1, utf-16le";

/** Throws a ManifestError unless iconv-lite (or the UTF-8 path) knows the encoding. */
export async function checkEncoding(encoding: string | undefined, file = "the manifest"): Promise<void> {
  if (isUtf8(encoding)) return;
  const iconv = await loadIconv();
  if (!iconv.encodingExists(encoding as string)) {
    throw new ManifestError(
      `${file}: unknown --encoding ${JSON.stringify(encoding)}; use one such as ${ENCODING_EXAMPLES} ` +
        "(Excel on Windows saves CSV as windows-1252).",
      { file },
    );
  }
}

const cut = (data: Buffer | string, from: number, to?: number): Buffer | string =>
  typeof data === "string" ? data.slice(from, to) : data.subarray(from, to);

/** Drops everything up to and including the n-th line end; reports the last line it dropped. */
function skipLinesTransform(lines: number, onSkipped?: (line: string) => void): Transform {
  let left = lines;
  let last: (Buffer | string)[] = [];
  const report = () => {
    const text = last.every(Buffer.isBuffer)
      ? Buffer.concat(last as Buffer[]).toString("utf8")
      : last.join("");
    onSkipped?.(text.replace(/\r$/, ""));
    last = [];
  };
  return new Transform({
    transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback) {
      let data = chunk;
      while (left > 0) {
        const at = typeof data === "string" ? data.indexOf("\n") : data.indexOf(10);
        if (left === 1) last.push(at === -1 ? data : cut(data, 0, at));
        if (at === -1) return callback();
        left -= 1;
        if (left === 0) report();
        data = cut(data, at + 1);
      }
      if (data.length > 0) this.push(data);
      callback();
    },
    flush(callback: TransformCallback) {
      if (left === 1) report(); // the file ends inside the last line to skip
      callback();
    },
  });
}

/** The encoding a file starting with `head` is read in: its BOM's, else the one asked for, else UTF-8. */
export function resolveEncoding(head: Buffer, asked: string | undefined): string {
  const encoding = bomEncoding(head) ?? asked?.trim() ?? "utf-8";
  return isUtf8(encoding) ? "utf-8" : encoding;
}

/** The raw bytes of an opened file, from its start, told to `onBytes` as they are read. */
function byteStream(opened: ManifestFile, onBytes: ((chunk: Buffer) => void) | undefined): Readable {
  const source = createReadStream("", { fd: opened.fd, start: 0, highWaterMark: 64 * 1024, autoClose: true });
  if (onBytes) source.on("data", (chunk) => onBytes(chunk as Buffer));
  return source;
}

export async function openManifestText(path: string, options: TextOptions = {}): Promise<ManifestText> {
  const file = options.file ?? path;
  const opened = options.opened ?? (await openManifestFile(path));
  const encoding = resolveEncoding(opened.head, options.encoding);
  let stream: Readable;
  let undecodable = (): Undecodable | null => null;
  if (isUtf8(encoding)) {
    const source = byteStream(opened, options.onBytes);
    const watch = watchUtf8();
    source.on("error", (error) => watch.transform.destroy(error));
    stream = source.pipe(watch.transform);
    if (options.text) stream.setEncoding("utf8");
    undecodable = watch.undecodable;
  } else {
    await checkEncoding(encoding, file).catch(async (error: unknown) => {
      await closeManifestFile(opened);
      throw error;
    });
    const iconv = await loadIconv();
    const source = byteStream(opened, options.onBytes);
    const decoder = iconv.decodeStream(encoding) as unknown as Transform;
    source.on("error", (error) => decoder.destroy(error));
    stream = source.pipe(decoder);
  }
  const skip = options.skipLines ?? 0;
  if (skip > 0) {
    const skipper = skipLinesTransform(skip, options.onSkipped);
    stream.on("error", (error) => skipper.destroy(error));
    stream = stream.pipe(skipper);
  }
  return { stream, encoding, undecodable };
}

/** The first line that is not blank in a file's first bytes, decoded: enough to tell the CSV delimiter. */
export async function firstLineOf(head: Buffer, encoding: string): Promise<string> {
  const text = (isUtf8(encoding) ? head.toString("utf8") : (await loadIconv()).decode(head, encoding))
    .replace(/^\uFEFF/, "")
    .replace(/^(\s*\r?\n)+/, "");
  const end = text.indexOf("\n");
  return end === -1 ? text.trim() : text.slice(0, end).replace(/\r$/, "");
}

/** The file's first line that is not blank, decoded (at most 64 KiB read): enough to tell the CSV delimiter. */
export async function readFirstLine(
  path: string,
  options: Pick<TextOptions, "encoding" | "file"> = {},
): Promise<string> {
  const { stream } = await openManifestText(path, { ...options, text: true });
  let text = "";
  try {
    for await (const chunk of stream as AsyncIterable<string | Buffer>) {
      text += typeof chunk === "string" ? chunk : chunk.toString("utf8");
      text = text.replace(/^\uFEFF/, "").replace(/^(\s*\r?\n)+/, "");
      const end = text.indexOf("\n");
      if (end !== -1) return text.slice(0, end).replace(/\r$/, "");
      if (text.length >= 64 * 1024) break;
    }
    return text.trim();
  } finally {
    stream.destroy();
  }
}
