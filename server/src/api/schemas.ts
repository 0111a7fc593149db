// The shapes of everything Charcha answers, as zod schemas: with the request schemas the
// server validates with (domain/inputs.ts, domain/moderation-inputs.ts), the one description
// of the API. api/openapi.ts and api/asyncapi.ts turn them into the published documents; the
// tests check every answer against those documents. Each schema named in `api` below becomes
// a component (`#/components/schemas/<id>`); its examples are the documents' examples.
//
// The wire types in client-sdk/src/protocol.ts stay free of runtime dependencies (the SDK
// ships them); the checks at the end of this file fail to compile when the two drift apart.
import { z } from 'zod';
import type * as P from '../../../client-sdk/src/protocol';
import { ERROR_CODES } from '../../../client-sdk/src/protocol';
import * as In from '../domain/inputs';
import * as Mod from '../domain/moderation-inputs';

/** Metadata of a named schema: its component id, and what the documents show of it. */
export interface SchemaMeta {
  id: string;
  description?: string;
  examples?: unknown[];
}

/** Every named schema of the API. `named(schema, id, …)` adds one. */
export const api = z.registry<SchemaMeta>();

export function named<T extends z.ZodType>(schema: T, id: string, more: Omit<SchemaMeta, 'id'> = {}): T {
  if (!api.has(schema)) (schema as z.ZodType).register(api, { id, ...more });
  return schema;
}

// ------------------------------------------------------------------ examples (seed data, Hindi)

export const EXAMPLE = {
  site: 'demo',
  article: 'russia-pakistan-defence-2021-09-30',
  commentId: '6650c1f2a9b8c7d6e5f40312',
  replyId: '6650c20da9b8c7d6e5f40318',
  userId: 'reader-ramesh',
  author: 'रमेश साहू',
  body: 'रूस और पाकिस्तान की बढ़ती नज़दीकी भारत के लिए चिंता की बात है। सरकार को इस पर ध्यान देना चाहिए।',
  replyAuthor: 'सुनीता',
  replyBody: 'भारत-रूस रिश्ते दशकों पुराने हैं, एक बैठक से कुछ नहीं बदलेगा।',
  moderator: 'संपादक मीरा',
  at: '2026-05-24T10:15:30.000Z',
} as const;

const exampleReply: P.Comment = {
  id: EXAMPLE.replyId,
  article: EXAMPLE.article,
  parentId: EXAMPLE.commentId,
  depth: 1,
  author: { id: 'reader-sunita', name: EXAMPLE.replyAuthor },
  body: `<p>${EXAMPLE.replyBody}</p>`,
  status: 'published',
  createdAt: '2026-05-24T10:17:02.000Z',
  editedAt: null,
  reactions: { like: 2 },
  replyCount: 0,
  seq: 43,
  rev: 1,
};
export const exampleComment: P.Comment = {
  id: EXAMPLE.commentId,
  article: EXAMPLE.article,
  parentId: null,
  depth: 0,
  author: { id: EXAMPLE.userId, name: EXAMPLE.author },
  body: `<p>${EXAMPLE.body}</p>`,
  status: 'published',
  createdAt: EXAMPLE.at,
  editedAt: null,
  reactions: { like: 5, heart: 1 },
  myReactions: ['like'],
  replyCount: 1,
  seq: 42,
  rev: 1,
  replies: [exampleReply],
};

// ------------------------------------------------------------------ request schemas (the server's own)

