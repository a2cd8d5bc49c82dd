/**
 * Reads an object-mode stream in batches: everything buffered at once, then wait for more.
 * One await per batch instead of one per row keeps the per-row cost of streaming low.
 */
import type { Readable } from "node:stream";

export async function* drainInBatches<T>(stream: Readable, maxBatch = 512): AsyncGenerator<T[]> {
  let ended = false;
  let failure: unknown = null;
  let notify: (() => void) | null = null;
  const wake = () => {
    const resolve = notify;
    notify = null;
    resolve?.();
  };
  const onEnd = () => {
    ended = true;
    wake();
  };
  const onError = (error: unknown) => {
    failure = error ?? new Error("stream failed");
    wake();
  };
  stream.on("readable", wake);
  stream.on("end", onEnd);
  stream.on("error", onError);
  try {
    for (;;) {
      // Rows parsed before a failure are still buffered: hand them over first, so the caller
      // knows exactly where the failure is.
      const batch: T[] = [];
      let item: T | null;
      while (batch.length < maxBatch && (item = stream.read() as T | null) !== null) batch.push(item);
      if (batch.length > 0) {
        yield batch;
        continue;
      }
      if (failure !== null) throw failure;
      if (ended || stream.readableEnded) return;
      await new Promise<void>((resolve) => (notify = resolve));
    }
  } finally {
    stream.off("readable", wake);
    stream.off("end", onEnd);
    stream.off("error", onError);
    stream.on("error", () => {}); // late errors after we stopped reading have nobody to tell
    if (!stream.destroyed) stream.destroy();
  }
}
