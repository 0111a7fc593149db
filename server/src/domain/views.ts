// Stored documents as the contract's shapes.
import type { ArticleView, Comment } from '../../../client-sdk/src/protocol';
import type { ArticleDoc, CommentDoc } from '../store/models';
import { positiveTotals } from './reaction-counters';

/** A comment as its author and moderators see it (an author's own delete leaves nothing to see). */
export function commentView(doc: CommentDoc, myReactions?: string[]): Comment {
  return shape(doc, doc.status === 'deleted', myReactions);
}

/**
 * A comment as readers of the thread see it: a comment that left the thread but stays for its
 * replies (deleted, rejected, hidden by flags) is a tombstone, with no body and no author.
 */
export function readerView(doc: CommentDoc, myReactions?: string[]): Comment {
  return shape(doc, doc.status !== 'published', myReactions);
}

function shape(doc: CommentDoc, tombstone: boolean, myReactions?: string[]): Comment {
  const deleted = tombstone;
  const c: Comment = {
    id: String(doc._id),
    article: doc.article,
    parentId: doc.parentId ? String(doc.parentId) : null,
    replyTo: doc.replyTo ?? null,
    depth: doc.depth,
    author: deleted ? { id: '', name: '' } : stripUndefined({ ...doc.author }),
    body: deleted ? '' : doc.body,
    status: deleted ? 'deleted' : doc.status,
    createdAt: doc.createdAt.toISOString(),
    editedAt: doc.editedAt ? doc.editedAt.toISOString() : null,
    reactions: positiveTotals(doc.reactions),
    replyCount: doc.replyCount,
    seq: doc.seq,
    rev: doc.rev ?? 1,
  };
  if (myReactions) c.myReactions = myReactions;
  return c;
}

export function articleView(site: string, article: string, doc: ArticleDoc | null, viewers: number): ArticleView {
  return {
    article,
    commentCount: doc?.commentCount ?? 0,
    reactions: positiveTotals(doc?.reactions),
    locked: doc?.locked ?? false,
    viewers,
    premod: doc?.premod ?? null,
  };
}

function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined || o[k] === null) delete o[k];
  return o;
}
