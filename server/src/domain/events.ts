// The per-article event log: every event readers can see gets the article's next seq and is
// kept for replay. The unique index on {site, article, seq} decides who gets a seq, so two
// nodes (or a database whose $inc is not atomic across connections) can never hand out one
// seq twice; a loser of that race reads the new maximum and tries again.
import type { ArticleEvent, ArticleEventPayloads, ArticleEventType, JoinAck } from '../../../client-sdk/src/protocol';
import { isDuplicateKey } from '../store/connection';
import { articleKey, trusted, type Models } from '../store/models';
import { KeyedQueue } from './keyed-queue';

/** At most this many events are replayed in one join; older gaps get `reset`. */
export const MAX_REPLAY = 1000;
/** Tries of one append before it gives up (each lost only to another node's append). */
const MAX_APPEND_ATTEMPTS = 1000;
/** Steps probed forward before re-reading the last seq from the log. */
const PROBES_BEFORE_READ = 8;

type PayloadOf<K extends ArticleEventType> = Omit<ArticleEventPayloads[K], 'seq' | 'article'>;

export class EventLog {
  private readonly queue = new KeyedQueue();
  /** Last seq this process appended per article: saves a read per event; a stale value only
   * costs one duplicate-key retry, since the unique index still decides. */
  private readonly lastAppended = new Map<string, number>();

  constructor(
    private readonly models: Models,
    private readonly retentionMs: number,
  ) {}

  /** Stores the event under the article's next seq and returns it, ready to send. */
  append<K extends ArticleEventType>(site: string, article: string, type: K, payload: PayloadOf<K>): Promise<ArticleEvent> {
    const key = `${site}\u0000${article}`;
    return this.queue.run(key, () => this.appendNow(key, site, article, type, payload));
  }

  private async appendNow<K extends ArticleEventType>(
    key: string,
    site: string,
    article: string,
    type: K,
    payload: PayloadOf<K>,
  ): Promise<ArticleEvent> {
    const { Event, Article } = this.models;
    const cached = this.lastAppended.get(key);
    let seq = (cached ?? (await this.lastSeq(site, article))) + 1;
    // Another node took `seq`: try the next one. Every seq is tried only once the one before it
    // exists, so the log has no gaps; probing forward costs one insert a step, as little as the
    // competing node's own append, so a busy node cannot starve this one. Far behind (a stale
    // cache), read the log's end instead of walking to it.
    for (let attempt = 1; ; attempt++) {
      try {
        await Event.create({ site, article, seq, type, payload, at: new Date() });
        break;
      } catch (err) {
        if (!isDuplicateKey(err) || attempt >= MAX_APPEND_ATTEMPTS) throw err;
        seq = attempt % PROBES_BEFORE_READ === 0 ? Math.max(seq, await this.lastSeq(site, article)) + 1 : seq + 1;
      }
    }
    this.lastAppended.set(key, seq);
    if (this.lastAppended.size > 50_000) this.lastAppended.delete(this.lastAppended.keys().next().value!);
    // A cache for readers of the article document; $max never moves it backwards.
    await Article.updateOne({ _id: articleKey(site, article) }, { $max: { seq } });
    return { ...(payload as object), type, article, seq } as ArticleEvent;
  }

  async lastSeq(site: string, article: string): Promise<number> {
    const last = await this.models.Event.findOne({ site, article }, { seq: 1 }).sort({ seq: -1 }).lean();
    if (last) return last.seq;
    // History may have expired: the article document remembers the last seq handed out.
    const a = await this.models.Article.findOne({ _id: articleKey(site, article) }, { seq: 1 }).lean();
    return a?.seq ?? 0;
  }

  /**
   * The seq of the last event that may have been sent to readers, without reading the event
   * log: the article document's `seq` moves before each emit, and this process's own appends
   * are known. A join that reads it after entering the room misses nothing: any later event
   * reaches the socket live.
   */
  private async announcedSeq(site: string, article: string): Promise<number> {
    const a = await this.models.Article.findOne({ _id: articleKey(site, article) }, { seq: 1 }).lean();
    return Math.max(a?.seq ?? 0, this.lastAppended.get(`${site}\u0000${article}`) ?? 0);
  }

  /** What a reader that last saw `since` missed, or `reset` when that history is gone. */
  async replay(site: string, article: string, since: number | undefined): Promise<Pick<JoinAck, 'seq' | 'missed' | 'reset'>> {
    let seq = await this.announcedSeq(site, article);
    if (since === undefined) return { seq };
    if (since > seq) seq = await this.lastSeq(site, article); // a client ahead of the cache: ask the log
    if (since > seq) return { seq, reset: true };
    if (since === seq) return { seq, missed: [] };
    const docs = await this.models.Event.find({ site, article, seq: trusted({ $gt: since }) })
      .sort({ seq: 1 })
      .limit(MAX_REPLAY + 1)
      .lean();
    if (docs.length === 0 || docs[0]!.seq !== since + 1 || docs.length > MAX_REPLAY) return { seq, reset: true };
    // The thread was replaced since (an import): replaying single changes would not rebuild it.
    if (docs.some((d) => d.type === 'article:reset')) return { seq: Math.max(seq, docs[docs.length - 1]!.seq), reset: true };
    const missed = docs.map((d) => ({ ...d.payload, type: d.type, article: d.article, seq: d.seq }) as ArticleEvent);
    const lastMissed = missed[missed.length - 1]!.seq;
    return { seq: Math.max(seq, lastMissed), missed };
  }

  /** Deletes events older than the retention; run on a timer (no TTL index on FerretDB). */
  async sweep(now = Date.now()): Promise<number> {
    const r = await this.models.Event.deleteMany({ at: trusted({ $lt: new Date(now - this.retentionMs) }) });
    return r.deletedCount ?? 0;
  }

  drain(): Promise<void> {
    return this.queue.drain();
  }
}
