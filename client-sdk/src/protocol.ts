// The wire protocol between Charcha and its clients: HTTP bodies, Socket.IO events and errors.
// The server imports this file too, so a change here must compile on both sides.
// Keep it free of runtime dependencies: only types and a few constants.

export type Role = 'commenter' | 'moderator' | 'admin';
export type CommentStatus = 'published' | 'pending' | 'rejected' | 'deleted';
export type SortOrder = 'newest' | 'oldest' | 'top';
export type FlagReason = 'spam' | 'abuse' | 'offtopic' | 'other';
export type ModerationAction = 'approve' | 'reject' | 'spam';
export type UserAction = 'ban' | 'unban' | 'premod' | 'trust';
export type PremodMode = 'off' | 'new-users' | 'links' | 'all';

export const ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'too_large',
  'rate_limited',
  'locked',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  error: { code: ErrorCode; message: string; retryAfter?: number };
}

export type ReactionTotals = Record<string, number>;

export interface Author {
  id: string;
  name: string;
  picture?: string;
  guest?: boolean;
}

export interface Comment {
  id: string;
  article: string;
  parentId: string | null;
  /** Whom a reply answers when it was stored beside its parent at the depth cap. */
  replyTo?: { id: string; name: string } | null;
  depth: number;
  author: Author;
  body: string;
  status: CommentStatus;
  createdAt: string;
  editedAt: string | null;
  reactions: ReactionTotals;
  myReactions?: string[];
  replyCount: number;
  seq: number;
  /** Rises by one with every change of the comment's body or state (moderation decisions name it). */
  rev: number;
  /** First replies, on top-level comments of a thread page. */
  replies?: Comment[];
}

export interface ArticleView {
  article: string;
  /** The article's seq that this answer reflects (the read model's). */
  seq?: number;
  commentCount: number;
  reactions: ReactionTotals;
  myReactions?: string[];
  /** The reaction kinds the site takes, in its order (for the article's and comments' buttons). */
  reactionKinds?: string[];
  locked: boolean;
  viewers: number;
  premod?: PremodMode | null;
}

export interface CommentPage {
  comments: Comment[];
  nextCursor: string | null;
  total: number;
  /**
   * The article's seq that this page reflects. A client joins with `since: seq` and gets
   * exactly the later events; from servers that do not send it, the SDK uses the highest
   * comment `seq` in the page (a lower bound: it may replay a little more).
   */
  seq?: number;
}

export type ReactionTarget = { comment: string } | { article: string };

export interface ReactionState {
  reactions: ReactionTotals;
  myReactions: string[];
}

// ---------------------------------------------------------------- Socket.IO: namespace "/"

export interface PostPayload {
  article: string;
  body: string;
  parentId?: string | null;
  clientId: string;
  guest?: { name: string };
}

export interface JoinAck {
  seq: number;
  viewers: number;
  missed?: ArticleEvent[];
  reset?: true;
}

/** Every acknowledgement is either its result or an error body. */
export type Ack<T> = (answer: T | ErrorBody) => void;

export interface ClientToServerEvents {
  'article:join': (p: { article: string; since?: number }, ack: Ack<JoinAck>) => void;
  'article:leave': (p: { article: string }, ack: Ack<Record<string, never>>) => void;
  'comment:post': (p: PostPayload, ack: Ack<{ comment: Comment }>) => void;
  'comment:edit': (p: { id: string; body: string }, ack: Ack<{ comment: Comment }>) => void;
  'comment:delete': (p: { id: string }, ack: Ack<Record<string, never>>) => void;
  'reaction:set': (
    p: { target: ReactionTarget; kind: string; on: boolean; guest?: { name: string } },
    ack: Ack<ReactionState>,
  ) => void;
  'auth:refresh': (p: { token: string }, ack: Ack<Record<string, never>>) => void;
}

