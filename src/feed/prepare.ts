/**
 * What a command does with the manifest or feed it was given before anything reads it: a URL is
 * fetched into a kept local copy (fetch.ts: conditional, capped, retried); a feed with a recipe
 * gets its recipe read and checked at once (every problem, exit 2, before the feed is touched)
 * and its paths made absolute, so a batch stores where they are; a manifest goes through the
 * manifest's own preparation (stdin, encoding, separator).
 */
import { createHash } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { readConfig } from "../config/config.js";
import { UsageError } from "../core/errors.js";
import { isS3Out, resolveOut } from "../core/out-location.js";
import { prepareManifestSource, STDIN, type SourceIo } from "../manifest/prepare-source.js";
import { checkEncoding } from "../manifest/readers/text.js";
import type { ManifestSource } from "../manifest/source.js";
import { checkReadable } from "../manifest/stream.js";
import type { CompiledRecipe } from "./compile.js";
import { fetchFeed, headersFromEnv, type FetchedFeed, type FetchSettings } from "./fetch.js";
import { isUrl } from "./url.js";

export interface PreparedFeed {
  readonly source: ManifestSource;
  /** The compiled recipe, for a feed. */
  readonly recipe: CompiledRecipe | null;
  /** How a URL was fetched (null for a local file). */
  readonly fetched: FetchedFeed | null;
}

/**
 * How a URL is fetched (whose kept copy: a schedule's own; test hooks), and the directory the
 * feed brings up to date: then why its rows changed since last time is said (changes.ts), and
 * with `keep` the new fingerprints are kept (not by a dry run).
 */
export type RemoteOptions = Partial<Omit<FetchSettings, "cacheDir" | "headers">> & {
  readonly out?: string | undefined;
  readonly keep?: boolean;
};

/** Fetches a URL source into its kept copy; the source then reads that file, named by the URL. */
async function fetched(source: ManifestSource, io: SourceIo, remote: RemoteOptions) {
  const where = remote.cacheKey?.startsWith("schedule:")
    ? `schedule ${remote.cacheKey.slice(9)}`
    : "--feed-header";
  const feed = await fetchFeed(source.path, {
    ...remote,
    cacheDir: path.join(readConfig({}, io.env).stateDir, "feeds"),
    cacheKey: remote.cacheKey ?? "command-line",
    headers: headersFromEnv(source.feedHeaders, io.env, where),
  });
  if (feed.outcome === "not-modified")
    io.stderr.write(`${feed.label}: not modified since it was last fetched; reading the kept copy.\n`);
  const { feedHeaders: _headers, ...rest } = source;
  return { feed, source: { ...rest, path: feed.path, label: source.label ?? feed.label } };
}

/** The source every reader of this command reads; for a feed, its recipe compiled. */
export async function prepareFeed(
  given: ManifestSource,
  io: SourceIo,
  remote: RemoteOptions = {},
): Promise<PreparedFeed> {
  let source = given;
  let feed: FetchedFeed | null = null;
  if (isUrl(given.path)) ({ source, feed } = await fetched(given, io, remote));
  if (!source.recipe) return { source: await prepareManifestSource(source, io), recipe: null, fetched: feed };
  if (source.path === STDIN || source.path === "/dev/stdin")
    throw new UsageError(
      "a feed read through --recipe is read from a file or an https:// URL, not from standard input; " +
        "save it to a file first",
    );
  const recipePath = path.resolve(source.recipe);
  // Recipes (YAML, Liquid) load only when a feed is read through one.
  const { loadRecipe } = await import("./recipe-load.js");
  const recipe = await loadRecipe(recipePath, source.recipe);
  const file = source.label ?? source.path;
  await checkReadable(source.path, file);
  await checkEncoding(source.encoding ?? recipe.recipe.feed?.encoding, file);
  const prepared = { ...source, path: path.resolve(source.path), label: file, recipe: recipePath };
  if (remote.out !== undefined) {
    // An S3 prefix keeps why-rows-changed fingerprints on this machine, in a folder named after it.
    const outDir = isS3Out(remote.out)
      ? path.join(
          readConfig({}, io.env).stateDir,
          "outs",
          createHash("sha256").update(resolveOut(remote.out)).digest("hex").slice(0, 16),
        )
      : path.resolve(remote.out);
    if (remote.keep) await mkdir(outDir, { recursive: true });
    const { changesLine, explainChanges } = await import("./changes.js");
    const causes = await explainChanges(prepared, outDir, { write: remote.keep === true });
    if (causes !== null) io.stderr.write(`${changesLine(remote.out, causes)}\n`);
  }
  return { source: prepared, recipe, fetched: feed };
}

/** prepareFeed's source only (the commands that need no recipe of their own). */
export async function prepareSource(
  source: ManifestSource,
  io: SourceIo,
  remote: RemoteOptions = {},
): Promise<ManifestSource> {
  return (await prepareFeed(source, io, remote)).source;
}
