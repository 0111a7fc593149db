// Group commit: writes that arrive while an earlier batched write is on its way to the
// database wait, and go together, one command per kind, when their turn comes; each caller is
// answered once its batch is stored. A write that finds nothing in flight goes at once, so a
// quiet process waits no longer than before; a busy one (FerretDB gives a node one pooled
// connection, where every command waits for the one before it) sends one command where it
// sent several. Only writes whose batch keeps each item's own outcome go this way (unordered
// inserts; an article's events): FerretDB runs a batch of updates far slower than the same
// updates one by one. docs/DATA.md, "Group commit".
import type { Model } from 'mongoose';

/** At most this many writes in one command. */
const MAX_BATCH = 256;

let arrivals = 0;

interface Waiting<I, R> {
  item: I;
  /** Order of arrival. */
  at: number;
  resolve(r: R): void;
  reject(err: unknown): void;
}

/** A write error whose code is the one the database gave this item (11000: duplicate key). */
export class ItemWriteError extends Error {
  constructor(
    message: string,
    readonly code: number | undefined,
  ) {
    super(message);
  }
}

type AnyModel = Model<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The batched writes of one connection that can run one command at a time (FerretDB's single
 * pooled connection): one batched command in flight for all collections and kinds together,
 * the next one the kind whose oldest write has waited longest, with every write of that kind
 * that waits. Everything else waits meanwhile and so gathers into fewer commands. On a pool of
 * several connections each collection and kind has its own lane.
 */
class Lane {
  private readonly queues = new Map<string, { write: (items: unknown[]) => Promise<unknown[]>; waiting: Waiting<unknown, unknown>[] }>();
  private running = false;

  submit<I, R>(kind: string, write: (items: I[]) => Promise<(R | Error)[]>, item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let q = this.queues.get(kind);
      if (!q) this.queues.set(kind, (q = { write: write as (items: unknown[]) => Promise<unknown[]>, waiting: [] }));
      q.waiting.push({ item, at: arrivals++, resolve: resolve as (r: unknown) => void, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (;;) {
        let next: { write: (items: unknown[]) => Promise<unknown[]>; waiting: Waiting<unknown, unknown>[] } | undefined;
        for (const q of this.queues.values()) if (q.waiting.length > 0 && (!next || q.waiting[0]!.at < next.waiting[0]!.at)) next = q;
        if (!next) return;
        const batch = next.waiting.splice(0, MAX_BATCH);
        try {
          const out = await next.write(batch.map((w) => w.item));
          batch.forEach((w, i) => (out[i] instanceof Error ? w.reject(out[i]) : w.resolve(out[i])));
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.running = false;
    }
  }
}

const lanes = new WeakMap<object, Lane>();
const laneSets = new WeakMap<object, Map<string, Lane>>();

/** The lane a model's batched writes of `kind` take. */
function laneOf(model: AnyModel, kind: string): Lane {
  const conn = model.db as unknown as { getClient?(): { options?: { maxPoolSize?: number } } };
  if (conn.getClient?.().options?.maxPoolSize === 1) {
    let lane = lanes.get(conn);
    if (!lane) lanes.set(conn, (lane = new Lane()));
    return lane;
  }
  let set = laneSets.get(model);
  if (!set) laneSets.set(model, (set = new Map()));
  let lane = set.get(kind);
  if (!lane) set.set(kind, (lane = new Lane()));
  return lane;
}

/**
 * Runs `write` on a batch of the items of `kind` (a name within the model's collection) that
 * wait together, and answers this item's result. `write` answers one result or Error per item.
 */
export function groupWrite<I, R>(model: Model<any>, kind: string, write: (items: I[]) => Promise<(R | Error)[]>, item: I): Promise<R> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const k = `${model.collection.collectionName}:${kind}`;
  return laneOf(model, k).submit(k, write, item);
}

/**
 * Inserts one document as `Model.create` would (schema defaults, casting, validation) and
 * answers the stored document; concurrent inserts into the collection go as one unordered
 * `insertMany`, each document succeeding or failing alone (a duplicate `_id` rejects only its
 * own caller, with code 11000, as a single insert would).
 */
export async function insertGrouped<T>(model: Model<T>, doc: Partial<T> & Record<string, unknown>): Promise<T> {
  const d = new model(doc);
  await d.validate();
  const raw = d.toObject({ depopulate: true, virtuals: false, getters: false, transform: false }) as Record<string, unknown>;
  await groupWrite(model, 'insert', (docs: Record<string, unknown>[]) => insertAll(model as AnyModel, docs), raw);
  return raw as T;
}

async function insertAll(model: AnyModel, docs: Record<string, unknown>[]): Promise<(void | Error)[]> {
  try {
    await model.collection.insertMany(docs, { ordered: false });
    return docs.map(() => undefined);
  } catch (err) {
    const e = err as { writeErrors?: { index: number; code?: number; errmsg?: string }[] | { index: number; code?: number; errmsg?: string } };
    const list = Array.isArray(e.writeErrors) ? e.writeErrors : e.writeErrors ? [e.writeErrors] : [];
    // Without per-document errors the batch's fate is unknown: every caller gets the error.
    if (list.length === 0 || list.some((w) => typeof w.index !== 'number')) throw err;
    const out: (void | Error)[] = docs.map(() => undefined);
    for (const w of list) out[w.index] = new ItemWriteError(w.errmsg ?? 'write error', w.code);
    return out;
  }
}
