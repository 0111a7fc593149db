// What a change of a comment means to a site's webhooks: the lifecycle's transition in, the
// events (type, article, data) out. docs/WEBHOOKS.md describes each payload.
import type { CommentDoc } from '../../store/models';
import type { WebhookEventType } from '../../trust/webhook-targets';
import type { Transition } from '../lifecycle';

export interface WebhookEvent {
  type: WebhookEventType;
  site: string;
  /** The article the event belongs to ('' for site events): deliveries keep its order. */
  article: string;
  data: Record<string, unknown>;
}

/** A comment as webhooks show it (no flaggers, no reactions: what a receiver acts on). */
export function commentPayload(doc: CommentDoc, withBody = true): Record<string, unknown> {
  return {
    id: String(doc._id),
    site: doc.site,
    article: doc.article,
    parentId: doc.parentId ? String(doc.parentId) : null,
    ...(doc.replyTo ? { replyTo: doc.replyTo } : {}),
    author: { id: doc.author.id, name: doc.author.name, ...(doc.author.guest ? { guest: true } : {}) },
    status: doc.status,
    ...(withBody ? { body: doc.body } : {}),
    reasons: doc.reasons ?? [],
    flagCount: doc.flagCount ?? 0,
    createdAt: new Date(doc.createdAt).toISOString(),
    editedAt: doc.editedAt ? new Date(doc.editedAt).toISOString() : null,
    rev: doc.rev ?? 1,
  };
}

/** The comment a reply answers: its parent, or the comment it was stored beside at the depth cap. */
export function repliedToId(doc: CommentDoc): string | null {
  return doc.replyTo?.id ?? (doc.parentId ? String(doc.parentId) : null);
}

/** A signed-in author (not a guest, not an imported name), who can be told of replies. */
export function isSignedInAuthor(author: CommentDoc['author']): boolean {
  return !author.guest && !author.id.startsWith('g_') && !author.id.startsWith('imp:');
}

/**
 * The events of one transition. `parentOf` reads the comment a new reply answers (one `_id`
 * read), only when the transition published a reply.
 */
export async function eventsOf(t: Transition, parentOf: (site: string, id: string) => Promise<CommentDoc | null>): Promise<WebhookEvent[]> {
  const base = { site: t.site, article: t.article };
  const by = { id: t.by.id, name: t.by.name };
  const after = t.after;
  const out: WebhookEvent[] = [];
  const add = (type: WebhookEventType, data: Record<string, unknown>) => out.push({ ...base, type, data: { action: t.action, by, ...(t.reason ? { reason: t.reason } : {}), ...data } });

  if (!after || after.status === 'deleted') {
    const gone = after ?? t.before;
    if (gone && t.before?.status !== 'deleted') add('comment.deleted', { comment: commentPayload(gone, false), removed: !after });
    return out;
  }
  const was = t.before?.status ?? null;
  switch (t.action) {
    case 'post':
    case 'publish':
    case 'approve':
      if (after.status === 'published') add('comment.published', { comment: commentPayload(after) });
      else if (after.status === 'pending') add('comment.held', { comment: commentPayload(after) });
      else if (after.status === 'rejected') add('comment.rejected', { comment: commentPayload(after) });
      break;
    case 'reject':
    case 'spam':
      add('comment.rejected', { comment: commentPayload(after) });
      break;
    case 'hide':
      add('flag.threshold', { comment: commentPayload(after), flagCount: after.flagCount });
      break;
    case 'edit':
      if (after.status === 'pending' && was === 'published') add('comment.held', { comment: commentPayload(after) });
      break;
  }
  // A reply readers now see for the first time, to a signed-in author other than its own.
  const replied = repliedToId(after);
  if (after.status === 'published' && was !== 'published' && replied) {
    const parent = await parentOf(t.site, replied);
    if (parent && isSignedInAuthor(parent.author) && parent.author.id !== after.author.id) {
      add('comment.reply', {
        to: { id: parent.author.id, name: parent.author.name },
        reply: commentPayload(after),
        parent: commentPayload(parent, parent.status === 'published'),
      });
    }
  }
  return out;
}
