/** Closing BullMQ Queues and Workers (re-exported by connection.ts, where callers find it). */
import type { EventEmitter } from "node:events";

/** What closeBullmq needs of a BullMQ Queue or Worker. */
export interface BullmqClosable {
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Closes a BullMQ Queue or Worker without the close-time crash: BullMQ 5 started each connection
 * (a version check) in the background, and when that start failed after close() removed its
 * listeners — the connection closed under it — it emitted an 'error' nobody heard, which killed
 * the process ("Error: Connection is closed.", about one re-run of a finished batch in four).
 * BullMQ 6.7 guards that itself; this stays so closing never depends on it: let the start finish
 * first (bounded, in case Redis is gone), close, then keep a listener on its connections.
 *
 * The close itself is bounded too: a Worker whose blocking connection was left waiting to
 * reconnect (a Redis Cluster node that restarted under it; BullMQ issue #4656) never finishes
 * closing. Past `closeWithinMs` its connections are dropped and the caller goes on: what matters
 * is in our ledger, and a row it held is taken up again once its lock expires.
 */
export async function closeBullmq(
  target: BullmqClosable,
  readyWithinMs = 2_000,
  closeWithinMs = 10_000,
): Promise<void> {
  await within(target.waitUntilReady().then(noop, noop), readyWithinMs);
  const connections = ["connection", "blockingConnection"].flatMap((name) => {
    const connection = (target as unknown as Record<string, unknown>)[name] as EventEmitter | undefined;
    return connection && typeof connection.on === "function" ? [connection] : [];
  });
  try {
    const closing = target.close();
    const closed = await within(
      closing.then(() => true),
      closeWithinMs,
    );
    if (!closed) {
      closing.catch(noop);
      for (const connection of connections) dropClient(connection);
    }
  } finally {
    for (const connection of connections) connection.on("error", noop);
  }
}

/** `work`'s value, or undefined once `ms` have passed. */
async function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Disconnects the ioredis client under a BullMQ RedisConnection (its `_client`), if it has one. */
function dropClient(connection: EventEmitter): void {
  const client = (connection as unknown as { _client?: { disconnect?: () => void } })._client;
  try {
    client?.disconnect?.();
  } catch {
    // already gone
  }
}

const noop = (): void => undefined;
