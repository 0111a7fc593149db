// The threads this node holds, least recently used first out when their estimated bytes pass
// the budget. A read gets the thread as fresh as the event log was when the read arrived:
// - this node's own events are applied as they are emitted to the room (`emitted`, called by
//   the fan-out right after its emit): a reader who reads a page at seq N and then joins
//   gets every event after N live or replayed, and none up to N;
// - other nodes' appends are found by one lookup of event `seq + 1` by key (null: up to
//   date); when there is one, the missing events are read by key and applied in order;
// - a thread not held starts from its snapshot (snapshot.ts), one `_id` read, and the events
//   after the snapshot's seq; without a usable snapshot (none, another version, or events
//   after it no longer kept) it is built from the database, and its snapshot written. One
//   whose gap cannot be filled from the log (too long, or expired) is rebuilt;
// - a thread started from a snapshot holds only its first pages: a read of any other page (or
//   one it can no longer answer exactly) builds it in full from the database.
// Probes and builds of one article run in rounds (rounds.ts): a crowd costs one lookup a round.
import { LRUCache } from 'lru-cache';
import type { ArticleEvent } from '../../../../client-sdk/src/protocol';
import { articleKey, type Models } from '../../store/models';
import type { EventLog } from '../events';
import { MAX_REPLAY } from '../events';
import { buildThread } from './build';
import { Rounds } from './rounds';
import { fromSnapshot, SNAPSHOT_VERSION } from './snapshot';
import { SnapshotWriter, type SnapshotStore, type SnapshotWriteResult } from './snapshots';
import type { PageQuery, Thread } from './thread';

/** Events read per lookup while catching up (after a first one showed the thread behind). */
const CATCH_UP_BATCH = 50;

export interface ThreadCacheObserver {
  /** A read found the thread held. */
  hit?(): void;
  /** A read found no thread: built from the database. */
  miss?(): void;
  /** A held thread was rebuilt: its gap could not be filled from the log, or it was too old. */
  rebuild?(reason: 'gap' | 'age'): void;
  /** A thread not held looked for its snapshot: used (hit), none (miss), or not usable (stale). */
  snapshotRead?(result: 'hit' | 'miss' | 'stale'): void;
  /** A snapshot write: written, `older` (a newer one was there), `busy` (retried), failed. */
  snapshotWritten?(result: SnapshotWriteResult | 'failed'): void;
}

export interface ThreadSnapshotOptions {
  store: SnapshotStore;
  /** At most one write per article in this many ms (THREAD_SNAPSHOT_MS). */
  intervalMs: number;
  onError?(err: unknown): void;
}

export interface ThreadCacheOptions {
  maxBytes: number;
  /**
   * How long after a look at the log a held thread is served without looking again. 0 (the
   * default, and what several nodes need): every read round looks. A node alone (no Redis,
   * so no other node can append) sees each event it emits and may look less often; the look
   * still catches an event that was stored but never emitted.
   */
  verifyEveryMs?: number;
  observer?: ThreadCacheObserver;
  /** First pages kept in the database, for nodes that do not hold a thread. */
  snapshots?: ThreadSnapshotOptions;
}

export class ThreadCache {
  private readonly lru: LRUCache<string, Thread>;
  private readonly rounds = new Map<string, Rounds<Thread>>();
  /** Own events that were emitted while their article's thread was being built. */
  private readonly duringBuild = new Map<string, ArticleEvent[]>();
  /** A held thread not seen fresh for this long is rebuilt rather than probed (the log may
   * have expired the events after its seq, and a missing event then looks like none). */
  private readonly maxQuietMs: number;
  private readonly writer: SnapshotWriter | undefined;
  /** Builds in full of threads that hold only their first pages, one at a time per article. */
  private readonly fullBuilds = new Map<string, Promise<Thread>>();

  constructor(
    private readonly models: Models,
    private readonly events: EventLog,
    private readonly opts: ThreadCacheOptions,
  ) {
    this.lru = new LRUCache<string, Thread>({ maxSize: Math.max(1, Math.floor(opts.maxBytes)), sizeCalculation: (t) => Math.max(1, Math.ceil(t.bytes)) });
    this.maxQuietMs = events.retention / 2;
    const snap = opts.snapshots;
    if (snap) {
      this.writer = new SnapshotWriter(snap.store, {
        intervalMs: snap.intervalMs,
        current: (site, article, thread) => this.lru.peek(keyOf(site, article)) === thread,
        written: (result) => opts.observer?.snapshotWritten?.(result),
        onError: snap.onError,
      });
    }
  }

