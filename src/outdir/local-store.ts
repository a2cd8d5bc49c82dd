/**
 * A batch directory on this machine's file system (or a shared mount): the BatchStore that does
 * what the tool always did — files written to a temporary name and renamed into place, a stat
 * per file a plan or report asks about, directories made one level at a time.
 */
import { createReadStream } from "node:fs";
import { access, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { openLineFile } from "./line-file.js";
import { makeDirs, removeMadeDirs } from "./make-dirs.js";
import { probeOutDir } from "./probe.js";
import type { BatchStore, FileInfo, StoreView } from "./store.js";

const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === "ENOENT";

async function* linesOf(file: string): AsyncGenerator<string> {
  const input = createReadStream(file, { encoding: "utf8" });
  try {
    yield* createInterface({ input, crlfDelay: Infinity });
  } catch (error) {
    if (!missing(error)) throw error;
  } finally {
    input.destroy();
  }
}

function localView(dir: string): StoreView {
  return {
    has: (name) =>
      access(path.join(dir, name)).then(
        () => true,
        () => false,
      ),
    info: (name) =>
      stat(path.join(dir, name)).then(
        (s): FileInfo => ({ size: s.size, modifiedMs: s.mtimeMs }),
        () => null,
      ),
    names: (folder) =>
      readdir(path.join(dir, folder)).then(
        (names) => new Set(names),
        () => new Set<string>(),
      ),
  };
}

/** The store of a local directory (`dir` is resolved). */
export function localStore(dir: string): BatchStore {
  const root = path.resolve(dir);
  const file = (name: string) => path.join(root, name);
  return {
    kind: "local",
    location: root,
    where: file,
    probe: (options) => probeOutDir(root, options),
    makeDir: (folder) => makeDirs(folder === undefined ? root : file(folder)),
    removeMadeDirs,
    async readText(name) {
      try {
        return await readFile(file(name), "utf8");
      } catch (error) {
        if (missing(error)) return null;
        throw error;
      }
    },
    readLines: (name) => linesOf(file(name)),
    async readBytes(name) {
      try {
        return await readFile(file(name));
      } catch (error) {
        if (missing(error)) return null;
        throw error;
      }
    },
    view: () => localView(root),
    async writeText(name, text) {
      const target = file(name);
      const temp = `${target}.${process.pid}.tmp`;
      await writeFile(temp, text);
      await rename(temp, target);
    },
    async writeBytes(name, body) {
      const target = file(name);
      const temp = `${target}.${process.pid}.tmp`;
      await writeFile(temp, body);
      await rename(temp, target);
    },
    openLineFile: (name) => openLineFile(file(name)),
    remove: (name) => rm(file(name), { force: true }),
    async scratch(label) {
      const work = path.join(root, `.${label}-${process.pid}-${Date.now()}`);
      await mkdir(work, { recursive: true });
      return work;
    },
    localPath: file,
    images: null,
  };
}
