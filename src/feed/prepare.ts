/**
 * What a command does with the manifest or feed it was given before anything reads it: a feed
 * with a recipe gets its recipe read and checked at once (every problem, exit 2, before the
 * feed is touched) and its paths made absolute, so a batch stores where they are; a manifest
 * goes through the manifest's own preparation (stdin, encoding, separator).
 */
import path from "node:path";
import { UsageError } from "../core/errors.js";
import { prepareManifestSource, STDIN, type SourceIo } from "../manifest/prepare-source.js";
import { checkEncoding } from "../manifest/readers/text.js";
import type { ManifestSource } from "../manifest/source.js";
import { checkReadable } from "../manifest/stream.js";
import type { CompiledRecipe } from "./compile.js";
import { loadRecipe } from "./recipe-load.js";

export interface PreparedFeed {
  readonly source: ManifestSource;
  /** The compiled recipe, for a feed. */
  readonly recipe: CompiledRecipe | null;
}

/** The source every reader of this command reads; for a feed, its recipe compiled. */
export async function prepareFeed(source: ManifestSource, io: SourceIo): Promise<PreparedFeed> {
  if (!source.recipe) return { source: await prepareManifestSource(source, io), recipe: null };
  if (source.path === STDIN || source.path === "/dev/stdin")
    throw new UsageError(
      "a feed read through --recipe is read from a file or an https:// URL, not from standard input; " +
        "save it to a file first",
    );
  const recipePath = path.resolve(source.recipe);
  const recipe = await loadRecipe(recipePath, source.recipe);
  const file = source.label ?? source.path;
  await checkReadable(source.path, file);
  await checkEncoding(source.encoding ?? recipe.recipe.feed?.encoding, file);
  return {
    source: { ...source, path: path.resolve(source.path), label: file, recipe: recipePath },
    recipe,
  };
}

/** prepareFeed's source only (the commands that need no recipe of their own). */
export async function prepareSource(source: ManifestSource, io: SourceIo): Promise<ManifestSource> {
  return (await prepareFeed(source, io)).source;
}
