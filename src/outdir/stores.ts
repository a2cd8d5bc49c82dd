/**
 * Which store a batch directory has, from the `out` string: an S3 prefix (`s3://…`) or a local
 * path. One opener per process holds the S3 client (made on the first `s3://` out, so a local run
 * never loads the SDK) and closes it.
 */
import type { StorageConfig } from "../config/storage.js";
import { isS3Out, parseS3Out } from "../core/out-location.js";
import { localStore } from "./local-store.js";
import { createS3Handle, type S3Handle } from "./s3-client.js";
import { s3Store } from "./s3-store.js";
import type { BatchStore, StoreOpener } from "./store.js";

export function createStoreOpener(o: { readonly storage: () => StorageConfig }): StoreOpener {
  let handle: Promise<S3Handle> | null = null;
  const get = (): Promise<S3Handle> => {
    if (!handle) {
      const made = Promise.resolve().then(() => createS3Handle(o.storage()));
      made.catch(() => {
        if (handle === made) handle = null;
      });
      handle = made;
    }
    return handle;
  };
  return {
    open: (out) => (isS3Out(out) ? s3Store(parseS3Out(out), get) : localStore(out)),
    async close() {
      const made = await handle?.catch(() => null);
      made?.client.destroy();
      handle = null;
    },
  };
}

/**
 * The store of a directory given as a path (callers that only ever had local directories), or
 * the store itself. An S3 prefix needs an opener with the storage settings: never written to a
 * local folder named "s3:".
 */
export function asStore(target: string | BatchStore): BatchStore {
  if (typeof target !== "string") return target;
  if (isS3Out(target))
    throw new Error(`${target}: an S3 prefix must be opened through the command's store opener`);
  return localStore(target);
}
