/**
 * A model's latency distribution estimated from its ended runs (pure), on a grid of candidate
 * poll times. A latency known exactly is widened by a small kernel (a plan does not bet on values
 * seen once); one known as a bracket (not done at one age, done at a later one) is placed inside
 * its bracket where the other runs say runs end (Turnbull's self-consistency: an EM over the
 * grid's cells), so brackets that all start at 0 (done at the first look) do not read as runs
 * ending early.
 */

/** What is known of one ended run's latency. */
export interface LatencySample {
  /** The run was not done at this age (ms since it was created)… */
  readonly lowMs: number;
  /** …and was done at this one. Equal for a latency known exactly. */
  readonly highMs: number;
}

export interface LatencyGrid {
  /** Candidate poll times (ms), ascending; cell k is (points[k-1], points[k]]. */
  readonly points: Float64Array;
  /** Cumulative probability of a latency ≤ points[k], and cumulative Σ latency × probability. */
  readonly cumMass: Float64Array;
  readonly cumMoment: Float64Array;
  readonly meanMs: number;
}

const CELLS = 160;
const EM_ROUNDS = 40;

function quantileOf(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))] as number;
}

/**
 * Half-width of the kernel exact latencies are widened by: half Silverman's rule on their
 * spread, at least 1 % of the median and 20 ms. Few samples → wider.
 */
function kernelMs(samples: readonly LatencySample[]): number {
  const mids = samples.map((s) => (s.lowMs + s.highMs) / 2).sort((a, b) => a - b);
  const n = mids.length;
  if (n === 0) return 20;
  const mean = mids.reduce((sum, v) => sum + v, 0) / n;
  const sd = Math.sqrt(mids.reduce((sum, v) => sum + (v - mean) ** 2, 0) / Math.max(1, n - 1));
  const iqr = (quantileOf(mids, 0.75) - quantileOf(mids, 0.25)) / 1.34;
  const spread = iqr > 0 ? Math.min(sd, iqr) : sd;
  return Math.max(20, 0.01 * quantileOf(mids, 0.5), 0.5 * 1.06 * spread * n ** -0.2);
}

/** Cells a sample may have ended in: fixed weights for an exact latency, the EM's choice for a bracket. */
interface Span {
  readonly first: number;
  readonly last: number;
  readonly weights: Float64Array | null;
}

export interface EstimateOptions {
  /** Widening of exact latencies (default kernelMs); 0 for a distribution known exactly. */
  readonly kernelMs?: number;
}

export function estimateLatencies(
  samples: readonly LatencySample[],
  options: EstimateOptions = {},
): LatencyGrid {
  const kernel = options.kernelMs ?? kernelMs(samples);
  const widen = (s: LatencySample) => (s.lowMs === s.highMs ? kernel : 0);
  const from = Math.max(0, Math.min(...samples.map((s) => s.lowMs - widen(s))));
  // Never an empty range: runs that all took the same time still get a cell of their own.
  const to = Math.max(from + 1, ...samples.map((s) => s.highMs + widen(s)));
  const step = (to - from) / CELLS;
  const cellOf = (ms: number) => Math.min(CELLS - 1, Math.max(0, Math.ceil((ms - from) / step) - 1));
  const spans: Span[] = samples.map((s) => {
    if (s.lowMs !== s.highMs) {
      // (low, high]: the cells after the one holding `low`, up to the one holding `high`.
      const last = cellOf(s.highMs);
      return { first: Math.min(last, cellOf(s.lowMs) + (s.lowMs > from ? 1 : 0)), last, weights: null };
    }
    const a = s.lowMs - kernel;
    const b = s.highMs + kernel;
    const first = cellOf(a);
    const last = cellOf(b);
    const weights = new Float64Array(last - first + 1);
    for (let k = first; k <= last; k += 1)
      weights[k - first] = Math.max(0, Math.min(b, from + (k + 1) * step) - Math.max(a, from + k * step));
    const total = weights.reduce((sum, w) => sum + w, 0);
    for (let i = 0; i < weights.length; i += 1)
      weights[i] = total > 0 ? (weights[i] as number) / total : 1 / weights.length;
    return { first, last, weights };
  });
  return gridOf(selfConsistent(spans), from, step);
}

/** Turnbull's EM: each bracket's run spread over its cells in proportion to the current estimate. */
function selfConsistent(spans: readonly Span[]): Float64Array {
  const n = spans.length;
  let p = new Float64Array(CELLS);
  // Start from every run spread evenly over its span.
  for (const span of spans) {
    const even = 1 / n / (span.last - span.first + 1);
    for (let k = span.first; k <= span.last; k += 1)
      p[k] = (p[k] as number) + (span.weights ? (span.weights[k - span.first] as number) / n : even);
  }
  if (spans.every((span) => span.weights !== null)) return p;
  for (let round = 0; round < EM_ROUNDS; round += 1) {
    const next = new Float64Array(CELLS);
    for (const span of spans) {
      if (span.weights) {
        for (let k = span.first; k <= span.last; k += 1)
          next[k] = (next[k] as number) + (span.weights[k - span.first] as number) / n;
        continue;
      }
      let total = 0;
      for (let k = span.first; k <= span.last; k += 1) total += p[k] as number;
      const scale = total > 0 ? 1 / n / total : 0;
      const even = 1 / n / (span.last - span.first + 1);
      for (let k = span.first; k <= span.last; k += 1)
        next[k] = (next[k] as number) + (scale > 0 ? (p[k] as number) * scale : even);
    }
    p = next;
  }
  return p;
}

function gridOf(cells: Float64Array, from: number, step: number): LatencyGrid {
  const points = new Float64Array(CELLS);
  const cumMass = new Float64Array(CELLS);
  const cumMoment = new Float64Array(CELLS);
  let w = 0;
  let m = 0;
  for (let k = 0; k < CELLS; k += 1) {
    points[k] = from + (k + 1) * step;
    w += cells[k] as number;
    m += (cells[k] as number) * (from + (k + 0.5) * step);
    cumMass[k] = w;
    cumMoment[k] = m;
  }
  for (let k = 0; k < CELLS; k += 1) {
    cumMass[k] = (cumMass[k] as number) / w;
    cumMoment[k] = (cumMoment[k] as number) / w;
  }
  return { points, cumMass, cumMoment, meanMs: m / w };
}
