// Every HTTP route Charcha serves, one entry each: the reference (api/openapi.ts) is made
// from this list, and tests/integration/api-reference.test.ts fails when the Express router
// and this list disagree. Adding a route: add its entry here, naming the request and answer
// schemas (api/schemas.ts) it uses; see docs/API.md, "Keeping the reference whole".
import type { z } from 'zod';
import type { ErrorCode } from '../../../client-sdk/src/protocol';
import * as In from '../domain/inputs';
import * as Mod from '../domain/moderation-inputs';
import { ExportQuery, JobId } from '../http/admin';
import { DevTokenBody } from '../http/dev-token';
import { ImportQuery } from '../http/imports';
import * as Notes from '../http/notifications';
import * as Stats from '../http/stats';
import * as Hooks from '../http/webhooks';
import * as S from './schemas';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call: nobody needs a token, a token is optional, or it must carry this role. */
export type Access = 'public' | 'reader' | 'signed-in' | 'moderator' | 'admin';

export interface Answer {
  description: string;
  /** The JSON body's schema; none for an empty body. */
  schema?: z.ZodType;
  /** Default application/json. */
  contentType?: string;
  /** Response headers worth knowing, by name: what each says. */
  headers?: Record<string, string>;
}

export interface RouteDoc {
  method: Method;
  /** The full path in Express syntax, e.g. `/api/v1/sites/:site/comments/:id`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  /** Path parameters other than the usual ones (PATH_PARAMS), by name. */
  params?: Record<string, z.ZodType>;
  /** The query's strict object schema: each field becomes a query parameter. */
  query?: z.ZodObject;
  /** A JSON body's schema, or a raw body's content type and description. */
  body?: z.ZodType | { contentType: string; description: string };
  /** Whether the body may be left out (default: required when given). */
  bodyOptional?: boolean;
  /** Successful answers by status. */
  ok: Record<number, Answer>;
  /** Error codes this route answers besides those every route under its prefix may. */
  errors?: ErrorCode[];
}

/** Path parameters with one meaning everywhere. */
export const PATH_PARAMS: Record<string, z.ZodType> = {
  site: S.SiteId,
  article: In.ArticleId,
  id: In.CommentId,
  kind: In.ReactionKind,
  userId: Mod.UserId,
};

const SITE = '/api/v1/sites/:site';

/** The error codes any route under /api/v1/sites/:site may answer. */
export const SITE_ERRORS: ErrorCode[] = ['bad_request', 'unauthorized', 'forbidden', 'not_found', 'unavailable', 'internal'];
/** The error codes any route may answer. */
export const ANY_ERRORS: ErrorCode[] = ['internal'];

const json = (schema: z.ZodType, description: string, headers?: Record<string, string>): Answer => ({ description, schema, ...(headers ? { headers } : {}) });
const SHARED_HEADERS = {
  ETag: 'A weak ETag; send it back as If-None-Match to get 304.',
  'Cache-Control': 'Anonymous answers: `public, max-age=1, stale-while-revalidate=5`; signed-in: `private, no-cache`.',
};
const notModified: Answer = { description: 'Not modified: the If-None-Match header names the current ETag.' };
const noContent = (description: string): Answer => ({ description });

/** An entry under /api/v1/sites/:site. */
function site(method: Method, path: string, doc: Omit<RouteDoc, 'method' | 'path'>): RouteDoc {
  return { method, path: SITE + path, ...doc };
}

