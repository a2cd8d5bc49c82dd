/**
 * A strict parser of the Prometheus text format (0.0.4) for tests: every line is a HELP, a TYPE
 * or a sample; names and labels are checked against the format's grammar; every sample belongs
 * to a family declared by TYPE before it; histograms have cumulative buckets ending in +Inf that
 * equal _count. Throws on the first thing that is not right, naming the line.
 */
interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PromFamily {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  readonly samples: PromSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

function parseValue(text: string, where: string): number {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (text === "NaN") return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text))
    throw new Error(`${where}: bad value ${JSON.stringify(text)}`);
  return Number(text);
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf("=", i);
    if (eq < 0) throw new Error(`${where}: label without "="`);
    const name = text.slice(i, eq);
    if (!LABEL.test(name)) throw new Error(`${where}: bad label name ${JSON.stringify(name)}`);
    if (name in labels) throw new Error(`${where}: label ${name} twice`);
    if (text[eq + 1] !== '"') throw new Error(`${where}: label ${name} value not quoted`);
    let j = eq + 2;
    let value = "";
    for (;;) {
      const c = text[j];
      if (c === undefined) throw new Error(`${where}: unterminated label value`);
      if (c === "\\") {
        const n = text[j + 1];
        if (n === "n") value += "\n";
        else if (n === "\\" || n === '"') value += n;
        else throw new Error(`${where}: bad escape \\${n ?? ""}`);
        j += 2;
        continue;
      }
      if (c === '"') break;
      if (c === "\n") throw new Error(`${where}: newline in label value`);
      value += c;
      j += 1;
    }
    labels[name] = value;
    i = j + 1;
    if (text[i] === ",") i += 1;
    else if (i < text.length) throw new Error(`${where}: expected "," between labels`);
  }
  return labels;
}

function familyOf(name: string, families: Map<string, PromFamily>): PromFamily | undefined {
  const direct = families.get(name);
  if (direct) return direct;
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (name.endsWith(suffix)) {
      const family = families.get(name.slice(0, -suffix.length));
      if (family && (family.type === "histogram" || (family.type === "summary" && suffix !== "_bucket")))
        return family;
    }
  }
  return undefined;
}

function checkHistogram(family: PromFamily): void {
  const groups = new Map<string, { buckets: [number, number][]; count?: number }>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const group = groups.get(key) ?? { buckets: [] };
    groups.set(key, group);
    if (s.name.endsWith("_bucket")) {
      if (le === undefined) throw new Error(`${family.name}: bucket without le`);
      group.buckets.push([parseValue(le, family.name), s.value]);
    } else if (s.name.endsWith("_count")) group.count = s.value;
  }
  for (const [key, group] of groups) {
    const last = group.buckets.at(-1);
    if (!last || last[0] !== Infinity) throw new Error(`${family.name} ${key}: no +Inf bucket`);
    for (let i = 1; i < group.buckets.length; i++) {
      const [le, n] = group.buckets[i] as [number, number];
      const [prevLe, prevN] = group.buckets[i - 1] as [number, number];
      if (!(le > prevLe) || n < prevN)
        throw new Error(`${family.name} ${key}: buckets not increasing/cumulative`);
    }
    if (group.count !== last[1])
      throw new Error(`${family.name} ${key}: _count ${group.count} ≠ +Inf bucket ${last[1]}`);
  }
}

export function parsePrometheusText(text: string): Map<string, PromFamily> {
  if (!text.endsWith("\n")) throw new Error("exposition must end with a newline");
  const families = new Map<string, PromFamily>();
  const helps = new Map<string, string>();
  for (const [index, line] of text.split("\n").entries()) {
    const where = `line ${index + 1}`;
    if (line === "") continue;
    if (line.startsWith("#")) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!match) continue; // a plain comment
      const [, kind, name = "", rest = ""] = match;
      if (!NAME.test(name)) throw new Error(`${where}: bad metric name ${name}`);
      if (kind === "HELP") {
        if (helps.has(name)) throw new Error(`${where}: second HELP for ${name}`);
        helps.set(name, rest);
      } else {
        if (!TYPES.has(rest)) throw new Error(`${where}: bad type ${rest}`);
        if (families.has(name)) throw new Error(`${where}: second TYPE for ${name}`);
        families.set(name, { name, type: rest, help: helps.get(name) ?? "", samples: [] });
      }
      continue;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(line);
    if (!match) throw new Error(`${where}: not a sample: ${JSON.stringify(line)}`);
    const [, name = "", labelText = "", valueText = ""] = match;
    const family = familyOf(name, families);
    if (!family) throw new Error(`${where}: sample ${name} has no TYPE before it`);
    family.samples.push({ name, labels: parseLabels(labelText, where), value: parseValue(valueText, where) });
  }
  for (const family of families.values()) if (family.type === "histogram") checkHistogram(family);
  return families;
}
