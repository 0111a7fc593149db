// Counts engagement as it happens, in memory, and adds it to the `stats` buckets every
// `flushMs` (one upsert per site and hour touched, by `_id`). Told by the comment lifecycle's
// watchers (posts and moderators' decisions), the reaction counters, the flag service, and a
// sample of this node's readers once a second. The clock is injectable: tests cross minute
// and hour boundaries without sleeping. Nothing counted is dropped: a failed flush keeps its
// increments for the next one, and `close()` flushes.
import type { Transition } from '../domain/lifecycle';
import type { BucketWrite, StatsStore } from '../store/stats';
import type { SlotLease } from './slot';
import { HOUR_MS, MINUTE_MS, articleField, bucketId, floorTo, waitBucket, type SummedField } from './counts';

export interface ReaderCount {
  site: string;
  article: string;
  count: number;
}

export interface RecorderOptions {
  store: StatsStore;
  slot: SlotLease;
  flushMs: number;
  onError(err: unknown): void;
  /** This node's readers per article now (articles with nobody may be left out). */
  readers?: () => Iterable<ReaderCount>;
  /** ms since the epoch; `Date.now` unless a test drives the clock. */
  now?: () => number;
  /** How often readers are sampled, ms (default 1000). */
  sampleMs?: number;
}

/** The live numbers of one site on this node: readers now and the last minutes' counts. */
export interface LiveSnapshot {
  at: number;
  readers: Record<string, number>;
  /** Minute start (ms) → counts of this node in that minute. */
  minutes: Record<string, { posted: number; reactions: number }>;
}

const LIVE_MINUTES = 60;

interface Pending {
  site: string;
  hour: number;
  inc: Map<string, number>;
  max: Map<string, number>;
}

const DECISIONS = new Set(['approve', 'reject', 'spam']);

export class StatsRecorder {
  private pending = new Map<string, Pending>();
  /** site → minute → this node's posts and reactions (the live feed's chart). */
  private readonly recent = new Map<string, Map<number, { posted: number; reactions: number }>>();
  /** site → article → this node's readers, as last sampled. */
  private readonly readersNow = new Map<string, Map<string, number>>();
  private readonly now: () => number;
  private timers: NodeJS.Timeout[] = [];
  private flushing: Promise<void> | null = null;
  private slotNoted: number | null = null;

  constructor(private readonly opts: RecorderOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Starts the flush and the readers' sampling timers. */
  start(): void {
    const every = (ms: number, fn: () => unknown) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.opts.flushMs, () => void this.flush());
    every(this.opts.sampleMs ?? 1000, () => this.sampleReaders());
  }

  /** A lifecycle watcher: posts by outcome, moderators' decisions and their waits. */
  readonly watch = (t: Transition): void => {
    const now = this.now();
    if (t.action === 'post' && t.after) {
      const outcome = t.after.status === 'published' ? 'published' : t.after.status === 'pending' ? 'held' : t.after.status === 'rejected' ? 'rejected' : null;
      this.add(t.site, t.article, now, 'posted', 1);
      if (outcome) this.add(t.site, t.article, now, outcome, 1);
      this.live(t.site, now).posted++;
      return;
    }
    if (DECISIONS.has(t.action) && t.before) {
      this.add(t.site, t.article, now, 'decisions', 1);
      if (t.action === 'approve') this.add(t.site, t.article, now, 'approved', 1);
      if (t.before.status === 'pending') {
        const wait = Math.max(0, now - new Date(t.before.editedAt ?? t.before.createdAt).getTime());
        this.add(t.site, t.article, now, 'waitMs', wait);
        this.add(t.site, t.article, now, `wait.${waitBucket(wait)}`, 1);
      }
    }
  };

  /** Reactions newly set (`added` > 0) on a comment or on the article itself. */
  reacted(site: string, article: string, added: number): void {
    if (added <= 0) return;
    const now = this.now();
    this.add(site, article, now, 'reactions', added);
    this.live(site, now).reactions += added;
  }

  /** A reader's new flag on a comment of the article. */
  flagged(site: string, article: string): void {
    this.add(site, article, this.now(), 'flags', 1);
  }

