// Copies the files tsc does not emit into dist/: the ledger's Lua scripts (src/ledger/lua/*.lua),
// which src/ledger/lua-scripts.ts reads from beside itself at start. Run by `npm run build`.
import { cpSync, rmSync } from "node:fs";
import { URL } from "node:url";

const from = new URL("../src/ledger/lua/", import.meta.url);
const to = new URL("../dist/ledger/lua/", import.meta.url);
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
