// One article's live thread: the first page over HTTP, then the room over Socket.IO, kept
// exactly in step with the server by seq. After any disconnect it rejoins with `since` and
// applies what it missed; on `reset` it reloads as much as the reader had loaded. Posts are
// optimistic and queued (outbox.ts); reactions are optimistic and undone on failure.
import type { Connection, ArticleMessage } from './connection';
import { Emitter } from './emitter';
import {
  ClosedError,
  UnauthorizedError,
  ValidationError,
  asCharchaError,
  type CharchaError,
} from './errors';
import type { HttpApi } from './http';
import { Outbox, type RetryPolicy } from './outbox';
import { clearTimer, randomId, setTimer, sleep, type Timer } from './platform';
import type {
  ArticleEvent,
  ArticleView,
  Comment,
  CommentPage,
  FlagReason,
  PostPayload,
  ReactionState,
  ReactionTarget,
  ReactionTotals,
  SortOrder,
} from './protocol';
import { Sequencer } from './sequencer';
import { ThreadStore, localKey, type ThreadComment } from './thread-store';
import type { TokenSource } from './token';

export interface ThreadOptions {
  sort?: SortOrder;
  /** Top-level comments per page, and replies per loadReplies (default 20). */
  pageSize?: number;
  /** Name to post under when there is no token, on sites that allow guests. */
  guest?: { name: string };
  /** How long an early event waits for the one before it before the thread rejoins (ms). */
  gapWaitMs?: number;
  /**
   * The answers of `GET /articles/:article` and of the first page of comments in this sort and
   * page size, already on their way (a page's loader can start them while the widget's code
   * loads). Used once for the first load; if it fails, the thread reads them itself.
   */
  firstPage?: Promise<FirstPage>;
}

/** An article's view and its first page of comments, as the two GETs answer them. */
export interface FirstPage {
  article: ArticleView;
  page: CommentPage;
}

export interface PostOptions {
  /** The comment (id or key) this one answers. */
  parentId?: string | null;
  guest?: { name: string };
  /** Your own idempotency key (1-64 of A-Z a-z 0-9 _ -); one is made when omitted. */
  clientId?: string;
}

/**
 * `loading`: first page on its way; `syncing`: (re)joining the room; `live`: in step with the
 * server; `offline`: connection lost, will resume; `error`: the first load failed or the server
 * refused the connection; `closed`.
 */
export type ThreadStatus = 'loading' | 'syncing' | 'live' | 'offline' | 'error' | 'closed';

export interface ThreadEvents {
  /** Anything in the thread changed: comments, counts, reactions, viewers, unsent posts. */
  change: [];
  status: [ThreadStatus];
  /** Each server event, after it was applied (presence included). */
  event: [ArticleMessage];
  /** A background failure (a rejoin or reload); the thread keeps trying. */
  error: [CharchaError];
}

export interface ThreadDeps {
  conn: Connection;
  http: HttpApi;
  tokens: TokenSource;
  guest?: { name: string };
  retry: RetryPolicy;
  onClose(thread: Thread): void;
}

interface Draft {
  body: string;
  parentKey: string | null;
  guest?: { name: string };
}

export class Thread extends Emitter<ThreadEvents> {
  readonly article: string;
  readonly sort: SortOrder;
  /** Resolves when the first page is loaded and the room joined. */
  readonly ready: Promise<void>;
  status: ThreadStatus = 'loading';

