/**
 * The markup of picking on a contact sheet (picks-script.ts does the rest in the browser): the
 * picks bar (counts, export, what the keys do), the filter by pick state, the ✓/✗ on each image
 * and the picks the page starts from. Pure.
 */
import type { ImagePick } from "../../ledger/picks-file.js";
import { esc } from "./escape.js";

/** Where a page keeps its picks (see picks-script.ts). */
export interface PicksPlace {
  readonly mode: "local" | "server" | "view";
  /** `server`: where verdicts are POSTed. */
  readonly url?: string;
  /** `server`/`view`: where picks.csv is downloaded from (`local` makes it in the browser). */
  readonly exportHref?: string;
  /** The picks stored on the batch when the page was made. */
  readonly initial: readonly ImagePick[];
}

const KEYS = "Select an image and press P to pick, X to reject, U to clear, N for a note; arrow keys move.";

/** The attributes `.sheet` carries for the script. */
export function sheetAttributes(batch: string, picks: PicksPlace): string {
  const url = picks.url ? ` data-picks-url="${esc(picks.url)}"` : "";
  return ` data-batch="${esc(batch)}" data-picks-mode="${picks.mode}"${url}`;
}

export function picksBarHtml(picks: PicksPlace): string {
  const where =
    picks.mode === "local"
      ? "kept in this browser"
      : picks.mode === "server"
        ? "kept on the batch, shared by reviewers"
        : "read-only (the dashboard runs without --allow-actions)";
  const exporter = picks.exportHref
    ? `<a class="picks-export" href="${esc(picks.exportHref)}" download="picks.csv">Export picks.csv</a>`
    : `<button type="button" class="picks-export">Export picks.csv</button>`;
  return (
    `<div class="picks"><b>Picks</b> <span class="picks-counts">0 picked · 0 rejected</span>` +
    ` <span class="picks-where">(${where})</span> ${exporter}` +
    `<span class="picks-keys">${picks.mode === "view" ? "" : esc(KEYS)}</span>` +
    `<span class="picks-status" role="status" aria-live="polite"></span></div>`
  );
}

export function pickFilterHtml(): string {
  const choices: [string, string][] = [
    ["", "all picks"],
    ["pick", "picked"],
    ["reject", "rejected"],
    ["none", "not reviewed"],
  ];
  const items = choices.map(([value, label]) => `<option value="${value}">${label}</option>`).join("");
  return `<select name="pick" aria-label="pick">${items}</select>`;
}

/** The ✓ and ✗ over an image. */
export const PICK_BUTTONS =
  `<span class="pickbar"><button type="button" data-v="pick" aria-pressed="false" title="Pick (P)">✓</button>` +
  `<button type="button" data-v="reject" aria-pressed="false" title="Reject (X)">✗</button></span>`;

/** The picks the page starts from, as JSON safe inside <script>. */
export function initialPicksScript(picks: readonly ImagePick[]): string {
  const json = JSON.stringify(picks.map(({ id, image, pick, note }) => ({ id, image, pick, note })));
  return `<script type="application/json" id="rfb-picks">${json.replace(/</g, "\\u003c")}</script>`;
}
