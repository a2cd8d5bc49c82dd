/**
 * Where the callback receiver listens: `--callback-listen [HOST:]PORT`, or by default the port of
 * the public `--callback-url` on every interface. Pure.
 */
import { UsageError } from "../core/errors.js";

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

const ANY_HOST = "0.0.0.0";

/** Checks a callback URL: an absolute http(s) URL Runflow can POST to. */
export function checkCallbackUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      "--callback-url must be an absolute http(s) URL such as https://batch.example.com/runflow, " +
        `got ${JSON.stringify(text)}`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--callback-url must use http or https, got ${JSON.stringify(text)}`);
  }
  return url;
}

/** "8080", "127.0.0.1:8080", "[::1]:8080"; without a text, the URL's port on every interface. */
export function parseListenAddress(text: string | undefined, callbackUrl: URL): ListenAddress {
  if (text === undefined) {
    const port =
      callbackUrl.port === "" ? (callbackUrl.protocol === "https:" ? 443 : 80) : Number(callbackUrl.port);
    return { host: ANY_HOST, port };
  }
  const match = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65_535) {
    throw new UsageError(
      "--callback-listen must be [HOST:]PORT such as 8080 or 127.0.0.1:8080 (0 picks a free port), " +
        `got ${JSON.stringify(text)}`,
    );
  }
  const host = match[1] === undefined ? ANY_HOST : match[1].replace(/^\[|\]$/g, "");
  return { host, port };
}
