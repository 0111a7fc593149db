// The per-article event log: every event readers can see gets the article's next seq and is
// kept for replay. An event's `_id` is its key, (site, article, seq), so the primary key
// decides who gets a seq: two nodes (or a database whose $inc is not atomic across
// connections) can never store one seq twice, and any single event is read by `_id`, the one
// lookup every engine serves from an index. A loser of an append race takes the next seq.
import type { ArticleEvent, ArticleEventPayloads, ArticleEventType, JoinAck } from '../../../client-sdk/src/protocol';
import { isDuplicateKey } from '../store/connection';
import { articleKey, trusted, type EventDoc, type Models } from '../store/models';
import { groupWrite } from '../store/group-commit';

/** At most this many events are replayed in one join; older gaps get `reset`. */
export const MAX_REPLAY = 1000;
/** Tries of one append before it gives up (each lost only to another node's append). */
const MAX_APPEND_ATTEMPTS = 1000;
/** Steps probed forward before re-reading the last seq from the log. */
const PROBES_BEFORE_READ = 8;
/**
 * Events in one ordered insert. FerretDB 1.24 inserts in batches of 100 and, after a
 * duplicate key in one batch, goes on with the next (msg_insert.go breaks only its inner
 * loop): an ordered insert of more would store events after the one that failed, under seqs
 * their writer moves on from. Up to 100 it stops at the first failure, as MongoDB does.
 */
const MAX_ORDERED_INSERT = 100;
/** Events read at once when a range is read by key. */
const READ_BATCH = 50;

type PayloadOf<K extends ArticleEventType> = Omit<ArticleEventPayloads[K], 'seq' | 'article'>;

/** One event of a batch appended at once. */
export type NewEvent = { [K in ArticleEventType]: { type: K; payload: PayloadOf<K> } }[ArticleEventType];

/** Appends asked for together (one caller's events, and the counters they move). */
interface Append {
  site: string;
  article: string;
  items: readonly NewEvent[];
  inc?: Record<string, number>;
}

interface Appended {
  events: ArticleEvent[];
  /** False when the article document was not there to take the counters. */
  counted: boolean;
}

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
  /** Appends not answered yet (drain). */
  private readonly inFlight = new Set<Promise<unknown>>();
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
  async append<K extends ArticleEventType>(site: string, article: string, type: K, payload: PayloadOf<K>): Promise<ArticleEvent> {
    const { events } = await this.submit({ site, article, items: [{ type, payload } as NewEvent] });
    return events[0]!;
  }

  /**
   * Stores the event and adds `inc` (increments only) to the article's counters in the same
   * update that moves its cached seq. `counted` is false when there was no article document
   * to count on.
   */
  async appendCounted<K extends ArticleEventType>(
    site: string,
    article: string,
    type: K,
    payload: PayloadOf<K>,
    inc: Record<string, number>,
  ): Promise<{ event: ArticleEvent; counted: boolean }> {
    if (Object.values(inc).some((n) => !(n > 0))) throw new Error('appendCounted: increments only');
    const { events, counted } = await this.submit({ site, article, items: [{ type, payload } as NewEvent], inc });
    return { event: events[0]!, counted };
  }

  /**
   * Stores several events of one article under consecutive seqs with one insert (the usual
   * case), in the order given, and returns them ready to send. Another node's append in
   * between only moves the rest on to the next free seq, as for one event.
   */
  async appendMany(site: string, article: string, items: readonly NewEvent[]): Promise<ArticleEvent[]> {
    if (items.length === 0) return [];
    return (await this.submit({ site, article, items })).events;
  }

  /**
   * Joins the article's next batch: one batch of an article in flight at a time (one writer of
   * its seqs in this process), and on a single connection one batched write of any kind.
   */
  private submit(append: Append): Promise<Appended> {
    const key = `${append.site}\u0000${append.article}`;
    const done = groupWrite(this.models.Event, `append\u0000${key}`, (batch: Append[]) => this.appendBatch(key, batch), append);
    const settled = done.finally(() => this.inFlight.delete(settled));
    this.inFlight.add(settled);
    return settled;
  }

  /**
   * One batch of an article's appends (a group commit: what arrived while the last batch was
   * being stored): every event under consecutive seqs by one ordered insert, then one update
   * of the article that moves its cached seq and adds the batch's counter increments.
   */
  private async appendBatch(key: string, batch: Append[]): Promise<Appended[]> {
    const { site, article } = batch[0]!;
    const { Event, Article } = this.models;
    const all = batch.flatMap((b) => b.items);
    const out: ArticleEvent[] = [];
    let next = (this.lastAppended.get(key) ?? (await this.lastSeq(site, article))) + 1;
    let rest: readonly NewEvent[] = all;
    // Another node took `next`: the rest go on from the next seq. Every seq is tried only once
    // the one before it exists, so the log has no gaps; probing forward costs one insert a
    // step, as little as the competing node's own append, so a busy node cannot starve this
    // one. Far behind (a stale cache), find the log's end instead of walking to it.
    for (let attempt = 1; rest.length > 0; ) {
      const at = new Date();
      const chunk = rest.slice(0, MAX_ORDERED_INSERT);
      const docs = chunk.map((e, i) => ({ _id: eventKey(site, article, next + i), site, article, seq: next + i, type: e.type, payload: e.payload, at }));
      let stored = docs.length;
      let lost = false;
      try {
        await Event.insertMany(docs, { ordered: true });
      } catch (err) {
        // Ordered: the events before the first failed one are stored, none after it.
        stored = firstFailedIndex(err) ?? -1;
        if (!isDuplicateKey(err) || stored < 0 || attempt >= MAX_APPEND_ATTEMPTS) throw err;
        lost = true;
      }
      for (let i = 0; i < stored; i++) out.push({ ...(chunk[i]!.payload as object), type: chunk[i]!.type, article, seq: next + i } as ArticleEvent);
      rest = rest.slice(stored);
      next += stored;
      if (lost) {
        next = attempt % PROBES_BEFORE_READ === 0 ? Math.max(next, (await this.lastSeq(site, article)) + 1) : next + 1;
        attempt++;
      }
    }
    const last = out[out.length - 1]!.seq;
    this.remember(key, last);
    const inc: Record<string, number> = {};
    for (const b of batch) for (const [k, n] of Object.entries(b.inc ?? {})) inc[k] = (inc[k] ?? 0) + n;
    // A cache for readers of the article document ($max never moves it backwards), and the
    // counters, in one write.
    const r = await Article.updateOne({ _id: articleKey(site, article) }, { $max: { seq: last }, ...(Object.keys(inc).length > 0 ? { $inc: inc } : {}) });
    let from = 0;
    return batch.map((b) => {
      const events = out.slice(from, (from += b.items.length));
      return { events, counted: r.matchedCount > 0 };
    });
  }

  private remember(key: string, seq: number): void {
    this.lastAppended.set(key, seq);
    if (this.lastAppended.size > 50_000) this.lastAppended.delete(this.lastAppended.keys().next().value!);
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

  /** Resolves when every append begun so far has been stored. */
  /** Resolves when every append begun so far has been answered. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
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
