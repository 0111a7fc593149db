// A collection of thousands of documents keyed by `_id`, half strings and half ObjectIds, and
// the lookups by `_id` that must each find exactly their own document: for the tests of the
// local database's `_id` indexes (tests/integration/id-index.test.ts, sqlite-id-index.test.ts).
import assert from 'node:assert/strict';
import mongoose from 'mongoose';

export interface IdDoc {
  _id: string | mongoose.Types.ObjectId;
  n: number;
  text: string;
}

const EACH = 1500;

/** A new collection holding `demo:user-<n>` and EACH ObjectIds (returned, in order). */
export async function storeMixedIds(db: mongoose.mongo.Db): Promise<{ collection: mongoose.mongo.Collection<IdDoc>; ids: mongoose.Types.ObjectId[] }> {
  const collection = db.collection<IdDoc>(`later_${Date.now().toString(36)}`);
  const ids = Array.from({ length: EACH }, () => new mongoose.Types.ObjectId());
  await collection.insertMany([
    ...Array.from({ length: EACH }, (_, n) => ({ _id: `demo:user-${n}`, n, text: `टिप्पणी ${n}` })),
    ...ids.map((_id, n) => ({ _id, n, text: `लेख ${n}` })),
  ]);
  return { collection, ids };
}

/** A string `_id`, an ObjectId and a missing `_id` each find exactly what they name. */
export async function assertFindsById(collection: mongoose.mongo.Collection<IdDoc>, ids: mongoose.Types.ObjectId[]): Promise<void> {
  assert.deepEqual(await collection.find({ _id: 'demo:user-777' }).toArray(), [{ _id: 'demo:user-777', n: 777, text: 'टिप्पणी 777' }]);
  const byObjectId = await collection.find({ _id: ids[321] }).toArray();
  assert.deepEqual(byObjectId.map((d) => [String(d._id), d.n]), [[String(ids[321]), 321]]);
  assert.deepEqual(await collection.find({ _id: 'demo:nobody' }).toArray(), []);
}
