// The shapes of what callers send, validated the same way over HTTP and Socket.IO.
// Objects are strict (unknown fields are refused) and every leaf is typed, so operator-shaped
// values such as {"$gt": ""} never reach a query.
import { z } from 'zod';
import { DomainError } from './errors';

export const ArticleId = z.string().regex(/^[^\s\u0000-\u001f$][^\s\u0000-\u001f]{0,199}$/, 'an article id: 1-200 characters, no spaces');
export const CommentId = z.string().regex(/^[0-9a-f]{24}$/i, 'a comment id');
export const ClientId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, '1-64 letters, digits, - or _');
export const Body = z.string().min(1).max(100_000);
export const ReactionKind = z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'a reaction kind');

export const GuestInput = z.strictObject({ name: z.string().min(1).max(200) });

export const PostBody = z.strictObject({
  body: Body,
  parentId: CommentId.nullish(),
  clientId: ClientId,
  guest: GuestInput.optional(),
});
export const PostEvent = PostBody.extend({ article: ArticleId });

export const EditBody = z.strictObject({ body: Body });
export const EditEvent = EditBody.extend({ id: CommentId });
export const DeleteEvent = z.strictObject({ id: CommentId });

export const JoinEvent = z.strictObject({ article: ArticleId, since: z.number().int().min(0).optional() });
export const LeaveEvent = z.strictObject({ article: ArticleId });

export const ListQuery = z.strictObject({
  sort: z.enum(['newest', 'oldest', 'top']).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().min(1).max(512).optional(),
  parent: CommentId.optional(),
});

export const CountsQuery = z.strictObject({ articles: z.string().min(1).max(20_000) });

export const ReactionTarget = z.union([
  z.strictObject({ comment: CommentId }),
  z.strictObject({ article: ArticleId }),
]);
export const ReactionEvent = z.strictObject({ target: ReactionTarget, kind: ReactionKind, on: z.boolean(), guest: GuestInput.optional() });
/** Body of PUT/DELETE …/reactions/:kind: empty, or a guest's name on sites with guests. */
export const ReactionBody = z.strictObject({ guest: GuestInput.optional() });
export const RefreshEvent = z.strictObject({ token: z.string().min(1).max(8192) });

/** Parses `value` or throws a bad_request naming the first bad field. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const where = issue.path.length ? issue.path.join('.') : 'payload';
  const what = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message;
  throw new DomainError('bad_request', `${where}: ${what}`);
}
