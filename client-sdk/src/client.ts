// createClient: one connection, one HTTP API and one token source, shared by every thread.
import { Connection, type ConnectionStatus, type IoFactory, type SocketIoOptions } from './connection';
import { Emitter } from './emitter';
import { ClosedError, ValidationError, type CharchaError } from './errors';
import { HttpApi } from './http';
import { ModerationFeed } from './moderation';
import { Notifications } from './notifications';
import { DEFAULT_RETRY, type RetryPolicy } from './outbox';
import type { FetchLike } from './platform';
import { Thread, type ThreadOptions } from './thread';
import { TokenSource, type TokenClaims, type TokenOption } from './token';

export interface ClientOptions {
  /** The server's origin, e.g. `https://comments.example.com` (no path). */
  url: string;
  /** The site id the host is registered under. */
  site: string;
  /**
   * The signed-in user's JWT, or a function that returns one (called again when the server
   * says the token expired). Omit for anonymous readers.
   */
  token?: TokenOption;
  /** Name to post under when there is no token, on sites that allow guests. */
  guest?: { name: string };
  /** socket.io-client's `io` (the package entry point passes it for you). */
  io?: IoFactory;
  /** A fetch function; the global one by default. */
  fetch?: FetchLike;
  /** Passed to `io()`: e.g. `{ transports: ['websocket'] }` on React Native, or `path`. */
  socketOptions?: SocketIoOptions;
  /** HTTP request timeout (default 15 s). */
  requestTimeoutMs?: number;
  /** Socket acknowledgement timeout (default 10 s). */
  ackTimeoutMs?: number;
  /** How posts are retried (default 5 attempts, 1 s doubling to 30 s). */
  retry?: Partial<RetryPolicy>;
}

interface ClientEvents {
  /** The connection's state: idle, connecting, connected, disconnected, refused, closed. */
  status: [ConnectionStatus];
  error: [CharchaError];
}

export class CharchaClient extends Emitter<ClientEvents> {
  /** Every HTTP route of the contract, typed. */
  readonly api: HttpApi;
  readonly url: string;
  readonly site: string;
  private readonly tokens: TokenSource;
  private readonly conn: Connection;
  private readonly threads = new Set<Thread>();
  private readonly feeds = new Set<ModerationFeed>();
  private readonly retry: RetryPolicy;
  private notes: Notifications | undefined;
  private closed = false;

  constructor(private readonly o: ClientOptions) {
    super();
    if (!o || typeof o.url !== 'string' || !o.url) throw new ValidationError('createClient: `url` is required');
    if (typeof o.site !== 'string' || !o.site) throw new ValidationError('createClient: `site` is required');
    if (typeof o.io !== 'function') {
      throw new ValidationError('createClient: pass `io` from socket.io-client (or import from "@charcha/client")');
    }
    this.url = o.url.replace(/\/+$/, '');
    this.site = o.site;
    this.tokens = new TokenSource(o.token);
    this.retry = { ...DEFAULT_RETRY, ...o.retry };
    this.api = new HttpApi({
      url: this.url,
      site: o.site,
      tokens: this.tokens,
      fetch: o.fetch,
      timeoutMs: o.requestTimeoutMs ?? 15_000,
    });
    this.conn = new Connection({
      url: this.url,
      site: o.site,
      tokens: this.tokens,
      io: o.io,
      ackTimeoutMs: o.ackTimeoutMs ?? 10_000,
      socketOptions: o.socketOptions,
    });
    this.conn.on('status', (s) => this.emit('status', s));
    this.conn.on('error', (e) => this.emit('error', e));
  }

  /** The connection's state. */
  get status(): ConnectionStatus {
    return this.conn.status;
  }

  /** The signed-in user as the token says (decoded, not verified), once a token is known. */
  get user(): TokenClaims | undefined {
    return this.tokens.claims;
  }

  /**
   * The signed-in reader's notifications: `list()`, `unread`, `markRead()`, and live events
   * (`notification`, `unread`, `read`) once a listener is added or `start()` is called.
   */
  get notifications(): Notifications {
    if (this.closed) throw new ClosedError();
    return (this.notes ??= new Notifications(this.conn, this.api));
  }

  /** Opens an article's live thread. */
  thread(article: string, opts: ThreadOptions = {}): Thread {
    if (this.closed) throw new ClosedError();
    if (typeof article !== 'string' || !article) throw new ValidationError('thread: an article id is required');
    const thread = new Thread(
      {
        conn: this.conn,
        http: this.api,
        tokens: this.tokens,
        guest: this.o.guest,
        retry: this.retry,
        onClose: (t) => this.threads.delete(t),
      },
      article,
      opts,
    );
    this.threads.add(thread);
    return thread;
  }

  /**
   * Signs in, out, or changes user: the open socket gets `auth:refresh` (or reconnects when
   * signing out), and open threads reload, so `myReactions` and held comments are the new user's.
   */
  async setToken(token: TokenOption): Promise<void> {
    this.tokens.set(token);
    await this.conn.tokenChanged();
    await Promise.all([...[...this.threads].map((t) => t.reload().catch(() => undefined)), this.notes?.refresh()]);
  }

  /** Comment counts of many articles (for "12 comments" links). */
  counts(articles: string[]): Promise<Record<string, number>> {
    return this.api.counts(articles);
  }

  /** The moderators' live queue (needs a moderator or admin token). */
  moderation(): ModerationFeed {
    if (this.closed) throw new ClosedError();
    const feed = new ModerationFeed(
      this.o.io!,
      this.url,
      this.site,
      this.tokens,
      this.o.ackTimeoutMs ?? 10_000,
      this.o.socketOptions,
    );
    this.feeds.add(feed);
    return feed;
  }

  /** Closes every thread and the connection. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of [...this.threads]) t.close();
    for (const f of this.feeds) f.close();
    this.conn.close();
    this.removeAllListeners();
  }
}

/** A client for one site (see ClientOptions); `io` is required here, the package entry fills it. */
export function createClient(options: ClientOptions): CharchaClient {
  return new CharchaClient(options);
}
