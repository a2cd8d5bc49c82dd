/**
 * What this process knows of each model's latencies, and the poll schedule it teaches. Runs
 * report through the schedule's `track()` (wait-for-run.ts): the ages at which they were not done,
 * and how long they took (exact from Runflow's timestamps, else a bracket between our last "not
 * done" and first "done" answers). The book keeps the last 256 ended runs of each model — those
 * stored in Redis by every process and earlier batches (`absorb`), and its own not yet stored
 * (`drain`) — with the runs still waiting, and re-plans (learnedSchedule) as they change: often
 * while the plan extrapolates past what was seen (a model's first wave), rarely once it does not.
 * Before LEARN_AFTER runs of a model ended, the cold schedule. Pure apart from its state; time
 * comes from `now`.
 */
import type { ModelId } from "../core/models.js";
import type { LatencySample } from "./poll-plan.js";
import {
  COLD_POLL,
  FOLLOW_POLL,
  LEARN_AFTER,
  learnedSchedule,
  SCOUTS,
  type PollSchedule,
  type RunTrack,
} from "./poll-schedule.js";

/** Ended runs kept per model. */
export const KEEP = 256;
/** Re-planning while a plan extrapolates (runs waiting past every latency seen), and once it does not. */
const REPLAN_PROVISIONAL_MS = 250;
const REPLAN_SETTLED_MS = 30_000;

export interface LatencyBook {
  /** The schedule of the model's runs now: learned, or the cold one; its `track` reports to this book. */
  schedule(model: ModelId): PollSchedule;
  /** Ended runs of the model stored elsewhere (Redis: every process, earlier batches), newest last. */
  absorb(model: ModelId, stored: readonly LatencySample[]): void;
  /** Takes the ended runs not yet handed out for storing. */
  drain(): Map<ModelId, LatencySample[]>;
  /** Gives back what `drain` took when it could not be stored. */
  restore(taken: ReadonlyMap<ModelId, readonly LatencySample[]>): void;
}

interface Entry {
  stored: readonly LatencySample[];
  /** Drained, not yet seen back in `stored`. */
  sending: LatencySample[];
  local: LatencySample[];
  /** Runs waiting: track id → when created, and the last age at which it was not done (0: none yet). */
  readonly waiting: Map<number, { readonly createdAt: number; notDoneMs: number }>;
  learned: PollSchedule | null;
  provisional: boolean;
  /** Runs scouting now (while nothing is known). */
  scouts: number;
  plannedAt: number;
  /** Ended runs, and any news at all, since the last plan. */
  newEnded: number;
  news: boolean;
  readonly cold: PollSchedule;
}

export interface LatencyBookOptions {
  readonly now?: () => number;
  /** The schedules before anything is known: of scouts (default COLD_POLL) and the others (FOLLOW_POLL). */
  readonly cold?: PollSchedule;
  readonly follow?: PollSchedule;
}

/** What the book's entries share: its clock and the numbering of tracked runs. */
interface BookState {
  readonly now: () => number;
  nextTrack: number;
}

/** A run reporting to its model's entry while it waits, and once when it ends. */
function trackFor(state: BookState, entry: Entry, createdAt: number): RunTrack {
  const id = state.nextTrack++;
  const waiting = { createdAt, notDoneMs: 0 };
  entry.waiting.set(id, waiting);
  let done = false;
  const scout = (entry.learned === null || entry.provisional) && entry.scouts < SCOUTS;
  if (scout) entry.scouts += 1;
  return {
    scout,
    pending(ageMs) {
      if (done || !Number.isFinite(ageMs) || ageMs < 0) return;
      waiting.notDoneMs = Math.max(waiting.notDoneMs, ageMs);
      entry.news = true;
    },
    ended(sample) {
      if (done) return;
      done = true;
      entry.waiting.delete(id);
      if (scout) entry.scouts -= 1;
      entry.news = true;
      if (!sample || !(sample.lowMs >= 0) || !(sample.highMs >= sample.lowMs)) return;
      entry.local.push(sample);
      if (entry.local.length > KEEP) entry.local.splice(0, entry.local.length - KEEP);
      entry.newEnded += 1;
    },
  };
}