export const ROUTES: RouteDoc[] = [
  // ---------------------------------------------------------------- threads
  site('get', '/articles/:article', {
    tag: 'threads',
    access: 'reader',
    summary: "An article's view: counts, reactions, lock and premoderation, readers now",
    description: 'Anonymous readers share one cached answer; a signed-in reader also gets `myReactions`.',
    ok: { 200: json(S.ArticleView, 'The article view.', SHARED_HEADERS), 304: notModified },
  }),
  site('get', '/articles/:article/comments', {
    tag: 'threads',
    access: 'reader',
    summary: 'A page of comments',
    description:
      "Without `parent`: top-level comments, each with its first 3 replies. With `parent`: that comment's direct replies, `oldest` first by default. `seq` is the article's seq the page reflects: join with `article:join {since: seq}` for exactly the later events.",
    query: In.ListQuery,
    ok: { 200: json(S.CommentPage, 'The page.', SHARED_HEADERS), 304: notModified },
  }),
  site('post', '/articles/:article/comments', {
    tag: 'threads',
    access: 'signed-in',
    summary: 'Post a comment or a reply',
    description: 'Guests post with `guest: {name}` on sites with guests. The comment may come back `pending` (held for moderation) or `rejected` (refused by the pipeline).',
    body: In.PostBody,
    ok: { 201: json(S.Comment, 'Stored.'), 200: json(S.Comment, 'The same clientId from the same author again: the comment already stored.') },
    errors: ['locked', 'rate_limited', 'conflict'],
  }),
  site('get', '/comments/:id', {
    tag: 'threads',
    access: 'reader',
    summary: 'One comment',
    description: 'A held or rejected one only for its author or a moderator.',
    ok: { 200: json(S.Comment, 'The comment.') },
  }),
  site('patch', '/comments/:id', {
    tag: 'threads',
    access: 'signed-in',
    summary: 'Edit a comment',
    description: 'The author inside the edit window (15 minutes by default), or a moderator. The edit runs through the pipeline.',
    body: In.EditBody,
    ok: { 200: json(S.Comment, 'The comment as edited.') },
    errors: ['locked', 'rate_limited', 'conflict'],
  }),
  site('delete', '/comments/:id', {
    tag: 'threads',
    access: 'signed-in',
    summary: 'Delete a comment',
    description: 'A comment with replies stays as a tombstone.',
    ok: { 204: noContent('Deleted.') },
    errors: ['conflict'],
  }),
  site('get', '/counts', {
    tag: 'threads',
    access: 'reader',
    summary: 'Comment counts of up to 100 articles, in one query',
    query: In.CountsQuery,
    ok: { 200: json(S.Counts, 'Counts by article id.', { ETag: 'A weak ETag.', 'Cache-Control': 'public, max-age=10' }), 304: notModified },
  }),

  // ---------------------------------------------------------------- reactions
  ...(['put', 'delete'] as const).flatMap((method) =>
    (
      [
        ['/comments/:id/reactions/:kind', 'a comment'],
        ['/articles/:article/reactions/:kind', 'the article itself'],
      ] as const
    ).map(([path, what]) =>
      site(method, path, {
        tag: 'reactions',
        access: 'signed-in',
        summary: method === 'put' ? `React to ${what}` : `Take back a reaction to ${what}`,
        description: 'Idempotent. Guests send `{guest: {name}}` on sites with guests.',
        body: In.ReactionBody,
        bodyOptional: true,
        ok: { 200: json(S.ReactionState, 'The totals and your reactions.') },
        errors: ['rate_limited'],
      }),
    ),
  ),
  site('post', '/comments/:id/flags', {
    tag: 'reactions',
    access: 'signed-in',
    summary: 'Report a comment to the moderators',
    description: 'Signed-in readers only; one flag per reader per comment; not your own comment.',
    body: Mod.FlagBody,
    ok: { 202: json(S.Empty, 'Taken.') },
    errors: ['rate_limited'],
  }),

  // ---------------------------------------------------------------- moderation
  site('get', '/moderation/queue', {
    tag: 'moderation',
    access: 'moderator',
    summary: 'A page of a moderation queue, oldest first',
    query: Mod.QueueQuery,
    ok: { 200: json(S.QueuePage, 'The page.') },
  }),
  site('get', '/moderation/counts', {
    tag: 'moderation',
    access: 'moderator',
    summary: 'How many items wait in each queue',
    ok: { 200: json(S.QueueCounts, 'The counts.') },
  }),
  site('post', '/moderation/comments/:id', {
    tag: 'moderation',
    access: 'moderator',
    summary: 'Decide a comment: approve, reject or spam',
    description: '409 when another moderator decided first, the item is no longer in the queue `from` names, or the comment changed since `rev`.',
    body: Mod.DecideBody,
    ok: { 200: json(S.Comment, 'The comment as decided.') },
    errors: ['conflict'],
  }),
  site('get', '/moderation/users/:userId', {
    tag: 'moderation',
    access: 'moderator',
    summary: "A user's moderation state",
    ok: { 200: json(S.UserModerationState, 'The state.') },
  }),
  site('post', '/moderation/users/:userId', {
    tag: 'moderation',
    access: 'moderator',
    summary: 'Ban, unban, premoderate or trust a user',
    body: Mod.UserActionBody,
    ok: { 200: json(S.UserModerationState, 'The new state.') },
  }),
  site('put', '/moderation/articles/:article', {
    tag: 'moderation',
    access: 'moderator',
    summary: "Lock an article's comments, or set its premoderation",
    body: Mod.ArticleSettingsBody,
    ok: { 200: json(S.ArticleView, 'The article view.') },
  }),
  site('post', '/moderation/articles/:article/recount', {
    tag: 'moderation',
    access: 'moderator',
    summary: "Recount an article's comment, top-level and reply counts",
    ok: { 200: json(S.RecountResult, 'The counts, and how many were wrong.') },
  }),
  site('get', '/moderation/log', {
    tag: 'moderation',
    access: 'moderator',
    summary: "The moderators' log, newest first",
    query: Mod.LogQuery,
    ok: { 200: json(S.ModLogPage, 'The page.') },
  }),

  // ---------------------------------------------------------------- admin and a reader's data
  site('get', '/admin/export', {
    tag: 'admin',
    access: 'admin',
    summary: "The site's comments (or one article's) as NDJSON, streamed",
    query: S.named(ExportQuery, 'ExportQuery'),
    ok: { 200: { description: 'One comment a line.', schema: S.ExportLine, contentType: 'application/x-ndjson', headers: { 'Content-Disposition': 'attachment; filename="<site>[-<article>].ndjson"' } } },
  }),
  site('post', '/admin/imports', {
    tag: 'admin',
    access: 'admin',
    summary: 'Import comments from a Disqus, WordPress or Charcha export',
    description: 'The file is the raw body (any content type), up to IMPORT_MAX_BYTES; the import runs as a job (docs/IMPORT.md).',
    query: S.named(ImportQuery, 'ImportQuery'),
    body: { contentType: 'application/octet-stream', description: 'The export file, as it is.' },
    ok: { 202: json(S.ImportJob, 'The job, started.', { Location: 'The job’s URL.' }) },
    errors: ['too_large'],
  }),
  site('get', '/admin/imports/:id', {
    tag: 'admin',
    access: 'admin',
    summary: 'An import job: its state, progress and summary',
    params: { id: S.named(JobId, 'ImportJobId', { examples: ['0b6f7f0e-3c1a-4f59-9d0e-2f4b8a1c9e77'] }) },
    ok: { 200: json(S.ImportJob, 'The job.') },
  }),
  ...dataRights('/admin/users/:userId/data', 'admin', "a user's"),
  ...dataRights('/me/data', 'signed-in', 'your'),
  // ---------------------------------------------------------------- notifications
  site('get', '/me/notifications', {
    tag: 'notifications',
    access: 'signed-in',
    summary: "The reader's notifications, newest first",
    description: '`cursor` is the last `id` of the previous page. Guests get 401.',
    query: S.named(Notes.ListQuery, 'NotificationListQuery'),
    ok: { 200: json(S.NotificationPage, 'A page of notifications and the unread count.', { 'Cache-Control': 'private, no-store' }) },
  }),
  site('get', '/me/notifications/unread', {
    tag: 'notifications',
    access: 'signed-in',
    summary: "The reader's read mark and unread count (one read, for a badge)",
    ok: { 200: json(S.NotificationsRead, 'The read mark and the unread count.', { 'Cache-Control': 'private, no-store' }) },
  }),
  site('post', '/me/notifications/read', {
    tag: 'notifications',
    access: 'signed-in',
    summary: 'Mark everything up to a notification read',
    description: 'The mark never moves back, nor past the newest notification stored. Every open socket of the reader gets `notification:read`.',
    body: S.named(Notes.ReadBody, 'NotificationsReadBody', { examples: [{ upTo: '0mb1x2y3z-6650c20da9b8c7d6e5f40318-000001' }] }),
    ok: { 200: json(S.UnreadCount, 'The unread count after the mark.') },
  }),

  // ---------------------------------------------------------------- statistics
  site('get', '/admin/stats', {
    tag: 'statistics',
    access: 'moderator',
    summary: 'Counts per minute (ranges up to 48 h) or hour, for the site or one article',
    description: '`from` and `to` are ISO 8601 or ms since the epoch (default: the last 6 hours; at most 31 days). 503 `unavailable` with `STATS=off`.',
    query: S.named(Stats.SeriesQuery, 'StatsQuery'),
    ok: { 200: json(S.StatsSeries, 'The series, its totals, the median wait and the backlog now.') },
  }),
  site('get', '/admin/stats/top', {
    tag: 'statistics',
    access: 'moderator',
    summary: 'The 10 busiest articles over a window',
    query: S.named(Stats.TopQuery, 'StatsTopQuery'),
    ok: { 200: json(S.StatsTop, 'The busiest articles, most first.') },
  }),

  // ---------------------------------------------------------------- webhooks
  site('get', '/admin/webhooks', {
    tag: 'webhooks',
    access: 'admin',
    summary: "The site's webhooks, their state and their 20 newest deliveries (never the secret)",
    ok: { 200: json(S.WebhookList, 'The webhooks.') },
  }),
  site('post', '/admin/webhooks/:id/enable', {
    tag: 'webhooks',
    access: 'admin',
    summary: 'Make a disabled webhook send again, its waiting events first',
    params: { id: S.named(Hooks.HookId, 'WebhookId', { examples: ['newsroom'] }) },
    ok: { 200: json(S.WebhookEnabled, 'Enabled; `resumed` events wait to be sent.') },
  }),
  site('get', '/moderation/webhooks', {
    tag: 'webhooks',
    access: 'moderator',
    summary: "Which of the site's webhooks are disabled (by host), for the console's banner",
    ok: { 200: json(S.WebhookSummary, 'The webhooks, by host.') },
  }),

  site('post', '/dev/token', {
    tag: 'admin',
    access: 'public',
    summary: 'Local mode only: a demo moderator token',
    description: 'Exists only when SITES_FILE is unset, and only for the site `demo`.',
    body: S.named(DevTokenBody, 'DevTokenBody', { examples: [{ name: 'संपादक मीरा' }] }),
    bodyOptional: true,
    ok: { 200: json(S.DevToken, 'A moderator token for eight hours.') },
  }),

  // ---------------------------------------------------------------- operations and pages
  { method: 'get', path: '/healthz', tag: 'operations', access: 'public', summary: 'Liveness', ok: { 200: json(S.Health, 'The process runs.') } },
  {
    method: 'get',
    path: '/readyz',
    tag: 'operations',
    access: 'public',
    summary: 'Readiness: the database (and Redis, where configured) answer',
    ok: { 200: json(S.Readiness, '`ok`, or `degraded` when only Redis is down.'), 503: json(S.Readiness, '`unavailable`: the database does not answer (this shape, not the Error body).') },
    errors: [],
  },
  { method: 'get', path: '/metrics', tag: 'operations', access: 'public', summary: 'Prometheus metrics', ok: { 200: { description: 'Prometheus text.', contentType: 'text/plain' } } },
  { method: 'get', path: '/api/v1/openapi.json', tag: 'reference', access: 'public', summary: 'This document', ok: { 200: { description: 'OpenAPI 3.1.', contentType: 'application/json' } } },
  { method: 'get', path: '/api/v1/asyncapi.json', tag: 'reference', access: 'public', summary: 'The Socket.IO events, as AsyncAPI 3', ok: { 200: { description: 'AsyncAPI 3.0.', contentType: 'application/json' } } },
  { method: 'get', path: '/api/docs', tag: 'reference', access: 'public', summary: 'This reference, for people', ok: { 200: { description: 'An HTML page.', contentType: 'text/html' } } },
  { method: 'get', path: '/api/docs/init.js', tag: 'reference', access: 'public', summary: "The reference page's script", ok: { 200: { description: 'JavaScript.', contentType: 'text/javascript' } } },
  {
    method: 'get',
    path: '/api/docs/ui/:file',
    tag: 'reference',
    access: 'public',
    summary: "The viewer's files (Swagger UI, from swagger-ui-dist)",
    params: { file: S.named(S.DocsFile, 'DocsFile', { examples: ['swagger-ui.css'] }) },
    ok: { 200: { description: 'The file.', contentType: '*/*' } },
    errors: ['not_found'],
  },
  ...page('/embed.js', 'The widget loader publishers embed (short cache)', 'text/javascript'),
  ...page('/demo/', 'The demo listing page, with count badges', 'text/html', { 301: { description: '`/demo` moves to `/demo/`.', headers: { Location: '/demo/' } } }),
  ...page('/demo/article', 'The sample Hindi article with the widget', 'text/html'),
  ...page('/moderate', 'The moderator console (when built)', 'text/html'),
  ...page('/dashboard', "The newsroom's engagement dashboard (when built; staff sign-in as in the console)", 'text/html'),
];

/** A reader's data: the report (streamed) and the erasure (idempotent). */
function dataRights(path: string, access: Access, whose: string): RouteDoc[] {
  return [
    site('get', path, { tag: 'admin', access, summary: `Everything stored about ${whose === 'your' ? 'you' : 'a user'}, streamed`, ok: { 200: json(S.DataReport, 'The report.') } }),
    site('delete', path, { tag: 'admin', access, summary: `Erase ${whose} data (idempotent)`, ok: { 200: json(S.ErasureResult, 'What was erased.') } }),
  ];
}

function page(path: string, summary: string, contentType: string, more: Record<number, Answer> = {}): RouteDoc[] {
  return [
    {
      method: 'get',
      path,
      tag: 'pages',
      access: 'public',
      summary,
      ok: { 200: { description: 'The page.', contentType }, ...more },
      errors: ['not_found'],
      description: 'Answers 503 (plain text) until `npm run build` has made the web assets, and 404 (plain text) without the demo site.',
    },
  ];
}

/** Plain-text failures of the pages (besides the Error body of "no such route"). */
export const PAGE_FAILURES: Record<number, string> = { 404: 'Not found (plain text).', 503: 'The web assets are not built yet (plain text).' };
