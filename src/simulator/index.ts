/**
 * A local Runflow API simulator that follows docs/runflow-api.md, for tests, offline demos
 * and rehearsals. `startSimulator()` listens (port 0 = a free port) and returns the URL, the
 * ledger, runtime reconfiguration and close().
 *
 * Time: every timestamp and timer of the simulated API comes from `options.clock` (default the
 * system clock; clock.ts), so tests advance a manual clock instead of sleeping.
 *
 * Choices where the API page leaves room (each documented in the module that implements it):
 * - Lifecycle from timestamps, no timer per run; runs settle (bill/release, callback) at their
 *   end time via one sweep timer and before every request (run-store.ts, engine.ts).
 * - Credit is reserved at create and billed at success; 402 when what is left after
 *   reservations cannot cover a run; the balance endpoint reports that figure (billing.ts).
 * - Faults are decided before a request does anything: a 5xx or 429 on create never creates a
 *   run (faults.ts). Auth, rate limit and 5xx apply to /v1 except /v1/health.
 * - An idempotent replay answers 201 with the run's current record and `Idempotent-Replayed:
 *   true`; only a create that made a run binds its key (idempotency.ts).
 * - Expired output URLs → 403 URL_EXPIRED; bad signature → 403 SIGNATURE_INVALID (presign.ts).
 * - An input URL of one of its own outputs (an edit of an earlier run's image) is checked at the
 *   create: expired, not signed by it, or no longer served → 422 naming the field (input-urls.ts).
 * - Admin endpoints outside /v1, no auth: GET /__simulator/ledger (the Ledger, camelCase),
 *   POST /__simulator/config (a JSON subset of SimulatorOptions, camelCase or snake_case),
 *   POST /__simulator/runs/{id}/expire-outputs (Runflow no longer serves the run's outputs: its
 *   record shows `output: null`, its output URLs answer 410 OUTPUT_EXPIRED).
 */
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { silentLogger } from "../log/logger.js";
import { systemClock } from "./clock.js";
import { createEngine, type Engine } from "./engine.js";
import { openJournal } from "./journal.js";
import type { Ledger } from "./ledger.js";
import { checkOptionChanges, defaultSettings, withChanges, type SimulatorOptions } from "./options.js";
import { createHttpServer, createRequestHandler } from "./server.js";

export type { SimulatorOptions } from "./options.js";
export { signBody as signCallbackBody } from "./callbacks.js";

export interface Simulator {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  ledger(): Ledger;
  /** Changes faults, balance, keys… at runtime; takes effect on the next request. */
  configure(changes: Partial<SimulatorOptions>): void;
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/**
 * Listens (port 0 = a free port), then builds the engine for the URL it got and answers with it.
 * The request listener is attached before control returns to the event loop after `listening`,
 * so no request can arrive before it.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  checkOptionChanges(options as Record<string, unknown>);
  const settings = withChanges(defaultSettings(), options);
  const logger = options.logger ?? silentLogger();
  const host = options.host ?? "127.0.0.1";
  const server = createHttpServer();
  await listen(server, options.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;
  const url = `http://${urlHost(host)}:${port}`;
  const clock = options.clock ?? systemClock();
  const balanceUsd = options.balanceUsd ?? null;
  let engine: Engine;
  try {
    const journal = options.stateFile === undefined ? undefined : openJournal(options.stateFile);
    engine = createEngine({ settings, balanceUsd, baseUrl: url, clock, logger, journal });
  } catch (error) {
    server.close();
    throw error;
  }
  server.on("request", createRequestHandler(engine));
  logger.info({ url, seed: settings.seed }, "Runflow simulator listening.");

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    ledger: () => engine.ledger(),
    configure: (changes) => engine.configure(changes),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        engine.close();
        server.close(() => resolve());
        server.closeIdleConnections();
        // Real time on purpose: sockets are not simulated, and a manual clock may never advance.
        setTimeout(() => server.closeAllConnections(), 100).unref();
      });
      return closing;
    },
  };
}
