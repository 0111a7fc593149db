// Stored documents as the contract's shapes.
import type { ArticleView, Comment } from '../../../client-sdk/src/protocol';
import type { ArticleDoc, CommentDoc } from '../store/models';
import { positiveTotals } from './reaction-counters';

export function commentView(doc: CommentDoc, myReactions?: string[]): Comment {
  const deleted = doc.status === 'deleted';
  const c: Comment = {
    id: String(doc._id),
    article: doc.article,
    parentId: doc.parentId ? String(doc.parentId) : null,
    replyTo: doc.replyTo ?? null,
    depth: doc.depth,
    author: deleted ? { id: '', name: '' } : stripUndefined({ ...doc.author }),
    body: deleted ? '' : doc.body,
    status: doc.status,
    createdAt: doc.createdAt.toISOString(),
    editedAt: doc.editedAt ? doc.editedAt.toISOString() : null,
    reactions: positiveTotals(doc.reactions),
    replyCount: doc.replyCount,
    seq: doc.seq,
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
