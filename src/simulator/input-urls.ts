/**
 * Images given to a run by URL, as Runflow would fetch them: a URL of one of this simulator's own
 * outputs (an earlier run's, e.g. a draft promoted with `--as edit`) is checked when the run is
 * created — it must be signed by this simulator, not expired, and name an output it still serves.
 * Otherwise the create is answered 422 VALIDATION_ERROR with one error per URL (docs/runflow-api.md):
 *   input.image_urls.0 has expired (URL_EXPIRED): read the run again for a fresh URL
 *   input.image_urls.0 is not signed by this Runflow (SIGNATURE_INVALID): …
 *   input.image_urls.0 is no output this Runflow serves (OUTPUT_NOT_FOUND): …
 * URLs of other hosts are accepted unread: the simulator fetches nothing from the network.
 */
import { EXTENSIONS } from "./dimensions.js";
import type { Engine } from "./engine.js";
import type { FieldError } from "./http-io.js";
import { parseOutputPath } from "./outputs.js";
import { statusAt } from "./run-store.js";

/** The URL fields a model input may carry, and their values as a list. */
function urlsOf(input: Readonly<Record<string, unknown>>): [string, string][] {
  const found: [string, string][] = [];
  const list = input.image_urls;
  if (Array.isArray(list))
    list.forEach((url, i) => {
      if (typeof url === "string") found.push([`input.image_urls.${i}`, url]);
    });
  for (const field of ["image_url", "mask_url"])
    if (typeof input[field] === "string") found.push([`input.${field}`, input[field]]);
  return found;
}

function problemOf(engine: Engine, url: URL, now: number): string | null {
  const verdict = engine.signer.verify(url.pathname, url.searchParams, now);
  if (verdict === "expired") return "has expired (URL_EXPIRED): read the run again for a fresh URL";
  if (verdict === "invalid")
    return (
      "is not signed by this Runflow (SIGNATURE_INVALID): use an output URL exactly as a run of this " +
      "account gives it"
    );
  const parts = parseOutputPath(url.pathname);
  const run = parts ? engine.runs.get(parts.runId) : undefined;
  const served =
    parts &&
    run &&
    statusAt(run, now) === "succeeded" &&
    !engine.outputsGone(run.id) &&
    parts.index < run.output.count &&
    parts.ext === EXTENSIONS[run.output.format];
  return served ? null : "is no output this Runflow serves (OUTPUT_NOT_FOUND): its run's outputs are gone";
}

/** Problems of the input's URLs that point at this simulator (`origins`: the origins it answers on). */
export function ownUrlErrors(
  engine: Engine,
  input: Readonly<Record<string, unknown>>,
  origins: readonly string[],
  now: number,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const [field, text] of urlsOf(input)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      continue; // the input's own rules said what is wrong with it
    }
    if (!origins.includes(url.origin)) continue;
    const problem = problemOf(engine, url, now);
    if (problem)
      errors.push({ field, expected: "a fresh output URL", found: text, message: `${field} ${problem}` });
  }
  return errors;
}