  private readonly store: ThreadStore;
  private readonly seq: Sequencer<ArticleEvent>;
  private readonly outbox: Outbox<Comment>;
  private readonly drafts = new Map<string, Draft>();
  private readonly pageSize: number;
  private readonly guest?: { name: string };
  private readonly gapWaitMs: number;
  private readonly offs: (() => void)[] = [];
  private readonly applied: ArticleMessage[] = [];
  private base: number | undefined;
  private loaded = false;
  private firstLoad: Promise<void> | undefined;
  private prefetched: Promise<FirstPage> | undefined;
  /** The state was just read from pages: a replay may repeat changes it already shows. */
  private fresh = false;
  private closed = false;
  private syncing: Promise<void> | undefined;
  private again = false;
  private gapTimer: Timer | undefined;
  private seenVersion = -1;
  private epoch = 0;
  /** Events applied while a page request is out, applied again on top of the page. */
  private catchup: ArticleEvent[] | undefined;
  private pagesOut = 0;
  private loadingMore: Promise<boolean> | undefined;
  private readonly loadingReplies = new Map<string, Promise<boolean>>();
  private joined!: { resolve(): void; reject(e: unknown): void; done: boolean };

  constructor(private readonly d: ThreadDeps, article: string, opts: ThreadOptions = {}) {
    super();
    this.article = article;
    this.sort = opts.sort ?? 'newest';
    this.pageSize = Math.min(Math.max(opts.pageSize ?? 20, 1), 100);
    this.guest = opts.guest ?? d.guest;
    this.gapWaitMs = opts.gapWaitMs ?? 400;
    this.prefetched = opts.firstPage;
    // Nobody may wait on it yet: a failure is handled when the first load uses it.
    this.prefetched?.catch(() => undefined);
    this.store = new ThreadStore(this.sort, (key) => ({
      retry: () => this.retry(key),
      discard: () => this.discard(key),
    }));
    this.refreshMe();
    this.seq = new Sequencer<ArticleEvent>((ev) => {
      this.store.apply(ev);
      this.applied.push(ev);
      this.catchup?.push(ev);
      // The thread was replaced on the server (an import): what is loaded is out of date.
      if (ev.type === 'article:reset') setTimer(() => void this.reload().catch((err: unknown) => this.emit('error', asCharchaError(err))), 0);
    });
    this.outbox = new Outbox<Comment>({
      ready: () => d.conn.whenConnected(),
      send: (clientId) => this.send(clientId),
      disconnected: () => !d.conn.connected,
      changed: (clientId, state, attempts, error) => {
        this.store.setLocal(clientId, error ? { state, attempts, error } : { state, attempts });
        this.notify();
      },
      policy: d.retry,
    });

    const unsubscribe = d.conn.subscribe(article, (m) => this.onMessage(m));
    this.offs.push(() => {
      if (unsubscribe() && d.conn.connected) {
        d.conn.request('article:leave', { article }, { connectTimeoutMs: 0 }).catch(() => undefined);
      }
    });
    this.offs.push(
      d.conn.on('connect', () => {
        if (!this.syncing && (this.loaded || this.status === 'error')) void this.sync();
      }),
    );
    this.offs.push(
      d.conn.on('status', (s) => {
        if (s !== 'connected') this.connectionLost();
      }),
    );

    const joined = new Promise<void>((resolve, reject) => {
      this.joined = { resolve, reject, done: false };
    });
    this.ready = this.start(joined);
    this.ready.catch(() => undefined); // still rejects for whoever awaits it
  }

  // ---------------------------------------------------------------- state

  /** The loaded tree: top-level comments in the thread's order, replies under their parents. */
  get comments(): ThreadComment[] {
    return this.store.snapshot();
  }

  /** Same as `comments`, for React's useSyncExternalStore. */
  getSnapshot = (): ThreadComment[] => this.store.snapshot();

  /** Same as on('change'), for React's useSyncExternalStore. */
  subscribe = (fn: () => void): (() => void) => this.on('change', fn);

  get viewers(): number {
    return this.store.viewers;
  }
  get commentCount(): number {
    return this.store.article.commentCount;
  }
  get locked(): boolean {
    return this.store.article.locked;
  }
  /** Reactions on the article itself. */
  get reactions(): ReactionTotals {
    return this.store.article.reactions;
  }
  /** The reaction kinds the site takes, in its order. */
  get reactionKinds(): string[] {
    return this.store.article.reactionKinds;
  }
  get myReactions(): string[] {
    return this.store.article.myReactions;
  }
  /** More top-level comments can be loaded with loadMore. */
  get hasMore(): boolean {
    return this.store.hasMore;
  }
  /** Seq of the last event applied. */
  get lastSeq(): number | undefined {
    return this.seq.last;
  }
  /** Rises with every change (cheap change detection). */
  get version(): number {
    return this.store.version;
  }

