/**
 * The poll times that see a model's runs end soonest for the GETs they cost, computed from its
 * ended runs (pure). A run's latency is known exactly (Runflow's timestamps) or only as a
 * bracket: after the last "not done" answer, at or before the first "done" one. From these, a
 * latency distribution on a grid of candidate poll times (latency-estimate.ts); then a dynamic programme
 * finds, for an exchange rate λ (ms of lag worth one GET), the poll times minimising
 * mean lag + λ × GETs per run. A poll at time t costs a GET for every run not done at the poll
 * before it; a run ending in (previous poll, t] is seen at t.
 */
import { estimateLatencies, type LatencyGrid, type LatencySample } from "./latency-estimate.js";

export type { LatencySample } from "./latency-estimate.js";

export interface Plan {
  /** Poll times, ms since the run was created, ascending. */
  readonly times: readonly number[];
  /** Expected GETs per run and mean lag (ms) on the distribution planned for, and its mean latency. */
  readonly gets: number;
  readonly lagMs: number;
  readonly meanMs: number;
}

/** The plan minimising mean lag + λ × GETs on `grid` (forward DP over the candidate poll times). */
function planAt(grid: LatencyGrid, lambda: number): Plan {
  const { points, cumMass: W, cumMoment: M } = grid;
  const n = points.length;
  const best = new Float64Array(n);
  const from = new Int32Array(n);
  for (let j = 0; j < n; j += 1) {
    const pj = points[j] as number;
    const wj = W[j] as number;
    const mj = M[j] as number;
    // The first poll after the run's creation: every run pays it.
    let value = lambda + pj * wj - mj;
    let previous = -1;
    for (let i = 0; i < j; i += 1) {
      const wi = W[i] as number;
      const v = (best[i] as number) + lambda * (1 - wi) + pj * (wj - wi) - (mj - (M[i] as number));
      if (v < value) {
        value = v;
        previous = i;
      }
    }
    best[j] = value;
    from[j] = previous;
  }
  // The plan ends at the first point that holds every run.
  let end = n - 1;
  while (end > 0 && (W[end - 1] as number) >= 1 - 1e-9) end -= 1;
  const indices: number[] = [];
  for (let k = end; k >= 0; k = from[k] as number) indices.push(k);
  indices.reverse();
  let gets = 0;
  let lag = 0;
  let wPrev = 0;
  let mPrev = 0;
  for (const k of indices) {
    gets += 1 - wPrev;
    lag += (points[k] as number) * ((W[k] as number) - wPrev) - ((M[k] as number) - mPrev);
    wPrev = W[k] as number;
    mPrev = M[k] as number;
  }
  return {
    times: indices.map((k) => Math.round(points[k] as number)),
    gets,
    lagMs: lag,
    meanMs: grid.meanMs,
  };
}

export interface PlanGoals {
  /** Mean lag aimed at, as a share of the mean latency. */
  readonly lagShare: number;
  /** GETs per run never planned above this: past it, the least lag this many GETs can give. */
  readonly maxGets: number;
}

/** Bisection on log λ (from 0.01 % to 10× the mean latency per GET): lag grows and GETs fall with λ. */
function searchLambda(grid: LatencyGrid, meets: (plan: Plan) => boolean, largest: boolean) {
  let lo = Math.log(1e-4 * Math.max(1, grid.meanMs));
  let hi = Math.log(10 * Math.max(1, grid.meanMs));
  let found: { lambda: number; plan: Plan } | null = null;
  for (let step = 0; step < 16; step += 1) {
    const mid = (lo + hi) / 2;
    const plan = planAt(grid, Math.exp(mid));
    // For the largest λ that meets: meeting moves up. For the smallest: meeting moves down.
    if (meets(plan)) {
      found = { lambda: Math.exp(mid), plan };
      if (largest) lo = mid;
      else hi = mid;
    } else if (largest) hi = mid;
    else lo = mid;
  }
  if (found) return found;
  const edge = Math.exp(largest ? lo : hi);
  return { lambda: edge, plan: planAt(grid, edge) };
}

/**
 * The plan for a latency distribution: the fewest GETs whose mean lag is at most `lagShare` of
 * the mean latency, unless that takes more than `maxGets` GETs per run: then the least lag within
 * `maxGets`.
 */
function planOn(grid: LatencyGrid, goals: PlanGoals): Plan {
  const byLag = searchLambda(grid, (plan) => plan.lagMs <= goals.lagShare * grid.meanMs, true);
  const byGets = searchLambda(grid, (plan) => plan.gets <= goals.maxGets, false);
  return byLag.lambda >= byGets.lambda ? byLag.plan : byGets.plan;
}

/** The plan for the latencies of ended runs. */
export function planFor(samples: readonly LatencySample[], goals: PlanGoals): Plan {
  return planOn(estimateLatencies(samples), goals);
}

/**
 * The least mean lag (ms) any schedule reaches with `gets` GETs per run on exactly these
 * latencies: the bound a bench prints beside a schedule's figures. Between two optimal plans (one
 * just within `gets`, one just past it) the bound is their mix — some runs polled by one, some
 * by the other — so the lag is interpolated at exactly `gets`. `times`: the plan within `gets`.
 */
export function bestWithin(latenciesMs: readonly number[], gets: number): Plan {
  const samples = latenciesMs.map((ms) => ({ lowMs: ms, highMs: ms }));
  const grid = estimateLatencies(samples, { kernelMs: 0 });
  let lo = Math.log(1e-6 * Math.max(1, grid.meanMs));
  let hi = Math.log(10 * Math.max(1, grid.meanMs));
  let within: Plan | null = null;
  let past: Plan | null = null;
  for (let step = 0; step < 30; step += 1) {
    const mid = (lo + hi) / 2;
    const plan = planAt(grid, Math.exp(mid));
    if (plan.gets <= gets) {
      within = plan;
      hi = mid;
    } else {
      past = plan;
      lo = mid;
    }
  }
  const fit = within ?? planAt(grid, Math.exp(hi));
  if (!past || past.gets <= fit.gets) return fit;
  const share = (gets - fit.gets) / (past.gets - fit.gets);
  return { ...fit, gets, lagMs: fit.lagMs + share * (past.lagMs - fit.lagMs) };
}
