// The per-article event log: every event readers can see gets the article's next seq and is
// kept for replay. An event's `_id` is its key, (site, article, seq), so the primary key
// decides who gets a seq: two nodes (or a database whose $inc is not atomic across
// connections) can never store one seq twice, and any single event is read by `_id`, the one
// lookup every engine serves from an index. A loser of an append race takes the next seq.
import type { ArticleEvent, ArticleEventPayloads, ArticleEventType, JoinAck } from '../../../client-sdk/src/protocol';
import { isDuplicateKey } from '../store/connection';
import { articleKey, trusted, type EventDoc, type Models } from '../store/models';
import { KeyedQueue } from './keyed-queue';

/** At most this many events are replayed in one join; older gaps get `reset`. */
export const MAX_REPLAY = 1000;
/** Tries of one append before it gives up (each lost only to another node's append). */
const MAX_APPEND_ATTEMPTS = 1000;
/** Steps probed forward before re-reading the last seq from the log. */
const PROBES_BEFORE_READ = 8;
/** Events read at once when a range is read by key. */
const READ_BATCH = 50;

type PayloadOf<K extends ArticleEventType> = Omit<ArticleEventPayloads[K], 'seq' | 'article'>;

/** One event of a batch appended at once. */
export type NewEvent = { [K in ArticleEventType]: { type: K; payload: PayloadOf<K> } }[ArticleEventType];

/** Where an ordered insert stopped: the index of its first failed document. */
function firstFailedIndex(err: unknown): number | undefined {
  const e = err as { writeErrors?: { index?: number }[] | { index?: number }; index?: number };
  const first = Array.isArray(e.writeErrors) ? e.writeErrors[0] : e.writeErrors;
  const index = first?.index ?? e.index;
  return typeof index === 'number' ? index : undefined;
}

/** The `_id` of an event: site and article ids hold no control characters, so \u0001 separates. */
export function eventKey(site: string, article: string, seq: number): string {
  return `${site}\u0001${article}\u0001${seq}`;
}

export class EventLog {
  private readonly queue = new KeyedQueue();
  /** Last seq this process appended per article: saves a read per event; a stale value only
   * costs one duplicate-key retry, since the key still decides. */
  private readonly lastAppended = new Map<string, number>();

  /**
   * The seq of the last event emitted to an article's readers, when something on this node
   * knows it without the database (the read model of a node alone); undefined: read it.
   */
  emittedSeq: (site: string, article: string) => number | undefined = () => undefined;

  constructor(
    private readonly models: Models,
    private readonly retentionMs: number,
  ) {}

  get retention(): number {
    return this.retentionMs;
  }

  /** Stores the event under the article's next seq and returns it, ready to send. */
  append<K extends ArticleEventType>(site: string, article: string, type: K, payload: PayloadOf<K>): Promise<ArticleEvent> {
    const key = `${site}\u0000${article}`;
    return this.queue.run(key, () => this.appendNow(key, site, article, type, payload));
  }

  /**
   * Stores several events of one article under consecutive seqs with one insert (the usual
   * case), in the order given, and returns them ready to send. Another node's append in
   * between only moves the rest on to the next free seq, as for one event.
   */
  appendMany(site: string, article: string, items: readonly NewEvent[]): Promise<ArticleEvent[]> {
    const key = `${site}\u0000${article}`;
    return this.queue.run(key, () => this.appendManyNow(key, site, article, items));
  }

  private async appendManyNow(key: string, site: string, article: string, items: readonly NewEvent[]): Promise<ArticleEvent[]> {
    if (items.length === 0) return [];
    if (items.length === 1) return [await this.appendNow(key, site, article, items[0]!.type, items[0]!.payload as never)];
    const { Event, Article } = this.models;
    const out: ArticleEvent[] = [];
    let next = (this.lastAppended.get(key) ?? (await this.lastSeq(site, article))) + 1;
    let rest = items;
    for (let attempt = 1; rest.length > 0; attempt++) {
      const at = new Date();
      const docs = rest.map((e, i) => ({ _id: eventKey(site, article, next + i), site, article, seq: next + i, type: e.type, payload: e.payload, at }));
      let stored = docs.length;
      try {
        await Event.insertMany(docs, { ordered: true });
      } catch (err) {
        // Ordered: the events before the first failed one are stored, none after it.
        stored = firstFailedIndex(err) ?? -1;
        if (!isDuplicateKey(err) || stored < 0 || attempt >= MAX_APPEND_ATTEMPTS) throw err;
      }
      for (let i = 0; i < stored; i++) out.push({ ...(rest[i]!.payload as object), type: rest[i]!.type, article, seq: next + i } as ArticleEvent);
      rest = rest.slice(stored);
      next += stored;
      if (rest.length > 0) next = attempt % PROBES_BEFORE_READ === 0 ? Math.max(next, (await this.lastSeq(site, article)) + 1) : next + 1;
    }
    const last = out[out.length - 1]!.seq;
    this.remember(key, last);
    await Article.updateOne({ _id: articleKey(site, article) }, { $max: { seq: last } });
    return out;
  }

