// The threads this node holds, least recently used first out when their estimated bytes pass
// the budget. A read gets the thread as fresh as the event log was when the read arrived:
// - this node's own events are applied as they are emitted to the room (`emitted`, called by
//   the fan-out right after its emit): a reader who reads a page at seq N and then joins
//   gets every event after N live or replayed, and none up to N;
// - other nodes' appends are found by one lookup of event `seq + 1` by key (null: up to
//   date); when there is one, the missing events are read by key and applied in order;
// - a thread not held is built from the database; one whose gap cannot be filled from the log
//   (too long, or expired) is rebuilt.
// Probes and builds of one article run in rounds (rounds.ts): a crowd costs one lookup a round.
import { LRUCache } from 'lru-cache';
import type { ArticleEvent } from '../../../../client-sdk/src/protocol';
import type { Models } from '../../store/models';
import type { EventLog } from '../events';
import { MAX_REPLAY } from '../events';
import { buildThread } from './build';
import { Rounds } from './rounds';
import type { Thread } from './thread';

/** Events read per lookup while catching up (after a first one showed the thread behind). */
const CATCH_UP_BATCH = 50;

export interface ThreadCacheObserver {
  /** A read found the thread held. */
  hit?(): void;
  /** A read found no thread: built from the database. */
  miss?(): void;
  /** A held thread was rebuilt: its gap could not be filled from the log, or it was too old. */
  rebuild?(reason: 'gap' | 'age'): void;
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
}

export class ThreadCache {
  private readonly lru: LRUCache<string, Thread>;
  private readonly rounds = new Map<string, Rounds<Thread>>();
  /** Own events that were emitted while their article's thread was being built. */
  private readonly duringBuild = new Map<string, ArticleEvent[]>();
  /** A held thread not seen fresh for this long is rebuilt rather than probed (the log may
   * have expired the events after its seq, and a missing event then looks like none). */
  private readonly maxQuietMs: number;

  constructor(
    private readonly models: Models,
    private readonly events: EventLog,
    private readonly opts: ThreadCacheOptions,
  ) {
    this.lru = new LRUCache<string, Thread>({ maxSize: Math.max(1, Math.floor(opts.maxBytes)), sizeCalculation: (t) => Math.max(1, Math.ceil(t.bytes)) });
    this.maxQuietMs = events.retention / 2;
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
    let read = 0;
    for (let batch = 1; ; batch = CATCH_UP_BATCH) {
      held.drainAhead();
      const from = held.seq + 1;
      const got = await this.events.readRange(site, article, from, from + batch - 1);
      // The thread was replaced (an import): build it again rather than apply single changes.
      if (got.some((ev) => ev.type === 'article:reset')) return this.load(key, site, article);
      for (const ev of got) held.offer(ev);
      read += got.length;
      if (read > MAX_REPLAY) {
        this.opts.observer?.rebuild?.('gap');
        return this.load(key, site, article);
      }
      if (got.length < batch) break;
    }
    held.verifiedAt = asked;
    this.keep(key, held);
    return held;
  }

  private async load(key: string, site: string, article: string): Promise<Thread> {
    const early: ArticleEvent[] = [];
    this.duringBuild.set(key, early);
    try {
      const thread = await buildThread(this.models, site, article);
      for (const ev of early) thread.offer(ev);
      this.keep(key, thread);
      return thread;
    } finally {
      if (this.duringBuild.get(key) === early) this.duringBuild.delete(key);
    }
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
  }
}

const keyOf = (site: string, article: string) => `${site}\u0000${article}`;
