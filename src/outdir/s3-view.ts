/**
 * What is under an S3 batch prefix, as a StoreView: one ListObjectsV2 pass per folder (all its
 * pages), made when first asked and kept; a failed pass is forgotten so the next question asks again.
 */
import type { S3Location } from "../core/out-location.js";
import { send, type S3Handle } from "./s3-client.js";
import type { FileInfo, StoreView } from "./store.js";

interface Listed {
  readonly Contents?: readonly { Key?: string; Size?: number; LastModified?: Date }[];
  readonly IsTruncated?: boolean;
  readonly NextContinuationToken?: string;
}

/** One ListObjectsV2 pass per folder of the prefix (all its pages), made when first asked. */
export function s3View(handle: () => Promise<S3Handle>, location: S3Location): StoreView {
  const { bucket, prefix } = location;
  const folders = new Map<string, Promise<Map<string, FileInfo>>>();
  const listing = (folder: string): Promise<Map<string, FileInfo>> => {
    let found = folders.get(folder);
    if (!found) {
      found = listFolder(handle, bucket, [prefix, folder].filter((part) => part !== "").join("/"));
      found.catch(() => folders.delete(folder));
      folders.set(folder, found);
    }
    return found;
  };
  const split = (name: string) => {
    const slash = name.lastIndexOf("/");
    return slash < 0
      ? { folder: "", file: name }
      : { folder: name.slice(0, slash), file: name.slice(slash + 1) };
  };
  return {
    async has(name) {
      const { folder, file } = split(name);
      return (await listing(folder)).has(file);
    },
    async info(name) {
      const { folder, file } = split(name);
      return (await listing(folder)).get(file) ?? null;
    },
    async names(folder) {
      return new Set((await listing(folder)).keys());
    },
  };
}

async function listFolder(
  handle: () => Promise<S3Handle>,
  bucket: string,
  folderKey: string,
): Promise<Map<string, FileInfo>> {
  const start = folderKey === "" ? "" : `${folderKey}/`;
  const files = new Map<string, FileInfo>();
  let token: string | undefined;
  do {
    const page: Listed = await send<Listed>(handle(), { bucket, key: start, op: "list" }, (sdk) => {
      return new sdk.ListObjectsV2Command({
        Bucket: bucket,
        Prefix: start,
        Delimiter: "/",
        ...(token === undefined ? {} : { ContinuationToken: token }),
      });
    });
    for (const item of page.Contents ?? []) {
      if (item.Key === undefined) continue;
      files.set(item.Key.slice(start.length), {
        size: item.Size ?? 0,
        modifiedMs: item.LastModified?.getTime() ?? 0,
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return files;
}