/** On the wire, comment events are the Comment itself plus `article` and `seq` (contract). */
export type CommentEventPayload = Comment & { article: string; seq: number };
export interface CommentDeletedPayload { article: string; seq: number; id: string }
export interface ReactionUpdatedPayload {
  article: string;
  seq: number;
  target: ReactionTarget;
  reactions: ReactionTotals;
}
export interface ArticleUpdatedPayload {
  article: string;
  seq: number;
  locked: boolean;
  commentCount: number;
  /** The article's premoderation setting, when a moderator changed it (or the lock). */
  premod?: PremodMode | null;
}
/**
 * The article's thread changed wholesale (comments were imported into it): what a reader has
 * loaded is out of date; reload it. A join whose `since` is older than this event answers
 * `reset`, so only readers live at that moment get the event itself.
 */
export interface ArticleResetPayload {
  article: string;
  seq: number;
  reason: 'import';
}

/** The events readers of an article see, each with the article's next seq, by name. */
export interface ArticleEventPayloads {
  'comment:created': CommentEventPayload;
  'comment:updated': CommentEventPayload;
  'comment:deleted': CommentDeletedPayload;
  'reaction:updated': ReactionUpdatedPayload;
  'article:updated': ArticleUpdatedPayload;
  'article:reset': ArticleResetPayload;
}
export type ArticleEventType = keyof ArticleEventPayloads;
export const ARTICLE_EVENT_TYPES: readonly ArticleEventType[] = [
  'comment:created',
  'comment:updated',
  'comment:deleted',
  'reaction:updated',
  'article:updated',
  'article:reset',
];

/** A sequenced event as kept in the event log and replayed in `article:join`'s `missed`. */
export type ArticleEvent = {
  [K in ArticleEventType]: { type: K } & ArticleEventPayloads[K];
}[ArticleEventType];

export type ServerToClientEvents = {
  [K in ArticleEventType]: (payload: ArticleEventPayloads[K]) => void;
} & {
  presence: (e: { article: string; viewers: number }) => void;
  /** A new notification of the signed-in reader (every open socket of that reader gets it). */
  notification: (n: Notification) => void;
  /** The reader's read mark moved (in this or another tab): the new mark and unread count. */
  'notification:read': (e: NotificationsRead) => void;
};

// ---------------------------------------------------------------- a signed-in reader's notifications

/**
 * `reply`: someone answered the reader's comment (`comment` is the reply, `parentId` the
 * reader's comment); `published`: the reader's held comment was published; `removed`: a
 * moderator rejected or deleted the reader's comment (`reason`, when the moderator gave one).
 */
export type NotificationKind = 'reply' | 'published' | 'removed';

export interface Notification {
  /** Time-sortable: a later notification has a greater id (string order). */
  id: string;
  kind: NotificationKind;
  article: string;
  /** The comment to show: the reply (`reply`), else the reader's own comment. */
  comment: string;
  /** `reply`: the reader's comment that was answered; `published`: the comment it answers, if any. */
  parentId?: string;
  /** `reply`: who replied. */
  by?: { id: string; name: string; picture?: string };
  /** The start of the comment's text (plain text, at most 140 characters). */
  excerpt: string;
  /** `removed`: the moderator's reason, when given. */
  reason?: string;
  at: string;
  read: boolean;
}

export interface NotificationPage {
  items: Notification[];
  unread: number;
  /** Pass as `cursor` for the next (older) page; null at the end. */
  nextCursor: string | null;
}

export interface NotificationsRead {
  /** Everything up to and including this id is read. */
  upTo: string;
  unread: number;
}

// ---------------------------------------------------------------- Socket.IO: namespace "/moderation"

export interface QueueFlag {
  userId: string;
  reason: FlagReason;
  note?: string;
  at: string;
}

/** The moderation queues: held by the pipeline, reported by readers, and rejected (to undo). */
export type QueueState = 'pending' | 'flagged' | 'rejected';

export interface QueueItem extends Comment {
  reasons: string[];
  flags: QueueFlag[];
  authorHistory?: { comments: number; rejected: number; spam: number };
  /** Which queue the item is in now. */
  queue?: QueueState;
  /** True while readers' flags keep the comment hidden from the thread. */
  hidden?: boolean;
}

export interface QueueCounts {
  pending: number;
  flagged: number;
}

export interface QueuePage {
  items: QueueItem[];
  nextCursor: string | null;
  counts?: QueueCounts;
}