named(In.ArticleId, 'ArticleId', { description: 'An article id as the site names it: 1-200 characters, no spaces.', examples: [EXAMPLE.article] });
named(In.CommentId, 'CommentId', { description: 'A comment id (24 hex digits).', examples: [EXAMPLE.commentId] });
named(In.ReactionKind, 'ReactionKind', { description: "One of the site's reaction kinds (default like, thumbsup, heart, laugh, wow, sad, angry).", examples: ['like'] });
named(Mod.UserId, 'UserId', { description: "A user id: the token's `sub`.", examples: [EXAMPLE.userId] });
named(In.GuestInput, 'GuestInput', { description: "A guest's name, on sites that take guests.", examples: [{ name: 'सुनीता' }] });
named(In.PostBody, 'PostBody', {
  description: 'A new comment. `clientId` makes a retry safe: the same author and clientId again answer the comment already stored.',
  examples: [{ body: EXAMPLE.body, parentId: null, clientId: 'c-1716545730-7f3a' }],
});
named(In.EditBody, 'EditBody', { examples: [{ body: `${EXAMPLE.body} (संपादित)` }] });
named(In.ReactionBody, 'ReactionBody', { description: "Empty, or a guest's name on sites with guests.", examples: [{}] });
named(In.ListQuery, 'ListQuery');
named(In.CountsQuery, 'CountsQuery');
named(Mod.QueueQuery, 'QueueQuery');
named(Mod.LogQuery, 'LogQuery');
named(Mod.FlagBody, 'FlagBody', { examples: [{ reason: 'abuse', note: 'भड़काऊ भाषा' }] });
named(Mod.DecideBody, 'DecideBody', { examples: [{ action: 'reject', reason: 'अभद्र भाषा', from: 'pending', rev: 1 }] });
named(Mod.UserActionBody, 'UserActionBody', { examples: [{ action: 'ban', reason: 'बार-बार स्पैम', until: '2099-06-24T00:00:00.000Z' }] });
named(Mod.ArticleSettingsBody, 'ArticleSettingsBody', { examples: [{ locked: true }] });
named(In.JoinEvent, 'JoinPayload', { examples: [{ article: EXAMPLE.article, since: 42 }] });
named(In.LeaveEvent, 'LeavePayload', { examples: [{ article: EXAMPLE.article }] });
named(In.PostEvent, 'PostPayload', { examples: [{ article: EXAMPLE.article, body: EXAMPLE.body, parentId: null, clientId: 'c-1716545730-7f3a' }] });
named(In.EditEvent, 'EditPayload', { examples: [{ id: EXAMPLE.commentId, body: `${EXAMPLE.body} (संपादित)` }] });
named(In.DeleteEvent, 'DeletePayload', { examples: [{ id: EXAMPLE.commentId }] });
named(In.ReactionEvent, 'ReactionPayload', { examples: [{ target: { comment: EXAMPLE.commentId }, kind: 'like', on: true }] });
named(In.RefreshEvent, 'RefreshPayload', { examples: [{ token: 'eyJhbGciOiJIUzI1NiJ9…' }] });
named(Mod.DecideEvent, 'DecidePayload', { examples: [{ id: EXAMPLE.commentId, action: 'approve', from: 'pending', rev: 1 }] });

export const SiteId = named(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/), 'SiteId', { description: "The site's id in SITES_FILE (`demo` in local mode).", examples: ['demo'] });

export const DocsFile = z.string().regex(/^[A-Za-z0-9._-]+$/);

// ------------------------------------------------------------------ answers

const Iso = z.string().describe('An ISO 8601 time (UTC).');
const Seq = z.number().int().min(0);

export const ErrorBody = named(
  z.strictObject({
    error: z.strictObject({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      retryAfter: z.number().min(0).optional().describe('Seconds to wait (rate_limited); also the Retry-After header.'),
    }),
  }),
  'Error',
  { description: "Every non-2xx answer and every failed acknowledgement.", examples: [{ error: { code: 'not_found', message: 'No such comment' } }] },
);

export const Empty = named(z.strictObject({}), 'Empty', { description: 'An empty object.', examples: [{}] });
const ReactionTotals = named(z.record(z.string(), z.number().int().min(0)), 'ReactionTotals', {
  description: 'Totals by reaction kind; only kinds with a count above zero.',
  examples: [{ like: 5, heart: 1 }],
});
const PremodMode = z.enum(['off', 'new-users', 'links', 'all']);

export const Author = named(
  z.strictObject({ id: z.string(), name: z.string(), picture: z.string().optional(), guest: z.boolean().optional() }),
  'Author',
  { examples: [{ id: EXAMPLE.userId, name: EXAMPLE.author }] },
);

