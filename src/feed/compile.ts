/**
 * A valid recipe compiled for rendering: every template parsed once (a template that cannot be
 * parsed, or uses `include`/`render`, is a problem of the recipe file naming its field), plain
 * text kept as it is, and each job's fingerprint — what the job's rows are made from — so a
 * changed row can be told apart as changed by the recipe or by the feed. Pure.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../core/canonical-json.js";
import type { ScopeNeeds } from "./units.js";
import { createLiquid, TemplateRefused, type CompiledTemplate } from "./liquid.js";
import {
  JOB_INPUTS,
  recipeProblem,
  type Recipe,
  type RecipeJob,
  type RecipeProblem,
  type TemplateValue,
} from "./recipe-schema.js";

/** A field's value: a template, or a constant (plain text, a number, true/false). */
export type FieldValue =
  | { readonly kind: "template"; readonly template: CompiledTemplate }
  | { readonly kind: "constant"; readonly value: string | number | boolean };

interface CompiledField {
  /** The manifest column it fills: `prompt`, `model`, `metadata.sku` … */
  readonly column: string;
  /** Where it is in the recipe, for problems: `prompt`, `metadata.sku`. */
  readonly field: string;
  readonly value: FieldValue;
}

export interface CompiledJob {
  readonly name: string;
  readonly where: CompiledTemplate | null;
  readonly fields: readonly CompiledField[];
  /** `image_urls`: one value (`|`-separated when rendered) or one per URL. */
  readonly imageUrls: FieldValue | readonly FieldValue[] | null;
  /** What the job's rows are made from (the recipe's shared fields and the job's own). */
  readonly fingerprint: string;
}

export interface CompiledRecipe {
  readonly recipe: Recipe;
  readonly rows: "product" | "variant";
  readonly id: CompiledTemplate;
  readonly where: CompiledTemplate | null;
  readonly jobs: readonly CompiledJob[];
  /** Whether any template uses `variants` or `images` (worked out per unit only then). */
  readonly needs: ScopeNeeds;
}

export type CompileResult =
  | { readonly ok: true; readonly compiled: CompiledRecipe }
  | { readonly ok: false; readonly problems: readonly RecipeProblem[] };

const hasLiquid = (text: string) => text.includes("{{") || text.includes("{%");

/** A condition (`row.Status == "active"`) as a template that renders `1` when it holds. */
function conditionSource(text: string): string {
  return hasLiquid(text) ? text : `{% if ${text} %}1{% endif %}`;
}

/** A where-template's output means "keep" unless it is empty, `false` or `0`. */
export function kept(output: string): boolean {
  const text = output.trim().toLowerCase();
  return text !== "" && text !== "false" && text !== "0";
}

function fingerprintOf(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, 16);
}

const SCOPE_NAMES = new Set(["row", "product", "variants", "images"]);

/** What the templates read beyond `row` and `product`; everything when a template cannot tell. */
function needsOf(templates: readonly CompiledTemplate[]): ScopeNeeds {
  const names = new Set<string>();
  for (const template of templates) {
    if (template.globals === null) return { variants: true, images: true, bare: true };
    for (const name of template.globals) names.add(name);
  }
  const bare = [...names].some((name) => !SCOPE_NAMES.has(name));
  return { variants: names.has("variants"), images: names.has("images"), bare };
}

export function compileRecipe(recipe: Recipe, file: string): CompileResult {
  const liquid = createLiquid();
  const problems: RecipeProblem[] = [];
  const templates: CompiledTemplate[] = [];
  const parse = (source: string, field: string): CompiledTemplate | null => {
    try {
      const template = liquid.compile(source);
      templates.push(template);
      return template;
    } catch (error) {
      const reason = error instanceof TemplateRefused ? error.message : String(error);
      problems.push(recipeProblem(file, field, "a Liquid template", source, `${field}: ${reason}`));
      return null;
    }
  };
  const value = (given: TemplateValue, field: string): FieldValue | null => {
    if (typeof given !== "string" || !hasLiquid(given)) return { kind: "constant", value: given };
    const template = parse(given, field);
    return template && { kind: "template", template };
  };

  const id = parse(recipe.id, "id");
  const where = recipe.where === undefined ? null : parse(conditionSource(recipe.where), "where");
  const shared = { id: recipe.id, where: recipe.where, metadata: recipe.metadata, rows: recipe.rows };
  const jobs = recipe.jobs.map((job, index) => compileJob(job, `jobs[${index}]`));

  function compileJob(job: RecipeJob, at: string): CompiledJob {
    const fields: CompiledField[] = [];
    const add = (column: string, field: string, given: TemplateValue | undefined) => {
      if (given === undefined) return;
      const compiled = value(given, `${at}.${field}`);
      if (compiled) fields.push({ column, field, value: compiled });
    };
    add("model", "model", job.model);
    for (const input of JOB_INPUTS) add(input, input, job[input]);
    const metadata = { ...recipe.metadata, ...job.metadata };
    for (const [key, given] of Object.entries(metadata)) add(`metadata.${key}`, `metadata.${key}`, given);
    let imageUrls: CompiledJob["imageUrls"] = null;
    if (typeof job.image_urls === "string") imageUrls = value(job.image_urls, `${at}.image_urls`);
    else if (job.image_urls)
      imageUrls = job.image_urls.flatMap((url, i) => value(url, `${at}.image_urls[${i}]`) ?? []);
    return {
      name: job.name,
      where: job.where === undefined ? null : parse(conditionSource(job.where), `${at}.where`),
      fields,
      imageUrls,
      fingerprint: fingerprintOf({ shared, job }),
    };
  }

  if (problems.length > 0 || id === null) return { ok: false, problems };
  const needs = needsOf(templates);
  return { ok: true, compiled: { recipe, rows: recipe.rows ?? "product", id, where, jobs, needs } };
}
