/**
 * The compiled CLI for benches that measure a whole command's time and memory as users run it
 * (not through tsx): tsc into .bench/dist, with the ledger's Lua scripts copied beside it as
 * `npm run build` does. tsc emits even when another file of the tree has a type error; the note
 * says so. Null when nothing was emitted (then the benches fall back to tsx).
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface Binary {
  /** .bench/dist/cli/main.js */
  readonly main: string;
  /** "" or why the build was not clean. */
  readonly note: string;
}

export function buildBinary(): Binary | null {
  const outDir = join(ROOT, ".bench", "dist");
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const result = spawnSync(
    process.execPath,
    [tsc, "-p", join(ROOT, "tsconfig.build.json"), "--outDir", outDir],
    {
      cwd: ROOT,
      encoding: "utf8",
    },
  );
  const main = join(outDir, "cli", "main.js");
  if (!existsSync(main)) return null;
  cpSync(join(ROOT, "src", "ledger", "lua"), join(outDir, "ledger", "lua"), { recursive: true });
  return {
    main,
    note: result.status === 0 ? "" : " (tsc reported type errors in the tree; it emitted all the same)",
  };
}

/** Prints the process's peak RSS as it exits; loaded with --import so the CLI runs unchanged. */
export const RSS_HOOK =
  "data:text/javascript,process.on('exit',()=>process.stderr.write('\\nmaxRSS='+process.resourceUsage().maxRSS+'\\n'))";
