// The engagement statistics, built together: the recorder (counts in memory, flushed to the
// `stats` buckets), the queries behind /admin/stats, the live feed of the /dashboard
// namespace, and the hourly rollup of buckets past the minute-resolution retention.
// docs/DATA.md, "stats"; docs/API.md, "Statistics".
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { Redis } from '../redis';
import { StatsStore } from '../store/stats';
import { HOUR_MS, floorTo, rollUp } from './counts';
import { LiveFeed, RedisLiveBoard } from './live';
import { StatsQueries } from './queries';
import { StatsRecorder, type ReaderCount } from './recorder';
import { RedisSlotLease, soleSlot } from './slot';

export { StatsQueries, type TopBy } from './queries';
export type { LiveStats } from './live';

export interface StatsOptions {
  conn: Connection;
  redis?: Redis;
  prefix: string;
  flushMs: number;
  minuteDays: number;
  readers: () => Iterable<ReaderCount>;
  /** The moderation queue's counts now (a count over the comments: cached BACKLOG_CACHE_MS). */
  backlog: (site: string) => Promise<{ pending: number; flagged: number }>;
  onError(err: unknown): void;
  now?: () => number;
}

const ROLLUP_EVERY_MS = HOUR_MS;
const ROLLUP_BATCH = 200;
const BACKLOG_CACHE_MS = 5000;

export class EngagementStats {
  readonly store: StatsStore;
  readonly recorder: StatsRecorder;
  readonly queries: StatsQueries;
  readonly live: LiveFeed;
  private readonly now: () => number;
  private timers: NodeJS.Timeout[] = [];
  private readonly backlogs = new Map<string, { at: number; counts: Promise<{ pending: number; flagged: number }> }>();

  constructor(private readonly opts: StatsOptions) {
    this.now = opts.now ?? Date.now;
    this.store = new StatsStore(opts.conn);
    // Slots and live numbers are per database: deployments sharing a Redis never mix them.
    const keys = `${opts.prefix}:stats:${opts.conn.name}`;
    this.recorder = new StatsRecorder({
      store: this.store,
      slot: opts.redis ? new RedisSlotLease(opts.redis, keys) : soleSlot(),
      flushMs: opts.flushMs,
      onError: opts.onError,
      readers: opts.readers,
      now: this.now,
    });
    this.queries = new StatsQueries(this.store, opts.minuteDays, this.now);
    this.live = new LiveFeed(this.recorder, opts.redis ? new RedisLiveBoard(opts.redis, keys, randomUUID()) : undefined, opts.onError, this.now);
  }

  start(): void {
    this.recorder.start();
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => void fn().catch(this.opts.onError), ms);
      t.unref();
      this.timers.push(t);
    };
    every(1000, () => this.live.publish());
    every(ROLLUP_EVERY_MS, () => this.rollUp());
  }

  /**
   * Buckets older than the minute retention keep only their hour's totals. Idempotent, and
   * safe on several nodes at once: each bucket's totals come from its own minutes, and a
   * bucket that old is never written again.
   */
  async rollUp(): Promise<number> {
    const before = new Date(floorTo(this.now() - this.opts.minuteDays * 24 * HOUR_MS, HOUR_MS));
    let done = 0;
    for (;;) {
      const batch = await this.store.unrolled(before, ROLLUP_BATCH);
      for (const b of batch) {
        const { t, at } = rollUp(b);
        await this.store.markRolled(b._id, t, at);
      }
      done += batch.length;
      if (batch.length < ROLLUP_BATCH) return done;
    }
  }

  /** The site's moderation backlog, shared by the requests of a few seconds. */
  backlog(site: string): Promise<{ pending: number; flagged: number }> {
    const now = Date.now();
    const cached = this.backlogs.get(site);
    if (cached && now - cached.at < BACKLOG_CACHE_MS) return cached.counts;
    const counts = this.opts.backlog(site);
    this.backlogs.set(site, { at: now, counts });
    counts.catch(() => this.backlogs.delete(site));
    return counts;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.recorder.close();
  }
}
