/**
 * One unit of a feed (a product or a variant row) rendered through a compiled recipe into job
 * rows: the recipe's `where` decides whether the unit counts at all, then each job (its own
 * `where` too) renders its fields into a manifest row — id `<id>-<job name>`, model, inputs,
 * metadata — that the manifest's own validator checks, exactly like a row of a manifest. Every
 * problem names the feed file, its line (or item index), the job and the field:
 *   `feed.csv line 41 (job hero): prompt: the template refers to "Colour", which the feed does not have (columns: …)`
 * Pure.
 */
import { nearest } from "../core/spelling.js";
import { formatLocation, makeProblem } from "../manifest/problems.js";
import type { RowValidator } from "../manifest/validate.js";
import type { ManifestItem, Problem, RowLocation } from "../manifest/types.js";
import { kept, type CompiledJob, type CompiledRecipe, type FieldValue } from "./compile.js";
import { renderFailure } from "./liquid.js";
import type { CompiledTemplate } from "./liquid.js";
import { columnsOf, type Fields, type Unit } from "./units.js";

const SHOWN_COLUMNS = 15;

/** `Colour` from `row.Colour`, `row.Colour X` (liquidjs' spelling of `row["Colour X"]`) or `product.Colour`. */
function columnOf(variable: string): string {
  const match = /^(?:row|product)\.(.+)$/.exec(variable);
  return match?.[1] ?? variable;
}

function columnsText(columns: readonly string[]): string {
  if (columns.length === 0) return "it has no fields";
  const shown = columns.slice(0, SHOWN_COLUMNS).join(", ");
  return `columns: ${shown}${columns.length > SHOWN_COLUMNS ? `, … (${columns.length} in all)` : ""}`;
}

/** What a failed render says, after `<field>: `. */
function failureText(error: unknown, scope: Fields, format: Format): string {
  const failure = renderFailure(error);
  if (failure.kind === "limit")
    return (
      `the template does too much work for one row and was stopped (${failure.reason}); ` +
      "a loop over a range or a list this large is refused"
    );
  if (failure.kind === "error") return `the template failed: ${failure.reason}`;
  const column = columnOf(failure.variable);
  const columns = columnsOf(scope);
  const hint = nearest(column, columns);
  const suggestion = hint && hint !== column ? ` — did you mean "${hint}"?` : "";
  const optional =
    format === "fields"
      ? `; if only some items have it, write {{ row.${column} | default: "" }} ` +
        `or test it with {% if row.${column} %}`
      : "";
  return (
    `the template refers to "${column}", which the feed does not have${suggestion} ` +
    `(${columnsText(columns)})${optional}`
  );
}

/** Inserts ` (job hero)` after the location of a problem's message. */
function ofJob(problem: Problem, job: string): Problem {
  const prefix = `${formatLocation(problem.location)}: `;
  const message = problem.message.startsWith(prefix)
    ? `${formatLocation(problem.location)} (job ${job}): ${problem.message.slice(prefix.length)}`
    : problem.message;
  return { ...problem, message };
}

export interface FeedRenderer {
  /** The job rows of one unit, validated (none when `where` leaves the unit out). */
  render(unit: Unit): ManifestItem[];
}

/** How the feed names what a template may refer to: CSV columns, or an item's fields. */
type Format = "columns" | "fields";

function problemOf(
  format: Format,
  location: RowLocation,
  field: string,
  scope: Fields,
  error: unknown,
  source: string,
): Problem {
  const message = `${field}: ${failureText(error, scope, format)}`;
  return makeProblem(location, field, "a template the row can fill", source, message);
}

function run(
  template: CompiledTemplate,
  scope: Fields,
): { ok: true; text: string } | { ok: false; error: unknown } {
  try {
    return { ok: true, text: template.render(scope) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Where a unit's or a job's values are rendered, and where their problems go. */
interface RenderScope {
  readonly format: Format;
  readonly location: RowLocation;
  readonly scope: Fields;
}

/** A field's value: a constant as it is, a template rendered and trimmed (a failure noted in `problems`). */
function valueOf(at: RenderScope, given: FieldValue, field: string, problems: Problem[]): unknown {
  if (given.kind === "constant") return given.value;
  try {
    return given.template.render(at.scope).trim();
  } catch (error) {
    problems.push(problemOf(at.format, at.location, field, at.scope, error, given.template.source));
    return undefined;
  }
}

/** The job's image_urls: a list (blank entries left out) or one value. */
function imageUrlsOf(at: RenderScope, imageUrls: FieldValue | readonly FieldValue[], problems: Problem[]) {
  if (!Array.isArray(imageUrls)) return valueOf(at, imageUrls as FieldValue, "image_urls", problems);
  const urls: unknown[] = [];
  imageUrls.forEach((url: FieldValue, i: number) => {
    const text = valueOf(at, url, `image_urls[${i}]`, problems);
    if (text !== "") urls.push(text);
  });
  return urls;
}

function renderJob(
  at: RenderScope,
  validator: RowValidator,
  job: CompiledJob,
  id: string,
): ManifestItem | null {
  const { location, scope } = at;
  const problems: Problem[] = [];
  if (job.where) {
    const outcome = run(job.where, scope);
    if (!outcome.ok)
      problems.push(problemOf(at.format, location, "where", scope, outcome.error, job.where.source));
    else if (!kept(outcome.text)) return null;
  }
  const fields: Record<string, unknown> = { id: `${id}-${job.name}` };
  for (const field of job.fields) fields[field.column] = valueOf(at, field.value, field.field, problems);
  if (job.imageUrls !== null) fields.image_urls = imageUrlsOf(at, job.imageUrls, problems);
  if (problems.length > 0) return { ok: false, problems: problems.map((p) => ofJob(p, job.name)), location };
  const item = validator.validate({ location, fields });
  return item.ok ? item : { ...item, problems: item.problems.map((p) => ofJob(p, job.name)) };
}

/** The unit's id (its jobs' ids start with it), or the problem why it has none. */
function unitId(at: RenderScope, compiled: CompiledRecipe): string | Problem {
  const { location, scope } = at;
  const id = run(compiled.id, scope);
  if (!id.ok) return problemOf(at.format, location, "id", scope, id.error, compiled.id.source);
  const key = id.text.trim();
  if (key !== "") return key;
  const message =
    `id: the template gave an empty id for this row (${JSON.stringify(compiled.id.source)}); ` +
    'give a fallback, e.g. {{ row["Variant SKU"] | default: row.Handle }}';
  return makeProblem(location, "id", "a non-empty id", "", message);
}

export function createFeedRenderer(
  compiled: CompiledRecipe,
  validator: RowValidator,
  options: { format: Format },
): FeedRenderer {
  return {
    render(unit) {
      if (!unit.ok) return [{ ok: false, problems: unit.problems, location: unit.location }];
      const at: RenderScope = { format: options.format, location: unit.location, scope: unit.scope };
      const { location, scope } = at;
      if (compiled.where) {
        const outcome = run(compiled.where, scope);
        if (!outcome.ok) {
          const problem = problemOf(
            at.format,
            location,
            "where",
            scope,
            outcome.error,
            compiled.where.source,
          );
          return [{ ok: false, problems: [problem], location }];
        }
        if (!kept(outcome.text)) return [];
      }
      const key = unitId(at, compiled);
      if (typeof key !== "string") return [{ ok: false, problems: [key], location }];
      const items: ManifestItem[] = [];
      for (const job of compiled.jobs) {
        const item = renderJob(at, validator, job, key);
        if (item) items.push(item);
      }
      return items;
    },
  };
}