/** A model's entry before anything is known: the cold schedules, reporting to it. */
function newEntry(state: BookState, options: LatencyBookOptions): Entry {
  const entry: Entry = {
    stored: [],
    sending: [],
    local: [],
    waiting: new Map(),
    learned: null,
    provisional: false,
    scouts: 0,
    plannedAt: Number.NEGATIVE_INFINITY,
    newEnded: 0,
    news: false,
    cold: {
      ...(options.cold ?? COLD_POLL),
      track: (at) => trackFor(state, entry, at),
      follow: { ...(options.follow ?? FOLLOW_POLL), track: (at) => trackFor(state, entry, at) },
    },
  };
  return entry;
}

const samplesOf = (entry: Entry): LatencySample[] =>
  [...entry.stored, ...entry.sending, ...entry.local].slice(-KEEP);

/** Whether the entry's plan is due again: cheap checks, since this runs before every poll of every run. */
function replanDue(entry: Entry, at: number): boolean {
  if (!entry.news) return false;
  const count = Math.min(KEEP, entry.stored.length + entry.sending.length + entry.local.length);
  if (count === 0) return false;
  return (
    entry.learned === null ||
    entry.newEnded >= Math.max(4, Math.ceil(count / (entry.provisional ? 8 : 2))) ||
    at - entry.plannedAt >= (entry.provisional ? REPLAN_PROVISIONAL_MS : REPLAN_SETTLED_MS)
  );
}

function replanIfDue(state: BookState, entry: Entry): void {
  const at = state.now();
  if (!replanDue(entry, at)) return;
  const samples = samplesOf(entry);
  // Runs waiting well past every latency seen: the plan can only guess at them.
  let maxSeen = 0;
  for (const s of samples) maxSeen = Math.max(maxSeen, s.highMs);
  let beyond = 0;
  for (const w of entry.waiting.values()) if (at - w.createdAt > 1.1 * maxSeen) beyond += 1;
  const provisional = samples.length < LEARN_AFTER || beyond > Math.max(SCOUTS, 0.1 * entry.waiting.size);
  const learned = learnedSchedule(samples);
  if (!learned) return;
  const track = (createdAt: number) => trackFor(state, entry, createdAt);
  entry.provisional = provisional;
  // While the plan guesses, scouts keep looking often (the news the next plan is made of) and
  // the other runs follow the plan, re-reading it as it improves.
  entry.learned = provisional
    ? { ...entry.cold, follow: { ...learned, track, recheckShare: 0.1 } }
    : { ...learned, track };
  entry.plannedAt = at;
  entry.newEnded = 0;
  entry.news = false;
}

export function createLatencyBook(options: LatencyBookOptions = {}): LatencyBook {
  const state: BookState = { now: options.now ?? Date.now, nextTrack: 1 };
  const entries = new Map<ModelId, Entry>();
  const entryOf = (model: ModelId): Entry => {
    let entry = entries.get(model);
    if (!entry) entries.set(model, (entry = newEntry(state, options)));
    return entry;
  };

  return {
    schedule(model) {
      const entry = entryOf(model);
      replanIfDue(state, entry);
      return entry.learned ?? entry.cold;
    },
    absorb(model, stored) {
      const entry = entryOf(model);
      // The first load plans at once; later ones (others' runs) at the next re-plan.
      if (entry.stored.length === 0) entry.newEnded += stored.length;
      entry.stored = stored.slice(-KEEP);
      entry.sending = [];
      entry.news = true;
    },
    drain() {
      const taken = new Map<ModelId, LatencySample[]>();
      for (const [model, entry] of entries) {
        if (entry.local.length === 0) continue;
        taken.set(model, entry.local);
        entry.sending.push(...entry.local);
        entry.local = [];
      }
      return taken;
    },
    restore(taken) {
      for (const [model, samples] of taken) {
        const entry = entryOf(model);
        const gone = new Set(samples);
        entry.sending = entry.sending.filter((s) => !gone.has(s));
        entry.local = [...samples, ...entry.local].slice(-KEEP);
      }
    },
  };
}
