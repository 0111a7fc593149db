// A signed-in reader's notifications: pages of them over HTTP, the unread count, and the live
// `notification` and `notification:read` events of the client's one socket (the server sends
// them to every open socket of the reader, so all tabs keep one count). After a reconnect or a
// change of token the count is read again: events sent while away are not replayed.
import type { Connection } from './connection';
import { Emitter } from './emitter';
import { asCharchaError, type CharchaError } from './errors';
import type { HttpApi } from './http';
import type { Notification, NotificationPage, NotificationsRead } from './protocol';

export interface NotificationEvents {
  /** A new notification arrived (live). */
  notification: [Notification];
  /** The unread count changed: a new notification, a read mark moved here or in another tab, a reload. */
  unread: [number];
  /** The read mark moved (here or in another tab). */
  read: [NotificationsRead];
  /** A background reload of the count failed (it is tried again on the next reconnect). */
  error: [CharchaError];
}

export class Notifications extends Emitter<NotificationEvents> {
  private count = 0;
  /** The newest notification id this client has seen ('' before any). */
  private newest = '';
  private started = false;

  constructor(
    private readonly conn: Connection,
    private readonly http: HttpApi,
  ) {
    super();
  }

  /** Unread notifications, as last known (0 before the first load, and for readers not signed in). */
  get unread(): number {
    return this.count;
  }

  /** Adds a listener and starts following the reader's notifications live. */
  override on<K extends keyof NotificationEvents>(event: K, fn: (...args: NotificationEvents[K]) => void): () => void {
    const off = super.on(event, fn);
    this.start();
    return off;
  }

  /** Starts following live (opens the connection) and loads the unread count. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.conn.on('notification', (n) => {
      if (n.id > this.newest) this.newest = n.id;
      this.emit('notification', n);
      if (!n.read) this.setCount(this.count + 1);
    });
    this.conn.on('notification:read', (e) => {
      this.emit('read', e);
      this.setCount(e.unread);
    });
    this.conn.on('connect', () => void this.refresh());
    this.conn.open();
    if (this.conn.connected) void this.refresh();
  }

  /** A page of notifications, newest first; pass the previous page's `nextCursor` for older ones. */
  async list(opts: { cursor?: string | null; limit?: number } = {}): Promise<NotificationPage> {
    const page = await this.http.notifications(opts);
    if (!opts.cursor && page.items[0] && page.items[0].id > this.newest) this.newest = page.items[0].id;
    this.setCount(page.unread);
    return page;
  }

  /** Marks everything up to `upTo` read (default: every notification seen so far); resolves with the unread count. */
  async markRead(upTo: string = this.newest): Promise<number> {
    if (!upTo) return this.count;
    const { unread } = await this.http.markNotificationsRead(upTo);
    this.setCount(unread);
    return unread;
  }

  /** Reads the unread count again (after a reconnect or a new token); 0 for a reader not signed in. */
  async refresh(): Promise<void> {
    try {
      this.setCount((await this.http.notificationsUnread()).unread);
    } catch (err) {
      const e = asCharchaError(err);
      if (e.code === 'unauthorized') this.setCount(0);
      else this.emit('error', e);
    }
  }

  private setCount(n: number): void {
    if (n === this.count) return;
    this.count = n;
    this.emit('unread', n);
  }
}
