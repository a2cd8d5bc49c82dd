import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const LUA_DIR = new URL("./lua/", import.meta.url);
/** Redis commands our scripts call that take no key. */
const KEYLESS = new Set(["TIME"]);

/** The first argument of each redis.call that is not a KEYS entry or a local holding one. */
function keysNotFromKEYS(lua: string): string[] {
  const fromKeys = new Set<string>();
  for (const [, names, values] of lua.matchAll(/^local ([\w, ]+) = (KEYS\[\d+\](?:, KEYS\[\d+\])*)$/gm))
    if (names && values && names.split(",").length === values.split(",").length)
      for (const name of names.split(",")) fromKeys.add(name.trim());
  const wrong: string[] = [];
  for (const [, command, first] of lua.matchAll(/redis\.call\('(\w+)'(?:,\s*([^,)]+))?/g)) {
    if (!command || KEYLESS.has(command.toUpperCase())) continue;
    const arg = (first ?? "").trim();
    if (!/^KEYS\[\d+\]$/.test(arg) && !fromKeys.has(arg)) wrong.push(`${command} ${arg}`);
  }
  return wrong;
}

describe("the ledger's Lua scripts", () => {
  const files = readdirSync(LUA_DIR).filter((name) => name.endsWith(".lua"));

  it("take every key they touch through KEYS, so Redis Cluster routes them to the batch's slot", () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const file of files)
      expect(keysNotFromKEYS(readFileSync(new URL(file, LUA_DIR), "utf8")), file).toEqual([]);
  });

  it("notices a key name built inside a script", () => {
    expect(keysNotFromKEYS("local b = KEYS[1]\nredis.call('HGET', b, 'x')")).toEqual([]);
    expect(keysNotFromKEYS("redis.call('HGET', KEYS[1] .. ':x', 'y')")).toEqual(["HGET KEYS[1] .. ':x'"]);
    expect(keysNotFromKEYS("redis.call('ZADD', '{rfb}:batches', 1, 'b')")).toEqual(["ZADD '{rfb}:batches'"]);
  });
});