export const Comment = named(
  z.strictObject({
    id: z.string(),
    article: z.string(),
    parentId: z.string().nullable(),
    replyTo: z.strictObject({ id: z.string(), name: z.string() }).nullable().optional().describe('Whom a reply answers when it was stored beside its parent at the depth cap.'),
    depth: z.number().int().min(0),
    author: Author,
    body: z.string().describe('Sanitized HTML: p br b strong i em a[href] blockquote code pre ul ol li.'),
    status: z.enum(['published', 'pending', 'rejected', 'deleted']),
    createdAt: Iso,
    editedAt: Iso.nullable(),
    reactions: ReactionTotals,
    myReactions: z.array(z.string()).optional().describe("A signed-in reader's own reactions."),
    replyCount: z.number().int().min(0),
    seq: Seq.describe('The article event that last changed the comment.'),
    rev: z.number().int().min(0).describe("Rises by one with every change of the comment's body or state."),
    get replies(): z.ZodOptional<z.ZodArray<typeof Comment>> {
      return z.array(Comment).optional().describe('On top-level comments of a thread page: the first replies, oldest first.');
    },
  }),
  'Comment',
  { examples: [exampleComment] },
);

export const ArticleView = named(
  z.strictObject({
    article: z.string(),
    seq: Seq.optional().describe("The article's seq this answer reflects."),
    commentCount: z.number().int().min(0),
    reactions: ReactionTotals,
    myReactions: z.array(z.string()).optional(),
    reactionKinds: z.array(z.string()).optional().describe('The reaction kinds the site takes, in its order.'),
    locked: z.boolean(),
    viewers: z.number().int().min(0),
    premod: PremodMode.nullable().optional(),
  }),
  'ArticleView',
  {
    examples: [
      { article: EXAMPLE.article, seq: 42, commentCount: 17, reactions: { like: 12 }, reactionKinds: ['like', 'thumbsup', 'heart', 'laugh', 'wow', 'sad', 'angry'], locked: false, viewers: 3, premod: null },
    ],
  },
);

export const CommentPage = named(
  z.strictObject({
    comments: z.array(Comment),
    nextCursor: z.string().nullable(),
    total: z.number().int().min(0),
    seq: Seq.optional().describe("The article's seq this page reflects: join with `since: seq`."),
  }),
  'CommentPage',
  { examples: [{ comments: [exampleComment], nextCursor: null, total: 1, seq: 43 }] },
);

export const ReactionTarget = named(z.union([z.strictObject({ comment: z.string() }), z.strictObject({ article: z.string() })]), 'ReactionTarget', {
  examples: [{ comment: EXAMPLE.commentId }],
});
export const ReactionState = named(z.strictObject({ reactions: ReactionTotals, myReactions: z.array(z.string()) }), 'ReactionState', {
  examples: [{ reactions: { like: 6, heart: 1 }, myReactions: ['like'] }],
});
export const Counts = named(z.strictObject({ counts: z.record(z.string(), z.number().int().min(0)) }), 'Counts', {
  examples: [{ counts: { [EXAMPLE.article]: 17, 'lavrov-visit-islamabad': 4 } }],
});
export const CommentAnswer = named(z.strictObject({ comment: Comment }), 'CommentAnswer', { examples: [{ comment: exampleComment }] });

// Events readers of an article get, each with the article's next seq.
const CommentEvent = named(Comment.extend({ seq: Seq }), 'CommentEvent', { description: 'The comment itself, with `article` and `seq`.', examples: [exampleComment] });
const CommentDeleted = named(z.strictObject({ article: z.string(), seq: Seq, id: z.string() }), 'CommentDeleted', { examples: [{ article: EXAMPLE.article, seq: 44, id: EXAMPLE.commentId }] });
const ReactionUpdated = named(z.strictObject({ article: z.string(), seq: Seq, target: ReactionTarget, reactions: ReactionTotals }), 'ReactionUpdated', {
  examples: [{ article: EXAMPLE.article, seq: 45, target: { comment: EXAMPLE.commentId }, reactions: { like: 6 } }],
});
const ArticleUpdated = named(
  z.strictObject({ article: z.string(), seq: Seq, locked: z.boolean(), commentCount: z.number().int().min(0), premod: PremodMode.nullable().optional() }),
  'ArticleUpdated',
  { examples: [{ article: EXAMPLE.article, seq: 46, locked: true, commentCount: 17 }] },
);
const ArticleReset = named(z.strictObject({ article: z.string(), seq: Seq, reason: z.literal('import') }), 'ArticleReset', {
  examples: [{ article: EXAMPLE.article, seq: 47, reason: 'import' }],
});

/** The article events by name: what the fan-out sends to an article's room. */
export const ArticleEventPayloads = {
  'comment:created': CommentEvent,
  'comment:updated': CommentEvent,
  'comment:deleted': CommentDeleted,
  'reaction:updated': ReactionUpdated,
  'article:updated': ArticleUpdated,
  'article:reset': ArticleReset,
} satisfies Record<P.ArticleEventType, z.ZodType>;

