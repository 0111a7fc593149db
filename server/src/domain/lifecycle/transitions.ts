// The states of a comment and the moves between them: the one table every writer consults.
// Who may ask for a move (author, moderator, readers' flags) is checked by the services; this
// table says which moves exist at all, and what a move does to a comment's place in the thread.
import type { CommentDoc } from '../../store/models';

export type Status = CommentDoc['status'];

/**
 * What readers see of a comment: the comment itself, a tombstone (no body, no author: it left
 * the thread while replies that readers see hang under it), or nothing.
 */
export type ReaderClass = 'published' | 'tombstone' | 'none';

export type Action = 'post' | 'publish' | 'edit' | 'delete' | 'approve' | 'reject' | 'spam' | 'hide';

/**
 * The allowed moves: action → the statuses it may start from → the status it leads to
 * (`same` keeps the status). `hidden` below is `pending` with open flags: readers' reports took
 * it out of the thread until a moderator decides.
 */
export const TRANSITIONS: Record<Exclude<Action, 'post'>, { from: readonly Status[]; to: Status | 'same' }> = {
  /** A post the pipeline let through, announced once by whoever claims its first revision. */
  publish: { from: ['published'], to: 'published' },
  /** A new body: published stays published (or is held again by the pipeline), held stays held. */
  edit: { from: ['published', 'pending'], to: 'same' },
  /** By the author or a moderator, from any state; a tombstone when visible replies remain. */
  delete: { from: ['published', 'pending', 'rejected'], to: 'deleted' },
  /** A held, hidden, rejected or flagged-but-visible comment is published; flags are closed. */
  approve: { from: ['published', 'pending', 'rejected'], to: 'published' },
  reject: { from: ['published', 'pending'], to: 'rejected' },
  spam: { from: ['published', 'pending'], to: 'rejected' },
  /** The site's flagsToHide distinct flags take a published comment out of readers' sight. */
  hide: { from: ['published'], to: 'pending' },
};

export function allowed(action: Exclude<Action, 'post'>, from: Status): boolean {
  return TRANSITIONS[action].from.includes(from);
}

export function readerClass(doc: Pick<CommentDoc, 'status' | 'visible'> | null | undefined): ReaderClass {
  if (!doc) return 'none';
  if (doc.status === 'published') return 'published';
  return doc.visible ? 'tombstone' : 'none';
}

/**
 * Whether a comment that becomes `status` stays visible to readers: published always, any
 * other state as a tombstone only while readers see replies under it.
 */
export function staysVisible(status: Status, replyCount: number): boolean {
  return status === 'published' || replyCount > 0;
}
