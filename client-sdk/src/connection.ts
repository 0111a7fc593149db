// One Socket.IO connection per client, shared by all its threads: handshake auth from the
// token source, acknowledgements as promises with a timeout, `unauthorized` answers retried
// once after `auth:refresh`, and article events routed to the threads that listen to them.
import type { ManagerOptions, Socket, SocketOptions } from 'socket.io-client';
import { Emitter } from './emitter';
import {
  CharchaError,
  ClosedError,
  NetworkError,
  TimeoutError,
  UnauthorizedError,
  errorFromBody,
  isErrorBody,
} from './errors';
import { clearTimer, now, setTimer, type Timer } from './platform';
import {
  ARTICLE_EVENT_TYPES,
  type ArticleEvent,
  type ClientToServerEvents,
  type ErrorBody,
  type Notification,
  type NotificationsRead,
  type ServerToClientEvents,
} from './protocol';
import type { TokenSource } from './token';

export type SocketIoOptions = Partial<ManagerOptions & SocketOptions>;
/** socket.io-client's `io`, or anything with its shape (tests, custom transports). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type IoFactory = (url: string, opts: SocketIoOptions) => Socket<any, any>;
export type ReaderSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** `idle`: nothing opened yet; `disconnected`: trying again; `refused`: the server said no. */
export type ConnectionStatus = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'refused' | 'closed';

export type PresenceEvent = { type: 'presence'; article: string; viewers: number };
export type ArticleMessage = ArticleEvent | PresenceEvent;
export type ArticleListener = (message: ArticleMessage) => void;

/** The result type of a client-to-server event's acknowledgement. */
export type AckResult<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[1] extends (
  answer: infer A,
) => void
  ? Exclude<A, ErrorBody>
  : never;

export interface ConnectionOptions {
  url: string;
  site: string;
  tokens: TokenSource;
  io: IoFactory;
  ackTimeoutMs: number;
  socketOptions?: SocketIoOptions;
}

interface ConnectionEvents {
  status: [ConnectionStatus];
  connect: [];
  error: [CharchaError];
  /** The signed-in reader's own events (client-sdk/src/notifications.ts). */
  notification: [Notification];
  'notification:read': [NotificationsRead];
}

export interface RequestOpts {
  timeoutMs?: number;
  /** Wait this long for a connection first (default: the ack timeout); 0: fail at once. */
  connectTimeoutMs?: number;
}

export class Connection extends Emitter<ConnectionEvents> {
  status: ConnectionStatus = 'idle';
  /** Why the server last refused the connection, when `status` is `refused`. */
  refusal: CharchaError | undefined;
  private socket: ReaderSocket | undefined;
  private readonly routes = new Map<string, Set<ArticleListener>>();
  private waiters = new Set<{ resolve(): void; reject(e: CharchaError): void }>();
  private refreshing: Promise<void> | undefined;
  private refreshTimer: Timer | undefined;
  private retryTimer: Timer | undefined;
  private retryDelay = 1000;
  private handshakeRefreshAt = 0;
  /** The token the server holds for this socket (handshake or auth:refresh). */
  private sentToken: string | undefined;
  /** A fixed token the server refused (expired): the socket reads on without it. */
  private refusedToken: string | undefined;

  constructor(private readonly o: ConnectionOptions) {
    super();
  }

  get connected(): boolean {
    return this.status === 'connected' && !!this.socket?.connected;
  }