export const ArticleEvent = named(
  z.discriminatedUnion('type', [
    CommentEvent.extend({ type: z.literal('comment:created') }),
    CommentEvent.extend({ type: z.literal('comment:updated') }),
    CommentDeleted.extend({ type: z.literal('comment:deleted') }),
    ReactionUpdated.extend({ type: z.literal('reaction:updated') }),
    ArticleUpdated.extend({ type: z.literal('article:updated') }),
    ArticleReset.extend({ type: z.literal('article:reset') }),
  ]),
  'ArticleEvent',
  { description: 'A sequenced event as kept in the event log: `type` (the event name) and its payload.' },
);

export const Presence = named(z.strictObject({ article: z.string(), viewers: z.number().int().min(0) }), 'Presence', { examples: [{ article: EXAMPLE.article, viewers: 3 }] });

export const JoinAck = named(
  z.strictObject({
    seq: Seq,
    viewers: z.number().int().min(0),
    missed: z.array(ArticleEvent).optional(),
    reset: z.literal(true).optional().describe('`since` is older than the kept history: reload the thread.'),
  }),
  'JoinAck',
  { examples: [{ seq: 43, viewers: 3, missed: [{ type: 'comment:created', ...exampleReply, seq: 43 }] }] },
);

// Moderation.
const QueueState = z.enum(['pending', 'flagged', 'rejected']);
const QueueFlag = z.strictObject({ userId: z.string(), reason: z.enum(['spam', 'abuse', 'offtopic', 'other']), note: z.string().optional(), at: Iso });
export const QueueItem = named(
  Comment.extend({
    reasons: z.array(z.string()),
    flags: z.array(QueueFlag),
    authorHistory: z.strictObject({ comments: z.number().int(), rejected: z.number().int(), spam: z.number().int() }).optional(),
    queue: QueueState.optional(),
    hidden: z.boolean().optional(),
  }),
  'QueueItem',
  {
    examples: [
      {
        ...exampleComment,
        status: 'published',
        replies: undefined,
        myReactions: undefined,
        reasons: ['flags'],
        flags: [{ userId: 'reader-deepak', reason: 'abuse', note: 'भड़काऊ भाषा', at: EXAMPLE.at }],
        authorHistory: { comments: 12, rejected: 1, spam: 0 },
        queue: 'flagged',
        hidden: false,
      },
    ],
  },
);
export const QueueCounts = named(z.strictObject({ pending: z.number().int().min(0), flagged: z.number().int().min(0) }), 'QueueCounts', { examples: [{ pending: 4, flagged: 1 }] });
export const QueuePage = named(z.strictObject({ items: z.array(QueueItem), nextCursor: z.string().nullable(), counts: QueueCounts.optional() }), 'QueuePage');
export const QueueRemoved = named(
  z.strictObject({ id: z.string(), by: z.string(), action: z.enum(['approve', 'reject', 'spam', 'deleted', 'edited']) }),
  'QueueRemoved',
  { examples: [{ id: EXAMPLE.commentId, by: 'demo-moderator', action: 'approve' }] },
);
export const UserModerationState = named(
  z.strictObject({
    userId: z.string(),
    name: z.string(),
    state: z.enum(['active', 'premod', 'banned', 'trusted']),
    bannedUntil: Iso.nullable(),
    reason: z.string().nullable(),
    comments: z.number().int().min(0),
    rejected: z.number().int().min(0),
    spam: z.number().int().min(0),
  }),
  'UserModerationState',
  { examples: [{ userId: EXAMPLE.userId, name: EXAMPLE.author, state: 'banned', bannedUntil: '2099-06-24T00:00:00.000Z', reason: 'बार-बार स्पैम', comments: 12, rejected: 3, spam: 2 }] },
);
const Revision = z.strictObject({ status: z.string().optional(), body: z.string().optional(), rev: z.number().int().optional() });
export const ModLogEntry = named(
  z.strictObject({
    id: z.string(),
    moderator: z.strictObject({ id: z.string(), name: z.string() }),
    action: z.string(),
    target: z.strictObject({ comment: z.string().optional(), user: z.string().optional(), article: z.string().optional() }),
    reason: z.string().nullable(),
    before: Revision.optional(),
    after: Revision.optional(),
    at: Iso,
  }),
  'ModLogEntry',
  {
    examples: [
      {
        id: '6650c3a1a9b8c7d6e5f40400',
        moderator: { id: 'demo-moderator', name: EXAMPLE.moderator },
        action: 'reject',
        target: { comment: EXAMPLE.commentId, user: EXAMPLE.userId, article: EXAMPLE.article },
        reason: 'अभद्र भाषा',
        before: { status: 'published', rev: 1 },
        after: { status: 'rejected', rev: 2 },
        at: EXAMPLE.at,
      },
    ],
  },
);
export const ModLogPage = named(z.strictObject({ entries: z.array(ModLogEntry), nextCursor: z.string().nullable() }), 'ModLogPage');
export const RecountResult = named(
  z.strictObject({ commentCount: z.number().int().min(0), topLevelCount: z.number().int().min(0), fixed: z.number().int().min(0) }),
  'RecountResult',
  { examples: [{ commentCount: 17, topLevelCount: 11, fixed: 0 }] },
);

