/**
 * A batch directory's storage: every read and write of a batch's directory goes through one
 * BatchStore, whether the directory is a local path (local-store.ts: the file system, exactly as
 * before) or an S3 prefix in object storage (s3-store.ts: `--out s3://BUCKET/PREFIX`). Names are
 * relative to the directory and use '/' (`images/a.png`, `report-pages/page-2.html`), as the
 * reports link them.
 *
 * What a batch relies on holds for both: a file (object) appears complete or not at all; a plan
 * or a report learns what is there from one view of the directory (a stat per file on disk, one
 * listing per folder in object storage, never a request per image); reports are written last.
 */
import type { LineFile } from "./line-file.js";

export interface FileInfo {
  readonly size: number;
  readonly modifiedMs: number;
}

/** What one plan or one report knows of the directory. */
export interface StoreView {
  has(name: string): Promise<boolean>;
  info(name: string): Promise<FileInfo | null>;
  /** The file names (not paths) directly in a folder such as "thumbs"; empty when there is none. */
  names(folder: string): Promise<Set<string>>;
}

/**
 * Writes a downloaded image into object storage: the whole image in one request (a PUT with its
 * checksum; a multipart upload for large ones, aborted on failure), so an object is there complete
 * or not at all. Returns the image's name in the directory.
 */
interface ImageWriter {
  write(name: string, body: Buffer, contentType: string): Promise<string>;
}

export interface BatchStore {
  readonly kind: "local" | "s3";
  /** The directory as stored on the batch: an absolute path, or s3://bucket/prefix. */
  readonly location: string;
  /** A file of the directory, for messages: its path or its s3:// URL. */
  where(name: string): string;
  /**
   * Can this machine write here? A usage error (exit 2) naming the directory (the bucket and
   * prefix) and the system's or the store's own reason; leaves nothing behind.
   */
  probe(options?: { readonly timeoutMs?: number }): Promise<void>;
  /** Makes the directory (or a folder in it) where directories exist; returns the ones it made. */
  makeDir(folder?: string): Promise<string[]>;
  /** Removes directories makeDir made while they are empty (best effort). */
  removeMadeDirs(made: readonly string[]): Promise<void>;
  /** The file's text, or null when it is not there. */
  readText(name: string): Promise<string | null>;
  /** The file's lines; none when it is not there. */
  readLines(name: string): AsyncIterable<string>;
  readBytes(name: string): Promise<Buffer | null>;
  /** A fresh view of the directory (one per plan or report). */
  view(): StoreView;
  /** Writes a whole file: complete or not at all. */
  writeText(name: string, text: string): Promise<void>;
  writeBytes(name: string, body: Buffer, contentType: string): Promise<void>;
  /** A file written in chunks, appearing complete at `commit`. */
  openLineFile(name: string): Promise<LineFile>;
  /** Removes a file (gone already is fine). */
  remove(name: string): Promise<void>;
  /** A local folder for a writer's work files: in the directory, or a temporary one. Removed by the caller. */
  scratch(label: string): Promise<string>;
  /** The local path of a file when the directory is on this file system; null in object storage. */
  localPath(name: string): string | null;
  /** How downloaded images are written when they are not local files; null on the file system. */
  readonly images: ImageWriter | null;
}

/** Opens the store of a batch directory (`out` as stored on the batch, or as given). */
export interface StoreOpener {
  open(out: string): BatchStore;
  /** Closes the object-storage clients it made. */
  close(): Promise<void>;
}
