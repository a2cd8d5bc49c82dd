/** Temporary manifest files for the manifest/estimate tests. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { streamManifest, type ManifestItem, type StreamOptions } from "../../src/manifest/index.js";

export interface TempFiles {
  readonly dir: string;
  write(name: string, content: string | Buffer): string;
  cleanup(): void;
}

export function tempFiles(): TempFiles {
  const dir = mkdtempSync(join(tmpdir(), "runflow-manifest-"));
  return {
    dir,
    write(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function collect(path: string, options?: StreamOptions): Promise<ManifestItem[]> {
  const items: ManifestItem[] = [];
  for await (const item of streamManifest(path, options)) items.push(item);
  return items;
}

/** Every problem message of the items, in order. */
export function messages(items: readonly ManifestItem[]): string[] {
  return items.flatMap((item) => (item.ok ? [] : item.problems.map((problem) => problem.message)));
}

export function rows(items: readonly ManifestItem[]) {
  return items.flatMap((item) => (item.ok ? [item.row] : []));
}