export interface DecideInput {
  id: string;
  action: ModerationAction;
  reason?: string;
  /** The queue the moderator saw the item in; a different current queue answers 409. */
  from?: QueueState;
  /** The comment's `rev` the moderator saw; a comment changed since answers 409. */
  rev?: number;
}

/** A user's moderation record, as POST /moderation/users/:userId answers it. */
export interface UserModerationState {
  userId: string;
  name: string;
  state: 'active' | 'premod' | 'banned' | 'trusted';
  bannedUntil: string | null;
  reason: string | null;
  comments: number;
  rejected: number;
  spam: number;
}

export interface ModLogEntry {
  id: string;
  moderator: { id: string; name: string };
  action: string;
  target: { comment?: string; user?: string; article?: string };
  reason: string | null;
  /** For changes of a comment: its status, body and rev before and after. */
  before?: { status?: string; body?: string; rev?: number };
  after?: { status?: string; body?: string; rev?: number };
  at: string;
}

export interface ModLogPage {
  entries: ModLogEntry[];
  nextCursor: string | null;
}

export interface ModerationClientToServerEvents {
  decide: (
    p: { id: string; action: ModerationAction; reason?: string; from?: QueueState; rev?: number },
    ack: Ack<{ comment: Comment }>,
  ) => void;
  /** A new token for the same site; one without the moderator or admin role cuts the socket. */
  'auth:refresh': (p: { token: string }, ack: Ack<Record<string, never>>) => void;
}

export interface ModerationServerToClientEvents {
  'queue:added': (item: QueueItem) => void;
  /** A queued comment changed (its author edited it): the item with its new body and `rev`. */
  'queue:updated': (item: QueueItem) => void;
  'queue:removed': (e: { id: string; by: string; action: ModerationAction | 'deleted' | 'edited' }) => void;
  'queue:counts': (e: { pending: number; flagged: number }) => void;
}


// ---------------------------------------------------------------- engagement statistics (moderators and admins)

/** Counts of one minute or hour (or a range's totals); a count that is 0 is left out. */
export interface StatsCounts {
  posted?: number;
  published?: number;
  held?: number;
  rejected?: number;
  /** Moderators' decisions (approve, reject, spam). */
  decisions?: number;
  approved?: number;
  reactions?: number;
  flags?: number;
  /** Sum of the waits from hold to decision, ms (with `wait`, gives the mean). */
  waitMs?: number;
  /** Decisions on held comments per wait bucket. */
  wait?: Record<string, number>;
  /** The most readers seen at once (each node's peak, summed across nodes). */
  readers?: number;
}

/** `GET …/admin/stats`. */
export interface StatsSeries {
  from: string;
  to: string;
  resolution: 'minute' | 'hour';
  article: string | null;
  /** One per minute or hour; `at` is its start, ms since the epoch. */
  points: (StatsCounts & { at: number })[];
  totals: StatsCounts;
  /** The median time from hold to decision, ms (to its histogram bucket); null without decisions. */
  medianWaitMs: number | null;
  backlog: QueueCounts;
}

export interface StatsTopArticle {
  article: string;
  readers: number;
  comments: number;
  reactions: number;
  flags: number;
  held: number;
}

/** `GET …/admin/stats/top`. */
export interface StatsTop {
  by: 'readers' | 'comments' | 'reactions';
  windowMs: number;
  articles: StatsTopArticle[];
}

/** The live numbers of the `/dashboard` namespace (moderators and admins), at most once a second. */
export interface DashboardLive {
  /** When computed, ms since the epoch. */
  at: number;
  /** Readers on the whole site now. */
  readers: number;
  /** The most-read articles now. */
  articles: { article: string; readers: number }[];
  /** The last hour's minutes with activity (start, ms), oldest first. */
  minutes: { at: number; posted: number; reactions: number }[];
}

export interface DashboardServerToClientEvents {
  'stats:live': (live: DashboardLive) => void;
}

export interface DashboardClientToServerEvents {
  'auth:refresh': (p: { token: string }, ack: Ack<Record<string, never>>) => void;
}
