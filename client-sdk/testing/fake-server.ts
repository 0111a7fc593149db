// An in-memory stand-in for a Charcha server, for unit tests of the SDK (and of UIs built on
// it): the contract's HTTP routes the SDK reads, and a fake socket.io-client `io` speaking the
// reader protocol with the server's semantics (seq per article, join-then-replay, `reset` past
// the kept history, idempotent clientId, tombstones). Faults can be injected: cut connections,
// a stopped server, lost acknowledgements, error answers, events sent out of order.
import type {
  ArticleEvent,
  ArticleEventPayloads,
  ArticleEventType,
  Comment,
  ErrorBody,
  ErrorCode,
  ReactionTarget,
} from '../src/protocol';

type Json = Record<string, unknown>;
type Handler = (...args: unknown[]) => void;

interface Stored extends Comment {
  clientId: string;
}

interface Identity {
  id: string;
  name: string;
  guest?: boolean;
}

export function fakeToken(claims: { sub: string; name: string; exp?: number; role?: string }): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const exp = claims.exp ?? Math.floor(Date.now() / 1000) + 3600;
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...claims, exp })}.sig`;
}

const err = (code: ErrorCode, message: string = code, retryAfter?: number): ErrorBody => ({
  error: retryAfter === undefined ? { code, message } : { code, message, retryAfter },
});

export class FakeServer {
  readonly site = 'demo';
  up = true;
  /** Events at or below this seq are forgotten (a join from before them gets `reset`). */
  forgottenUpTo = new Map<string, number>();
  readonly comments = new Map<string, Stored>();
  readonly events = new Map<string, ArticleEvent[]>();
  readonly sockets = new Set<FakeSocket>();
  /** Every client-to-server event received, for assertions. */
  readonly received: { event: string; payload: Json }[] = [];
  /** Answers to inject: the next calls of an event get these instead of being handled. */
  readonly inject = new Map<string, (ErrorBody | 'drop-ack' | 'no-answer')[]>();
  /** Events whose broadcast is held back until releaseHeld() (to send them out of order). */
  holdBroadcasts = false;
  private held: (() => void)[] = [];
  private nextId = 1;
  private reactions = new Map<string, Set<string>>(); // `${target}|${kind}` -> user ids
  private articleReactions = new Map<string, Record<string, number>>();

  // ---------------------------------------------------------------- client-facing factories

  io = (_url: string, opts: Json): FakeSocket => new FakeSocket(this, opts);

  fetch = async (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => {
    if (!this.up) throw new TypeError('fetch failed');
    const u = new URL(url);
    const m = u.pathname.match(/^\/api\/v1\/sites\/([^/]+)(\/.*)$/);
    const reply = (status: number, body?: unknown) => ({
      status,
      ok: status >= 200 && status < 300,
      headers: { get: (h: string) => (h.toLowerCase() === 'retry-after' && status === 429 ? '2' : null) },
      text: async () => (body === undefined ? '' : JSON.stringify(body)),
    });
    if (!m || decodeURIComponent(m[1]!) !== this.site) return reply(404, err('not_found'));
    const path = m[2]!;
    const token = init.headers.authorization?.replace(/^Bearer /, '');
    const who = this.identify(token);
    if (who === 'expired') return reply(401, err('unauthorized', 'Token expired'));
    let r: RegExpMatchArray | null;
    if (init.method === 'GET' && (r = path.match(/^\/articles\/([^/]+)$/))) {
      const article = decodeURIComponent(r[1]!);
      return reply(200, {
        article,
        commentCount: this.visible(article).filter((c) => c.status === 'published').length,
        reactions: { ...(this.articleReactions.get(article) ?? {}) },
        locked: false,
        viewers: this.viewers(article),
      });
    }
    if (init.method === 'GET' && (r = path.match(/^\/articles\/([^/]+)\/comments$/))) {
      const article = decodeURIComponent(r[1]!);
      const q = u.searchParams;
      return reply(200, this.list(article, q.get('sort') ?? 'newest', Number(q.get('limit') ?? 20), q.get('cursor'), q.get('parent'), who));
    }
    return reply(404, err('not_found', `no route ${init.method} ${path}`));
  };

  // ---------------------------------------------------------------- faults

  /** Cuts every connection; clients reconnect by themselves while the server is up. */
  cutAll(): void {
    for (const s of [...this.sockets]) s.serverCut();
  }

  stop(): void {
    this.up = false;
    this.cutAll();
  }

  start(): void {
    this.up = true;
  }

  /** Forgets the history of an article up to its current seq (joins from before get reset). */
  forget(article: string): void {
    this.forgottenUpTo.set(article, this.seq(article));
  }

  releaseHeld(order: 'fifo' | 'reverse' = 'fifo'): void {
    const list = this.held.splice(0);
    if (order === 'reverse') list.reverse();
    for (const f of list) f();
  }

  // ---------------------------------------------------------------- server-side actions

  seq(article: string): number {
    const list = this.events.get(article);
    return list && list.length ? list[list.length - 1]!.seq : (this.forgottenUpTo.get(article) ?? 0);
  }

  /** Posts as a user, as if from another client. */
  post(article: string, author: Identity, body: string, parentId: string | null = null, clientId = `srv${this.nextId}`): Comment {
    const existing = [...this.comments.values()].find((c) => c.author.id === author.id && c.clientId === clientId);
    if (existing) return this.view(existing);
    const parent = parentId ? this.comments.get(parentId) : undefined;
    const id = (this.nextId++).toString(16).padStart(24, '0');
    const c: Stored = {
      id,
      article,
      parentId: parent ? parent.id : null,
      replyTo: null,
      depth: parent ? parent.depth + 1 : 0,
      author: author.guest ? { id: author.id, name: author.name, guest: true } : { id: author.id, name: author.name },
      body: `<p>${body}</p>`,
      status: 'published',
      createdAt: new Date().toISOString(),
      editedAt: null,
      reactions: {},
      replyCount: 0,
      seq: 0,
      clientId,
    };
    this.comments.set(id, c);
    if (parent) parent.replyCount++;
    c.seq = this.append(article, 'comment:created', this.view(c));
    return this.view(c);
  }

  edit(id: string, body: string): Comment {
    const c = this.comments.get(id)!;
    c.body = `<p>${body}</p>`;
    c.editedAt = new Date().toISOString();
    c.seq = this.append(c.article, 'comment:updated', this.view(c));
    return this.view(c);
  }

  remove(id: string): void {
    const c = this.comments.get(id)!;
    if (c.replyCount > 0) {
      c.status = 'deleted';
      c.body = '';
      c.author = { id: '', name: '' };
      c.seq = this.append(c.article, 'comment:updated', this.view(c));
      return;
    }
    this.comments.delete(id);
    if (c.parentId) this.comments.get(c.parentId)!.replyCount--;
    this.append(c.article, 'comment:deleted', { id });
  }

  react(user: string, target: ReactionTarget, kind: string, on: boolean): { reactions: Record<string, number>; myReactions: string[] } {
    const key = 'comment' in target ? `c:${target.comment}` : `a:${target.article}`;
    const set = this.reactions.get(`${key}|${kind}`) ?? new Set<string>();
    this.reactions.set(`${key}|${kind}`, set);
    const changed = on ? !set.has(user) : set.has(user);
    if (on) set.add(user);
    else set.delete(user);
    const totals: Record<string, number> = {};
    const mine: string[] = [];
    for (const [k, users] of this.reactions) {
      const [t, kd] = k.split('|') as [string, string];
      if (t !== key) continue;
      if (users.size) totals[kd] = users.size;
      if (users.has(user)) mine.push(kd);
    }
    const article = 'comment' in target ? this.comments.get(target.comment)!.article : target.article;
    if ('comment' in target) this.comments.get(target.comment)!.reactions = totals;
    else this.articleReactions.set(target.article, totals);
    if (changed) this.append(article, 'reaction:updated', { target, reactions: totals });
    return { reactions: totals, myReactions: mine };
  }

  /** What a fresh reader sees: the visible comments of an article. */
  visible(article: string): Comment[] {
    return [...this.comments.values()]
      .filter((c) => c.article === article && (c.status === 'published' || c.status === 'deleted'))
      .map((c) => this.view(c));
  }

  viewers(article: string): number {
    return [...this.sockets].filter((s) => s.rooms.has(article)).length;
  }

  // ---------------------------------------------------------------- internals

  identify(token: string | undefined): Identity | null | 'expired' {
    if (!token) return null;
    try {
      const p = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string; name: string; exp: number };
      if (p.exp * 1000 < Date.now()) return 'expired';
      return { id: p.sub, name: p.name };
    } catch {
      return 'expired';
    }
  }

  private view(c: Stored): Comment {
    const { clientId: _c, ...rest } = c;
    return JSON.parse(JSON.stringify(rest)) as Comment;
  }

  private append<K extends ArticleEventType>(article: string, type: K, payload: Omit<ArticleEventPayloads[K], 'article' | 'seq'>): number {
    const seq = this.seq(article) + 1;
    const ev = { ...payload, type, article, seq } as unknown as ArticleEvent;
    const list = this.events.get(article) ?? [];
    list.push(ev);
    this.events.set(article, list);
    const send = () => {
      const { type: t, ...wire } = ev;
      for (const s of this.sockets) if (s.rooms.has(article)) s.deliver(t, JSON.parse(JSON.stringify(wire)));
    };
    if (this.holdBroadcasts) this.held.push(send);
    else send();
    return seq;
  }

  private list(article: string, sort: string, limit: number, cursor: string | null, parent: string | null, _who: unknown) {
    let all = this.visible(article).filter((c) => c.parentId === (parent ?? null));
    all.sort((a, b) => (a.id < b.id ? -1 : 1));
    if (sort !== 'oldest') all.reverse();
    const total = all.length;
    if (cursor) all = all.filter((c) => (sort === 'oldest' ? c.id > cursor : c.id < cursor));
    const page = all.slice(0, limit);
    const nextCursor = all.length > limit ? page[page.length - 1]!.id : null;
    const comments = page.map((c) => {
      if (parent) return c;
      const replies = this.visible(article)
        .filter((r) => r.parentId === c.id)
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .slice(0, 3);
      return { ...c, replies };
    });
    return { comments, nextCursor, total };
  }

  /** Handles a client event; the answer goes to the ack. */
  handle(socket: FakeSocket, event: string, p: Json): unknown {
    this.received.push({ event, payload: p });
    const who = socket.identity;
    switch (event) {
      case 'article:join': {
        const article = p.article as string;
        socket.rooms.add(article);
        const seq = this.seq(article);
        const since = p.since as number | undefined;
        if (since === undefined) return { seq, viewers: this.viewers(article) };
        const forgotten = this.forgottenUpTo.get(article) ?? 0;
        if (since > seq || since < forgotten) return { seq, viewers: this.viewers(article), reset: true };
        const missed = (this.events.get(article) ?? []).filter((e) => e.seq > since);
        return { seq, viewers: this.viewers(article), missed: JSON.parse(JSON.stringify(missed)) };
      }
      case 'article:leave':
        socket.rooms.delete(p.article as string);
        return {};
      case 'comment:post': {
        const guest = p.guest as { name: string } | undefined;
        const author = who ?? (guest ? { id: `g_${guest.name}`, name: guest.name, guest: true } : null);
        if (!author) return err('unauthorized', 'Sign in to comment');
        if (!(p.body as string).trim()) return err('bad_request', 'The comment is empty');
        return { comment: this.post(p.article as string, author, p.body as string, (p.parentId as string) ?? null, p.clientId as string) };
      }
      case 'comment:edit': {
        const c = this.comments.get(p.id as string);
        if (!c) return err('not_found');
        if (!who || c.author.id !== who.id) return err('forbidden');
        return { comment: this.edit(c.id, p.body as string) };
      }
      case 'comment:delete': {
        const c = this.comments.get(p.id as string);
        if (!c) return err('not_found');
        if (!who || c.author.id !== who.id) return err('forbidden');
        this.remove(c.id);
        return {};
      }
      case 'reaction:set':
        if (!who) return err('unauthorized');
        return this.react(who.id, p.target as ReactionTarget, p.kind as string, p.on as boolean);
      case 'auth:refresh': {
        const next = this.identify(p.token as string);
        if (next === 'expired' || !next) return err('unauthorized', 'Token expired');
        socket.identity = next;
        socket.expired = false;
        return {};
      }
      default:
        return err('bad_request', `unknown event ${event}`);
    }
  }
}

/** The client side of a fake connection, shaped like socket.io-client's Socket. */
export class FakeSocket {
  connected = false;
  active = true;
  readonly rooms = new Set<string>();
  identity: Identity | null = null;
  /** The token on this socket expired: writes answer `unauthorized` until auth:refresh. */
  expired = false;
  private readonly handlers = new Map<string, Set<Handler>>();
  private epoch = 0;
  private acks = new Set<(e: Error) => void>();

  constructor(
    private readonly server: FakeServer,
    private readonly opts: Json,
  ) {
    if (opts.autoConnect !== false) this.connect();
  }

  on(event: string, fn: Handler): this {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(fn);
    return this;
  }

  off(event: string, fn: Handler): this {
    this.handlers.get(event)?.delete(fn);
    return this;
  }

  removeAllListeners(): this {
    this.handlers.clear();
    return this;
  }

  connect(): this {
    this.active = true;
    const epoch = ++this.epoch;
    setTimeout(() => {
      if (epoch !== this.epoch || this.connected) return;
      if (!this.server.up) {
        this.fire('connect_error', new Error('xhr poll error'));
        setTimeout(() => epoch === this.epoch && this.active && this.connect(), 20);
        return;
      }
      const auth = this.opts.auth as ((cb: (d: Json) => void) => void) | Json | undefined;
      const done = (data: Json) => {
        if (epoch !== this.epoch) return;
        const who = this.server.identify(data.token as string | undefined);
        if (who === 'expired') {
          this.active = false;
          const e = new Error('Token expired') as Error & { data: ErrorBody };
          e.data = err('unauthorized', 'Token expired');
          this.fire('connect_error', e);
          return;
        }
        this.identity = who;
        this.connected = true;
        this.server.sockets.add(this);
        this.fire('connect');
      };
      if (typeof auth === 'function') auth(done);
      else done(auth ?? {});
    }, 1);
    return this;
  }

  disconnect(): this {
    this.active = false;
    this.drop('io client disconnect');
    return this;
  }

  /** The server side lost this connection: the client reconnects by itself. */
  serverCut(): void {
    if (!this.connected) return;
    this.drop('transport close');
    const epoch = this.epoch;
    setTimeout(() => epoch === this.epoch && this.active && this.connect(), 10);
  }

  private drop(reason: string): void {
    this.epoch++;
    const was = this.connected;
    this.connected = false;
    this.rooms.clear();
    this.server.sockets.delete(this);
    for (const a of [...this.acks]) a(new Error('socket has been disconnected'));
    this.acks.clear();
    if (was) this.fire('disconnect', reason);
  }

  timeout(ms: number) {
    return {
      emit: (event: string, payload: Json, cb: (e: Error | null, answer?: unknown) => void) => this.send(event, payload, cb, ms),
    };
  }

  emit(event: string, payload: Json, ack?: (answer: unknown) => void): this {
    this.send(event, payload, (e, a) => !e && ack?.(a), 0);
    return this;
  }

  private send(event: string, payload: Json, cb: (e: Error | null, answer?: unknown) => void, ms: number): this {
    let settled = false;
    const settle = (e: Error | null, answer?: unknown) => {
      if (settled) return;
      settled = true;
      this.acks.delete(onDrop);
      clearTimeout(timer);
      cb(e, answer);
    };
    const onDrop = (e: Error) => settle(e);
    this.acks.add(onDrop);
    const timer = ms > 0 ? setTimeout(() => settle(new Error('operation has timed out')), ms) : undefined;
    if (!this.connected) return this; // socket.io-client would buffer; the SDK never relies on it
    const epoch = this.epoch;
    const wire = JSON.parse(JSON.stringify(payload)) as Json;
    setTimeout(() => {
      if (epoch !== this.epoch) return;
      const injected = this.server.inject.get(event)?.shift();
      if (injected === 'no-answer') return;
      let answer: unknown;
      if (injected && injected !== 'drop-ack') answer = injected;
      else if (this.expired && event !== 'article:join' && event !== 'auth:refresh') answer = err('unauthorized', 'Token expired');
      else answer = this.server.handle(this, event, wire);
      if (injected === 'drop-ack') return;
      const json = JSON.parse(JSON.stringify(answer));
      setTimeout(() => epoch === this.epoch && settle(null, json), 0);
    }, 0);
    return this;
  }

  deliver(event: string, payload: unknown): void {
    const epoch = this.epoch;
    setTimeout(() => epoch === this.epoch && this.fire(event, payload), 0);
  }

  private fire(event: string, ...args: unknown[]): void {
    for (const fn of [...(this.handlers.get(event) ?? [])]) fn(...args);
  }
}
