/**
 * An HTTP proxy in front of the simulator that counts every request by method and path and can
 * answer chosen requests itself (a 503 to the first balance check, say) — real HTTP on port 0,
 * for faults the simulator does not inject on its own.
 */
import { once } from "node:events";
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
}

/** Answers the request itself (status and JSON body) or returns null to pass it on. */
export type Intercept = (req: ProxiedRequest, nth: number) => { status: number; body: unknown } | null;

export interface FaultProxy {
  readonly url: string;
  /** Every request seen, in order (answered by the proxy or passed on). */
  readonly requests: ProxiedRequest[];
  close(): Promise<void>;
}

/** Passes the request on to `upstream` and its answer back (502 when upstream cannot be reached). */
export function forward(upstream: URL, req: IncomingMessage, res: ServerResponse): void {
  const onward = request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  onward.on("error", () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(onward);
}

/** Listens on a free port of 127.0.0.1; its base URL. */
export async function listenLocally(server: Server): Promise<string> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export async function startFaultProxy(
  target: string,
  intercept: Intercept = () => null,
): Promise<FaultProxy> {
  const upstream = new URL(target);
  const requests: ProxiedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const seen = { method: req.method ?? "GET", path: (req.url ?? "/").split("?")[0] ?? "/" };
    requests.push(seen);
    const own = intercept(
      seen,
      requests.filter((r) => r.path === seen.path && r.method === seen.method).length,
    );
    if (own) {
      req.resume();
      res.writeHead(own.status, { "content-type": "application/json" });
      res.end(JSON.stringify(own.body));
      return;
    }
    forward(upstream, req, res);
  });
  return {
    url: await listenLocally(server),
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
