// The HTTP API of the contract, one method a route. Errors come back as typed errors; an
// `unauthorized` answer to a request that carried a refreshable token refreshes it and tries
// once more.
import { NetworkError, TimeoutError, asCharchaError, errorFromBody } from './errors';
import { abortAfter, clearTimer, globalFetch, setTimer, type FetchLike, type FetchResponse } from './platform';
import type {
  ArticleView,
  Comment,
  CommentPage,
  FlagReason,
  ModerationAction,
  ModLogPage,
  NotificationPage,
  NotificationsRead,
  PremodMode,
  QueuePage,
  QueueState,
  ReactionState,
  ReactionTarget,
  SortOrder,
  UserAction,
  UserModerationState,
} from './protocol';
import type { TokenSource } from './token';

export interface HttpOptions {
  url: string;
  site: string;
  tokens: TokenSource;
  fetch?: FetchLike;
  timeoutMs: number;
}

export interface ListOptions {
  sort?: SortOrder;
  limit?: number;
  cursor?: string | null;
  /** A comment id: list its direct replies instead of top-level comments. */
  parent?: string;
}

type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  timeoutMs?: number;
}

export class HttpApi {
  private readonly base: string;

  constructor(private readonly o: HttpOptions) {
    this.base = `${o.url.replace(/\/+$/, '')}/api/v1/sites/${enc(o.site)}`;
  }

  /** Any route under the site's base, for what has no method here. */
  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    // A token function that fails leaves the request anonymous: reading needs no token.
    let token = await this.o.tokens.get().catch(() => undefined);
    let answer = await this.send(method, path, opts, token);
    if (answer.status === 401 && token && this.o.tokens.refreshable) {
      const fresh = await this.o.tokens.refresh();
      if (fresh && fresh !== token) {
        token = fresh;
        answer = await this.send(method, path, opts, token);
      }
    }
    const { status, text, retryAfter } = answer;
    const body = text ? parseJson(text) : undefined;
    if (status >= 200 && status < 300) return body as T;
    throw errorFromBody(body, status, retryAfter);
  }

  private async send(
    method: string,
    path: string,
    opts: RequestOptions,
    token: string | undefined,
  ): Promise<{ status: number; text: string; retryAfter: string | null }> {
    const fetchFn = this.o.fetch ?? globalFetch();
    if (!fetchFn) throw new NetworkError('No fetch function: pass `fetch` to createClient');
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const ms = opts.timeoutMs ?? this.o.timeoutMs;
    const abort = abortAfter(ms);
    let timer: unknown;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimer(() => reject(new TimeoutError(`${method} ${path}: no answer in ${ms} ms`)), ms);
    });
    try {
      const res = (await Promise.race([
        fetchFn(this.base + path + queryString(opts.query), {
          method,
          headers,
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
          signal: abort.signal,
        }),
        timeout,
      ])) as FetchResponse;
      const text = await Promise.race([res.text(), timeout]);
      return { status: res.status, text, retryAfter: res.headers.get('retry-after') };
    } catch (err) {
      const e = asCharchaError(err);
      // An abort raised by our own timer reads as a timeout.
      if (e.code === 'network' && /abort/i.test(e.message)) throw new TimeoutError(`${method} ${path}: no answer in ${ms} ms`);
      throw e;
    } finally {
      clearTimer(timer);
      abort.cancel();
    }
  }

  // ---------------------------------------------------------------- readers and commenters

  article(article: string): Promise<ArticleView> {
    return this.request('GET', `/articles/${enc(article)}`);
  }

  comments(article: string, opts: ListOptions = {}): Promise<CommentPage> {
    return this.request('GET', `/articles/${enc(article)}/comments`, {
      query: { sort: opts.sort, limit: opts.limit, cursor: opts.cursor, parent: opts.parent },
    });
  }

  postComment(
    article: string,
    input: { body: string; parentId?: string | null; clientId: string; guest?: { name: string } },
  ): Promise<Comment> {
    return this.request('POST', `/articles/${enc(article)}/comments`, { body: input });
  }

  editComment(id: string, body: string): Promise<Comment> {
    return this.request('PATCH', `/comments/${enc(id)}`, { body: { body } });
  }

  async deleteComment(id: string): Promise<void> {
    await this.request('DELETE', `/comments/${enc(id)}`);
  }

  setReaction(target: ReactionTarget, kind: string, on: boolean): Promise<ReactionState> {
    const path = 'comment' in target ? `/comments/${enc(target.comment)}` : `/articles/${enc(target.article)}`;
    return this.request(on ? 'PUT' : 'DELETE', `${path}/reactions/${enc(kind)}`);
  }

  async flag(id: string, reason: FlagReason, note?: string): Promise<void> {
    await this.request('POST', `/comments/${enc(id)}/flags`, { body: note ? { reason, note } : { reason } });
  }

  async counts(articles: string[]): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (let i = 0; i < articles.length; i += 100) {
      const chunk = articles.slice(i, i + 100);
      const r = await this.request<{ counts: Record<string, number> }>('GET', '/counts', { query: { articles: chunk.join(',') } });
      Object.assign(out, r.counts);
    }
    return out;
  }

  // ---------------------------------------------------------------- a signed-in reader's notifications

  notifications(opts: { cursor?: string | null; limit?: number } = {}): Promise<NotificationPage> {
    return this.request('GET', '/me/notifications', { query: { cursor: opts.cursor, limit: opts.limit } });
  }

  /** The unread count and the read mark alone (one `_id` read on the server). */
  notificationsUnread(): Promise<NotificationsRead> {
    return this.request('GET', '/me/notifications/unread');
  }

  /** Marks every notification up to `upTo` (an id) read; answers the unread count left. */
  markNotificationsRead(upTo: string): Promise<{ unread: number }> {
    return this.request('POST', '/me/notifications/read', { body: { upTo } });
  }

  // ---------------------------------------------------------------- moderators

  moderationQueue(opts: { state?: QueueState; cursor?: string | null; limit?: number } = {}): Promise<QueuePage> {
    return this.request('GET', '/moderation/queue', { query: opts });
  }

  /** A decision another moderator already took (or `from` no longer the item's queue): ConflictError. */
  moderate(id: string, action: ModerationAction, opts: { reason?: string; from?: QueueState } = {}): Promise<Comment> {
    return this.request('POST', `/moderation/comments/${enc(id)}`, { body: { action, ...opts } });
  }

  moderateUser(userId: string, action: UserAction, opts: { reason?: string; until?: string } = {}): Promise<UserModerationState> {
    return this.request('POST', `/moderation/users/${enc(userId)}`, { body: { action, ...opts } });
  }

  updateArticle(article: string, patch: { locked?: boolean; premod?: PremodMode | null }): Promise<ArticleView> {
    return this.request('PUT', `/moderation/articles/${enc(article)}`, { body: patch });
  }

  moderationLog(cursor?: string | null): Promise<ModLogPage> {
    return this.request('GET', '/moderation/log', { query: { cursor } });
  }
}

const enc = encodeURIComponent;

/** Built by hand: React Native's URLSearchParams is incomplete. */
function queryString(q: Query | undefined): string {
  if (!q) return '';
  const parts: string[] = [];
  for (const k of Object.keys(q)) {
    const v = q[k];
    if (v !== undefined && v !== null && v !== '') parts.push(`${enc(k)}=${enc(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
