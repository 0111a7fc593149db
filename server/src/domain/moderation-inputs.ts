// The shapes moderators and flagging readers send, validated the same way over HTTP and
// Socket.IO. Strict objects, typed leaves: nothing operator-shaped reaches a query.
import { z } from 'zod';
import { ArticleId, CommentId } from './inputs';

export const QueueStateInput = z.enum(['pending', 'flagged', 'rejected']);
export const Cursor = z.string().regex(/^[0-9a-f]{24}$/i, 'a cursor from the previous page');
const Reason = z.string().trim().min(1).max(500);

export const QueueQuery = z.strictObject({
  state: QueueStateInput.default('pending'),
  cursor: Cursor.optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  /** Only this article's items (the dashboard links to a story's queue); counts stay the site's. */
  article: ArticleId.optional(),
});

export const DecideBody = z.strictObject({
  action: z.enum(['approve', 'reject', 'spam']),
  reason: Reason.optional(),
  from: QueueStateInput.optional(),
  rev: z.number().int().min(1).optional(),
});
export const DecideEvent = DecideBody.extend({ id: CommentId });

export const UserId = z.string().min(1).max(128).regex(/^[^\u0000-\u001f$]/, 'a user id');
export const UserActionBody = z
  .strictObject({
    action: z.enum(['ban', 'unban', 'premod', 'trust']),
    reason: Reason.optional(),
    until: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((b) => b.until === undefined || b.action === 'ban', { message: 'until: only with action ban', path: ['until'] })
  .refine((b) => b.until === undefined || Date.parse(b.until) > Date.now(), { message: 'until: must be in the future', path: ['until'] });

export const ArticleSettingsBody = z
  .strictObject({
    locked: z.boolean().optional(),
    premod: z.enum(['off', 'new-users', 'links', 'all']).nullable().optional(),
  })
  .refine((b) => b.locked !== undefined || b.premod !== undefined, { message: 'give locked or premod' });

export const LogQuery = z.strictObject({
  cursor: Cursor.optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

export const FlagBody = z.strictObject({
  reason: z.enum(['spam', 'abuse', 'offtopic', 'other']),
  note: z.string().trim().max(500).optional(),
});