  private remember(key: string, seq: number): void {
    this.lastAppended.set(key, seq);
    if (this.lastAppended.size > 50_000) this.lastAppended.delete(this.lastAppended.keys().next().value!);
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
    // cache), find the log's end instead of walking to it.
    for (let attempt = 1; ; attempt++) {
      try {
        await Event.create({ _id: eventKey(site, article, seq), site, article, seq, type, payload, at: new Date() });
        break;
      } catch (err) {
        if (!isDuplicateKey(err) || attempt >= MAX_APPEND_ATTEMPTS) throw err;
        seq = attempt % PROBES_BEFORE_READ === 0 ? Math.max(seq, await this.lastSeq(site, article)) + 1 : seq + 1;
      }
    }
    this.remember(key, seq);
    // A cache for readers of the article document; $max never moves it backwards.
    await Article.updateOne({ _id: articleKey(site, article) }, { $max: { seq } });
    return { ...(payload as object), type, article, seq } as ArticleEvent;
  }

  /**
   * The last seq in the log: the article document's cached seq (moved after each append, so at
   * most a few behind), then forward by key while the next event exists.
   */
  async lastSeq(site: string, article: string): Promise<number> {
    const a = await this.models.Article.findOne({ _id: articleKey(site, article) }, { seq: 1 }).lean();
    let seq = a?.seq ?? 0;
    while (await this.models.Event.exists({ _id: eventKey(site, article, seq + 1) })) seq++;
    return seq;
  }

  /**
   * The seq of the last event that may have been sent to readers, without reading the event
   * log: the article document's `seq` moves before each emit, and this process's own appends
   * are known. A join that reads it after entering the room misses nothing: any later event
   * reaches the socket live.
   */
  private async announcedSeq(site: string, article: string): Promise<number> {
    const own = this.lastAppended.get(`${site}\u0000${article}`) ?? 0;
    const emitted = this.emittedSeq(site, article);
    if (emitted !== undefined) return Math.max(emitted, own);
    const a = await this.models.Article.findOne({ _id: articleKey(site, article) }, { seq: 1 }).lean();
    return Math.max(a?.seq ?? 0, own);
  }

  /** One event by its key, or null (not appended yet, or expired). */
  async read(site: string, article: string, seq: number): Promise<ArticleEvent | null> {
    const doc = await this.models.Event.findOne({ _id: eventKey(site, article, seq) }).lean<EventDoc>();
    return doc ? toEvent(doc) : null;
  }

  /**
   * Events `from..to` read by key, in order, up to the first one missing: a shorter answer
   * means the log does not hold the rest (expired, or not yet appended).
   */
  async readRange(site: string, article: string, from: number, to: number): Promise<ArticleEvent[]> {
    const out: ArticleEvent[] = [];
    for (let start = from; start <= to; start += READ_BATCH) {
      const seqs = Array.from({ length: Math.min(READ_BATCH, to - start + 1) }, (_, i) => start + i);
      const got = await Promise.all(seqs.map((s) => this.read(site, article, s)));
      for (const e of got) {
        if (!e) return out;
        out.push(e);
      }
    }
    return out;
  }

  /** What a reader that last saw `since` missed, or `reset` when that history is gone. */
  async replay(site: string, article: string, since: number | undefined): Promise<Pick<JoinAck, 'seq' | 'missed' | 'reset'>> {
    let seq = await this.announcedSeq(site, article);
    if (since === undefined) return { seq };
    if (since > seq) seq = await this.lastSeq(site, article); // a client ahead of the cache: ask the log
    if (since > seq) return { seq, reset: true };
    if (since === seq) return { seq, missed: [] };
    // Decided from the seqs alone, before reading any payload.
    if (seq - since > MAX_REPLAY) return { seq, reset: true };
    const missed = await this.readRange(site, article, since + 1, seq);
    if (missed.length < seq - since) return { seq, reset: true };
    // The thread was replaced since (an import): replaying single changes would not rebuild it.
    if (missed.some((e) => e.type === 'article:reset')) return { seq, reset: true };
    return { seq, missed };
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

function toEvent(d: EventDoc): ArticleEvent {
  return { ...d.payload, type: d.type, article: d.article, seq: d.seq } as ArticleEvent;
}

/**
 * Gives events stored before their `_id` was their key (ObjectId ids) the keyed form, and
 * drops the old unique index on {site, article, seq} that arbitrated seq then. Idempotent:
 * safe on every start, and after an interrupted run.
 */
export async function migrateEventKeys(models: Models): Promise<number> {
  const { Event } = models;
  await Event.collection.dropIndex('site_1_article_1_seq_1').catch(() => undefined);
  const old = await Event.find({ _id: trusted({ $type: 'objectId' }) }).lean<(EventDoc & { _id: unknown })[]>();
  for (const doc of old) {
    const keyed = { ...doc, _id: eventKey(doc.site, doc.article, doc.seq) };
    await Event.collection.insertOne(keyed as never).catch((err) => {
      if (!isDuplicateKey(err)) throw err;
    });
    await Event.collection.deleteOne({ _id: doc._id as never });
  }
  return old.length;
}