  /** Records this node's readers now: the peak of the minute, per article and per site. */
  sampleReaders(): void {
    const counts = this.opts.readers?.();
    if (!counts) return;
    const now = this.now();
    const perSite = new Map<string, Map<string, number>>();
    for (const { site, article, count } of counts) {
      if (count <= 0) continue;
      let m = perSite.get(site);
      if (!m) perSite.set(site, (m = new Map()));
      m.set(article, count);
    }
    for (const site of this.readersNow.keys()) if (!perSite.has(site)) this.readersNow.delete(site);
    for (const [site, arts] of perSite) {
      this.readersNow.set(site, arts);
      let total = 0;
      const p = this.bucket(site, now);
      const min = minuteOf(now);
      for (const [article, n] of arts) {
        total += n;
        raise(p.max, `a.${articleField(article)}.${min}.readers`, n);
      }
      raise(p.max, `m.${min}.readers`, total);
    }
  }

  /** The live numbers of `site` on this node; undefined when it has had none lately. */
  snapshot(site: string): LiveSnapshot | undefined {
    const now = this.now();
    const recent = this.recent.get(site);
    const readers = this.readersNow.get(site);
    if (!recent && !readers) return undefined;
    const minutes: LiveSnapshot['minutes'] = {};
    for (const [at, c] of recent ?? []) {
      if (at <= now - LIVE_MINUTES * MINUTE_MS) recent!.delete(at);
      else minutes[String(at)] = { ...c };
    }
    return { at: now, readers: Object.fromEntries(readers ?? []), minutes };
  }

  /** Sites this node has live numbers of. */
  sites(): string[] {
    return [...new Set([...this.recent.keys(), ...this.readersNow.keys()])];
  }

  /**
   * Adds what was counted since the last flush to the buckets of this node's slot. One flush
   * at a time; a call during one waits for it and flushes again.
   */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    this.flushing = this.write().finally(() => (this.flushing = null));
    return this.flushing;
  }

  /** Stops the timers and flushes what is left. */
  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.flush();
    await this.opts.slot.close();
  }

  private async write(): Promise<void> {
    let slot: number | null;
    try {
      slot = await this.opts.slot.current();
      if (slot === null) throw new Error('stats: no node slot free');
      if (this.slotNoted !== slot) {
        await this.opts.store.noteSlot(slot);
        this.slotNoted = slot;
      }
    } catch (err) {
      this.opts.onError(err);
      return;
    }
    const batch = [...this.pending.values()];
    this.pending = new Map();
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i]!;
      const w: BucketWrite = { _id: bucketId(p.site, p.hour, slot), site: p.site, hour: new Date(p.hour), slot, inc: Object.fromEntries(p.inc), max: Object.fromEntries(p.max) };
      try {
        await this.opts.store.write([w]);
      } catch (err) {
        // Kept for the next flush: this one and those not yet written.
        for (const q of batch.slice(i)) this.mergeBack(q);
        this.opts.onError(err);
        return;
      }
    }
  }

  private mergeBack(q: Pending): void {
    const p = this.bucket(q.site, q.hour);
    for (const [k, n] of q.inc) p.inc.set(k, (p.inc.get(k) ?? 0) + n);
    for (const [k, n] of q.max) raise(p.max, k, n);
  }

  private bucket(site: string, at: number): Pending {
    const hour = floorTo(at, HOUR_MS);
    const key = `${site}|${hour}`;
    let p = this.pending.get(key);
    if (!p) this.pending.set(key, (p = { site, hour, inc: new Map(), max: new Map() }));
    return p;
  }

  private add(site: string, article: string, at: number, field: SummedField | `wait.${number}`, n: number): void {
    const p = this.bucket(site, at);
    const min = minuteOf(at);
    for (const path of [`m.${min}.${field}`, `a.${articleField(article)}.${min}.${field}`]) p.inc.set(path, (p.inc.get(path) ?? 0) + n);
  }

  private live(site: string, at: number): { posted: number; reactions: number } {
    let m = this.recent.get(site);
    if (!m) this.recent.set(site, (m = new Map()));
    const minute = floorTo(at, MINUTE_MS);
    let c = m.get(minute);
    if (!c) {
      // A new minute: the ones that left the live window go (a node nobody watches stays small).
      for (const k of m.keys()) if (k <= minute - LIVE_MINUTES * MINUTE_MS) m.delete(k);
      m.set(minute, (c = { posted: 0, reactions: 0 }));
    }
    return c;
  }
}

const minuteOf = (at: number) => String(Math.floor((at % HOUR_MS) / MINUTE_MS));

function raise(m: Map<string, number>, key: string, n: number): void {
  if ((m.get(key) ?? -1) < n) m.set(key, n);
}

