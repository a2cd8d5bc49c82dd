import { describe, expect, it } from "vitest";
import { headerHtml, type HeaderModel } from "./header.js";
import { timeHtml, utcText } from "./local-time.js";

const header: HeaderModel = {
  batch: "b-times",
  manifest: "/m.csv",
  state: "done",
  generatedAt: "2026-01-15T14:05:00.000Z",
  startedAt: "2026-01-15T14:03:07.120Z",
  finishedAt: null,
  durationMs: null,
  rows: { total: 1, succeeded: 1, failed: 0, pending: 0, held: 0, inFlight: 0 },
  images: 1,
  estimatedMicros: 9_000,
  actualMicros: 9_000,
  reservedMicros: 0,
  remainingEstimateMicros: 0,
  capMicros: 1_000_000,
  tiers: [],
  budgetHistory: [
    { at: "2026-01-15T14:00:00.000Z", kind: "created", cap_usd: "1.000", text: "created with $1.000" },
    { at: null, kind: "stopped", cap_usd: "1.000", text: "the cap stopped the batch" },
  ],
  failures: { total: 0, listed: [] },
};

describe("times on the pages", () => {
  it("are <time> elements: the ISO kept for the browser, UTC named until it shows the viewer's zone", () => {
    expect(utcText("2026-01-15T14:03:07.120Z")).toBe("2026-01-15 14:03:07 UTC");
    expect(utcText("not a time")).toBe("not a time");
    const iso = "2026-01-15T14:03:07.120Z";
    expect(timeHtml(iso)).toBe(`<time datetime="${iso}" title="${iso}">2026-01-15 14:03:07 UTC</time>`);
    expect(timeHtml(null)).toBe("—");
  });

  it("in the header: started, finished, generated and the budget history", () => {
    const html = headerHtml(header, (n) => `page-${n}.html`);
    const iso = "2026-01-15T14:03:07.120Z";
    expect(html).toContain(`<dd><time datetime="${iso}" title="${iso}">2026-01-15 14:03:07 UTC</time></dd>`);
    expect(html).toMatch(/data-fact="finished"><dt>finished<\/dt><dd>—<\/dd>/);
    expect(html).toContain('generated <time datetime="2026-01-15T14:05:00.000Z"');
    expect(html).toContain('<li data-kind="created"><time datetime="2026-01-15T14:00:00.000Z"');
    expect(html).toContain('<li data-kind="stopped">— the cap stopped the batch</li>');
    expect(html).not.toMatch(/>2026-01-15T/); // no raw ISO shown as text
  });
});
