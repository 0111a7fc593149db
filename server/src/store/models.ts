// Collections, their document shapes and their indexes. docs/DATA.md lists every index
// with the query it serves; keep the two in step.
import { Schema, Types, trusted, type Connection, type Model } from 'mongoose';
import type { NotificationModels } from './notification-models';
import type { WebhookModels } from './webhook-models';

export { Types };
/**
 * Marks a query operator object as ours. Mongoose runs with `sanitizeFilter`, which turns any
 * `$`-object in a filter into a literal match, so operators that come from caller input can
 * never act as operators; the ones the code writes itself are wrapped in `trusted`.
 */
export { trusted };
export type ObjectId = Types.ObjectId;

/**
 * Articles and users are keyed by `_id` (`<site>:<article>`, `<site>:<userId>`; a site id has no
 * colon), the one lookup FerretDB serves from an index: the post, react, join and page paths
 * read them by key, so their cost does not grow with what the site has stored.
 */
export const articleKey = (site: string, article: string) => `${site}:${article}`;
export const userKey = (site: string, userId: string) => `${site}:${userId}`;

export interface ArticleDoc {
  _id: string;
  site: string;
  article: string;
  /** Last seq handed out, a cache of max(events.seq): the events' unique index arbitrates. */
  seq: number;
  commentCount: number;
  /** Top-level comments readers see (tombstones included): a thread page's `total`.
   * Absent on articles stored before it existed; counted once then. */
  topLevelCount?: number;
  reactions: Record<string, number>;
  locked: boolean;
  premod: 'off' | 'new-users' | 'links' | 'all' | null;
  createdAt: Date;
}

export interface CommentDoc {
  _id: ObjectId;
  site: string;
  article: string;
  parentId: ObjectId | null;
  ancestors: ObjectId[];
  depth: number;
  replyTo: { id: string; name: string } | null;
  author: { id: string; name: string; picture?: string; guest?: boolean };
  clientId: string;
  body: string;
  /** Plain text of the body, NFC; what length limits and word checks read. */
  text: string;
  status: 'published' | 'pending' | 'rejected' | 'deleted';
  /**
   * Whether readers see it: published comments, and tombstones (a comment that left the
   * thread while it had visible replies). Kept by the lifecycle (domain/lifecycle).
   */
  visible: boolean;
  /** +1 with every change of body or state; the lifecycle's guarded writes name it. */
  rev: number;
  /** The last moderation decision on it (approve, reject, spam), if any. */
  decision?: string | null;
  reasons: string[];
  flags: { userId: string; reason: string; note?: string; at: Date }[];
  flagCount: number;
  /** Set by a moderator's decision; decided items leave the queue. */
  decidedBy: string | null;
  reactions: Record<string, number>;
  replyCount: number;
  score: number;
  seq: number;
  createdAt: Date;
  editedAt: Date | null;
}

export interface EventDoc {
  /** The event's key, `site \u0001 article \u0001 seq` (domain/events.ts, eventKey). */
  _id: string;
  site: string;
  article: string;
  seq: number;
  type: string;
  payload: Record<string, unknown>;
  at: Date;
}

export interface ReactionDoc {
  site: string;
  userId: string;
  /** `c:<commentId>` or `a:<article>`. */
  target: string;
  kind: string;
  at: Date;
}

export interface UserDoc {
  _id: string;
  site: string;
  userId: string;
  name: string;
  state: 'active' | 'premod' | 'banned' | 'trusted';
  bannedUntil: Date | null;
  reason: string | null;
  comments: number;
  rejected: number;
  spam: number;
  createdAt: Date;
}

/** A comment's state or body as the audit log records it, before and after a change. */
export interface ModLogSnapshot {
  status?: string;
  body?: string;
  rev?: number;
}

export interface ModLogDoc {
  site: string;
  moderator: { id: string; name: string };
  action: string;
  target: { comment?: string; user?: string; article?: string };
  reason: string | null;
  before?: ModLogSnapshot | null;
  after?: ModLogSnapshot | null;
  at: Date;
}

/**
 * One claimed revision of a comment, `_id` = `<commentId>:<rev>`. The primary key arbitrates:
 * of all writers that read revision n, only the one whose insert of n+1 succeeds may change
 * the comment, on MongoDB and on FerretDB (whose conditional updates are not atomic across
 * connections). docs/ARCHITECTURE.md, "A comment's lifecycle".
 */
export interface RevisionDoc {
  _id: string;
  site: string;
  commentId: string;
  rev: number;
  action: string;
  by: { id: string; name: string };
  from: string | null;
  to: string | null;
  at: Date;
}

const opts = { versionKey: false as const, strict: 'throw' as const, minimize: false };
const sub = <T>(def: Record<string, unknown>) => new Schema<T>(def, { _id: false, versionKey: false, strict: 'throw' });