  /** Opens the socket if it is not open yet. */
  open(): void {
    if (this.socket || this.status === 'closed') return;
    const { site, tokens } = this.o;
    const socket = this.o.io(this.o.url, {
      ...this.o.socketOptions,
      auth: (cb: (data: object) => void) => {
        tokens.get().then(
          (token) => {
            this.sentToken = token !== this.refusedToken ? token : undefined;
            cb(this.sentToken ? { site, token: this.sentToken } : { site });
          },
          () => {
            this.sentToken = undefined;
            cb({ site });
          },
        );
      },
    }) as ReaderSocket;
    this.socket = socket;
    this.setStatus('connecting');

    socket.on('connect', () => {
      this.refusal = undefined;
      this.retryDelay = 1000;
      this.setStatus('connected');
      for (const w of [...this.waiters]) w.resolve();
      this.waiters.clear();
      this.scheduleRefresh();
      this.emit('connect');
    });
    socket.on('disconnect', (reason) => {
      if (this.status === 'closed') return;
      this.setStatus('disconnected');
      // The server closed this socket on purpose: Socket.IO will not come back by itself.
      if (reason === 'io server disconnect') this.retryLater();
    });
    socket.on('connect_error', (err: Error & { data?: unknown }) => {
      if (this.status === 'closed') return;
      if (socket.active) {
        // A transport failure: the manager retries with its own backoff.
        if (this.status !== 'disconnected') this.setStatus('disconnected');
        return;
      }
      const refusal = isErrorBody(err.data) ? errorFromBody(err.data) : new NetworkError(err.message || 'Connection refused');
      if (refusal.code === 'unauthorized' && tokens.refreshable && now() - this.handshakeRefreshAt > 10_000) {
        // An expired token at the handshake: fetch a new one and try again at once.
        this.handshakeRefreshAt = now();
        this.refusal = refusal;
        tokens.refresh().then(
          () => this.reconnectNow(),
          (e: CharchaError) => this.refuse(e),
        );
        return;
      }
      if (refusal.code === 'unauthorized' && this.sentToken && !tokens.refreshable) {
        // A fixed token that expired (the server closes such sockets): the user can no
        // longer act, but readers need no token, so the socket comes back as a reader's.
        this.refusedToken = this.sentToken;
        this.emit('error', refusal);
        this.reconnectNow();
        return;
      }
      this.refuse(refusal);
    });

    for (const type of ARTICLE_EVENT_TYPES) {
      (socket as Socket).on(type, (payload: { article: string }) => this.route({ ...payload, type } as ArticleMessage));
    }
    socket.on('presence', (p) => this.route({ type: 'presence', article: p.article, viewers: p.viewers }));
    socket.on('notification', (n) => this.emit('notification', n));
    socket.on('notification:read', (e) => this.emit('notification:read', e));
  }

  /** Calls `listener` with every event of the article; returns the function that stops it. */
  subscribe(article: string, listener: ArticleListener): () => boolean {
    let set = this.routes.get(article);
    if (!set) this.routes.set(article, (set = new Set()));
    set.add(listener);
    this.open();
    return () => {
      const s = this.routes.get(article);
      s?.delete(listener);
      if (s && s.size === 0) this.routes.delete(article);
      return !this.routes.has(article);
    };
  }

  /** Resolves once connected; rejects after `timeoutMs` (when given) or when closed or refused. */
  whenConnected(timeoutMs?: number): Promise<void> {
    if (this.status === 'closed') return Promise.reject(new ClosedError());
    this.open();
    if (this.connected) return Promise.resolve();
    if (timeoutMs === 0) return Promise.reject(new NetworkError('Not connected'));
    return new Promise<void>((resolve, reject) => {
      let timer: Timer | undefined;
      const waiter = {
        resolve: () => {
          clearTimer(timer);
          resolve();
        },
        reject: (e: CharchaError) => {
          clearTimer(timer);
          reject(e);
        },
      };
      this.waiters.add(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimer(() => {
          this.waiters.delete(waiter);
          reject(new NetworkError(`Not connected after ${timeoutMs} ms`));
        }, timeoutMs);
      }
    });
  }

  /** Sends an event and resolves with its acknowledgement, or rejects with a typed error. */
  async request<E extends keyof ClientToServerEvents>(
    event: E,
    payload: Parameters<ClientToServerEvents[E]>[0],
    opts: RequestOpts = {},
  ): Promise<AckResult<E>> {
    const timeoutMs = opts.timeoutMs ?? this.o.ackTimeoutMs;
    let refreshed = false;
    for (;;) {
      if (!this.connected) await this.whenConnected(opts.connectTimeoutMs ?? timeoutMs);
      const answer = await this.emitOnce(event, payload, timeoutMs);
      if (!isErrorBody(answer)) return answer as AckResult<E>;
      if (answer.error.code === 'unauthorized' && !refreshed && event !== 'auth:refresh' && this.o.tokens.refreshable) {
        refreshed = true;
        await this.refreshAuth();
        continue;
      }
      throw errorFromBody(answer);
    }
  }

