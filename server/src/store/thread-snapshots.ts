// The collections behind thread snapshots (domain/threads/snapshots.ts): the snapshots, keyed
// `<site>:<article>`, and short-lived write locks under the same keys. Read and written by
// `_id` only; docs/DATA.md lists them.
import type { Connection } from 'mongoose';
import type { Comment, PremodMode, ReactionTotals } from '../../../client-sdk/src/protocol';

export interface ThreadSnapshotDoc {
  _id: string;
  /** The document's shape (SNAPSHOT_VERSION); any other is rebuilt. */
  v: number;
  seq: number;
  /** When the event log was last seen to hold nothing after `seq`. */
  verifiedAt: Date;
  article: { locked: boolean; reactions: ReactionTotals; premod: PremodMode | null };
  /** Published comments of the article (replies included), as the article view counts them. */
  commentCount: number;
  /** Visible top-level comments. */
  topTotal: number;
  /** Every top-level comment not in `comments` is older than this id (null: all are in). */
  newestFrom: string | null;
  /** ... younger than this id. */
  oldestTo: string | null;
  /** ... and ranks below this score and id in `top` order. */
  topFrom: { score: number; id: string } | null;
  /** The first pages' comments and their first replies, each with its visible reply count. */
  comments: Comment[];
}

export interface SnapshotLockDoc {
  _id: string;
  token: string;
  at: Date;
}

export const THREAD_SNAPSHOTS = 'thread_snapshots';
export const THREAD_SNAPSHOT_LOCKS = 'thread_snapshot_locks';


export function snapshotCollections(conn: Connection) {
  return {
    snapshots: conn.collection<ThreadSnapshotDoc>(THREAD_SNAPSHOTS),
    locks: conn.collection<SnapshotLockDoc>(THREAD_SNAPSHOT_LOCKS),
  };
}

export type SnapshotStoreCollections = ReturnType<typeof snapshotCollections>;

/** Creates the collections (a migration step); an existing one is left as it is. */
export async function createSnapshotCollections(conn: Connection): Promise<void> {
  const have = new Set((await conn.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const name of [THREAD_SNAPSHOTS, THREAD_SNAPSHOT_LOCKS]) {
    if (have.has(name)) continue;
    await conn.db!.createCollection(name).catch((err) => {
      if ((err as { codeName?: string }).codeName !== 'NamespaceExists') throw err;
    });
  }
}
