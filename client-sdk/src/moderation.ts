// The moderators' live queue: namespace `/moderation` (moderator and admin tokens only).
import type { Socket } from 'socket.io-client';
import type { IoFactory, SocketIoOptions } from './connection';
import { Emitter } from './emitter';
import { ClosedError, NetworkError, TimeoutError, errorFromBody, isErrorBody, type CharchaError } from './errors';
import type {
  Comment,
  ModerationAction,
  ModerationClientToServerEvents,
  ModerationServerToClientEvents,
  QueueItem,
  QueueState,
} from './protocol';
import type { TokenSource } from './token';

export interface ModerationEvents {
  'queue:added': [QueueItem];
  'queue:updated': [QueueItem];
  'queue:removed': [Parameters<ModerationServerToClientEvents['queue:removed']>[0]];
  'queue:counts': [{ pending: number; flagged: number }];
  connect: [];
  disconnect: [];
  /** The handshake was refused (not a moderator, expired token, unknown site). */
  error: [CharchaError];
}

export class ModerationFeed extends Emitter<ModerationEvents> {
  private socket: Socket<ModerationServerToClientEvents, ModerationClientToServerEvents> | undefined;
  private refreshedAt = 0;

  constructor(
    io: IoFactory,
    url: string,
    site: string,
    private readonly tokens: TokenSource,
    private readonly ackTimeoutMs: number,
    socketOptions?: SocketIoOptions,
  ) {
    super();
    const socket = io(`${url}/moderation`, {
      ...socketOptions,
      auth: (cb: (data: object) => void) => {
        tokens.get().then(
          (token) => cb(token ? { site, token } : { site }),
          () => cb({ site }),
        );
      },
    }) as Socket<ModerationServerToClientEvents, ModerationClientToServerEvents>;
    this.socket = socket;
    socket.on('queue:added', (item) => this.emit('queue:added', item));
    socket.on('queue:updated', (item) => this.emit('queue:updated', item));
    socket.on('queue:removed', (e) => this.emit('queue:removed', e));
    socket.on('queue:counts', (e) => this.emit('queue:counts', e));
    socket.on('connect', () => this.emit('connect'));
    socket.on('disconnect', (reason) => {
      this.emit('disconnect');
      // The server closes a socket whose token has expired: come back with a new token, when
      // there is a way to get one.
      if (reason === 'io server disconnect' && this.tokens.refreshable) {
        this.tokens.refresh().then(() => socket.connect(), (x: CharchaError) => this.emit('error', x));
      }
    });
    socket.on('connect_error', (err: Error & { data?: unknown }) => {
      if (socket.active) return;
      const e = isErrorBody(err.data) ? errorFromBody(err.data) : new NetworkError(err.message);
      if (e.code === 'unauthorized' && this.tokens.refreshable && Date.now() - this.refreshedAt > 10_000) {
        this.refreshedAt = Date.now();
        this.tokens.refresh().then(() => socket.connect(), (x: CharchaError) => this.emit('error', x));
        return;
      }
      this.emit('error', e);
    });
  }

  get connected(): boolean {
    return !!this.socket?.connected;
  }

  /** Approves, rejects or marks as spam; a decision already taken by another moderator: ConflictError. */
  decide(id: string, action: ModerationAction, opts: { reason?: string; from?: QueueState; rev?: number } = {}): Promise<Comment> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new ClosedError());
    if (!socket.connected) return Promise.reject(new NetworkError('Not connected'));
    const payload = { id, action, ...opts };
    return new Promise((resolve, reject) => {
      (socket as Socket).timeout(this.ackTimeoutMs).emit('decide', payload, (err: Error | null, answer: unknown) => {
        if (err) reject(/timed out/i.test(err.message) ? new TimeoutError('decide: no answer') : new NetworkError(err.message));
        else if (isErrorBody(answer)) reject(errorFromBody(answer));
        else resolve((answer as { comment: Comment }).comment);
      });
    });
  }

  close(): void {
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = undefined;
    this.removeAllListeners();
  }
}