  private emitOnce(event: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    const socket = this.socket;
    if (!socket || !socket.connected) return Promise.reject(new NetworkError('Not connected'));
    return new Promise((resolve, reject) => {
      (socket as Socket).timeout(timeoutMs).emit(event, payload, (err: Error | null, answer: unknown) => {
        if (!err) resolve(answer);
        else if (/timed out/i.test(err.message)) reject(new TimeoutError(`${event}: no answer in ${timeoutMs} ms`));
        else reject(new NetworkError(`${event}: ${err.message}`));
      });
    });
  }

  /** Gets a fresh token and hands it to the server over the open socket (`auth:refresh`). */
  refreshAuth(): Promise<void> {
    if (!this.refreshing) {
      this.refreshing = (async () => {
        const token = await this.o.tokens.refresh();
        if (!token) {
          // Signed out: a socket that spoke for a user must speak for an anonymous reader.
          if (this.sentToken) this.reconnectNow();
          throw new UnauthorizedError('No token: sign in to do this');
        }
        if (!this.connected) return; // the next handshake carries it
        const answer = await this.emitOnce('auth:refresh', { token }, this.o.ackTimeoutMs);
        if (isErrorBody(answer)) throw errorFromBody(answer);
        this.sentToken = token;
        this.scheduleRefresh();
      })().finally(() => {
        this.refreshing = undefined;
      });
    }
    return this.refreshing;
  }

  /** After the token option changed: hands the new token to the server, or reconnects. */
  async tokenChanged(): Promise<void> {
    if (!this.socket) return;
    const token = await this.o.tokens.get();
    if (!token && !this.sentToken) return;
    if (!token || !this.connected) return this.reconnectNow();
    const answer = await this.emitOnce('auth:refresh', { token }, this.o.ackTimeoutMs).catch(() => undefined);
    if (answer === undefined || isErrorBody(answer)) this.reconnectNow();
    else {
      this.sentToken = token;
      this.scheduleRefresh();
    }
  }

  close(): void {
    if (this.status === 'closed') return;
    this.setStatus('closed');
    clearTimer(this.refreshTimer);
    clearTimer(this.retryTimer);
    for (const w of [...this.waiters]) w.reject(new ClosedError());
    this.waiters.clear();
    this.routes.clear();
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = undefined;
    this.removeAllListeners();
  }

  // ---------------------------------------------------------------- internals

  private route(message: ArticleMessage): void {
    const set = this.routes.get(message.article);
    if (set) for (const l of [...set]) l(message);
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.emit('status', status);
  }

  private refuse(err: CharchaError): void {
    this.refusal = err;
    this.setStatus('refused');
    this.emit('error', err);
    for (const w of [...this.waiters]) w.reject(err);
    this.waiters.clear();
    // Unknown site or origin will not change by itself; anything else may. Try again slowly.
    if (err.code !== 'not_found' && err.code !== 'forbidden') this.retryLater();
  }

  private retryLater(): void {
    clearTimer(this.retryTimer);
    const delay = this.retryDelay * (0.75 + Math.random() * 0.5);
    this.retryDelay = Math.min(this.retryDelay * 2, 30_000);
    this.retryTimer = setTimer(() => this.reconnectNow(), delay);
  }

  private reconnectNow(): void {
    const socket = this.socket;
    if (!socket || this.status === 'closed') return;
    clearTimer(this.retryTimer);
    if (socket.connected) socket.disconnect();
    this.setStatus('connecting');
    socket.connect();
  }

  /** Refreshes a token function's token a minute before it expires. */
  private scheduleRefresh(): void {
    clearTimer(this.refreshTimer);
    const exp = this.o.tokens.claims?.exp;
    if (!this.o.tokens.refreshable || !exp) return;
    const left = exp * 1000 - now();
    if (left <= 0) return; // already expired: the next `unauthorized` answer refreshes it
    const delay = Math.max(left - 60_000, Math.min(left / 2, 5_000), 1_000);
    this.refreshTimer = setTimer(() => {
      if (this.connected) this.refreshAuth().catch((e: CharchaError) => this.emit('error', e));
    }, delay);
  }
}
