/**
 * Reading a recipe file (`*.recipe.yaml`, `.yml` or `.json`): parsed (YAML syntax errors with
 * their line), validated (recipe-schema.ts) and compiled (compile.ts). Anything wrong is one
 * RecipeError (exit 2) listing every problem with the file and the field.
 */
import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument } from "yaml";
import { UsageError } from "../core/errors.js";
import { compileRecipe, type CompiledRecipe } from "./compile.js";
import { checkRecipe, recipeProblem, type RecipeProblem } from "./recipe-schema.js";

export class RecipeError extends UsageError {
  readonly problems: readonly RecipeProblem[];
  constructor(problems: readonly RecipeProblem[], file: string) {
    const plural = problems.length === 1 ? "problem" : "problems";
    super(
      `${file}: the recipe has ${problems.length} ${plural}:\n${problems.map((p) => `  ${p.message}`).join("\n")}\n` +
        'Fix the recipe and run the command again (the README\'s section "From a product feed" lists its fields).',
    );
    this.problems = problems;
  }
}

function parseText(text: string, file: string): unknown {
  if (/\.json$/i.test(file)) {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new RecipeError(
        [recipeProblem(file, "file", "a JSON object", reason, `not valid JSON (${reason})`)],
        file,
      );
    }
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter: lines });
  const error = doc.errors[0];
  if (error) {
    const line = lines.linePos(error.pos[0]).line;
    const reason = error.message.split("\n")[0] ?? "";
    const hint = /\{\{|\{%/.test(text.split(/\r?\n/)[line - 1] ?? "")
      ? "; a value that starts with {{ or {% must be quoted in YAML, or written as a block (prompt: |)"
      : "";
    throw new RecipeError(
      [
        recipeProblem(
          file,
          "file",
          "a YAML mapping of fields",
          reason,
          `not valid YAML at line ${line} (${reason})${hint}`,
        ),
      ],
      file,
    );
  }
  return doc.toJS() as unknown;
}

/** Reads, validates and compiles a recipe; `shown` is its name in messages. */
export async function loadRecipe(file: string, shown = file): Promise<CompiledRecipe> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "no such file; check the path given to --recipe (it is relative to the current directory)"
        : code === "EISDIR"
          ? "is a directory; pass the recipe file inside it"
          : `cannot be read (${code ?? String(error)})`;
    throw new UsageError(`${shown}: ${reason}.`, { cause: error });
  }
  return compileRecipeText(text, shown);
}

/** The same from the file's text (tests, and recipes kept with a batch). */
export function compileRecipeText(text: string, shown: string): CompiledRecipe {
  const checked = checkRecipe(parseText(text.replace(/^\uFEFF/, ""), shown), shown);
  if (!checked.ok) throw new RecipeError(checked.problems, shown);
  const compiled = compileRecipe(checked.recipe, shown);
  if (!compiled.ok) throw new RecipeError(compiled.problems, shown);
  return compiled.compiled;
}
