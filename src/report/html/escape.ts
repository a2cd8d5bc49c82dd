/** HTML escaping for text and attribute values (both quoted with "). Pure. */
const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function esc(text: string | number | null | undefined): string {
  if (text === null || text === undefined) return "";
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** A relative file path as an href/src: each segment percent-encoded, so `#`, `?` and spaces stay literal. */
export function fileHref(prefix: string, relative: string): string {
  return esc(prefix + relative.split("/").map(encodeURIComponent).join("/"));
}
