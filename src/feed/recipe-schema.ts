/**
 * A recipe file's fields (`*.recipe.yaml|yml|json`): how one row of a product feed becomes one or
 * more of our job rows. Validated with zod, every problem with the file, the field, what was
 * expected and what was found, all at once (as for schedule files). Templates are only checked
 * to be text here; compile.ts parses them as Liquid. Pure.
 */
import { z } from "zod";
import { nearest } from "../core/spelling.js";
import { INPUT_COLUMNS } from "../manifest/columns.js";
import { describeFound } from "../manifest/problems.js";

/**
 * The model inputs a job may set, each a template: the manifest's input columns, but for
 * `image_urls`, which a job may also give as a list (jobSchema below).
 */
type JobInput = Exclude<(typeof INPUT_COLUMNS)[number], "image_urls">;
export const JOB_INPUTS = INPUT_COLUMNS.filter((c): c is JobInput => c !== "image_urls");

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const METADATA_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/** A template: text (Liquid), or a plain number or true/false taken as it is. */
const template = z.union([z.string(), z.number(), z.boolean()]);
export type TemplateValue = z.infer<typeof template>;

const metadata = z.record(z.string().regex(METADATA_KEY), template);

const jobShape = {
  name: z.string().regex(NAME),
  model: template.optional(),
  where: z.string().optional(),
  image_urls: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
  metadata: metadata.optional(),
  ...Object.fromEntries(JOB_INPUTS.map((input) => [input, template.optional()])),
} as const;

const job = z.strictObject(jobShape);
export type RecipeJob = z.infer<typeof job> & Partial<Record<JobInput, TemplateValue>>;

const FEED_FORMATS = ["csv", "tsv", "json", "jsonl", "xml"] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

const feed = z.strictObject({
  format: z.enum(FEED_FORMATS).optional(),
  encoding: z.string().min(1).optional(),
  delimiter: z.string().min(1).max(5).optional(),
  item: z
    .string()
    .regex(/^[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?$/)
    .optional(),
});

const recipeSchema = z.strictObject({
  feed: feed.optional(),
  rows: z.enum(["product", "variant"]).optional(),
  group_by: z.string().min(1).optional(),
  id: z.string().min(1),
  where: z.string().optional(),
  metadata: metadata.optional(),
  jobs: z.array(job).min(1),
});
export type Recipe = Omit<z.infer<typeof recipeSchema>, "jobs"> & { readonly jobs: readonly RecipeJob[] };

const TOP_FIELDS = Object.keys(recipeSchema.shape);
const JOB_FIELDS = Object.keys(jobShape);
const FEED_FIELDS = Object.keys(feed.shape);

/** What each field takes, as a person reads it. */
const EXPECTED: Readonly<Record<string, string>> = {
  feed: "an object: format, encoding, delimiter, item",
  "feed.format": `one of ${FEED_FORMATS.join(", ")}`,
  "feed.encoding": "an encoding such as windows-1252, latin1 or utf-16le",
  "feed.delimiter": "a field separator such as , ; | or tab",
  "feed.item": "the XML element that is one product, such as item or entry",
  rows: '"product" (one row per product) or "variant" (one per variant row)',
  group_by: 'the column whose value groups consecutive rows into one product (Shopify: "Handle")',
  id: 'a template for each row\'s key, such as {{ row["Variant SKU"] }}',
  where: 'a Liquid condition such as row.Status == "active"',
  metadata: "an object of metadata keys to templates",
  jobs: "a list of one or more jobs, each with a name and its model inputs as templates",
  name: "letters, digits, - and _ (at most 32, starting with a letter or digit): it is appended to the id",
  image_urls: "a template, or a list of templates (one per image URL)",
};

function expectedOf(path: readonly PropertyKey[]): string {
  const names = path.filter((part) => typeof part === "string");
  const joined = names.join(".");
  const last = names.at(-1) ?? "";
  if (EXPECTED[joined]) return EXPECTED[joined];
  if (path[0] === "jobs" && EXPECTED[last]) return EXPECTED[last];
  if (names[0] === "metadata" || names.includes("metadata"))
    return "a template (text), a number or true/false";
  if ((JOB_INPUTS as readonly string[]).includes(last) || last === "model")
    return "a template (text), a number or true/false";
  return "a valid value";
}

/** `jobs[1].prompt` */
function fieldPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text === "" ? String(part) : `.${String(part)}`;
  }
  return text || "file";
}

export interface RecipeProblem {
  readonly file: string;
  readonly field: string;
  readonly expected: string;
  readonly found: string;
  /** `jobs/shop.recipe.yaml: jobs[0].quality must be …, got …` */
  readonly message: string;
}

export function recipeProblem(
  file: string,
  field: string,
  expected: string,
  found: unknown,
  message?: string,
): RecipeProblem {
  const text = describeFound(found);
  return {
    file,
    field,
    expected,
    found: text,
    message: `${file}: ${message ?? `${field} must be ${expected}, got ${text}`}`,
  };
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const part of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

function unknownKeyProblem(file: string, path: readonly PropertyKey[], key: string): RecipeProblem {
  const where = path.length === 0 ? TOP_FIELDS : path[0] === "feed" ? FEED_FIELDS : JOB_FIELDS;
  const hint = nearest(key, where);
  const field = fieldPath([...path, key]);
  const message =
    `unknown field ${JSON.stringify(key)}${hint ? ` — did you mean "${hint}"?` : ""} ` +
    `(fields: ${where.join(", ")})`;
  return recipeProblem(file, field, `one of ${where.join(", ")}`, key, `${field}: ${message}`);
}

export type RecipeCheck =
  | { readonly ok: true; readonly recipe: Recipe }
  | { readonly ok: false; readonly problems: readonly RecipeProblem[] };

/** Validates a parsed recipe file; `file` is the name messages give it. */
export function checkRecipe(value: unknown, file: string): RecipeCheck {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const expected = "a mapping of fields: id, jobs, and optionally feed, rows, group_by, where, metadata";
    return { ok: false, problems: [recipeProblem(file, "file", expected, value)] };
  }
  const parsed = recipeSchema.safeParse(value);
  const problems: RecipeProblem[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) problems.push(unknownKeyProblem(file, issue.path, key));
        continue;
      }
      const field = fieldPath(issue.path);
      const found = valueAt(value, issue.path);
      const expected = expectedOf(issue.path);
      problems.push(
        found === undefined
          ? recipeProblem(file, field, expected, found, `${field} is required: ${expected}`)
          : recipeProblem(file, field, expected, found),
      );
    }
    return { ok: false, problems };
  }
  const recipe = parsed.data as Recipe;
  const seen = new Map<string, number>();
  recipe.jobs.forEach((job, index) => {
    const earlier = seen.get(job.name.toLowerCase());
    if (earlier !== undefined) {
      const field = `jobs[${index}].name`;
      const message =
        `${field}: the job name ${JSON.stringify(job.name)} is already used by jobs[${earlier}]; ` +
        "each job needs its own name (it is appended to the id)";
      problems.push(recipeProblem(file, field, "a name no other job has", job.name, message));
    } else seen.set(job.name.toLowerCase(), index);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, recipe };
}
