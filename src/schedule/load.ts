/**
 * Reading a folder of schedule files: every `*.schedule.yaml`, `*.schedule.yml` or
 * `*.schedule.json` in it (not in subfolders; the folder may hold manifests too), parsed and
 * validated, each with every problem it has. A file's hash (its path and bytes) tells `sync`
 * whether the installed scheduler is up to date.
 */
import { normalizeOut } from "../core/out-location.js";
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { UsageError } from "../core/errors.js";
import { describeFound } from "../manifest/problems.js";
import type { Schedule } from "./schedule.js";
import { sharedOutDir } from "./schedule.js";
import { problem, type ScheduleProblem } from "./schedule-problem.js";
import { checkSchedule } from "./schedule-schema.js";

export const SCHEDULE_FILE = /\.schedule\.(ya?ml|json)$/i;

export type ScheduleFile =
  | {
      readonly ok: true;
      readonly file: string;
      readonly shown: string;
      readonly hash: string;
      readonly schedule: Schedule;
    }
  | {
      readonly ok: false;
      readonly file: string;
      readonly shown: string;
      readonly problems: readonly ScheduleProblem[];
    };

export interface ScheduleFolder {
  readonly dir: string;
  /** Sorted by file name. */
  readonly files: readonly ScheduleFile[];
  readonly problems: readonly ScheduleProblem[];
}

function scheduleHash(file: string, content: string): string {
  return createHash("sha256").update(file).update("\u0000").update(content).digest("hex");
}

/** The file's value, or its syntax problem with the line. */
function parseText(
  text: string,
  shown: string,
  json: boolean,
): { value: unknown } | { problem: ScheduleProblem } {
  if (json) {
    try {
      return { value: JSON.parse(text) as unknown };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { problem: problem(shown, "file", "a JSON object", reason, `not valid JSON (${reason})`) };
    }
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter: lines });
  const error = doc.errors[0];
  if (error) {
    const line = lines.linePos(error.pos[0]).line;
    const source = text.split(/\r?\n/)[line - 1] ?? "";
    // `cron: */5 * * * *` reads as a YAML alias: say to quote it.
    const hint = /^\s*cron\s*:\s*\*/.test(source)
      ? '; quote the cron expression, e.g. cron: "*/5 * * * *"'
      : "";
    const message = `not valid YAML at line ${line} (${error.message.split("\n")[0]})${hint}`;
    return { problem: problem(shown, "file", "a YAML mapping of fields", error.message, message) };
  }
  return { value: doc.toJS() as unknown };
}

/** One file read and checked on its own; problems across the folder come after. */
async function readScheduleFile(
  file: string,
  shown: string,
): Promise<{ problems: readonly ScheduleProblem[] } | { schedule: Schedule; text: string }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return { problems: [problem(shown, "file", "a readable file", code, `cannot be read (${code})`)] };
  }
  const parsed = parseText(text, shown, file.toLowerCase().endsWith(".json"));
  if ("problem" in parsed) return { problems: [parsed.problem] };
  const checked = checkSchedule(parsed.value, file, shown);
  return checked.ok ? { schedule: checked.schedule, text } : { problems: checked.problems };
}

/**
 * What is wrong with a schedule beside the others of its folder: a name taken before it, an out
 * directory another schedule writes to (without {name}), or one its own occurrences would share.
 */
function folderProblems(
  schedule: Schedule,
  shown: string,
  seen: { readonly owner: Map<string, string>; readonly outs: Map<string, string> },
  nowMs: number,
): ScheduleProblem[] {
  const problems: ScheduleProblem[] = [];
  const shared = sharedOutDir(schedule, nowMs);
  if (shared)
    problems.push(problem(shown, "out", "a directory of its own for every occurrence", schedule.out, shared));
  const other = seen.owner.get(schedule.name);
  if (other !== undefined) {
    const found = describeFound(schedule.name);
    const message = `name ${found} is also the name in ${other}: names must be unique`;
    problems.push(problem(shown, "name", "unique in the folder", found, message));
  } else seen.owner.set(schedule.name, shown);
  // Without {name}, two schedules with one out template would write into one directory.
  const out = normalizeOut(schedule.out);
  const sharing = schedule.out.includes("{name}") ? undefined : seen.outs.get(out);
  if (sharing !== undefined) {
    const found = describeFound(schedule.out);
    const message = `out ${found} is also the out of ${sharing}: add {name} to it`;
    problems.push(problem(shown, "out", "a directory of its own", found, message));
  } else if (!schedule.out.includes("{name}")) seen.outs.set(out, shown);
  return problems;
}

/**
 * Reads and checks every schedule file of `dir`. `shownDir` is the folder as the user named it;
 * `nowMs` is where the check that occurrences never share an output directory starts.
 */
export async function loadScheduleFolder(
  dir: string,
  shownDir: string,
  nowMs: number,
): Promise<ScheduleFolder> {
  const absolute = path.resolve(dir);
  let names: string[];
  try {
    names = (await readdir(absolute, { withFileTypes: true }))
      .filter((e) => e.isFile() && SCHEDULE_FILE.test(e.name))
      .map((e) => e.name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    throw new UsageError(
      `cannot read the schedules folder ${shownDir} (${code || String(error)}): ` +
        "pass a folder holding *.schedule.yaml files, such as jobs/",
      { cause: error },
    );
  }
  names.sort();
  const files: ScheduleFile[] = [];
  const seen = { owner: new Map<string, string>(), outs: new Map<string, string>() };
  for (const name of names) {
    const file = path.join(absolute, name);
    const shown = path.join(shownDir, name);
    const read = await readScheduleFile(file, shown);
    if ("problems" in read) {
      files.push({ ok: false, file, shown, problems: read.problems });
      continue;
    }
    const { schedule, text } = read;
    const problems = folderProblems(schedule, shown, seen, nowMs);
    files.push(
      problems.length > 0
        ? { ok: false, file, shown, problems }
        : { ok: true, file, shown, hash: scheduleHash(file, text), schedule },
    );
  }
  return { dir: absolute, files, problems: files.flatMap((f) => (f.ok ? [] : f.problems)) };
}
