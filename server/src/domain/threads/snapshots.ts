// Thread snapshots in the database (snapshot.ts says what one holds): read by `_id`, written
// off the request path at most once per article every THREAD_SNAPSHOT_MS, coalesced (the
// latest state of a thread that changed is written, not each change).
//
// Two nodes may write one article's snapshot at once, and an older seq must never replace a
// newer one. The write is `updateOne({_id, seq: {$lt: seq}}, {$set}, {upsert})`: a stored
// snapshot at that seq or later matches nothing, the upsert then collides on `_id`, and the
// duplicate key means "a newer one is there". MongoDB applies the filter and the write
// atomically. FerretDB reads, then rewrites by `_id`, so two writers could both pass the
// filter; there each write first takes a lock: a document under the same `_id` in
// `thread_snapshot_locks`, which only one insert can create (the primary key arbitrates). A
// writer that finds it taken tries again at the next tick; a lock left by a node that died
// is taken over once it is LOCK_STALE_MS old.
import { randomUUID } from 'node:crypto';
import { isDuplicateKey } from '../../store/connection';
import { articleKey } from '../../store/models';
import type { SnapshotStoreCollections, ThreadSnapshotDoc } from '../../store/thread-snapshots';
import { toSnapshot } from './snapshot';
import type { Thread } from './thread';

/** A lock older than this was left by a writer that stopped; it is taken over. */
const LOCK_STALE_MS = 30_000;
/** Articles whose last written seq is remembered (to skip writing what is already there). */
const MAX_REMEMBERED = 50_000;

export type SnapshotWriteResult = 'written' | 'older' | 'busy';

export class SnapshotStore {
  constructor(
    private readonly collections: SnapshotStoreCollections,
    /** True on FerretDB: writes take the lock (see above). */
    private readonly lockWrites: boolean,
  ) {}

  read(site: string, article: string): Promise<ThreadSnapshotDoc | null> {
    return this.collections.snapshots.findOne({ _id: articleKey(site, article) });
  }

  /** Stores `doc` unless a snapshot at its seq or later is there. */
  async write(doc: ThreadSnapshotDoc): Promise<SnapshotWriteResult> {
    const token = this.lockWrites ? await this.lock(doc._id) : null;
    if (token === undefined) return 'busy';
    try {
      const { _id, ...fields } = doc;
      const r = await this.collections.snapshots.updateOne({ _id, seq: { $lt: doc.seq } }, { $set: fields }, { upsert: true });
      return r.matchedCount || r.upsertedCount ? 'written' : 'older';
    } catch (err) {
      if (isDuplicateKey(err)) return 'older';
      throw err;
    } finally {
      if (token) await this.collections.locks.deleteOne({ _id: doc._id, token });
    }
  }

  /** Removes the snapshots of these articles (their stored first pages must not be served). */
  async forget(site: string, articles: string[]): Promise<void> {
    const keys = articles.map((a) => articleKey(site, a));
    for (let i = 0; i < keys.length; i += 500) await this.collections.snapshots.deleteMany({ _id: { $in: keys.slice(i, i + 500) } });
  }

  /** The lock's token, or undefined when another writer holds it. */
  private async lock(key: string): Promise<string | undefined> {
    const token = randomUUID();
    try {
      await this.collections.locks.insertOne({ _id: key, token, at: new Date() });
      return token;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const held = await this.collections.locks.findOne({ _id: key });
    if (held && Date.now() - held.at.getTime() > LOCK_STALE_MS) await this.collections.locks.deleteOne({ _id: key, token: held.token });
    return undefined;
  }
}

export interface SnapshotWriterOptions {
  intervalMs: number;
  /** Whether `thread` is still the one this node holds for the article (not replaced or dropped). */
  current(site: string, article: string, thread: Thread): boolean;
  written?(result: SnapshotWriteResult | 'failed'): void;
  onError?(err: unknown): void;
}

/** Writes the snapshots of the threads that changed, once a tick, one article at a time. */
export class SnapshotWriter {
  private readonly pending = new Map<string, { site: string; article: string; thread: Thread }>();
  private readonly lastSeq = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly store: SnapshotStore,
    private readonly opts: SnapshotWriterOptions,
  ) {
    this.timer = setInterval(() => void this.flush(), opts.intervalMs);
    this.timer.unref();
  }

  /** The thread changed (built, or events applied): its snapshot is written at the next tick. */
  changed(site: string, article: string, thread: Thread): void {
    const key = articleKey(site, article);
    if ((this.lastSeq.get(key) ?? -1) >= thread.seq) return;
    this.pending.set(key, { site, article, thread });
  }

  /** Writes what is pending now (the tick does it; tests and shutdown call it). */
  flush(): Promise<void> {
    if (!this.flushing) {
      this.flushing = this.writeAll().finally(() => {
        this.flushing = undefined;
      });
    }
    return this.flushing;
  }

  /** A snapshot at `seq` is stored (just read): a thread at that seq need not write it again. */
  stored(site: string, article: string, seq: number): void {
    const key = articleKey(site, article);
    if ((this.lastSeq.get(key) ?? -1) < seq) this.lastSeq.set(key, seq);
  }

  /** The articles' snapshots were removed: write them again whatever their seq. */
  forgotten(site: string, articles: string[]): void {
    for (const a of articles) this.lastSeq.delete(articleKey(site, a));
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flushing;
  }

  private async writeAll(): Promise<void> {
    const batch = [...this.pending];
    this.pending.clear();
    for (const [key, { site, article, thread }] of batch) {
      if (!this.opts.current(site, article, thread) || (this.lastSeq.get(key) ?? -1) >= thread.seq) continue;
      const doc = toSnapshot(thread, key);
      if (!doc) continue;
      try {
        const result = await this.store.write(doc);
        this.opts.written?.(result);
        if (result === 'busy') {
          if (!this.pending.has(key)) this.pending.set(key, { site, article, thread });
          continue;
        }
        this.lastSeq.delete(key);
        this.lastSeq.set(key, doc.seq);
        if (this.lastSeq.size > MAX_REMEMBERED) this.lastSeq.delete(this.lastSeq.keys().next().value!);
      } catch (err) {
        this.opts.written?.('failed');
        this.opts.onError?.(err);
      }
    }
  }
}
