/**
 * CSV records parsed by csv-parse in a worker thread, in batches, so that on a machine with two
 * cores the parsing of a big manifest overlaps its validation (csv-parse alone is about three
 * quarters of the time `estimate` spends on a row). The worker runs the same csv-parse with the
 * same options as the in-thread path and hands over every record in order; records parsed
 * before a failure arrive before the failure, so the caller's line numbers stay exact. At most
 * WINDOW batches are in flight: memory stays flat however long the file is.
 *
 * The worker is plain CommonJS evaluated from a string (no build step, works under tsx, vitest
 * and the compiled binary alike) and requires csv-parse by its resolved path.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { CsvError, type Options } from "csv-parse";
import type { Undecodable } from "../types.js";
import { completeUpTo, guessEncoding } from "./utf8-watch.js";

const BATCH = 1024;
const WINDOW = 4;

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createReadStream } = require("node:fs");
const { createHash } = require("node:crypto");
const { parse, CsvError } = require(workerData.csvParse);
const { isUtf8 } = require("node:buffer");
const parser = parse(workerData.options);
// The file the main thread opened for this pass (a descriptor is the process's, not the thread's).
const source = createReadStream("", { fd: workerData.fd, start: 0, highWaterMark: 64 * 1024, autoClose: true });
const hash = createHash("sha256");
source.on("data", (chunk) => hash.update(chunk));
source.on("error", (error) => parser.destroy(error));
// Bytes that are not UTF-8 are said before the records holding them (utf8-watch.ts, same check).
const completeUpTo = ${completeUpTo.toString()};
let carry = null;
function watch(chunk) {
  const bytes = carry ? Buffer.concat([carry, chunk]) : chunk;
  const end = completeUpTo(bytes);
  carry = end < bytes.length ? Buffer.from(bytes.subarray(end)) : null;
  if (isUtf8(bytes.subarray(0, end))) return;
  source.off("data", watch);
  parentPort.postMessage({ undecodable: bytes });
}
source.on("data", watch);
source.pipe(parser);
let credit = workerData.window;
let ended = false;
let failure = null;
let finished = false;
function pump() {
  while (credit > 0 && !finished) {
    const records = [];
    let record;
    while (records.length < workerData.batch && (record = parser.read()) !== null) records.push(record);
    if (records.length > 0) {
      credit -= 1;
      parentPort.postMessage({ records });
      continue;
    }
    if (failure !== null) {
      finished = true;
      const csv = failure instanceof CsvError;
      parentPort.postMessage({ error: { csv, message: failure.message, code: failure.code } });
    } else if (ended || parser.readableEnded) {
      finished = true;
      parentPort.postMessage({ done: true, sha256: hash.digest("hex") });
    }
    return;
  }
}
parser.on("readable", pump);
parser.on("end", () => { ended = true; pump(); });
parser.on("error", (error) => { failure = error ?? new Error("CSV parser failed"); pump(); });
parentPort.on("message", () => { credit += 1; pump(); });
`;

type WorkerMessage =
  | { readonly records: string[][] }
  | { readonly undecodable: Uint8Array }
  | { readonly error: { readonly csv: boolean; readonly message: string; readonly code?: unknown } }
  | { readonly done: true; readonly sha256: string };

/** The worker's failure as the in-thread path would have thrown it (a CsvError, or an fs error with its code). */
function rebuildError(error: { csv: boolean; message: string; code?: unknown }): Error {
  if (error.csv && typeof error.code === "string") {
    return new CsvError(
      error.code as CsvError["code"],
      error.message,
      {} as ConstructorParameters<typeof CsvError>[2],
    );
  }
  const rebuilt = new Error(error.message) as NodeJS.ErrnoException;
  if (typeof error.code === "string") rebuilt.code = error.code;
  return rebuilt;
}

export interface WorkerHooks {
  /** Told before the records that hold bytes which are not UTF-8. */
  readonly onUndecodable?: (verdict: Undecodable) => void;
  /** Told the SHA-256 of the file's bytes once every record was read. */
  readonly onDigest?: (sha256: string) => void;
}

/**
 * Batches of records (arrays of cells, the header first), in file order, parsed from the file
 * opened as `fd` (read from its start; the thread closes it).
 */
export async function* parseCsvInWorker(
  fd: number,
  options: Options,
  hooks: WorkerHooks = {},
): AsyncGenerator<string[][]> {
  const csvParse = createRequire(import.meta.url).resolve("csv-parse");
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { fd, options, csvParse, batch: BATCH, window: WINDOW },
  });
  const inbox: WorkerMessage[] = [];
  let crash: unknown = null;
  let exited = false;
  let notify: (() => void) | null = null;
  const wake = () => {
    const resolve = notify;
    notify = null;
    resolve?.();
  };
  worker.on("message", (message: WorkerMessage) => {
    inbox.push(message);
    wake();
  });
  worker.on("error", (error) => {
    crash = error;
    wake();
  });
  worker.on("exit", () => {
    exited = true;
    wake();
  });
  try {
    for (;;) {
      const message = inbox.shift();
      if (message !== undefined) {
        if ("records" in message) {
          worker.postMessage(0); // room for one more batch: the worker parses while we validate
          yield message.records;
          continue;
        }
        if ("undecodable" in message) {
          hooks.onUndecodable?.({ guess: guessEncoding(message.undecodable) });
          continue;
        }
        if ("error" in message) throw rebuildError(message.error);
        hooks.onDigest?.(message.sha256);
        return;
      }
      if (crash !== null) throw crash;
      if (exited) throw new Error("the CSV parser thread stopped before the end of the file");
      await new Promise<void>((resolve) => (notify = resolve));
    }
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}
