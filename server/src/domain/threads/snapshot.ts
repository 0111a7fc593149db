// A thread's first pages as one document (collection `thread_snapshots`, docs/DATA.md): the
// first SNAPSHOT_PAGE top-level comments in each order with their first replies, the counts
// and article fields a first page and the article view show, and the seq they reflect. A node
// that does not hold the thread starts from it and applies the events after its seq, instead
// of listing the article's comments.
import type { Comment, SortOrder } from '../../../../client-sdk/src/protocol';
import type { ThreadSnapshotDoc } from '../../store/thread-snapshots';
import { Thread, type FirstPagesOnly } from './thread';

/** Top-level comments kept per order: the largest first page the widget asks for. */
export const SNAPSHOT_PAGE = 25;
/** The document's shape; a snapshot of another version is rebuilt, never read. */
export const SNAPSHOT_VERSION = 1;

const SORTS: SortOrder[] = ['newest', 'oldest', 'top'];

/** The snapshot of `thread`, or null when it cannot tell its first pages exactly. */
export function toSnapshot(thread: Thread, key: string): ThreadSnapshotDoc | null {
  if (!thread.viewExact) return null;
  const queries = SORTS.map((sort) => ({ sort, limit: SNAPSHOT_PAGE, cursor: null, parent: null }));
  if (!queries.every((q) => thread.canAnswer(q))) return null;
  const [newest, oldest, top] = queries.map((q) => thread.page(q));
  const comments = new Map<string, Comment>();
  for (const page of [newest!, oldest!, top!]) {
    for (const { replies, ...c } of page.comments) {
      comments.set(c.id, c);
      for (const r of replies ?? []) comments.set(r.id, r);
    }
  }
  const total = newest!.total;
  const full = total <= SNAPSHOT_PAGE;
  const lastTop = top!.comments[SNAPSHOT_PAGE - 1];
  return {
    _id: key,
    v: SNAPSHOT_VERSION,
    seq: thread.seq,
    verifiedAt: new Date(thread.verifiedAt),
    article: { ...thread.fields },
    commentCount: thread.articleView(0).commentCount,
    topTotal: total,
    newestFrom: full ? null : newest!.comments[SNAPSHOT_PAGE - 1]!.id,
    oldestTo: full ? null : oldest!.comments[SNAPSHOT_PAGE - 1]!.id,
    topFrom: full || !lastTop ? null : thread.rank(lastTop.id),
    comments: [...comments.values()],
  };
}

/** A thread holding the snapshot's first pages, at its seq (the events after it follow). */
export function fromSnapshot(site: string, article: string, doc: ThreadSnapshotDoc): Thread {
  const thread = new Thread(site, article, doc.seq, { ...doc.article }, doc.comments, doc.verifiedAt.getTime());
  const state: FirstPagesOnly = {
    topTotal: doc.topTotal,
    replyCounts: new Map(doc.comments.map((c) => [c.id, c.replyCount])),
    newestFrom: doc.newestFrom,
    oldestTo: doc.oldestTo,
    topFrom: doc.topFrom,
    topExact: true,
    broken: false,
  };
  thread.holdFirstPagesOnly(state, doc.commentCount);
  return thread;
}