const ArticleSchema = new Schema<ArticleDoc>(
  {
    _id: { type: String },
    site: { type: String, required: true },
    article: { type: String, required: true },
    seq: { type: Number, default: 0 },
    commentCount: { type: Number, default: 0 },
    topLevelCount: { type: Number, default: 0 },
    reactions: { type: Schema.Types.Mixed, default: () => ({}) },
    locked: { type: Boolean, default: false },
    premod: { type: String, default: null },
    createdAt: { type: Date, default: () => new Date() },
  },
  opts,
);
ArticleSchema.pre('validate', function () {
  this._id ??= articleKey(this.site, this.article);
});

const CommentSchema = new Schema<CommentDoc>(
  {
    site: { type: String, required: true },
    article: { type: String, required: true },
    parentId: { type: Schema.Types.ObjectId, default: null },
    ancestors: { type: [Schema.Types.ObjectId], default: [] },
    depth: { type: Number, default: 0 },
    replyTo: { type: sub<{ id: string; name: string }>({ id: String, name: String }), default: null },
    author: {
      type: sub<CommentDoc['author']>({ id: String, name: String, picture: String, guest: Boolean }),
      required: true,
    },
    clientId: { type: String, required: true },
    body: { type: String, default: '' },
    text: { type: String, default: '' },
    status: { type: String, required: true },
    visible: { type: Boolean, default: false },
    rev: { type: Number, default: 1 },
    decision: { type: String, default: null },
    reasons: { type: [String], default: [] },
    flags: {
      type: [sub<CommentDoc['flags'][number]>({ userId: String, reason: String, note: String, at: Date })],
      default: [],
    },
    flagCount: { type: Number, default: 0 },
    decidedBy: { type: String, default: null },
    reactions: { type: Schema.Types.Mixed, default: () => ({}) },
    replyCount: { type: Number, default: 0 },
    score: { type: Number, default: 0 },
    seq: { type: Number, default: 0 },
    createdAt: { type: Date, default: () => new Date() },
    editedAt: { type: Date, default: null },
  },
  opts,
);
// Thread pages, newest/oldest (the _id order is the creation order) and replies of a parent.
CommentSchema.index({ site: 1, article: 1, parentId: 1, _id: -1 });
// Thread pages sorted by top score.
CommentSchema.index({ site: 1, article: 1, parentId: 1, score: -1, _id: -1 });
// Moderation queues, oldest first.
CommentSchema.index({ site: 1, status: 1, _id: 1 });
CommentSchema.index({ site: 1, flagCount: 1, _id: 1 });
// The pending queue and its count: held comments without open flags, oldest first.
CommentSchema.index({ site: 1, status: 1, flagCount: 1, _id: 1 });
// A reader's data: their comments (export and erasure), and the flags they filed.
CommentSchema.index({ site: 1, 'author.id': 1, _id: 1 });
CommentSchema.index({ site: 1, 'flags.userId': 1 });

const EventSchema = new Schema<EventDoc>(
  {
    _id: { type: String, required: true },
    site: { type: String, required: true },
    article: { type: String, required: true },
    seq: { type: Number, required: true },
    type: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    at: { type: Date, default: () => new Date() },
  },
  opts,
);
// The arbiter of seq is the `_id` (the event's key): one event per article and seq.
// Expiry sweep (FerretDB has no TTL indexes, so a timer deletes old events).
EventSchema.index({ at: 1 });

const ReactionSchema = new Schema<ReactionDoc>(
  {
    site: { type: String, required: true },
    userId: { type: String, required: true },
    target: { type: String, required: true },
    kind: { type: String, required: true },
    at: { type: Date, default: () => new Date() },
  },
  opts,
);
ReactionSchema.index({ site: 1, target: 1, userId: 1, kind: 1 }, { unique: true });
// A reader's data: their reactions (export and erasure).
ReactionSchema.index({ site: 1, userId: 1 });

const UserSchema = new Schema<UserDoc>(
  {
    _id: { type: String },
    site: { type: String, required: true },
    userId: { type: String, required: true },
    name: { type: String, default: '' },
    state: { type: String, default: 'active' },
    bannedUntil: { type: Date, default: null },
    reason: { type: String, default: null },
    comments: { type: Number, default: 0 },
    rejected: { type: Number, default: 0 },
    spam: { type: Number, default: 0 },
    createdAt: { type: Date, default: () => new Date() },
  },
  opts,
);
UserSchema.pre('validate', function () {
  this._id ??= userKey(this.site, this.userId);
});

