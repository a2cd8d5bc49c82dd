/**
 * From a feed's records to the units a recipe renders: one per product (`rows: product`) or one
 * per variant row (`rows: variant`). Consecutive records with the same value in the group
 * column (`group_by`; Shopify's `Handle` by default when the feed has it) are one product: its
 * first record holds the product's fields, the later ones its other variants — a variant row
 * inherits every cell it leaves empty from the product's first row — and rows that only add an
 * image (Shopify's image rows) are images, not variants. Pure.
 *
 * A unit's scope, what templates see: `row` (the product's first row, or the variant row with
 * the product's cells filled in), `product` (the first row), `variants` (every variant row, so
 * filled in), `images` (the product's image URLs, in order) and each column by its bare name
 * (`{{ Title }}`) when it is a plain word.
 */
import { makeProblem } from "../manifest/problems.js";
import type { ReadRow } from "../manifest/readers/types.js";
import type { Problem, RowLocation } from "../manifest/types.js";

export type Fields = Record<string, unknown>;

export type Unit =
  | { readonly ok: true; readonly location: RowLocation; readonly scope: Fields }
  | { readonly ok: false; readonly location: RowLocation; readonly problems: readonly Problem[] };

/** Rows of one product at most: a group column that never changes must not gather the whole feed. */
const MAX_PRODUCT_ROWS = 10_000;
const IMAGE_COLUMNS = ["Image Src", "image_link", "additional_image_link"];
const RESERVED = new Set(["row", "product", "variants", "images"]);
const WORD = /^[A-Za-z_][A-Za-z0-9_]*$/;

const bare = new Map<string, boolean>();
/** A column a template may name bare (`{{ Title }}`): a plain word that is not one of the scope's own names. */
function isBare(name: string): boolean {
  let known = bare.get(name);
  if (known === undefined) {
    known = WORD.test(name) && !RESERVED.has(name);
    if (bare.size < 10_000) bare.set(name, known);
  }
  return known;
}

const blank = (value: unknown) => value === undefined || value === null || value === "";

/** CSV cells left empty are "" (not missing): only a column the feed lacks is a missing variable. */
function cellsOf(row: ReadRow): Fields {
  // The reader made this object for this row alone: filled in place, not copied.
  const fields = row.fields as Fields;
  for (const name in fields) if (fields[name] === undefined || fields[name] === null) fields[name] = "";
  return fields;
}

function isImageRow(fields: Fields, group: string | null): boolean {
  for (const name in fields) {
    if (name === group || blank(fields[name])) continue;
    if (!name.startsWith("Image ")) return false;
  }
  return true;
}

function merged(product: Fields, variant: Fields): Fields {
  const row: Fields = { ...product };
  for (const name in variant) if (!blank(variant[name])) row[name] = variant[name];
  return row;
}

function imagesOf(rows: readonly Fields[]): string[] {
  const urls: string[] = [];
  for (const row of rows)
    for (const column of IMAGE_COLUMNS) {
      const value = row[column];
      for (const url of Array.isArray(value) ? value : [value])
        if (typeof url === "string" && url.trim() !== "" && !urls.includes(url.trim())) urls.push(url.trim());
    }
  return urls;
}

function scopeOf(
  row: Fields,
  product: Fields,
  variants: readonly Fields[] | null,
  images: readonly string[] | null,
  bare: boolean,
): Fields {
  const scope: Fields = {};
  if (bare) for (const name in row) if (isBare(name)) scope[name] = row[name];
  scope.row = row;
  scope.product = product;
  if (variants) scope.variants = variants;
  if (images) scope.images = images;
  return scope;
}

export interface Grouper {
  /** Takes a batch of records; returns the units completed by it. */
  push(rows: readonly ReadRow[]): Unit[];
  /** The last product's units. */
  end(): Unit[];
}

/** What templates use beyond `row` and `product`: `variants` and `images` are worked out only when used. */
export interface ScopeNeeds {
  readonly variants: boolean;
  readonly images: boolean;
  /** Columns named bare (`{{ Title }}`). */
  readonly bare: boolean;
}

export function createGrouper(options: {
  rows: "product" | "variant";
  groupBy: string | undefined;
  needs?: ScopeNeeds;
}): Grouper {
  const needs = options.needs ?? { variants: true, images: true, bare: true };
  let groupColumn: string | null | undefined = options.groupBy;
  let key: unknown = undefined;
  let records: { location: RowLocation; fields: Fields }[] = [];

  function flush(out: Unit[]): void {
    const first = records[0];
    if (!first) return;
    const product = first.fields;
    const images = needs.images ? imagesOf(records.map((r) => r.fields)) : null;
    if (records.length === 1) {
      const scope = scopeOf(product, product, needs.variants ? [product] : null, images, needs.bare);
      out.push({ ok: true, location: first.location, scope });
      records = [];
      return;
    }
    const variantRecords = records.filter((r, i) => i === 0 || !isImageRow(r.fields, groupColumn ?? null));
    const variants = variantRecords.map((r, i) => (i === 0 ? product : merged(product, r.fields)));
    const shown = needs.variants ? variants : null;
    if (options.rows === "product")
      out.push({
        ok: true,
        location: first.location,
        scope: scopeOf(product, product, shown, images, needs.bare),
      });
    else
      variantRecords.forEach((r, i) =>
        out.push({
          ok: true,
          location: r.location,
          scope: scopeOf(variants[i] as Fields, product, shown, images, needs.bare),
        }),
      );
    records = [];
  }

  return {
    push(rows) {
      const out: Unit[] = [];
      for (const row of rows) {
        if (row.problem) {
          out.push({ ok: false, location: row.location, problems: [row.problem] });
          continue;
        }
        const fields = cellsOf(row);
        if (groupColumn === undefined) groupColumn = Object.hasOwn(fields, "Handle") ? "Handle" : null;
        const value = groupColumn === null ? undefined : fields[groupColumn];
        const sameProduct = records.length > 0 && !blank(value) && value === key;
        if (!sameProduct) flush(out);
        else if (records.length >= MAX_PRODUCT_ROWS) {
          const message =
            `more than ${MAX_PRODUCT_ROWS.toLocaleString("en-US")} consecutive rows have ` +
            `${groupColumn} ${JSON.stringify(value)}; ` +
            "check group_by in the recipe names the column that tells products apart";
          out.push({
            ok: false,
            location: row.location,
            problems: [
              makeProblem(row.location, groupColumn ?? "row", "a product of fewer rows", value, message),
            ],
          });
          flush(out);
        }
        key = value;
        records.push({ location: row.location, fields });
      }
      return out;
    },
    end() {
      const out: Unit[] = [];
      flush(out);
      return out;
    },
  };
}

/** The columns a feed's rows have, for messages (`columns: Handle, Title, …`). */
export function columnsOf(scope: Fields): string[] {
  const row = scope.row;
  return row && typeof row === "object" ? Object.keys(row) : [];
}
