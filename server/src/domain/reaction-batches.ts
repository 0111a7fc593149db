// Group commit of reaction writes, per target: while one batch of a target is being written,
// the reactions that arrive for it wait and go together in the next batch. A batch costs a
// fixed handful of queries whatever its size (load the target, insert the new reaction
// documents, delete the withdrawn ones, one $inc of the totals, read the totals and the
// reactors' own kinds), so a burst on a hot comment stays cheap. The unique index on
// {site, target, userId, kind} decides which inserts count, on this node and on every other.
import type { ReactionState, ReactionTarget, ReactionTotals } from '../../../client-sdk/src/protocol';
import { trusted, type Models } from '../store/models';
import type { LoadedTarget, ReactionCounters } from './reaction-counters';

/** Most reactions written in one batch. */
export const MAX_BATCH = 200;

export interface ReactionWrite {
  userId: string;
  kind: string;
  on: boolean;
}

interface Pending extends ReactionWrite {
  resolve(state: ReactionState): void;
  reject(err: unknown): void;
}

interface TargetQueue {
  site: string;
  wire: ReactionTarget;
  waiting: Pending[];
  running: boolean;
}

export class ReactionBatches {
  private readonly queues = new Map<string, TargetQueue>();
  private readonly idle = new Set<() => void>();

  constructor(
    private readonly models: Models,
    private readonly counters: ReactionCounters,
    /** Called after every batch that reached the database, even one that failed midway. */
    private readonly written: (target: LoadedTarget) => void,
  ) {}

  /** Sets or clears one reaction; resolves with the target's totals and the user's kinds. */
  submit(site: string, wire: ReactionTarget, key: string, write: ReactionWrite): Promise<ReactionState> {
    const qKey = `${site}\u0000${key}`;
    let q = this.queues.get(qKey);
    if (!q) this.queues.set(qKey, (q = { site, wire, waiting: [], running: false }));
    const done = new Promise<ReactionState>((resolve, reject) => q.waiting.push({ ...write, resolve, reject }));
    if (!q.running) void this.drainQueue(qKey, q);
    return done;
  }

  /** Resolves when no batch is queued or running. */
  async drain(): Promise<void> {
    while (this.queues.size > 0) await new Promise<void>((r) => this.idle.add(r));
  }

  private async drainQueue(qKey: string, q: TargetQueue): Promise<void> {
    q.running = true;
    while (q.waiting.length > 0) {
      const batch = takeDistinct(q.waiting);
      try {
        const states = await this.write(q.site, q.wire, batch);
        batch.forEach((p, i) => p.resolve(states[i]!));
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    q.running = false;
    this.queues.delete(qKey);
    if (this.queues.size > 0) return;
    for (const r of this.idle) r();
    this.idle.clear();
  }

  private async write(site: string, wire: ReactionTarget, batch: ReactionWrite[]): Promise<ReactionState[]> {
    const target = await this.counters.load(site, wire);
    try {
      const deltas: Record<string, number> = {};
      const add = (kind: string, n: number) => (deltas[kind] = (deltas[kind] ?? 0) + n);
      const ons = batch.filter((w) => w.on);
      const offs = batch.filter((w) => !w.on);
      const { Reaction } = this.models;
      const inserted = await this.insert(target, ons);
      for (const kind of inserted) add(kind, 1);
      this.counters.added(target, inserted.length);
      if (offs.length > 0) {
        // One deleteMany per kind: how many it removed is that kind's decrement.
        const byKind = groupBy(offs, (w) => w.kind);
        for (const [kind, list] of byKind) {
          const r = await Reaction.deleteMany({ site, target: target.key, kind, userId: trusted({ $in: list.map((w) => w.userId) }) });
          add(kind, -(r.deletedCount ?? 0));
        }
      }
      await this.counters.apply(target, deltas);
      const users = [...new Set(batch.map((w) => w.userId))];
      const [totals, mine] = await Promise.all([this.counters.totals(target), this.kindsOf(target, users)]);
      return batch.map((w) => ({ reactions: { ...totals } as ReactionTotals, myReactions: mine.get(w.userId) ?? [] }));
    } finally {
      this.written(target);
    }
  }

  /** Inserts the reaction documents; returns the kinds of those that were new. */
  private async insert(target: LoadedTarget, ons: ReactionWrite[]): Promise<string[]> {
    if (ons.length === 0) return [];
    const at = new Date();
    const docs = ons.map((w) => ({ site: target.site, target: target.key, userId: w.userId, kind: w.kind, at }));
    try {
      await this.models.Reaction.collection.insertMany(docs, { ordered: false });
      return ons.map((w) => w.kind);
    } catch (err) {
      const failed = writeErrorIndexes(err);
      if (!failed) throw err;
      return ons.filter((_, i) => !failed.has(i)).map((w) => w.kind);
    }
  }

  private async kindsOf(target: LoadedTarget, users: string[]): Promise<Map<string, string[]>> {
    const docs = await this.models.Reaction.find(
      { site: target.site, target: target.key, userId: users.length === 1 ? users[0] : trusted({ $in: users }) },
      { userId: 1, kind: 1 },
    ).lean();
    const out = new Map<string, string[]>();
    for (const d of docs) out.set(d.userId, [...(out.get(d.userId) ?? []), d.kind]);
    for (const kinds of out.values()) kinds.sort();
    return out;
  }
}

/**
 * Takes from the front of the queue a batch in which each (user, kind) appears once, so the
 * order of writes inside a batch does not matter; a repeat waits for the next batch.
 */
function takeDistinct(waiting: Pending[]): Pending[] {
  const seen = new Set<string>();
  let n = 0;
  while (n < waiting.length && n < MAX_BATCH) {
    const k = `${waiting[n]!.userId}\u0000${waiting[n]!.kind}`;
    if (seen.has(k)) break;
    seen.add(k);
    n++;
  }
  return waiting.splice(0, n);
}

/** Indexes of the documents an unordered insertMany refused as duplicates; null for other errors. */
function writeErrorIndexes(err: unknown): Set<number> | null {
  const e = err as { writeErrors?: unknown };
  if (!e.writeErrors) return null;
  const list = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
  const out = new Set<number>();
  for (const we of list as { code?: number; index?: number; err?: { code?: number; index?: number } }[]) {
    const code = we.code ?? we.err?.code;
    const index = we.index ?? we.err?.index;
    if (code !== 11000 || typeof index !== 'number') return null;
    out.add(index);
  }
  return out;
}

function groupBy<T>(list: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of list) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}
