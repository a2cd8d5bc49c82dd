/**
 * Drafts and finals on the contact sheet (issue 21): a draft's picked image shows the finals
 * promoted from it (a badge linking to each final image, coloured by how the final row ended),
 * and a final row shows the draft image it came from beside its own. Where the other batch's
 * images are is the caller's to say (report.html: relative to its directory; the dashboard: its
 * /batches/<id>/files/ URLs). Pure.
 */
import type { ResultLine } from "../result-lines.js";
import { esc, fileHref } from "./escape.js";

/** An image of another batch: a path relative to this batch's directory, or an absolute URL ("/…"). */
export interface LinkedImage {
  readonly path: string;
}

export interface FinalLink extends LinkedImage {
  readonly batch: string;
  readonly row: string;
  /** How the final row stands: succeeded, failed, pending, … */
  readonly status: string;
  /** No image yet (pending, failed): the badge links nowhere. */
  readonly hasImage: boolean;
}

export interface LineageView {
  /** Finals made from image `image` of this (draft) batch's row `id`. */
  finalsOf(id: string, image: number): readonly FinalLink[];
  /** The draft image a final row came from, when its directory has it. */
  draftImageOf(line: ResultLine): LinkedImage | null;
}

const href = (prefix: string, image: LinkedImage) =>
  image.path.startsWith("/") ? esc(image.path) : fileHref(prefix, image.path);

export function finalsHtml(view: LineageView, id: string, image: number, prefix: string): string {
  const finals = view.finalsOf(id, image);
  if (finals.length === 0) return "";
  const badges = finals.map((f) => {
    const title = esc(`final ${f.row} (batch ${f.batch}): ${f.status}`);
    const text = f.status === "succeeded" ? "final ✓" : `final: ${esc(f.status)}`;
    return f.hasImage
      ? `<a class="final st-${esc(f.status)}" href="${href(prefix, f)}" title="${title}">${text}</a>`
      : `<span class="final st-${esc(f.status)}" title="${title}">${text}</span>`;
  });
  return `<span class="finals">${badges.join("")}</span>`;
}

export function draftHtml(view: LineageView, line: ResultLine, prefix: string): string {
  if (!line.draft_batch || !line.draft_row || !line.draft_image) return "";
  const what =
    `draft <b>${esc(line.draft_row)}</b> image ${line.draft_image} ` +
    `<span class="note">(batch ${esc(line.draft_batch)})</span>`;
  const image = view.draftImageOf(line);
  const thumb = image
    ? `<a class="draft-img" href="${href(prefix, image)}">` +
      `<img loading="lazy" decoding="async" src="${href(prefix, image)}" alt="${esc(`draft of ${line.id}`)}"></a>`
    : "";
  return `<div class="draft">${thumb}<span>from ${what}</span></div>`;
}
