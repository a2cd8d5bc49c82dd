/**
 * Callbacks for one process: the receiver (`--callback-listen`) and the shared wakeups that pass
 * what it hears to the rows waiting in any process. `run`, `worker` and `serve` open one each.
 */
import type { Redis } from "ioredis";
import { ConfigurationError } from "../core/errors.js";
import type { Logger } from "../log/logger.js";
import type { ListenAddress } from "./listen-address.js";
import { startCallbackReceiver, type CallbackReceiver } from "./receiver.js";
import { createSharedWakeups, type RunWakeups } from "./wakeups.js";

export { createLocalWakeups } from "./wakeups.js";
export { signatureOf } from "./signature.js";

/** `--callback-url` and `--callback-listen`, parsed. */
export interface CallbackSettings {
  /** Sent as callback_url with every create. */
  readonly url: string;
  readonly listen: ListenAddress;
}

export interface Callbacks {
  readonly url: string;
  readonly wakeups: RunWakeups;
  /** Settles once the receiver listens and the channel is subscribed; a ConfigurationError if it cannot listen. */
  readonly ready: Promise<CallbackReceiver>;
  close(): Promise<void>;
}

export interface OpenCallbacksOptions {
  readonly settings: CallbackSettings;
  readonly redis: Redis;
  /** keys.callbacks */
  readonly channel: string;
  readonly secret: string | null;
  readonly logger: Logger;
  /** Shutdown: every sleeping row is woken with this signal's reason. */
  readonly signal?: AbortSignal;
}

/** Starts listening; rows may sleep on `wakeups` at once (polling covers until `ready`). */
export function openCallbacks(options: OpenCallbacksOptions): Callbacks {
  const { settings, logger } = options;
  const wakeups = createSharedWakeups({
    redis: options.redis,
    channel: options.channel,
    logger,
    signal: options.signal,
  });
  const where = `${settings.listen.host}:${settings.listen.port}`;
  const ready = startCallbackReceiver({
    listen: settings.listen,
    secret: options.secret,
    logger,
    onCallback: wakeups.announce,
  }).then(
    async (receiver) => {
      await wakeups.ready.catch(() => undefined);
      if (options.secret === null) {
        logger.warn(
          "RUNFLOW_CALLBACK_SECRET is not set: callbacks are accepted unsigned (each only prompts a read of its run).",
        );
      }
      logger.info({ url: settings.url, listen: receiver.address }, "Listening for Runflow callbacks.");
      return receiver;
    },
    (error: unknown) => {
      throw new ConfigurationError(
        `Could not listen for callbacks on ${where} (${error instanceof Error ? error.message : String(error)}): ` +
          `pick a free port with --callback-listen [HOST:]PORT.`,
        { cause: error },
      );
    },
  );
  return {
    url: settings.url,
    wakeups,
    ready,
    async close() {
      const receiver = await ready.catch(() => null);
      await receiver?.close();
      await wakeups.close();
    },
  };
}
