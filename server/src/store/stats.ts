// The `stats` collection: engagement counts in one document per site, hour and node slot
// (`_id` = `<site>|<hour>|<slot>`, server/src/stats/counts.ts). Each node writes only the
// documents of its own slot, so FerretDB's read-modify-write updates never race; readers
// fetch the documents by `_id` and add them up. docs/DATA.md, "stats".
import type { Collection, Connection } from 'mongoose';
import type { Bucket, Counts } from '../stats/counts';

/** One flush's increments to one bucket: dotted paths (`m.17.posted`, `a.<article>.17.readers`). */
export interface BucketWrite {
  _id: string;
  site: string;
  hour: Date;
  slot: number;
  inc: Record<string, number>;
  max: Record<string, number>;
}

export class StatsStore {
  private readonly buckets: Collection<Bucket>;
  private readonly slots: Collection<{ _id: number; at: Date }>;

  constructor(conn: Connection) {
    this.buckets = conn.collection<Bucket>('stats');
    this.slots = conn.collection<{ _id: number; at: Date }>('stat_slots');
  }

  /** Adds one flush into the buckets, one upsert by `_id` each. */
  async write(writes: BucketWrite[]): Promise<void> {
    for (const w of writes) {
      const update: Record<string, unknown> = { $setOnInsert: { site: w.site, hour: w.hour, slot: w.slot } };
      if (Object.keys(w.inc).length) update.$inc = w.inc;
      if (Object.keys(w.max).length) update.$max = w.max;
      await this.buckets.updateOne({ _id: w._id }, update, { upsert: true });
    }
  }

  /** The buckets with these ids (those that exist), by `_id`. */
  async read(ids: string[], projection?: Record<string, 1>): Promise<Bucket[]> {
    const out: Bucket[] = [];
    // One look-up by `_id` each: FerretDB serves `_id` equality from its index, not `$in`.
    for (const _id of ids) {
      const b = await this.buckets.findOne({ _id }, projection ? { projection: { site: 1, hour: 1, slot: 1, rolled: 1, ...projection } } : {});
      if (b) out.push(b as Bucket);
    }
    return out;
  }

  /** Records that slot `slot` has written (the readers look up every slot ever used). */
  async noteSlot(slot: number): Promise<void> {
    await this.slots.updateOne({ _id: slot }, { $set: { at: new Date() } }, { upsert: true });
  }

  /** Every slot that has ever written (a handful: one per node running at once). */
  async usedSlots(): Promise<number[]> {
    return (await this.slots.find({}).toArray()).map((s) => s._id).sort((a, b) => a - b);
  }

  /**
   * Buckets older than `before` still in minutes: a scan of the collection (an hourly job,
   * never on a request's path).
   */
  async unrolled(before: Date, limit: number): Promise<Bucket[]> {
    return (await this.buckets.find({ hour: { $lt: before }, rolled: { $ne: true } }).limit(limit).toArray()) as Bucket[];
  }

  /** Replaces a bucket's minutes by its hour totals; idempotent (the totals come from the minutes). */
  async markRolled(id: string, t: Counts, at: Record<string, Counts>): Promise<void> {
    await this.buckets.updateOne({ _id: id, rolled: { $ne: true } }, { $set: { rolled: true, t, at }, $unset: { m: '', a: '' } });
  }
}
