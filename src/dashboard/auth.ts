/**
 * Who may see the dashboard: on a loopback address, anyone on this machine; elsewhere only with
 * the token (a bearer header, a cookie, or `?token=` once, which sets the cookie). Compared in
 * constant time.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { UsageError } from "../core/errors.js";

const TOKEN_COOKIE = "runflow_batch_dashboard";

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Refuses to bind beyond loopback without a token. */
export function checkBind(host: string, token: string | null): void {
  if (isLoopback(host) || token) return;
  throw new UsageError(
    `dashboard: binding to ${host} would show batches to the network without a token; ` +
      "pass --token TOKEN (or set RUNFLOW_BATCH_DASHBOARD_TOKEN), or bind to 127.0.0.1",
  );
}

const digest = (text: string) => createHash("sha256").update(text).digest();
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

function cookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return null;
}

export function tokenGuard(token: string | null): MiddlewareHandler {
  return async (c, next) => {
    if (!token) return next();
    const bearer = c.req.header("authorization")?.replace(/^Bearer\s+/i, "");
    if ((bearer && same(bearer, token)) || same(cookie(c.req.header("cookie"), TOKEN_COOKIE) ?? "", token))
      return next();
    const query = c.req.query("token");
    if (query !== undefined && same(query, token)) {
      const url = new URL(c.req.url);
      url.searchParams.delete("token");
      c.header(
        "set-cookie",
        `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
      );
      return c.redirect(url.pathname + url.search, 303);
    }
    return c.text(
      "dashboard: a token is required (Authorization: Bearer TOKEN, or open /?token=TOKEN once)\n",
      401,
    );
  };
}
