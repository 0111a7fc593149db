// Comments as the benchmark writes them: the body a reader would post, and the document the
// server stores for it (the shape of CommentDoc in server/src/store/models.ts), for the
// baselines and the seeding that bypass the server.
import { ObjectId } from 'mongodb';
import type { CommentDoc } from '../server/src/store/models';
import { sanitizeBody } from '../server/src/trust/sanitize';
import { markerText } from './load/fleet-protocol';

/** About 300 characters, Hindi and English, a little markup: a typical comment. */
export function commentBody(marker: number, n = marker): string {
  return (
    `<p>यह लेख बहुत अच्छा है, धन्यवाद। <b>Comment ${n}</b> (${markerText(marker)}): ` +
    'the council should publish the full budget, not a summary; पिछले साल भी यही हुआ था। ' +
    'I would like to read the numbers for each ward before the vote on Friday.</p>'
  );
}

export interface StoredCommentInput {
  site: string;
  article: string;
  authorId: string;
  authorName: string;
  clientId: string;
  body: string;
  createdAt: Date;
  seq?: number;
  _id?: ObjectId;
}

/** The document Charcha stores for a published top-level comment with this body. */
export function storedComment(i: StoredCommentInput): CommentDoc {
  const { html, text } = sanitizeBody(i.body);
  return {
    _id: (i._id ?? new ObjectId()) as unknown as CommentDoc['_id'],
    site: i.site,
    article: i.article,
    parentId: null,
    ancestors: [],
    depth: 0,
    replyTo: null,
    visible: true,
    rev: 1,
    author: { id: i.authorId, name: i.authorName },
    clientId: i.clientId,
    body: html,
    text,
    status: 'published',
    reasons: [],
    flags: [],
    flagCount: 0,
    decidedBy: null,
    reactions: {},
    replyCount: 0,
    score: 0,
    seq: i.seq ?? 0,
    createdAt: i.createdAt,
    editedAt: null,
  };
}