  /** Writes the pending snapshots now, and stops writing (shutdown). */
  async close(): Promise<void> {
    await this.writer?.flush();
    await this.writer?.close();
  }

  /** Writes the pending snapshots now (the timer does it every THREAD_SNAPSHOT_MS). */
  flushSnapshots(): Promise<void> {
    return this.writer?.flush() ?? Promise.resolve();
  }

  /** Drops the articles' threads and snapshots: their stored copies changed outside the events. */
  async forget(site: string, articles: string[]): Promise<void> {
    for (const a of articles) this.lru.delete(keyOf(site, a));
    this.writer?.forgotten(site, articles);
    await this.opts.snapshots?.store.forget(site, articles);
  }

  /**
   * The article's thread able to answer `q` (null: the article view): the held one when it
   * can, else one built in full from the database (a thread started from a snapshot holds
   * only its first pages).
   */
  async answering(site: string, article: string, q: PageQuery | null): Promise<Thread> {
    const answers = (t: Thread) => (q ? t.canAnswer(q) : t.viewExact);
    const thread = await this.get(site, article);
    if (answers(thread)) return thread;
    const key = keyOf(site, article);
    let build = this.fullBuilds.get(key);
    if (!build) {
      build = this.load(key, site, article, false).finally(() => this.fullBuilds.delete(key));
      this.fullBuilds.set(key, build);
    }
    const built = await build;
    // Caught up with the log like any read; the built one itself if it was dropped meanwhile.
    const now = await this.get(site, article);
    return answers(now) ? now : built;
  }

  /** Bytes and articles held now (metrics). */
  stats(): { bytes: number; articles: number } {
    return { bytes: this.lru.calculatedSize, articles: this.lru.size };
  }

  /**
   * The article's thread, at least as fresh as the event log when this call was made; on a
   * node alone, as fresh as the events it emitted (its look at the log runs beside the read).
   */
  get(site: string, article: string): Promise<Thread> {
    const key = keyOf(site, article);
    const held = this.lru.get(key);
    if (held && this.opts.verifyEveryMs && held.ahead.size === 0) {
      this.opts.observer?.hit?.();
      if (Date.now() - held.verifiedAt >= this.opts.verifyEveryMs) void this.round(key, site, article).catch(() => undefined);
      return Promise.resolve(held);
    }
    return this.round(key, site, article);
  }

  /**
   * The seq of the held thread when it is known to follow every event emitted (a node alone,
   * with no gap); undefined otherwise. A join reads it instead of the article document.
   */
  emittedSeq(site: string, article: string): number | undefined {
    const held = this.lru.peek(keyOf(site, article));
    return held && this.opts.verifyEveryMs && held.ahead.size === 0 ? held.seq : undefined;
  }

  private round(key: string, site: string, article: string): Promise<Thread> {
    let r = this.rounds.get(key);
    if (!r) this.rounds.set(key, (r = new Rounds<Thread>()));
    const round = r;
    return round.run(() => this.refresh(key, site, article)).finally(() => {
      if (round.idle && this.rounds.get(key) === round) this.rounds.delete(key);
    });
  }

  /** A thread built from the database now, held by nobody (checks and tests). */
  build(site: string, article: string): Promise<Thread> {
    return buildThread(this.models, site, article);
  }

  private async refresh(key: string, site: string, article: string): Promise<Thread> {
    const held = this.lru.get(key);
    if (!held) {
      this.opts.observer?.miss?.();
      return this.load(key, site, article);
    }
    if (!this.opts.verifyEveryMs) this.opts.observer?.hit?.();
    const asked = Date.now();
    if (asked - held.verifiedAt > this.maxQuietMs) {
      this.opts.observer?.rebuild?.('age');
      return this.load(key, site, article);
    }
    const before = held.seq;
    const caught = await this.catchUp(site, article, held);
    // The thread was replaced (an import): build it again rather than apply single changes.
    if (caught === 'reset') return this.load(key, site, article);
    if (caught === 'gap') {
      this.opts.observer?.rebuild?.('gap');
      return this.load(key, site, article);
    }
    held.verifiedAt = asked;
    this.keep(key, held);
    if (held.seq !== before) this.writer?.changed(site, article, held);
    return held;
  }

