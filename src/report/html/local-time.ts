/**
 * Times on the pages (report.html and the dashboard) are stored in UTC; a reader wants them in
 * their own zone. report.html is a static file opened anywhere, so the page itself formats them in
 * the browser with the viewer's zone: each time is a <time datetime="ISO"> whose text starts as the
 * UTC time, named so (what a reader without JavaScript sees), and whose title keeps the ISO. Pure.
 */
import { esc } from "./escape.js";

/** `2026-01-15 14:03:07 UTC` from an ISO time (as given, when it is not one). */
export function utcText(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return match ? `${match[1]} ${match[2]} UTC` : iso;
}

/** A time the page shows in the viewer's zone (LOCAL_TIMES_JS); `empty` when there is none. */
export function timeHtml(iso: string | null, empty = "—"): string {
  if (iso === null) return esc(empty);
  return `<time datetime="${esc(iso)}" title="${esc(iso)}">${esc(utcText(iso))}</time>`;
}

/**
 * Rewrites every <time datetime> under `root` (the document by default) as the viewer's local
 * time with its zone (`Jan 15, 2026, 09:03:07 EST`). Runs once on load; live pages call
 * window.runflowLocalTimes(element) after swapping HTML in.
 */
export const LOCAL_TIMES_JS = `
(function () {
  var format;
  try {
    format = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric",
      hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short" });
  } catch (e) { return; }
  function localTimes(root) {
    var times = (root || document).querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var at = new Date(times[i].getAttribute("datetime"));
      if (!isNaN(at.getTime())) times[i].textContent = format.format(at);
    }
  }
  window.runflowLocalTimes = localTimes;
  localTimes(document);
})();
`;
