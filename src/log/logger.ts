/**
 * pino, configured once: data in the object, a sentence as the message, errors under `err`,
 * secrets redacted. Logs go to stderr so stdout stays for command output (batch ids, JSON).
 */
import { pino, type Logger, type DestinationStream } from "pino";

export type { Logger };

export const REDACT_PATHS = [
  "apiKey",
  "*.apiKey",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "req.headers.authorization",
  'headers["authorization"]',
  "callbackSecret",
  "*.callbackSecret",
];

export interface LoggerOptions {
  readonly level?: string;
  /** Human-readable lines (pino-pretty) instead of JSON; for terminals. */
  readonly pretty?: boolean;
  /** Where to write; stderr by default. */
  readonly destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const base = {
    level: options.level ?? "info",
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    base: null,
  };
  if (options.destination) return pino(base, options.destination);
  if (options.pretty) {
    return pino({
      ...base,
      transport: {
        target: "pino-pretty",
        options: { destination: 2, ignore: "pid,hostname", translateTime: "HH:MM:ss" },
      },
    });
  }
  return pino(base, pino.destination({ dest: 2, sync: false }));
}

/** A logger that drops everything; for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