  /**
   * Applies the events the log holds after the thread's seq, read by key in batches: `reset`
   * when one replaces the thread wholesale, `gap` when there are more than a join replays.
   */
  private async catchUp(site: string, article: string, thread: Thread): Promise<'ok' | 'reset' | 'gap'> {
    let read = 0;
    for (let batch = 1; ; batch = CATCH_UP_BATCH) {
      thread.drainAhead();
      const from = thread.seq + 1;
      const got = await this.events.readRange(site, article, from, from + batch - 1);
      if (got.some((ev) => ev.type === 'article:reset')) return 'reset';
      for (const ev of got) thread.offer(ev);
      read += got.length;
      if (read > MAX_REPLAY) return 'gap';
      if (got.length < batch) return 'ok';
    }
  }

  private async load(key: string, site: string, article: string, snapshot = true): Promise<Thread> {
    const early: ArticleEvent[] = [];
    this.duringBuild.set(key, early);
    try {
      const fromSnap = snapshot ? await this.fromSnapshot(site, article) : null;
      const thread = fromSnap ?? (await buildThread(this.models, site, article));
      for (const ev of early) thread.offer(ev);
      this.keep(key, thread);
      this.writer?.changed(site, article, thread);
      return thread;
    } finally {
      if (this.duringBuild.get(key) === early) this.duringBuild.delete(key);
    }
  }

  /**
   * The thread from its snapshot and the events after it, or null to build it from the
   * database: no snapshot, another version, or not provably followed by every event after it
   * (older than the log keeps for sure, the log's events end before the article's seq, a
   * reset, or a gap longer than a join replays).
   */
  private async fromSnapshot(site: string, article: string): Promise<Thread | null> {
    const snap = this.opts.snapshots;
    if (!snap) return null;
    const asked = Date.now();
    const [doc, art] = await Promise.all([
      snap.store.read(site, article),
      this.models.Article.findOne({ _id: articleKey(site, article) }, { seq: 1 }).lean(),
    ]);
    const observer = this.opts.observer;
    if (!doc) {
      observer?.snapshotRead?.('miss');
      return null;
    }
    const seq = art?.seq ?? 0;
    // A stale one is removed, so that the one written after the build replaces it whatever
    // its seq (one of another version, or from a log that was reset, may claim a later seq).
    const stale = async () => {
      observer?.snapshotRead?.('stale');
      this.writer?.forgotten(site, [article]);
      await snap.store.forget(site, [article]);
      return null;
    };
    if (doc.v !== SNAPSHOT_VERSION || doc.seq > seq || asked - doc.verifiedAt.getTime() > this.maxQuietMs) return stale();
    const thread = fromSnapshot(site, article, doc);
    this.writer?.stored(site, article, doc.seq);
    if ((await this.catchUp(site, article, thread)) !== 'ok' || thread.seq < seq) return stale();
    thread.verifiedAt = asked;
    observer?.snapshotRead?.('hit');
    return thread;
  }

  /** Stores (or re-measures) a thread; one larger than the whole budget is served, not kept. */
  private keep(key: string, thread: Thread): void {
    // lru-cache measures a value when it is set, and not again when the same value is set
    // again: take it out first so its new size counts.
    if (this.lru.peek(key) === thread) this.lru.delete(key);
    this.lru.set(key, thread);
  }

  /** An event this node has just emitted to the article's room. */
  emitted(site: string, ev: ArticleEvent): void {
    const key = keyOf(site, ev.article);
    const early = this.duringBuild.get(key);
    if (early) early.push(ev);
    const held = this.lru.peek(key);
    if (!held) return;
    if (ev.type === 'article:reset') {
      this.lru.delete(key); // replaced wholesale: the next read builds it again
      return;
    }
    held.offer(ev);
    this.keep(key, held);
    this.writer?.changed(site, ev.article, held);
  }
}

const keyOf = (site: string, article: string) => `${site}\u0000${article}`;