  find(idOrKey: string): ThreadComment | undefined {
    return this.store.find(idOrKey);
  }

  // ---------------------------------------------------------------- loading

  /** Loads the next page of top-level comments; resolves with whether more remain. */
  loadMore(): Promise<boolean> {
    if (this.closed) return Promise.reject(new ClosedError());
    if (this.loadingMore) return this.loadingMore;
    if (!this.loaded) return this.ready.then(() => this.loadMore());
    const cursor = this.store.cursor;
    if (cursor === null) return Promise.resolve(false);
    const epoch = this.epoch;
    this.loadingMore = this.withCatchup(() =>
      this.d.http.comments(this.article, { sort: this.sort, limit: this.pageSize, cursor }),
    )
      .then(({ result: page, events }) => {
        if (epoch === this.epoch && !this.closed) {
          this.store.addPage(page);
          this.replay(events);
          this.notify();
        }
        return this.store.hasMore;
      })
      .finally(() => {
        this.loadingMore = undefined;
      });
    return this.loadingMore;
  }

  /** Loads (more of) a comment's replies, oldest first; resolves with whether more remain. */
  loadReplies(idOrKey: string, opts: { limit?: number } = {}): Promise<boolean> {
    if (this.closed) return Promise.reject(new ClosedError());
    const id = this.store.serverId(idOrKey);
    if (!id) return Promise.resolve(false);
    const running = this.loadingReplies.get(id);
    if (running) return running;
    const epoch = this.epoch;
    const cursor = this.store.repliesCursor(id);
    // Cursors are the server's own: the first call starts over, so it asks for the replies
    // already shown plus a page.
    const shown = cursor === null ? (this.store.find(id)?.replies.filter((r) => !r.local).length ?? 0) : 0;
    const limit = Math.min(100, shown + (opts.limit ?? this.pageSize));
    const p = this.withCatchup(() => this.d.http.comments(this.article, { parent: id, sort: 'oldest', limit, cursor }))
      .then(({ result: page, events }) => {
        if (epoch === this.epoch && !this.closed) {
          this.store.addReplies(id, page);
          this.replay(events);
          this.notify();
        }
        return page.nextCursor !== null;
      })
      .finally(() => this.loadingReplies.delete(id));
    this.loadingReplies.set(id, p);
    return p;
  }

  /**
   * Reloads everything loaded so far from the server (what a `reset` does by itself), e.g.
   * after signing in; after a failed first load, tries it again.
   */
  async reload(): Promise<void> {
    if (this.closed) throw new ClosedError();
    if (!this.loaded) {
      if (this.status === 'error') this.setStatus('loading');
      try {
        await this.loadFirst();
      } catch (err) {
        this.setStatus('error');
        throw err;
      }
      if (!this.syncing) void this.sync();
      return;
    }
    this.seq.hold();
    try {
      await this.reloadAll();
    } finally {
      // Events held meanwhile are applied by a rejoin, which also confirms the seq.
      void this.sync();
    }
  }

  // ---------------------------------------------------------------- writing

