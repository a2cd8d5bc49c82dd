/**
 * A recipe's templates are untrusted input: every way of reaching past the row's own fields, of
 * reading files, or of making a render run away is refused with a sentence that says what and
 * where — when the recipe is read, or as a problem of the row — and never executed.
 */
import { describe, expect, it } from "vitest";
import { createRowValidator } from "../manifest/validate.js";
import type { ManifestItem } from "../manifest/types.js";
import { compileRecipeText, RecipeError } from "./recipe-load.js";
import { createFeedRenderer } from "./render.js";
import { createGrouper } from "./units.js";

const FILE = "shop.csv";

function recipeWith(prompt: string): string {
  return [
    'id: "{{ row.Handle }}"',
    "jobs:",
    "  - name: hero",
    "    model: openai/gpt-image-2",
    "    quality: low",
    `    prompt: ${JSON.stringify(prompt)}`,
  ].join("\n");
}

/** Renders one Shopify-like product (two variant rows) through a recipe whose prompt is `prompt`. */
function render(prompt: string): ManifestItem[] {
  const compiled = compileRecipeText(recipeWith(prompt), "shop.recipe.yaml");
  const renderer = createFeedRenderer(compiled, createRowValidator(), { format: "columns" });
  const grouper = createGrouper({ rows: compiled.rows, groupBy: undefined });
  const row = (line: number, size: string) => ({
    location: { file: FILE, line },
    fields: { Handle: "tee", Title: line === 2 ? "Tee" : undefined, Size: size },
  });
  const units = [...grouper.push([row(2, "S"), row(3, "M")]), ...grouper.end()];
  return units.flatMap((unit) => renderer.render(unit));
}

function refusedAtLoad(prompt: string): string {
  try {
    compileRecipeText(recipeWith(prompt), "shop.recipe.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(RecipeError);
    expect((error as RecipeError).exitCode).toBe(2);
    return (error as Error).message;
  }
  throw new Error(`the recipe with ${prompt} was accepted`);
}

function problemOf(prompt: string): string {
  const items = render(prompt);
  expect(items).toHaveLength(1);
  const item = items[0]!;
  if (item.ok) throw new Error(`${prompt} rendered ${JSON.stringify(item.row.input.prompt)}`);
  return item.problems.map((p) => p.message).join("\n");
}

describe("templates are untrusted", () => {
  it("renders a plain template (the control)", () => {
    const [item] = render("A {{ row.Title | downcase }} in {{ variants | map: 'Size' | join: ', ' }}");
    expect(item).toMatchObject({ ok: true, row: { key: "tee-hero", input: { prompt: "A tee in S, M" } } });
  });

  it.each([
    ["{{ constructor }}", "constructor"],
    ["{{ row.constructor }}", "constructor"],
    ["{{ row.__proto__ }}", "__proto__"],
    ["{{ row.constructor.name }}", "constructor"],
    ["{{ product['hasOwnProperty'] }}", "hasOwnProperty"],
  ])("%s finds nothing: it is a variable the row does not have", (prompt, name) => {
    expect(problemOf(prompt)).toBe(
      `${FILE} line 2 (job hero): prompt: the template refers to "${name}", which the feed does not have ` +
        "(columns: Handle, Title, Size)",
    );
  });

  it.each([
    [
      "{% include 'secrets.txt' %}",
      "{% include %} is not allowed in a recipe (it reads another template file)",
    ],
    [
      "{% render '/etc/passwd' %}",
      "{% render %} is not allowed in a recipe (it reads another template file)",
    ],
    ["{% layout 'base' %}x", "{% layout %} is not allowed in a recipe (it reads another template file)"],
  ])("%s is refused when the recipe is read", (prompt, reason) => {
    expect(refusedAtLoad(prompt)).toContain(`shop.recipe.yaml: jobs[0].prompt: ${reason}`);
  });

  it("an unknown filter is refused when the recipe is read", () => {
    expect(refusedAtLoad("{{ row.Title | exec: 'rm -rf /' }}")).toContain(
      "shop.recipe.yaml: jobs[0].prompt: unknown filter exec",
    );
  });

  it.each([
    "{% for i in (1..1000000000) %}x{% endfor %}",
    "{% for i in (1..5000) %}{% for j in (1..5000) %}x{% endfor %}{% endfor %}",
    "{% for a in variants %}{% for i in (1..100000) %}{{ a.Size }}{% endfor %}{% endfor %}",
    '{% assign s = "xx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s }}',
  ])("a runaway render is stopped: %s", (prompt) => {
    const message = problemOf(prompt);
    expect(message).toMatch(
      new RegExp(
        `^${FILE} line 2 \\(job hero\\): prompt: the template does too much work for one row and was stopped`,
      ),
    );
    expect(message).toContain("a loop over a range or a list this large is refused");
  });

  it("a template longer than the parse limit is refused", () => {
    expect(refusedAtLoad(`{{ row.Title }}${"x".repeat(70_000)}`)).toContain(
      "jobs[0].prompt: the template is longer than 65,536 characters",
    );
  });
});
