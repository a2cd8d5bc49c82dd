/**
 * A text file written line by line in large chunks through a file handle, so a full disk or a
 * missing permission surfaces as a rejected promise (a clear error), never an unhandled stream
 * error. Written to `<path>.tmp` and renamed into place by `commit`, so a report file is either
 * complete or absent.
 */
import { open, rename, rm, type FileHandle } from "node:fs/promises";

export interface LineFile {
  write(text: string): Promise<void>;
  /** Flushes, closes and renames the file into place. */
  commit(): Promise<void>;
  /** Closes and removes the temporary file (after an error). */
  discard(): Promise<void>;
}

const CHUNK = 256 * 1024;

export async function openLineFile(path: string): Promise<LineFile> {
  const temp = `${path}.tmp`;
  const handle: FileHandle = await open(temp, "w");
  let buffer = "";
  const flush = async () => {
    if (buffer.length === 0) return;
    const text = buffer;
    buffer = "";
    await handle.write(text);
  };
  return {
    async write(text) {
      buffer += text;
      if (buffer.length >= CHUNK) await flush();
    },
    async commit() {
      await flush();
      await handle.close();
      await rename(temp, path);
    },
    async discard() {
      await handle.close().catch(() => undefined);
      await rm(temp, { force: true });
    },
  };
}
