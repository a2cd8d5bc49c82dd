/**
 * Object storage for tests: s3rver (an S3-compatible server written in Node) started in this
 * process on port 0 with a bucket of its own, and an HTTP proxy in front of it that answers
 * chosen requests with the S3 errors s3rver never gives (503 SlowDown, 403
 * SignatureDoesNotMatch, 412, 409) — real HTTP both, for the SDK's real client.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { forward, listenLocally } from "./fault-proxy.js";
import { tempDir } from "./manifests.js";

const S3_KEY = { id: "S3RVER", secret: "S3RVER" } as const;

export interface TestS3 {
  readonly endpoint: string;
  readonly bucket: string;
  /** What a command needs to reach it (AWS_* settings; `endpoint` for a proxy in front). */
  env(endpoint?: string): Record<string, string>;
  /** Keys under a prefix, sorted. */
  keys(prefix: string): Promise<string[]>;
  read(key: string): Promise<Buffer>;
  remove(key: string): Promise<void>;
  /** Copies every object under `prefix` into `dir` (as `aws s3 sync` would); returns the files. */
  sync(prefix: string, dir: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function startS3(bucket = "batches"): Promise<TestS3> {
  const directory = await tempDir();
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    region: "us-east-1",
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: S3_KEY.id, secretAccessKey: S3_KEY.secret },
  });
  // Folder by folder (Delimiter "/"): s3rver cannot continue a listing past 1,000 keys on Node 20
  // (its continuation token uses DES, which OpenSSL 3 no longer has), so no listing here is truncated.
  const keys = async (prefix: string): Promise<string[]> => {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: "/" }),
    );
    if (page.IsTruncated)
      throw new Error(`${prefix}: more than 1,000 keys in one folder (s3rver cannot list them)`);
    const found = (page.Contents ?? []).flatMap((item) => (item.Key ? [item.Key] : []));
    for (const sub of page.CommonPrefixes ?? []) if (sub.Prefix) found.push(...(await keys(sub.Prefix)));
    return found.sort();
  };
  const read = async (key: string) => {
    const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(
      await (answer.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
  };
  return {
    endpoint,
    bucket,
    env: (at = endpoint) => ({
      AWS_ACCESS_KEY_ID: S3_KEY.id,
      AWS_SECRET_ACCESS_KEY: S3_KEY.secret,
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL: at,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    }),
    keys,
    read,
    remove: async (key) => {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    async sync(prefix, dir) {
      const files: string[] = [];
      const start = prefix.endsWith("/") ? prefix : `${prefix}/`;
      for (const key of await keys(start)) {
        const file = path.join(dir, ...key.slice(start.length).split("/"));
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, await read(key));
        files.push(key.slice(start.length));
      }
      return files;
    },
    async close() {
      client.destroy();
      await server.close();
    },
  };
}

export interface S3Request {
  readonly method: string;
  /** The path: /bucket/key (path-style). */
  readonly path: string;
  /** The query string without its "?" (uploadId=…&partNumber=2 for a part of a multipart upload). */
  readonly query: string;
  /** Content-MD5, when the request carried one. */
  readonly md5?: string;
}

/** An S3 error answer: status, code and message, sent as S3's XML. */
export interface S3Fault {
  readonly status: number;
  readonly code: string;
  readonly message?: string;
}

export interface S3Proxy {
  readonly url: string;
  readonly requests: S3Request[];
  /** Requests the proxy answered itself. */
  readonly faulted: S3Request[];
  close(): Promise<void>;
}

/** A proxy in front of `target` that answers a request with `intercept`'s fault, or passes it on. */
export async function startS3Proxy(
  target: string,
  intercept: (req: S3Request) => S3Fault | null,
): Promise<S3Proxy> {
  const upstream = new URL(target);
  const requests: S3Request[] = [];
  const faulted: S3Request[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const [where = "/", query = ""] = (req.url ?? "/").split("?");
    const md5 = req.headers["content-md5"];
    const seen: S3Request = {
      method: req.method ?? "GET",
      path: decodeURIComponent(where),
      query,
      ...(typeof md5 === "string" ? { md5 } : {}),
    };
    requests.push(seen);
    const fault = intercept(seen);
    if (fault) {
      faulted.push(seen);
      req.resume();
      res.writeHead(fault.status, { "content-type": "application/xml" });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${fault.code}</Code>` +
          `<Message>${fault.message ?? fault.code}</Message><RequestId>test</RequestId></Error>`,
      );
      return;
    }
    forward(upstream, req, res);
  });
  return {
    url: await listenLocally(server),
    requests,
    faulted,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
