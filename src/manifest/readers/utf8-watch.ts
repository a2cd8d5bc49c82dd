/**
 * Watching a manifest read as UTF-8 for bytes that are not UTF-8, and saying what the file most
 * likely is instead. The bytes pass through unchanged; each chunk is checked with Node's
 * `isUtf8` (a sequence cut by a chunk's end is checked with the next chunk), until the first
 * invalid one: then the chunk that holds it is looked at once (guessEncoding) and the watch stops.
 *
 * The common case is an Excel export saved on Windows: Windows-1252, whose accented letters are
 * single bytes (é is 0xE9) that UTF-8 cannot read. So every row with an accented name would be
 * "not valid UTF-8" on its own; the verdict lets the problem say the cause once, with the fix.
 */
import { isUtf8 } from "node:buffer";
import { Transform, type TransformCallback } from "node:stream";
import type { Undecodable } from "../types.js";

/** Bytes Windows-1252 leaves undefined: a file holding them is not Windows-1252. */
const CP1252_UNDEFINED = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

/**
 * "windows-1252" when `sample` reads as Windows-1252 text: no byte it leaves undefined, and its
 * bytes above 0x7F mostly alone or in pairs between ASCII (accented letters of Western text), not
 * in long runs (Shift_JIS, GBK and other multi-byte encodings, or UTF-8 of another script).
 */
export function guessEncoding(sample: Uint8Array): Undecodable["guess"] {
  let high = 0;
  let inRuns = 0;
  let run = 0;
  const endRun = () => {
    if (run >= 3) inRuns += run;
    run = 0;
  };
  for (const byte of sample) {
    if (byte < 0x80) {
      endRun();
      continue;
    }
    if (CP1252_UNDEFINED.has(byte)) return null;
    high += 1;
    run += 1;
  }
  endRun();
  return high > 0 && inRuns * 2 < high ? "windows-1252" : null;
}

/** Where a sequence cut by the end of `chunk` starts (chunk.length when none is cut). */
export function completeUpTo(chunk: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, chunk.length); back++) {
    const byte = chunk[chunk.length - back] as number;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
    if (byte < 0xc0) return chunk.length; // ASCII (or a stray continuation): nothing is cut
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
    return back < length ? chunk.length - back : chunk.length;
  }
  return chunk.length;
}

interface Utf8Watch {
  /** Passes bytes through unchanged, watching them. */
  readonly transform: Transform;
  /** Set once bytes that are not UTF-8 went by (before the rows that hold them are read). */
  undecodable(): Undecodable | null;
}

export function watchUtf8(): Utf8Watch {
  let verdict: Undecodable | null = null;
  let carry: Buffer | null = null;
  const check = (chunk: Buffer) => {
    const bytes = carry ? Buffer.concat([carry, chunk]) : chunk;
    const end = completeUpTo(bytes);
    if (!isUtf8(bytes.subarray(0, end))) verdict = { guess: guessEncoding(bytes) };
    carry = end < bytes.length ? Buffer.from(bytes.subarray(end)) : null;
  };
  const transform = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      if (verdict === null) check(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      // The file ends inside a sequence: those last bytes are not UTF-8 either.
      if (verdict === null && carry !== null) verdict = { guess: guessEncoding(carry) };
      callback();
    },
  });
  return { transform, undecodable: () => verdict };
}
