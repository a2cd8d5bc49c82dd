/**
 * Writes report.html and its further pages (an I/O edge): cards are streamed into one fragment
 * file per page while the lines are read; at the end, when the totals are known, each page is
 * put together (header + cards) and renamed into place, and pages left over from a larger,
 * earlier report are removed. Each page appears complete or not at all. The fragments are local
 * work files; the pages go through the directory's store (a local path or an S3 prefix).
 */
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { openLineFile as openWorkFile } from "../outdir/line-file.js";
import type { BatchStore } from "../outdir/store.js";
import { asStore } from "../outdir/stores.js";
import type { HeaderModel } from "./html/header.js";
import { cardHtml, type CardOptions } from "./html/cards.js";
import { CARDS_PER_PAGE, pageEnd, pageStart, relativePageHref, reportPagePath } from "./html/page.js";
import type { LineageView } from "./html/lineage.js";
import type { PicksPlace } from "./html/picks-view.js";
import type { LineFile } from "./line-file.js";
import type { ResultLine } from "./result-lines.js";

export interface HtmlReport {
  /** Adds the next row's card; its page is `pageOf(index)`. */
  add(line: ResultLine): Promise<void>;
  /** Writes every page with this header; returns the files written (relative to DIR). */
  finish(header: HeaderModel): Promise<string[]>;
  discard(): Promise<void>;
}

export const pageOf = (index: number) => Math.floor(index / CARDS_PER_PAGE) + 1;

/** What the pages show besides the lines: the picks stored on the batch, lineage of drafts and finals. */
export interface HtmlExtras {
  readonly picks?: PicksPlace;
  readonly lineage?: LineageView | undefined;
}

export async function openHtmlReport(
  outDir: string | BatchStore,
  thumbFor: CardOptions["thumbFor"],
  cardsPerPage = CARDS_PER_PAGE,
  extras: HtmlExtras = {},
): Promise<HtmlReport> {
  const store = asStore(outDir);
  const work = await store.scratch("report");
  const fragment = (n: number) => path.join(work, `cards-${n}.html`);
  const failedPerPage: number[] = [];
  let count = 0;
  let current: LineFile | null = null;
  let page = 0;

  const cleanUp = async () => {
    await current?.discard().catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  };

  return {
    async add(line) {
      const n = Math.floor(count / cardsPerPage) + 1;
      if (n !== page) {
        await current?.commit();
        current = await openWorkFile(fragment(n));
        page = n;
        failedPerPage.push(0);
      }
      if (line.status === "failed") failedPerPage[n - 1] = (failedPerPage[n - 1] ?? 0) + 1;
      const prefix = n === 1 ? "" : "../";
      await current?.write(cardHtml(line, { prefix, thumbFor, lineage: extras.lineage }));
      count += 1;
    },
    async finish(header) {
      await current?.commit();
      current = null;
      const pages = Math.max(1, page);
      const written: string[] = [];
      try {
        if (pages > 1) await store.makeDir("report-pages");
        for (let n = 1; n <= pages; n++) {
          const place = {
            number: n,
            count: pages,
            href: (to: number) => relativePageHref(n, to),
            failedPerPage,
          };
          const file = await store.openLineFile(reportPagePath(n));
          try {
            await file.write(pageStart(header, place, extras.picks));
            if (n <= page) await file.write(await readFile(fragment(n), "utf8"));
            await file.write(pageEnd(place));
            await file.commit();
          } catch (error) {
            await file.discard();
            throw error;
          }
          written.push(reportPagePath(n));
        }
        await removeStalePages(store, pages);
        return written;
      } finally {
        await cleanUp();
      }
    },
    discard: cleanUp,
  };
}

async function removeStalePages(store: BatchStore, pages: number): Promise<void> {
  for (const name of await store.view().names("report-pages")) {
    const match = /^page-(\d+)\.html$/.exec(name);
    if (match && Number(match[1]) > pages) await store.remove(`report-pages/${name}`);
  }
}
