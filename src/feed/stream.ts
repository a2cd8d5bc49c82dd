/**
 * A product feed read through a recipe as a manifest: the same batches of validated items
 * (`{ok: true, row} | {ok: false, problems, location}`) as the manifest's own stream
 * (streamManifestBatches), so estimate, the plan, the producer and the reports read a feed
 * exactly as they read a manifest. Streamed: records are grouped into products as they come
 * (units.ts), and nothing is kept once its rows are yielded, so memory stays flat.
 */
import { NO_DEFAULTS, withFlagDefaults } from "../manifest/defaults.js";
import type { ManifestSource } from "../manifest/source.js";
import { checkReadable } from "../manifest/stream.js";
import type { ManifestItem } from "../manifest/types.js";
import { createRowValidator } from "../manifest/validate.js";
import type { CompiledRecipe } from "./compile.js";
import { feedFormat, readRecords } from "./read-records.js";
import { createFeedRenderer } from "./render.js";
import { loadRecipe } from "./recipe-load.js";
import { createGrouper, type Unit } from "./units.js";

/** The feed's units (products or variant rows), in batches, before rendering. */
async function* feedUnits(source: ManifestSource, compiled: CompiledRecipe): AsyncGenerator<Unit[]> {
  await checkReadable(source.path, source.label ?? source.path);
  const { batches } = await readRecords(source, compiled.recipe);
  const grouper = createGrouper({
    rows: compiled.rows,
    groupBy: compiled.recipe.group_by,
    needs: compiled.needs,
  });
  for await (const rows of batches) {
    const units = grouper.push(rows);
    if (units.length > 0) yield units;
  }
  const last = grouper.end();
  if (last.length > 0) yield last;
}

/** The feed's job rows, validated like a manifest's, in batches; loads the recipe first (exit 2 if invalid). */
export async function* streamFeedBatches(
  source: ManifestSource,
  options: {
    readonly compiled?: CompiledRecipe;
    /** Told each unit with the items it rendered into (changes.ts fingerprints them). */
    readonly observe?: (unit: Unit, items: readonly ManifestItem[], compiled: CompiledRecipe) => void;
  } = {},
): AsyncGenerator<ManifestItem[]> {
  const compiled = options.compiled ?? (await loadRecipe(source.recipe ?? ""));
  const validator = createRowValidator({
    defaults: withFlagDefaults(NO_DEFAULTS, source.defaults),
    json: false,
  });
  const format = await feedFormat(source, compiled.recipe);
  const renderer = createFeedRenderer(compiled, validator, {
    format: format === "csv" || format === "tsv" ? "columns" : "fields",
  });
  for await (const units of feedUnits(source, compiled)) {
    const items: ManifestItem[] = [];
    for (const unit of units) {
      const rendered = renderer.render(unit);
      options.observe?.(unit, rendered, compiled);
      for (const item of rendered) items.push(item);
    }
    if (items.length > 0) yield items;
  }
}
