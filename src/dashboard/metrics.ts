/**
 * /metrics in Prometheus text format, from a snapshot of Redis (pure: the snapshot is read in
 * snapshot.ts). Costs come from the batches' exact per-tier counters in Redis (what every worker
 * recorded), never from a sum kept in this process; API counts from every process's flushed
 * request stats. prom-client writes the text (its Registry, with metrics built per scrape).
 */
import { parseUsd } from "../core/money.js";
import type { BatchRecord } from "../ledger/batch-record.js";
import { API_OPERATIONS, LATENCY_BUCKETS_MS } from "../runflow/request-stats.js";

export interface MetricsSnapshot {
  readonly batches: readonly {
    readonly record: BatchRecord;
    readonly tiers: Readonly<Record<string, number>>;
  }[];
  /** Each batch's two queues (its lane): BullMQ state → jobs. */
  readonly queues: readonly {
    readonly batch: string;
    readonly queue: string;
    readonly counts: Readonly<Record<string, number>>;
  }[];
  readonly api: Readonly<Record<string, number>>;
}

type Labels = Record<string, string>;
interface Sample {
  readonly metricName?: string;
  readonly labels: Labels;
  readonly value: number;
}
interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: "gauge" | "counter" | "histogram";
  readonly values: Sample[];
}

const usd = (micros: number) => micros / 1_000_000;
const tierQuality = (quality: string) => (quality === "-" ? "per-request" : quality);

/** "openai/gpt-image-2|high|actual" → its parts (model names hold "/", never "|"). */
function splitCounter(key: string): { model: string; quality: string; counter: string } | null {
  const parts = key.split("|");
  if (parts.length !== 3) return null;
  const [model = "", quality = "", counter = ""] = parts;
  return { model, quality: tierQuality(quality), counter };
}

function batchFamilies(snapshot: MetricsSnapshot): Family[] {
  const rows: Sample[] = [];
  const money: Record<"spent" | "reserved" | "estimated", Sample[]> = {
    spent: [],
    reserved: [],
    estimated: [],
  };
  const caps: Sample[] = [];
  let inFlight = 0;
  for (const { record, tiers } of snapshot.batches) {
    const batch = record.id;
    const total = record.submission.rows;
    const finished = record.succeeded + record.failed;
    const pending = Math.max(0, total - finished - record.inFlight - record.held);
    const states: [string, number][] = [
      ["succeeded", record.succeeded],
      ["failed", record.failed],
      ["in_flight", record.inFlight],
      ["held_by_budget", record.held],
      ["pending", pending],
    ];
    for (const [state, value] of states) rows.push({ labels: { batch, state }, value });
    inFlight += record.inFlight;
    if (record.capMicros !== null) caps.push({ labels: { batch }, value: usd(record.capMicros) });
    for (const tier of record.submission.estimate.by_tier) {
      const labels = { batch, model: tier.model, quality: tierQuality(tier.quality ?? "-") };
      money.estimated.push({ labels, value: usd(parseUsd(tier.estimated_usd)) });
    }
    for (const [key, value] of Object.entries(tiers)) {
      const parts = splitCounter(key);
      if (!parts) continue;
      const labels = { batch, model: parts.model, quality: parts.quality };
      if (parts.counter === "actual") money.spent.push({ labels, value: usd(value) });
      if (parts.counter === "reserved") money.reserved.push({ labels, value: usd(value) });
    }
  }
  return [
    { name: "runflow_batch_rows", help: "Rows of a batch by state.", type: "gauge", values: rows },
    {
      name: "runflow_batch_runs_in_flight",
      help: "Rows holding a budget reservation (submitted, not yet recorded), all batches listed.",
      type: "gauge",
      values: [{ labels: {}, value: inFlight }],
    },
    {
      name: "runflow_batch_spent_usd",
      help: "Cost so far per batch, model and tier, from the exact Redis counters.",
      type: "gauge",
      values: money.spent,
    },
    {
      name: "runflow_batch_reserved_usd",
      help: "Budget reserved for runs in flight per batch, model and tier.",
      type: "gauge",
      values: money.reserved,
    },
    {
      name: "runflow_batch_estimated_usd",
      help: "The estimate per batch, model and tier.",
      type: "gauge",
      values: money.estimated,
    },
    {
      name: "runflow_batch_cap_usd",
      help: "The batch's budget cap (absent: no cap).",
      type: "gauge",
      values: caps,
    },
  ];
}

function queueFamily(snapshot: MetricsSnapshot): Family {
  const values: Sample[] = [];
  for (const { batch, queue, counts } of snapshot.queues) {
    for (const [state, value] of Object.entries(counts))
      values.push({ labels: { batch, queue, state }, value });
  }
  return {
    name: "runflow_batch_queue_jobs",
    help: "BullMQ jobs by batch, queue (generate, edit) and state.",
    type: "gauge",
    values,
  };
}

function apiFamilies(api: Readonly<Record<string, number>>): Family[] {
  const get = (op: string, field: string) => api[`${op}|${field}`] ?? 0;
  const counter = (field: string) =>
    API_OPERATIONS.map((operation) => ({ labels: { operation }, value: get(operation, field) }));
  const histogram: Sample[] = [];
  const name = "runflow_batch_api_request_duration_seconds";
  for (const operation of API_OPERATIONS) {
    let cumulative = 0;
    for (const le of LATENCY_BUCKETS_MS) {
      cumulative += get(operation, `bucket_${le}`);
      histogram.push({
        metricName: `${name}_bucket`,
        labels: { operation, le: String(le / 1_000) },
        value: cumulative,
      });
    }
    cumulative += get(operation, "bucket_inf");
    histogram.push({ metricName: `${name}_bucket`, labels: { operation, le: "+Inf" }, value: cumulative });
    histogram.push({
      metricName: `${name}_sum`,
      labels: { operation },
      value: get(operation, "sum_ms") / 1_000,
    });
    histogram.push({ metricName: `${name}_count`, labels: { operation }, value: cumulative });
  }
  return [
    {
      name: "runflow_batch_api_requests_total",
      help: "Runflow API requests by operation (create, poll, balance, download), every process.",
      type: "counter",
      values: counter("requests"),
    },
    {
      name: "runflow_batch_api_rate_limited_total",
      help: "Runflow API requests answered 429.",
      type: "counter",
      values: counter("rate_limited"),
    },
    {
      name: "runflow_batch_api_errors_total",
      help: "Runflow API requests that failed otherwise (network, 4xx, 5xx).",
      type: "counter",
      values: counter("errors"),
    },
    {
      name,
      help: "Runflow API request latency (poll = reading a run, download = an output file).",
      type: "histogram",
      values: histogram,
    },
  ];
}

function metricFamilies(snapshot: MetricsSnapshot): Family[] {
  return [queueFamily(snapshot), ...batchFamilies(snapshot), ...apiFamilies(snapshot.api)];
}

export async function renderMetrics(
  snapshot: MetricsSnapshot,
): Promise<{ text: string; contentType: string }> {
  const { Registry } = await import("prom-client");
  const registry = new Registry();
  for (const family of metricFamilies(snapshot)) {
    // prom-client formats any object with name/help/type and a get() returning the samples.
    registry.registerMetric({ ...family, get: () => ({ ...family, aggregator: "sum" }) } as never);
  }
  return { text: await registry.metrics(), contentType: registry.contentType };
}
