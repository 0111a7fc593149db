// Which queue a comment is in, and a comment as moderators see it: the comment, the
// pipeline's reasons, readers' flags and the author's history.
import type { QueueItem, QueueState } from '../../../client-sdk/src/protocol';
import type { CommentDoc, UserDoc } from '../store/models';
import { commentView } from './views';

/**
 * - `flagged`: open flags (flagCount counts the flags since the last decision) on a comment
 *   readers see, or that those flags hide (status `pending`);
 * - `pending`: held by the pipeline, no open flags;
 * - `rejected`: rejected by a moderator or the pipeline (approve undoes it).
 */
export function queueOf(doc: Pick<CommentDoc, 'status' | 'flagCount'>): QueueState | null {
  if (doc.status === 'rejected') return 'rejected';
  if (doc.flagCount > 0 && (doc.status === 'published' || doc.status === 'pending')) return 'flagged';
  if (doc.status === 'pending') return 'pending';
  return null;
}

export type AuthorHistory = NonNullable<QueueItem['authorHistory']>;

export function historyOf(user: Pick<UserDoc, 'comments' | 'rejected' | 'spam'> | null | undefined): AuthorHistory {
  return { comments: user?.comments ?? 0, rejected: user?.rejected ?? 0, spam: user?.spam ?? 0 };
}

export function queueItem(doc: CommentDoc, user: UserDoc | null | undefined): QueueItem {
  const queue = queueOf(doc);
  return {
    ...commentView(doc),
    reasons: [...(doc.reasons ?? [])],
    flags: openFlags(doc).map((f) => ({
      userId: f.userId,
      reason: f.reason as QueueItem['flags'][number]['reason'],
      ...(f.note ? { note: f.note } : {}),
      at: new Date(f.at).toISOString(),
    })),
    authorHistory: historyOf(user),
    ...(queue ? { queue } : {}),
    hidden: queue === 'flagged' && doc.status === 'pending',
  };
}

/** The flags since the last decision (all of them once decided, as a record). */
function openFlags(doc: CommentDoc): CommentDoc['flags'] {
  const flags = doc.flags ?? [];
  return doc.flagCount > 0 ? flags.slice(-doc.flagCount) : flags;
}
