/**
 * Redis Cluster connections (RUNFLOW_BATCH_REDIS_CLUSTER, --redis-cluster). REDIS_URL names one or
 * more nodes of the cluster, comma-separated (`redis://h1:6379,redis://h2:6379`, or `h1:6379`); ioredis finds
 * the others and follows MOVED/ASK redirections itself. The first URL's user, password and scheme
 * (`rediss://`: TLS) apply to every node, as ioredis' `redisOptions` do. A cluster has only
 * database 0, so a URL naming another is refused.
 *
 * Our code and BullMQ use the connection as they use a single Redis: ioredis' Cluster has the
 * same commands, transactions, pipelines, scripts and pub/sub, as long as each of them touches
 * keys of one slot (ledger/keys.ts sees to that). The one call that differs, `duplicate`, is
 * adapted here: Cluster.duplicate(startupNodes?, options?) also takes a single Redis's form,
 * duplicate(options), as our code calls it.
 */
import { Cluster, type ClusterNode, type ClusterOptions, type Redis } from "ioredis";
import { ConfigurationError } from "../core/errors.js";

export interface ClusterTarget {
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
}

const HINT =
  "REDIS_URL names one or more nodes of the cluster, comma-separated, e.g. " +
  "redis://10.0.0.1:6379,redis://10.0.0.2:6379 (rediss:// for TLS)";

/** The nodes and credentials of REDIS_URL in cluster mode, or a ConfigurationError saying what is wrong. */
export function parseClusterUrl(text: string): ClusterTarget {
  const parts = text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  if (parts.length === 0) throw new ConfigurationError(`REDIS_URL is empty; ${HINT}`);
  const urls = parts.map((part) => {
    let url: URL;
    try {
      url = new URL(part.includes("://") ? part : `redis://${part}`); // host:port as redis://host:port
    } catch {
      throw new ConfigurationError(`REDIS_URL ${JSON.stringify(part)} is not a URL; ${HINT}`);
    }
    if ((url.protocol !== "redis:" && url.protocol !== "rediss:") || url.hostname === "")
      throw new ConfigurationError(
        `REDIS_URL ${JSON.stringify(redacted(url))} is not a redis:// URL; ${HINT}`,
      );
    const db = url.pathname.replace(/^\/+/, "");
    if (db !== "" && db !== "0")
      throw new ConfigurationError(
        `REDIS_URL ${JSON.stringify(redacted(url))} names database ${db}, but a Redis Cluster has only ` +
          "database 0: remove the /" +
          db,
      );
    return url;
  });
  const first = urls[0] as URL;
  return {
    nodes: urls.map((url) => ({
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port: Number(url.port || 6379),
    })),
    ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
    ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
    tls: first.protocol === "rediss:",
  };
}

function redacted(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = "***";
  return copy.href;
}

/** "the Redis Cluster at redis://h1:6379, redis://h2:6379" (no credentials). */
export function describeCluster(target: ClusterTarget): string {
  const scheme = target.tls ? "rediss" : "redis";
  return `the Redis Cluster at ${target.nodes.map((n) => `${scheme}://${n.host}:${n.port}`).join(", ")}`;
}

/**
 * A lazy cluster connection BullMQ can use (`maxRetriesPerRequest: null` on every node);
 * `retryDelay` says how long to wait before trying the startup nodes again, or null to give up.
 */
export function createCluster(target: ClusterTarget, retryDelay: (attempt: number) => number | null): Redis {
  const cluster = new Cluster(target.nodes as ClusterNode[], {
    lazyConnect: true,
    enableReadyCheck: true,
    clusterRetryStrategy: (attempt) => retryDelay(attempt),
    // Through a failover or a node restarting (CLUSTERDOWN, TRYAGAIN, a node gone), a command is
    // tried again for about 20 s before it fails (ioredis' default: 1.6 s), longer than a
    // cluster's node timeout (15 s on ElastiCache), as ioredis advises.
    maxRedirections: 64,
    retryDelayOnFailover: 300,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 300,
    redisOptions: {
      maxRetriesPerRequest: null,
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
    },
    // With TLS, connect by the names the cluster announces so certificates match (ioredis' advice
    // for ElastiCache and MemoryDB).
    ...(target.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
  } satisfies ClusterOptions);
  return asRedis(cluster);
}

/** What to check when a cluster does not answer. */
export const CLUSTER_UNREACHABLE_HINT =
  "check that REDIS_URL names nodes of the cluster (comma-separated) and that CLUSTER INFO says " +
  "cluster_state:ok there; for a single Redis, unset RUNFLOW_BATCH_REDIS_CLUSTER";

/**
 * A plain connection to a cluster node (INFO says cluster_enabled:1) would fail on the first key
 * another node owns (MOVED): the error saying what to set, else null. A Redis that refuses INFO
 * (some managed ones) is taken as it comes.
 */
export async function refuseClusterNode(redis: Redis, where: string): Promise<ConfigurationError | null> {
  let info: string;
  try {
    info = await redis.info("cluster");
  } catch {
    return null;
  }
  if (!/^cluster_enabled:1\b/m.test(info)) return null;
  return new ConfigurationError(
    `${where} is a node of a Redis Cluster, which keeps each key on the node that owns its slot: ` +
      "set RUNFLOW_BATCH_REDIS_CLUSTER=1 (or pass --redis-cluster) so that every command talks " +
      "to the whole cluster",
  );
}

/** Whether a connection is a cluster's. */
export function isCluster(connection: Redis): boolean {
  return (connection as unknown as { isCluster?: boolean }).isCluster === true;
}

/**
 * The cluster's duplicate in both forms: a Cluster's own (startup nodes and options, as BullMQ
 * calls it) and a single Redis's (options: cluster-wide ones such as enableAutoPipelining stay
 * cluster options, the others apply to each node). `wrap` is applied to every duplicate.
 */
export function adaptClusterDuplicate(connection: Redis, wrap: (duplicate: Redis) => Redis): void {
  const cluster = connection as unknown as Cluster;
  const duplicate = cluster.duplicate.bind(cluster);
  const adapted = (first?: ClusterNode[] | Record<string, unknown>, second?: DuplicateOptions): Redis => {
    if (first === undefined || Array.isArray(first)) return wrap(asRedis(duplicate(first, second)));
    const { enableAutoPipelining, ...perNode } = first as { enableAutoPipelining?: boolean };
    const options = {
      ...(enableAutoPipelining === undefined ? {} : { enableAutoPipelining }),
      ...(Object.keys(perNode).length > 0
        ? { redisOptions: { ...cluster.options.redisOptions, ...perNode } }
        : {}),
    } as DuplicateOptions;
    return wrap(asRedis(duplicate(undefined, options)));
  };
  (cluster as unknown as { duplicate: typeof adapted }).duplicate = adapted;
}

type DuplicateOptions = NonNullable<Parameters<Cluster["duplicate"]>[1]>;

/** A cluster presented as the Redis our code and BullMQ take (see the comment at the top). */
function asRedis(cluster: Cluster): Redis {
  return cluster as unknown as Redis;
}
