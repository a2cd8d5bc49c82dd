/**
 * Writes report.html and its further pages (an I/O edge): cards are streamed into one fragment
 * file per page while the lines are read; at the end, when the totals are known, each page is
 * put together (header + cards) and renamed into place, and pages left over from a larger,
 * earlier report are removed. Each page appears complete or not at all.
 */
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import type { HeaderModel } from "./html/header.js";
import { cardHtml, type CardOptions } from "./html/cards.js";
import { CARDS_PER_PAGE, pageEnd, pageStart, relativePageHref, reportPagePath } from "./html/page.js";
import { openLineFile, type LineFile } from "./line-file.js";
import type { ResultLine } from "./result-lines.js";

export interface HtmlReport {
  /** Adds the next row's card; its page is `pageOf(index)`. */
  add(line: ResultLine): Promise<void>;
  /** Writes every page with this header; returns the files written (relative to DIR). */
  finish(header: HeaderModel): Promise<string[]>;
  discard(): Promise<void>;
}

export const pageOf = (index: number) => Math.floor(index / CARDS_PER_PAGE) + 1;

export async function openHtmlReport(
  outDir: string,
  thumbFor: CardOptions["thumbFor"],
  cardsPerPage = CARDS_PER_PAGE,
): Promise<HtmlReport> {
  const work = path.join(outDir, `.report-${process.pid}-${Date.now()}`);
  await mkdir(work, { recursive: true });
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
        current = await openLineFile(fragment(n));
        page = n;
        failedPerPage.push(0);
      }
      if (line.status === "failed") failedPerPage[n - 1] = (failedPerPage[n - 1] ?? 0) + 1;
      await current?.write(cardHtml(line, { prefix: n === 1 ? "" : "../", thumbFor }));
      count += 1;
    },
    async finish(header) {
      await current?.commit();
      current = null;
      const pages = Math.max(1, page);
      const written: string[] = [];
      try {
        if (pages > 1) await mkdir(path.join(outDir, "report-pages"), { recursive: true });
        for (let n = 1; n <= pages; n++) {
          const place = {
            number: n,
            count: pages,
            href: (to: number) => relativePageHref(n, to),
            failedPerPage,
          };
          const file = await openLineFile(path.join(outDir, reportPagePath(n)));
          try {
            await file.write(pageStart(header, place));
            if (n <= page) await file.write(await readFile(fragment(n), "utf8"));
            await file.write(pageEnd(place));
            await file.commit();
          } catch (error) {
            await file.discard();
            throw error;
          }
          written.push(reportPagePath(n));
        }
        await removeStalePages(outDir, pages);
        return written;
      } finally {
        await cleanUp();
      }
    },
    discard: cleanUp,
  };
}

async function removeStalePages(outDir: string, pages: number): Promise<void> {
  const dir = path.join(outDir, "report-pages");
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = /^page-(\d+)\.html$/.exec(name);
    if (match && Number(match[1]) > pages) await rm(path.join(dir, name), { force: true });
  }
}
