// Which change of a comment tells whom what. A guest (or imported) author has no inbox; a
// reader is never told of what they did themselves. A reply tells its parent's author when
// readers first see it (posted published, or a held reply approved); a held comment approved
// tells its author it is published; a rejection, or a delete by someone else (a moderator),
// tells the author it was removed. Spam decisions tell nobody: a spammer learns nothing; nor
// does a reader's erasure.
import type { NotificationKind } from '../../../../client-sdk/src/protocol';
import type { CommentDoc } from '../../store/models';
import { IMPORTED_PREFIX } from '../../trust/auth';
import { ERASURE } from '../data-rights/erasure';
import type { Transition } from '../lifecycle';

export interface Notice {
  user: string;
  kind: NotificationKind;
  /** The comment the notification is about (the reply, or the reader's own comment). */
  comment: CommentDoc;
  parentId?: string;
  reason?: string;
}

/** Looks up the comment a reply answers (by `_id`). */
export type ParentLookup = (id: string) => Promise<Pick<CommentDoc, 'author'> | null>;

// An erased reader's tombstone names nobody (an empty id): no inbox either.
const hasInbox = (author: CommentDoc['author']) => author.id !== '' && !author.guest && !author.id.startsWith('g_') && !author.id.startsWith(IMPORTED_PREFIX);

export async function plan(t: Transition, parentOf: ParentLookup): Promise<Notice[]> {
  const doc = t.after ?? t.before;
  // A reader's erasure deletes their comments: it tells nobody, least of all them.
  if (!doc || t.by.id === ERASURE.id) return [];
  const notices: Notice[] = [];
  const authorTold = hasInbox(doc.author) && t.by.id !== doc.author.id;

  const firstSeen =
    (t.action === 'post' && t.after?.status === 'published') ||
    (t.action === 'approve' && t.before !== null && t.before.status !== 'published' && !t.before.seq);
  // At the depth cap a reply is stored beside its parent; `replyTo` names the comment it answers.
  const answered = doc.replyTo?.id ?? (doc.parentId ? String(doc.parentId) : null);
  if (firstSeen && answered) {
    const parent = await parentOf(answered);
    if (parent && hasInbox(parent.author) && parent.author.id !== doc.author.id) {
      notices.push({ user: parent.author.id, kind: 'reply', comment: doc, parentId: answered });
    }
  }
  if (t.action === 'approve' && t.before && t.before.status !== 'published' && authorTold) {
    notices.push({ user: doc.author.id, kind: 'published', comment: doc, ...(doc.parentId ? { parentId: String(doc.parentId) } : {}) });
  }
  const removed = t.action === 'reject' || (t.action === 'delete' && t.before?.status !== 'rejected');
  if (removed && authorTold) notices.push({ user: doc.author.id, kind: 'removed', comment: t.before ?? doc, ...(t.reason ? { reason: t.reason } : {}) });
  return notices;
}