const ModLogSchema = new Schema<ModLogDoc>(
  {
    site: { type: String, required: true },
    moderator: { type: sub<ModLogDoc['moderator']>({ id: String, name: String }), required: true },
    action: { type: String, required: true },
    target: { type: sub<ModLogDoc['target']>({ comment: String, user: String, article: String }), required: true },
    reason: { type: String, default: null },
    before: { type: sub<ModLogSnapshot>({ status: String, body: String, rev: Number }), default: null },
    after: { type: sub<ModLogSnapshot>({ status: String, body: String, rev: Number }), default: null },
    at: { type: Date, default: () => new Date() },
  },
  opts,
);
ModLogSchema.index({ site: 1, _id: -1 });


/**
 * Idempotent posts: `_id` is a hash of site, author, article and the client's id for the post,
 * so a retry finds its comment with one `_id` read, and of two sends at once one inserts.
 */
export interface PostKeyDoc {
  _id: string;
  commentId: ObjectId;
  at: Date;
}

const PostKeySchema = new Schema<PostKeyDoc>(
  { _id: { type: String, required: true }, commentId: { type: Schema.Types.ObjectId, required: true }, at: { type: Date, required: true } },
  opts,
);

const RevisionSchema = new Schema<RevisionDoc>(
  {
    _id: { type: String, required: true },
    site: { type: String, required: true },
    commentId: { type: String, required: true },
    rev: { type: Number, required: true },
    action: { type: String, required: true },
    by: { type: sub<RevisionDoc['by']>({ id: String, name: String }), required: true },
    from: { type: String, default: null },
    to: { type: String, default: null },
    at: { type: Date, default: () => new Date() },
  },
  opts,
);

/**
 * What each author said in the last day, keyed by a hash of site, author and text: the
 * duplicate check reads one document by `_id` (FerretDB serves only `_id` lookups from an index;
 * a scan of the comments would grow with the thread).
 */
export interface RecentTextDoc {
  _id: string;
  at: Date;
}

const RecentTextSchema = new Schema<RecentTextDoc>({ _id: { type: String, required: true }, at: { type: Date, required: true } }, opts);
// The sweep of entries older than a day.
RecentTextSchema.index({ at: 1 });

/** An import run through the admin API, kept so that any node can report it. */
export interface ImportJobDoc {
  _id: string;
  site: string;
  format: string;
  options: Record<string, unknown>;
  by: { id: string; name: string };
  state: 'queued' | 'running' | 'done' | 'failed';
  progress: Record<string, unknown>;
  summary: Record<string, unknown> | null;
  error: string | null;
  createdAt: Date;
  /** Moved with every progress report: a running job whose node died stops moving. */
  updatedAt: Date;
}

const ImportJobSchema = new Schema<ImportJobDoc>(
  {
    _id: { type: String, required: true },
    site: { type: String, required: true },
    format: { type: String, required: true },
    options: { type: Schema.Types.Mixed, default: () => ({}) },
    by: { type: sub<ImportJobDoc['by']>({ id: String, name: String }), required: true },
    state: { type: String, required: true },
    progress: { type: Schema.Types.Mixed, default: () => ({}) },
    summary: { type: Schema.Types.Mixed, default: null },
    error: { type: String, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  opts,
);

export interface Models {
  ImportJob: Model<ImportJobDoc>;
  RecentText: Model<RecentTextDoc>;
  Article: Model<ArticleDoc>;
  Comment: Model<CommentDoc>;
  Event: Model<EventDoc>;
  Reaction: Model<ReactionDoc>;
  User: Model<UserDoc>;
  ModLog: Model<ModLogDoc>;
  Revision: Model<RevisionDoc>;
  PostKey: Model<PostKeyDoc>;
}

export function buildModels(conn: Connection): Models {
  return {
    ImportJob: conn.model<ImportJobDoc>('ImportJob', ImportJobSchema, 'import_jobs'),
    RecentText: conn.model<RecentTextDoc>('RecentText', RecentTextSchema, 'recent_texts'),
    Article: conn.model<ArticleDoc>('Article', ArticleSchema, 'articles'),
    Comment: conn.model<CommentDoc>('Comment', CommentSchema, 'comments'),
    Event: conn.model<EventDoc>('Event', EventSchema, 'events'),
    Reaction: conn.model<ReactionDoc>('Reaction', ReactionSchema, 'reactions'),
    User: conn.model<UserDoc>('User', UserSchema, 'users'),
    ModLog: conn.model<ModLogDoc>('ModLog', ModLogSchema, 'modlog'),
    Revision: conn.model<RevisionDoc>('Revision', RevisionSchema, 'revisions'),
    PostKey: conn.model<PostKeyDoc>('PostKey', PostKeySchema, 'post_keys'),
  };
}

/** Creates every collection and index; safe to run on every start. */
export async function ensureIndexes(models: Models | NotificationModels | WebhookModels): Promise<void> {
  for (const m of Object.values(models) as Model<unknown>[]) {
    await m.createCollection().catch(() => undefined);
    await m.createIndexes();
  }
}
