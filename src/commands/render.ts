/**
 * `render FEED --recipe FILE [-o FILE]`: the feed rendered through the recipe into our manifest
 * rows, one JSON object per line (JSONL), to review, diff and commit before paying. Nothing is
 * priced or sent. Invalid rows are all listed on stderr and stop the command (exit 2, no file
 * written) unless --skip-invalid, which writes the valid ones. The file appears complete or not
 * at all; the rendered file is itself a manifest: `estimate rendered.jsonl` gives the same totals.
 */
import { UsageError } from "../core/errors.js";
import { EXIT } from "../core/exit-codes.js";
import { prepareSource } from "../feed/prepare.js";
import { manifestLine } from "../feed/rendered.js";
import { streamFeedBatches } from "../feed/stream.js";
import { formatProblems } from "../manifest/problems.js";
import type { Problem } from "../manifest/types.js";
import { openLineFile, type LineFile } from "../report/line-file.js";
import type { ManifestSettings } from "../batch/settings.js";
import type { CommandContext } from "./context.js";

export interface RenderSettings extends Omit<ManifestSettings, "prices"> {
  /** The JSONL file to write; stdout when undefined. */
  readonly output: string | undefined;
}

const KEPT_PROBLEMS = 1000;

export async function render(ctx: CommandContext, given: RenderSettings): Promise<void> {
  if (!given.source.recipe)
    throw new UsageError("render needs --recipe FILE: it renders a product feed through a recipe");
  const source = await prepareSource(given.source, ctx.io);
  const file: LineFile | null = given.output === undefined ? null : await openLineFile(given.output);
  const write = async (text: string) => {
    if (file) await file.write(text);
    else if (!ctx.io.stdout.write(text)) await new Promise((resolve) => ctx.io.stdout.once("drain", resolve));
  };
  const problems: Problem[] = [];
  let problemCount = 0;
  let rows = 0;
  let invalid = 0;
  try {
    for await (const items of streamFeedBatches(source)) {
      let text = "";
      for (const item of items) {
        rows += 1;
        if (item.ok) text += `${JSON.stringify(manifestLine(item.row))}\n`;
        else {
          invalid += 1;
          problemCount += item.problems.length;
          for (const problem of item.problems) if (problems.length < KEPT_PROBLEMS) problems.push(problem);
        }
      }
      if (text !== "" && (given.skipInvalid || invalid === 0)) await write(text);
    }
    const label = source.label ?? source.path;
    if (invalid > 0) {
      ctx.io.stderr.write(
        `${label}: ${invalid} of ${rows} rows invalid (${problemCount} problems):\n` +
          `${formatProblems(problems, undefined, problemCount)}\n`,
      );
      if (!given.skipInvalid) {
        await file?.discard();
        ctx.io.stderr.write(
          "Nothing was written: fix the rows above, or pass --skip-invalid to write the valid ones.\n",
        );
        return ctx.setExitCode(EXIT.usage);
      }
    }
    await file?.commit();
    if (given.output !== undefined)
      ctx.io.stderr.write(`Rendered ${rows - invalid} rows of ${label} into ${given.output}.\n`);
  } catch (error) {
    await file?.discard();
    throw error;
  }
}