  /**
   * Posts a comment. It shows at once (with `local.state` queued, then sending), waits for a
   * connection when there is none, is retried with the same clientId on failures that may
   * pass, and becomes the stored comment in place. After the last failure it stays, failed,
   * with `local.retry()`; the promise then rejects with the error.
   */
  post(body: string, opts: PostOptions = {}): Promise<ThreadComment> {
    if (this.closed) return Promise.reject(new ClosedError());
    if (typeof body !== 'string' || !body.trim()) return Promise.reject(new ValidationError('The comment is empty'));
    this.refreshMe();
    const guest = opts.guest ?? this.guest;
    const { tokens } = this.d;
    if (!guest && !tokens.current && !tokens.refreshable) {
      return Promise.reject(new UnauthorizedError('Sign in, or give a guest name, to comment'));
    }
    const clientId = opts.clientId ?? randomId();
    if (this.drafts.has(clientId)) return Promise.reject(new ValidationError('That clientId is already being posted'));
    const parentKey = opts.parentId ?? null;
    this.drafts.set(clientId, guest ? { body, parentKey, guest } : { body, parentKey });
    const claims = tokens.claims;
    const author = claims
      ? { id: claims.sub, name: claims.name, ...(claims.picture ? { picture: claims.picture } : {}) }
      : { id: '', name: guest?.name ?? '', guest: true };
    const key = this.store.addLocal({ clientId, body: textToHtml(body), parentId: parentKey, author, article: this.article });
    this.notify();
    return this.outbox.add(clientId).then(() => this.store.find(key)!);
  }

  /** Sends a failed post again. */
  retry(idOrKey: string): Promise<ThreadComment> {
    const key = this.store.find(idOrKey)?.key ?? idOrKey;
    if (this.closed) return Promise.reject(new ClosedError());
    if (this.store.localState(key) !== 'failed') return Promise.reject(new ValidationError('Only a failed post can be retried'));
    const clientId = key.slice('local:'.length);
    return this.outbox.add(clientId).then(() => this.store.find(key)!);
  }

  /** Drops an unsent (queued or failed) post. */
  discard(idOrKey: string): void {
    const key = this.store.find(idOrKey)?.key ?? idOrKey;
    if (!this.store.localState(key)) return;
    const clientId = key.slice('local:'.length);
    if (this.store.localState(key) === 'sending') return; // too late: it will land
    this.outbox.cancel(clientId);
    this.drafts.delete(clientId);
    this.store.remove(key);
    this.notify();
  }

  /** Edits a comment (author in the edit window, or a moderator); an unsent one is edited in place. */
  async edit(idOrKey: string, body: string): Promise<ThreadComment> {
    if (this.closed) throw new ClosedError();
    const local = this.store.localState(idOrKey);
    if (local) {
      const key = this.store.find(idOrKey)!.key;
      const draft = this.drafts.get(key.slice('local:'.length));
      if (local === 'sending' || !draft) throw new ValidationError('The comment is being sent; edit it once it is posted');
      draft.body = body;
      this.store.setLocalBody(key, textToHtml(body));
      this.notify();
      return this.store.find(key)!;
    }
    const id = this.serverIdOf(idOrKey);
    const { comment } = await this.withRetry(() => this.d.conn.request('comment:edit', { id, body }));
    this.store.upsertOwn(comment);
    this.notify();
    return this.store.find(id) ?? { ...comment, key: comment.id, replies: [], moreReplies: 0 };
  }

  /** Deletes a comment; one with replies stays as a tombstone. An unsent one is discarded. */
  async delete(idOrKey: string): Promise<void> {
    if (this.closed) throw new ClosedError();
    if (this.store.localState(idOrKey)) {
      this.discard(idOrKey);
      return;
    }
    const id = this.serverIdOf(idOrKey);
    const before = this.store.find(id);
    // Gone on a second try: the first one did it before its answer was lost.
    await this.withRetry(() => this.d.conn.request('comment:delete', { id }), () => ({}));
    // Readers get an event for a published comment; a held one only its author sees.
    if (before && before.status !== 'published') {
      this.store.removeOrTombstone(id);
      this.notify();
    }
  }

