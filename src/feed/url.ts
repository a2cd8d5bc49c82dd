/**
 * Which URLs a feed (or manifest) may be fetched from, and how one is shown: `https://`
 * anywhere, `http://` only from this machine (tests), `file://`; never with a user name or
 * password in it (credentials are headers read from environment variables), and shown without
 * its query string, where tokens often hide. Pure.
 */
import { UsageError } from "../core/errors.js";

export function isUrl(value: string): boolean {
  return /^(https?|file):\/\//i.test(value);
}

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** `https://feeds.example.com/products.xml` — without user, password or query. */
export function shownUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** Checks the URL is one we fetch; the reason otherwise. */
export function checkFeedUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${JSON.stringify(text)} is not a valid URL`);
  }
  if (url.username || url.password)
    throw new UsageError(
      `${shownUrl(url)}: the URL holds a user name or password; give credentials as a header from an ` +
        "environment variable instead (feed_headers in a schedule, --feed-header NAME=ENV_VAR on the command line)",
    );
  if (url.protocol === "https:" || url.protocol === "file:") return url;
  if (url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname)) return url;
  throw new UsageError(
    `${shownUrl(url)}: feeds are fetched over https:// (http:// only from this machine, for tests); use the https URL`,
  );
}
