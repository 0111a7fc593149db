// Posts waiting to reach the server, sent one at a time in the order they were written.
// An item waits for a connection, is sent, and on a failure that may pass (network, timeout,
// rate limit, server unavailable) is sent again after a backoff with the same clientId, which
// the server turns into "the same comment": never two. A failure that will not pass, or the
// last allowed attempt, leaves it failed until `retry`.
import { ClosedError, asCharchaError, type CharchaError } from './errors';
import { sleep } from './platform';

export interface RetryPolicy {
  /** Sends that may fail before the post is marked failed (losing the connection does not count). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000 };

export type OutboxState = 'queued' | 'sending' | 'failed';

interface Item<T> {
  id: string;
  attempts: number;
  resolve(v: T): void;
  reject(e: CharchaError): void;
}

export interface OutboxDeps<T> {
  /** Resolves when a send can be tried (connected); rejects when it never can (closed). */
  ready(): Promise<void>;
  send(id: string): Promise<T>;
  /** True when the last failure came from losing the connection (not counted as an attempt). */
  disconnected(): boolean;
  changed(id: string, state: OutboxState, attempts: number, error?: CharchaError): void;
  policy: RetryPolicy;
}

export class Outbox<T> {
  private queue: Item<T>[] = [];
  private running = false;
  private closed = false;
  /** The item whose send is in flight: it cannot be recalled. */
  private sending: Item<T> | undefined;

  constructor(private readonly d: OutboxDeps<T>) {}

  /** Queues `id`; resolves with what `send` gave, or rejects after the final failure. */
  add(id: string): Promise<T> {
    if (this.closed) return Promise.reject(new ClosedError());
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ id, attempts: 0, resolve, reject });
      this.d.changed(id, 'queued', 0);
      void this.run();
    });
  }

  has(id: string): boolean {
    return this.queue.some((i) => i.id === id);
  }

  /** Takes a queued item out (one being sent cannot be recalled); returns whether it was. */
  cancel(id: string): boolean {
    const i = this.queue.findIndex((x) => x.id === id);
    if (i < 0 || this.queue[i] === this.sending) return false;
    const [item] = this.queue.splice(i, 1);
    item!.reject(new ClosedError('Discarded'));
    return true;
  }

  close(): void {
    this.closed = true;
    for (const item of this.queue.splice(0)) item.reject(new ClosedError());
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.closed && this.queue.length) {
        const item = this.queue[0]!;
        try {
          await this.d.ready();
        } catch (err) {
          if (this.closed) return;
          // Refused by the server (unknown site, origin): waiting will not help.
          this.fail(item, asCharchaError(err));
          continue;
        }
        if (this.closed) return;
        if (this.queue[0] !== item) continue; // cancelled while waiting
        item.attempts++;
        this.d.changed(item.id, 'sending', item.attempts);
        this.sending = item;
        try {
          const value = await this.d.send(item.id);
          this.sending = undefined;
          this.queue = this.queue.filter((i) => i !== item);
          item.resolve(value);
        } catch (err) {
          this.sending = undefined;
          const e = asCharchaError(err);
          if (this.closed) return;
          if (e.code === 'closed') {
            this.fail(item, e);
            continue;
          }
          if ((e.code === 'network' || e.code === 'timeout') && this.d.disconnected()) item.attempts--;
          if (!e.transient || item.attempts >= this.d.policy.attempts) {
            this.fail(item, e);
            continue;
          }
          this.d.changed(item.id, 'queued', item.attempts, e);
          await sleep(this.delay(item.attempts, e));
        }
      }
    } finally {
      this.running = false;
    }
  }

  private fail(item: Item<T>, e: CharchaError): void {
    this.queue = this.queue.filter((i) => i !== item);
    this.d.changed(item.id, 'failed', item.attempts, e);
    item.reject(e);
  }

  private delay(attempts: number, e: CharchaError): number {
    if (e.retryAfter !== undefined) return e.retryAfter * 1000;
    if (attempts <= 0) return 0; // the connection dropped: go again as soon as it is back
    const { baseDelayMs, maxDelayMs } = this.d.policy;
    const base = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempts - 1));
    return base * (0.75 + Math.random() * 0.5);
  }
}