  /** Sets or clears a reaction (optimistic); `target` is a comment id, `{comment}` or `{article}`. */
  async react(target: ReactionTarget | string, kind: string, on = true): Promise<ReactionState> {
    if (this.closed) throw new ClosedError();
    let t: ReactionTarget = typeof target === 'string' ? { comment: target } : target;
    if ('comment' in t) t = { comment: this.serverIdOf(t.comment) };
    const undo = this.store.toggleReaction(t, kind, on);
    this.notify();
    const payload: { target: ReactionTarget; kind: string; on: boolean; guest?: { name: string } } = { target: t, kind, on };
    if (this.guest && !this.d.tokens.current) payload.guest = this.guest;
    try {
      const state = await this.withRetry(() => this.d.conn.request('reaction:set', payload));
      this.store.setReactionState(t, state);
      this.notify();
      return state;
    } catch (err) {
      undo?.();
      this.notify();
      throw err;
    }
  }

  /**
   * Runs an idempotent request (edit, delete, reaction: each sets a state), asking again after
   * failures that may pass, except rate limits, which the caller should see.
   */
  private async withRetry<T>(fn: () => Promise<T>, goneAfterRetry?: () => T): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const e = asCharchaError(err);
        if (attempt > 1 && e.code === 'not_found' && goneAfterRetry) return goneAfterRetry();
        if (!e.transient || e.code === 'rate_limited' || attempt >= this.d.retry.attempts || this.closed) throw e;
        await sleep(Math.min(this.d.retry.maxDelayMs, this.d.retry.baseDelayMs * 2 ** (attempt - 1)));
      }
    }
  }

  /** Reports a comment to the moderators. */
  flag(idOrKey: string, reason: FlagReason, note?: string): Promise<void> {
    return this.d.http.flag(this.serverIdOf(idOrKey), reason, note);
  }

  /** Leaves the room and stops; unsent posts are dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimer(this.gapTimer);
    this.outbox.close();
    for (const off of this.offs.splice(0)) off();
    if (!this.joined.done) this.joined.reject(new ClosedError());
    this.setStatus('closed');
    this.removeAllListeners();
    this.d.onClose(this);
  }

  // ---------------------------------------------------------------- sync

  private async start(joined: Promise<void>): Promise<void> {
    try {
      await this.loadFirst();
    } catch (err) {
      this.setStatus('error');
      throw err;
    }
    void this.sync();
    await joined;
  }

  private loadFirst(): Promise<void> {
    if (this.loaded) return Promise.resolve();
    if (!this.firstLoad) {
      this.firstLoad = this.readFirstPage().finally(() => {
        this.firstLoad = undefined;
      });
    }
    return this.firstLoad;
  }

  private async readFirstPage(): Promise<void> {
    const read = () =>
      Promise.all([
        this.d.http.article(this.article),
        this.d.http.comments(this.article, { sort: this.sort, limit: this.pageSize }),
      ]);
    const prefetched = this.prefetched;
    this.prefetched = undefined;
    const [view, page] = await this.withCatchup(() =>
      prefetched ? prefetched.then((f): [ArticleView, CommentPage] => [f.article, f.page], read) : read(),
    ).then((r) => r.result);
    if (this.closed) return;
    // The article view and the page were read side by side: when the server says which seq
    // each reflects and they differ, read the one behind again, so both stand at one seq.
    let [v, p] = [view, page];
    for (let i = 0; i < 2 && v.seq !== undefined && p.seq !== undefined && v.seq !== p.seq && !this.closed; i++) {
      if (v.seq < p.seq) v = await this.d.http.article(this.article);
      else p = await this.d.http.comments(this.article, { sort: this.sort, limit: this.pageSize });
    }
    if (this.closed) return;
    this.refreshMe();
    this.store.setArticle(v);
    this.store.addPage(p);
    // Every event up to the page's seq is in it: a join with `since` that seq replays exactly
    // the later events. Without a seq from the server, the newest change the page shows is a
    // lower bound, and a replay may repeat what the page already counts.
    const exact = p.seq !== undefined && v.seq === p.seq;
    this.base = p.seq ?? this.store.maxSeq();
    this.fresh = !exact;
    this.loaded = true;
    this.notify();
  }

  /** Joins (or rejoins) the room and applies what was missed; one at a time. */
  private sync(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = this.syncLoop().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async syncLoop(): Promise<void> {
    let delay = 500;
    do {
      this.again = false;
      try {
        await this.syncOnce();
        delay = 500;
      } catch (err) {
        if (this.closed) return;
        const e = asCharchaError(err);
        if (e.code === 'closed') return;
        const refused = this.d.conn.status === 'refused' && (e.code === 'not_found' || e.code === 'forbidden');
        if (refused || (!this.joined.done && !e.transient && e.code !== 'unauthorized')) {
          this.setStatus('error');
          if (!this.joined.done) {
            this.joined.done = true;
            this.joined.reject(e);
          } else this.emit('error', e);
          return;
        }
        this.emit('error', e);
        if (!this.d.conn.connected) return; // the next connect syncs again
        await sleep(delay);
        delay = Math.min(delay * 2, 30_000);
        this.again = true;
      }
    } while (this.again && !this.closed);
  }

  private async syncOnce(): Promise<void> {
    this.seq.hold();
    this.clearGap();
    if (this.status !== 'loading') this.setStatus(this.d.conn.connected ? 'syncing' : 'offline');
    if (!this.loaded) await this.loadFirst();
    await this.d.conn.whenConnected();
    if (this.closed) return;
    this.setStatus('syncing');
    const since = this.seq.last ?? this.base;
    const ack = await this.d.conn.request(
      'article:join',
      since === undefined ? { article: this.article } : { article: this.article, since },
    );
    if (this.closed) return;
    let gap: boolean;
    if (ack.reset || since === undefined) {
      await this.reloadAll();
      if (this.closed) return;
      this.store.exactCounts = false;
      gap = this.seq.resume(ack.seq, [], ack.seq);
    } else {
      // A replay onto pages just read may repeat what they show: leave relative counts alone.
      this.store.exactCounts = !this.fresh;
      gap = this.seq.resume(since, ack.missed ?? [], ack.seq);
    }
    this.store.exactCounts = true;
    this.fresh = false;
    this.store.setViewers(ack.viewers);
    if (gap) this.armGap();
    this.setStatus('live');
    if (!this.joined.done) {
      this.joined.done = true;
      this.joined.resolve();
    }
    this.notify();
  }

  /** Loads as many top-level comments, and expanded replies, as the reader had; replaces all. */
  private async reloadAll(): Promise<void> {
    const want = Math.max(this.pageSize, this.store.topCount());
    const expanded = this.store.expanded().slice(0, 20);
    const [view, top] = await Promise.all([
      this.d.http.article(this.article),
      this.fetchPages(want, (cursor, limit) => this.d.http.comments(this.article, { sort: this.sort, limit, cursor })),
    ]);
    const known = new Set<string>();
    for (const c of top.comments) {
      known.add(c.id);
      for (const r of c.replies ?? []) known.add(r.id);
    }
    const replies: { parent: string; page: CommentPage }[] = [];
    for (const e of expanded) {
      if (!known.has(e.id)) continue;
      const page = await this.fetchPages(Math.max(e.count, 1), (cursor, limit) =>
        this.d.http.comments(this.article, { parent: e.id, sort: 'oldest', limit, cursor }),
      );
      replies.push({ parent: e.id, page });
      for (const c of page.comments) known.add(c.id);
    }
    if (this.closed) return;
    this.epoch++;
    this.fresh = true;
    this.refreshMe();
    this.store.rebuild(top, replies);
    this.store.setArticle(view);
  }

  private async fetchPages(
    want: number,
    get: (cursor: string | null, limit: number) => Promise<CommentPage>,
  ): Promise<CommentPage> {
    const out: CommentPage = { comments: [], nextCursor: null, total: 0 };
    let cursor: string | null = null;
    do {
      const page = await get(cursor, Math.min(100, Math.max(1, want - out.comments.length)));
      out.comments.push(...page.comments);
      out.total = page.total;
      cursor = page.nextCursor;
    } while (cursor !== null && out.comments.length < want);
    out.nextCursor = cursor;
    return out;
  }

  private onMessage(m: ArticleMessage): void {
    if (this.closed) return;
    if (m.type === 'presence') {
      this.store.setViewers(m.viewers);
      this.applied.push(m);
      this.notify();
      return;
    }
    const gap = this.seq.push(m);
    if (!this.seq.isHolding) {
      if (gap) this.armGap();
      else this.clearGap();
    }
    this.notify();
  }

  /** Events can be sent out of order by a busy server: wait a moment before rejoining. */
  private armGap(): void {
    if (this.gapTimer !== undefined) return;
    this.gapTimer = setTimer(() => {
      this.gapTimer = undefined;
      if (this.seq.heldCount > 0 && !this.closed) void this.sync();
    }, this.gapWaitMs);
  }

  private clearGap(): void {
    clearTimer(this.gapTimer);
    this.gapTimer = undefined;
  }

  private connectionLost(): void {
    if (this.closed) return;
    this.seq.hold();
    this.clearGap();
    if (this.status === 'live' || this.status === 'syncing') this.setStatus('offline');
  }

  // ---------------------------------------------------------------- internals

  private async send(clientId: string): Promise<Comment> {
    const draft = this.drafts.get(clientId);
    if (!draft) throw new ClosedError('Discarded');
    let parentId: string | undefined;
    if (draft.parentKey) {
      if (this.store.localState(draft.parentKey)) throw new ValidationError('The comment this replies to was not posted');
      parentId = this.store.serverId(draft.parentKey);
      if (!parentId) throw new ValidationError('The comment this replies to is not in this thread');
    }
    const payload: PostPayload = { article: this.article, body: draft.body, clientId };
    if (parentId) payload.parentId = parentId;
    if (draft.guest && !this.d.tokens.current) payload.guest = draft.guest;
    const { comment } = await this.d.conn.request('comment:post', payload);
    if (this.closed) throw new ClosedError();
    this.refreshMe();
    this.store.reconcile(clientId, comment);
    this.drafts.delete(clientId);
    this.notify();
    return comment;
  }

  private serverIdOf(idOrKey: string): string {
    const id = this.store.serverId(idOrKey);
    if (!id) throw new ValidationError('That comment is not posted yet');
    return id;
  }

  private refreshMe(): void {
    const claims = this.d.tokens.claims;
    this.store.me = claims ? { id: claims.sub } : this.guest ? { guestName: this.guest.name } : {};
  }

  /** Runs a page request, collecting the events applied meanwhile. */
  private async withCatchup<T>(fn: () => Promise<T>): Promise<{ result: T; events: ArticleEvent[] }> {
    if (this.pagesOut++ === 0) this.catchup = [];
    const start = this.catchup!.length;
    const list = this.catchup!;
    try {
      const result = await fn();
      return { result, events: list.slice(start) };
    } finally {
      if (--this.pagesOut === 0) this.catchup = undefined;
    }
  }

  /** Applies events again on top of a page that may have been read before them. */
  private replay(events: ArticleEvent[]): void {
    if (events.length === 0) return;
    this.store.exactCounts = false;
    try {
      for (const ev of events) this.store.apply(ev);
    } finally {
      this.store.exactCounts = true;
    }
  }

  private setStatus(status: ThreadStatus): void {
    if (this.status === status || this.status === 'closed') return;
    this.status = status;
    this.emit('status', status);
  }

  private notify(): void {
    if (this.closed) return;
    for (const m of this.applied.splice(0)) this.emit('event', m);
    if (this.store.version !== this.seenVersion) {
      this.seenVersion = this.store.version;
      this.emit('change');
    }
  }
}

/** How an unsent comment shows until the server's sanitized HTML replaces it. */
export function textToHtml(text: string): string {
  return text
    .trim()
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/\r\n?|\n/g, '<br>');
}

export { localKey };
