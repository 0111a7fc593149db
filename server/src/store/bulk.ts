// Bulk inserts whose documents carry their own identity: a document already stored (same `_id`,
// or the same key of a unique index) is left as it is and counted, never doubled, so a run
// that is repeated, or resumed after dying half way, stores each document once.
import type { Model } from 'mongoose';
import { isDuplicateKey } from './connection';

export interface BulkResult {
  inserted: number;
  /** Documents that were already there. */
  present: number;
}

interface WriteError {
  code?: number;
  err?: { code?: number };
}

interface BulkError {
  writeErrors?: WriteError[] | WriteError;
  insertedCount?: number;
  result?: { insertedCount?: number };
}

/**
 * Inserts `docs` as they are (no casting, no defaults: give every field), unordered, in one
 * round trip. Duplicate keys are counted as present; any other error is thrown.
 */
export async function insertNew<T>(model: Model<T>, docs: Record<string, unknown>[]): Promise<BulkResult> {
  if (docs.length === 0) return { inserted: 0, present: 0 };
  try {
    const r = await model.collection.insertMany(docs, { ordered: false });
    return { inserted: r.insertedCount, present: docs.length - r.insertedCount };
  } catch (err) {
    const e = err as BulkError;
    const list: WriteError[] = Array.isArray(e.writeErrors) ? e.writeErrors : e.writeErrors ? [e.writeErrors] : [];
    const onlyDuplicates = list.length > 0 && list.every((w) => (w.code ?? w.err?.code) === 11000);
    if (!onlyDuplicates && !(list.length === 0 && isDuplicateKey(err))) throw err;
    const inserted = e.insertedCount ?? e.result?.insertedCount ?? docs.length - Math.max(list.length, 1);
    return { inserted, present: docs.length - inserted };
  }
}