// Admin and a reader's data.
export const ImportJob = named(
  z.strictObject({
    id: z.string(),
    site: z.string(),
    format: z.string(),
    options: z.record(z.string(), z.unknown()),
    state: z.enum(['queued', 'running', 'done', 'failed', 'interrupted']),
    progress: z.record(z.string(), z.unknown()).describe('phase, bytesRead, bytesTotal, posts, written, toWrite, articlesCounted, articlesTotal'),
    summary: z.record(z.string(), z.unknown()).nullable().describe('When done: threads and the articles they became, comments imported, already there, left out and why (docs/IMPORT.md).'),
    error: z.string().nullable(),
    createdAt: Iso,
    updatedAt: Iso,
  }),
  'ImportJob',
  {
    examples: [
      {
        id: '0b6f7f0e-3c1a-4f59-9d0e-2f4b8a1c9e77',
        site: EXAMPLE.site,
        format: 'disqus',
        options: { map: 'identifier', dryRun: false, moderate: false },
        state: 'running',
        progress: { phase: 'writing', bytesRead: 52_000, bytesTotal: 52_000, posts: 140, written: 60, toWrite: 140 },
        summary: null,
        error: null,
        createdAt: EXAMPLE.at,
        updatedAt: EXAMPLE.at,
      },
    ],
  },
);
export const ErasureResult = named(
  z.strictObject({
    userId: z.string(),
    comments: z.strictObject({ removed: z.number().int().min(0), tombstones: z.number().int().min(0) }),
    reactions: z.number().int().min(0),
    flags: z.number().int().min(0),
    record: z.enum(['kept', 'removed', 'none']),
  }),
  'ErasureResult',
  { examples: [{ userId: EXAMPLE.userId, comments: { removed: 3, tombstones: 1 }, reactions: 7, flags: 0, record: 'removed' }] },
);
export const DataReport = named(
  z.looseObject({
    site: z.string(),
    userId: z.string(),
    generatedAt: Iso,
    user: z.unknown(),
    moderation: z.unknown(),
    comments: z.array(z.record(z.string(), z.unknown())),
    reactions: z.array(z.record(z.string(), z.unknown())),
    flags: z.array(z.record(z.string(), z.unknown())),
    notifications: z.array(z.record(z.string(), z.unknown())).optional().describe("The reader's notifications, oldest first (servers with notifications)."),
  }),
  'DataReport',
  { description: 'Everything stored about one user of the site, streamed.' },
);
export const ExportLine = named(
  z.looseObject({ v: z.number().int(), site: z.string(), article: z.string(), id: z.string(), parentId: z.string().nullable(), body: z.string(), status: z.string() }),
  'ExportLine',
  { description: 'One line of an NDJSON export: one comment (docs/IMPORT.md has every field).', examples: [{ v: 1, site: EXAMPLE.site, article: EXAMPLE.article, id: EXAMPLE.commentId, parentId: null, body: `<p>${EXAMPLE.body}</p>`, status: 'published' }] },
);
export const DevToken = named(z.strictObject({ token: z.string(), expiresAt: Iso }), 'DevToken', { examples: [{ token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…', expiresAt: EXAMPLE.at }] });

// A signed-in reader's notifications.
const Count = z.number().int().min(0);
export const Notification = named(
  z.strictObject({
    id: z.string().describe('Time-sortable: a later notification has a greater id (string order).'),
    kind: z.enum(['reply', 'published', 'removed']),
    article: z.string(),
    comment: z.string().describe('The reply (`reply`), else the reader’s own comment.'),
    parentId: z.string().optional(),
    by: z.strictObject({ id: z.string(), name: z.string(), picture: z.string().optional() }).optional(),
    excerpt: z.string().describe('The start of the comment’s text (plain text, at most 140 characters).'),
    reason: z.string().optional(),
    at: Iso,
    read: z.boolean(),
  }),
  'Notification',
  {
    examples: [
      {
        id: '0mb1x2y3z-6650c20da9b8c7d6e5f40318-000001',
        kind: 'reply',
        article: EXAMPLE.article,
        comment: EXAMPLE.replyId,
        parentId: EXAMPLE.commentId,
        by: { id: 'reader-sunita', name: EXAMPLE.replyAuthor },
        excerpt: EXAMPLE.replyBody,
        at: EXAMPLE.at,
        read: false,
      },
    ],
  },
);
export const NotificationPage = named(z.strictObject({ items: z.array(Notification), unread: Count, nextCursor: z.string().nullable() }), 'NotificationPage');
export const NotificationsRead = named(z.strictObject({ upTo: z.string().describe('Everything up to and including this id is read; empty before any.'), unread: Count }), 'NotificationsRead', {
  examples: [{ upTo: '0mb1x2y3z-6650c20da9b8c7d6e5f40318-000001', unread: 0 }],
});
export const UnreadCount = named(z.strictObject({ unread: Count }), 'UnreadCount', { examples: [{ unread: 2 }] });

// Engagement statistics (moderators and admins).
const StatCounts = z.strictObject({
  posted: Count.optional(),
  published: Count.optional(),
  held: Count.optional(),
  rejected: Count.optional(),
  decisions: Count.optional(),
  approved: Count.optional(),
  reactions: Count.optional(),
  flags: Count.optional(),
  waitMs: Count.optional(),
  wait: z.record(z.string(), Count).optional(),
  readers: Count.optional(),
});
export const StatsSeries = named(
  z.strictObject({
    from: Iso,
    to: Iso,
    resolution: z.enum(['minute', 'hour']),
    article: z.string().nullable(),
    points: z.array(StatCounts.extend({ at: z.number().describe('Start of the minute or hour, ms since the epoch.') })),
    totals: StatCounts,
    medianWaitMs: z.number().nullable(),
    backlog: z.strictObject({ pending: Count, flagged: Count }),
  }),
  'StatsSeries',
);
export const StatsTop = named(
  z.strictObject({
    by: z.enum(['readers', 'comments', 'reactions']),
    windowMs: z.number(),
    articles: z.array(z.strictObject({ article: z.string(), readers: Count, comments: Count, reactions: Count, flags: Count, held: Count })),
  }),
  'StatsTop',
  { examples: [{ by: 'comments', windowMs: 3600000, articles: [{ article: EXAMPLE.article, readers: 120, comments: 14, reactions: 63, flags: 1, held: 2 }] }] },
);
export const DashboardLive = named(
  z.strictObject({
    at: z.number(),
    readers: Count,
    articles: z.array(z.strictObject({ article: z.string(), readers: Count })),
    minutes: z.array(z.strictObject({ at: z.number(), posted: Count, reactions: Count })),
  }),
  'DashboardLive',
  { examples: [{ at: 1779617730000, readers: 412, articles: [{ article: EXAMPLE.article, readers: 230 }], minutes: [{ at: 1779617700000, posted: 6, reactions: 31 }] }] },
);

// Webhooks.
const HookState = { disabled: z.boolean(), disabledAt: Iso.nullable() };
export const WebhookList = named(
  z.strictObject({
    webhooks: z.array(
      z.strictObject({
        id: z.string(),
        url: z.string(),
        events: z.array(z.string()),
        allowPrivateTargets: z.boolean(),
        ...HookState,
        disabledReason: z.string().nullable(),
        pending: Count,
        deliveries: z.array(
          z.strictObject({
            id: z.string().describe('The webhook-id header: the same on every attempt.'),
            type: z.string(),
            article: z.string().nullable(),
            state: z.enum(['pending', 'delivered', 'failed']),
            attempts: Count,
            lastStatus: z.number().int().nullable(),
            lastError: z.string().nullable(),
            createdAt: Iso,
            lastAttemptAt: Iso.nullable(),
            deliveredAt: Iso.nullable(),
          }),
        ),
      }),
    ),
  }),
  'WebhookList',
);
export const WebhookEnabled = named(z.strictObject({ id: z.string(), disabled: z.literal(false), resumed: Count }), 'WebhookEnabled', { examples: [{ id: 'newsroom', disabled: false, resumed: 3 }] });
export const WebhookSummary = named(
  z.strictObject({ webhooks: z.array(z.strictObject({ id: z.string(), host: z.string(), ...HookState, reason: z.string().nullable() })) }),
  'WebhookSummary',
  { examples: [{ webhooks: [{ id: 'newsroom', host: 'hooks.example.com', disabled: true, disabledAt: EXAMPLE.at, reason: 'HTTP 500 after 8 attempts' }] }] },
);

// Operations.
export const Health = named(z.strictObject({ status: z.literal('ok') }), 'Health', { examples: [{ status: 'ok' }] });
export const Readiness = named(
  z.strictObject({
    status: z.enum(['ok', 'degraded', 'unavailable']),
    checks: z.array(z.strictObject({ name: z.string(), ok: z.boolean(), optional: z.boolean(), error: z.string().optional() })),
  }),
  'Readiness',
  { examples: [{ status: 'ok', checks: [{ name: 'database', ok: true, optional: false }] }] },
);

// ------------------------------------------------------------------ the schemas and the wire types agree

/** True when A and B are assignable both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
function agree<T extends true>(): T | void {}

agree<Same<z.infer<typeof ErrorBody>, P.ErrorBody>>();
agree<Same<z.infer<typeof Author>, P.Author>>();
agree<Same<z.infer<typeof Comment>, P.Comment>>();
agree<Same<z.infer<typeof ArticleView>, P.ArticleView>>();
agree<Same<z.infer<typeof CommentPage>, P.CommentPage>>();
agree<Same<z.infer<typeof ReactionTarget>, P.ReactionTarget>>();
agree<Same<z.infer<typeof ReactionState>, P.ReactionState>>();
agree<Same<z.infer<typeof CommentEvent>, P.CommentEventPayload>>();
agree<Same<z.infer<typeof CommentDeleted>, P.CommentDeletedPayload>>();
agree<Same<z.infer<typeof ReactionUpdated>, P.ReactionUpdatedPayload>>();
agree<Same<z.infer<typeof ArticleUpdated>, P.ArticleUpdatedPayload>>();
agree<Same<z.infer<typeof ArticleReset>, P.ArticleResetPayload>>();
agree<Same<z.infer<typeof ArticleEvent>, P.ArticleEvent>>();
agree<Same<z.infer<typeof JoinAck>, P.JoinAck>>();
agree<Same<z.infer<typeof QueueItem>, P.QueueItem>>();
agree<Same<z.infer<typeof QueueCounts>, P.QueueCounts>>();
agree<Same<z.infer<typeof QueuePage>, P.QueuePage>>();
agree<Same<z.infer<typeof UserModerationState>, P.UserModerationState>>();
agree<Same<z.infer<typeof ModLogEntry>, P.ModLogEntry>>();
agree<Same<z.infer<typeof ModLogPage>, P.ModLogPage>>();
agree<Same<z.infer<typeof QueueRemoved>, Parameters<P.ModerationServerToClientEvents['queue:removed']>[0]>>();
agree<Same<z.infer<typeof Presence>, Parameters<P.ServerToClientEvents['presence']>[0]>>();
agree<Same<z.input<typeof In.PostEvent>, P.PostPayload>>();
agree<Same<Omit<z.input<typeof Mod.DecideEvent>, never>, P.DecideInput>>();
agree<Same<z.infer<typeof Notification>, P.Notification>>();
agree<Same<z.infer<typeof NotificationPage>, P.NotificationPage>>();
agree<Same<z.infer<typeof NotificationsRead>, P.NotificationsRead>>();
agree<Same<z.infer<typeof DashboardLive>, P.DashboardLive>>();
agree<Same<z.infer<typeof StatsSeries>, P.StatsSeries>>();
agree<Same<z.infer<typeof StatsTop>, P.StatsTop>>();
