// Readers per article. Each node counts its own readers (the sockets in the article's room on
// this node) and, when several nodes share a board (realtime/presence-board.ts, in Redis),
// publishes that count there and adds the counts of the other live nodes: reading the total
// costs one look-up per node, never one per socket, and a join costs the same whatever the
// room's size.
//
// - Writes of this node's count are coalesced per article: the first change at once, then at
//   most one every `writeIntervalMs`, the last one always.
// - The others' counts are cached per article for `cacheMs`; a crowd of joins and page loads
//   shares one look-up. Every `refreshMs`, the articles this node has readers of are looked up
//   again, so a change on another node reaches this node's readers within a couple of seconds.
// - Every `heartbeatMs` the node tells the board it is alive and writes its counts again (a
//   Redis that restarted empty is repaired). A node that stops leaves the board; one that dies
//   has its counts ignored, then removed, once its heartbeat expires.
// - Without a board, or while it fails, the total is this node's own count.
// Pushes `presence {article, viewers}` go to this node's readers only (each node tells its
// own): at most one per article every `pushIntervalMs`, leading and trailing edge.
import type { PresenceTracker } from '../services';
import { Coalescer } from './coalesce';

export interface ArticleRef {
  site: string;
  article: string;
}

export interface ArticleCount extends ArticleRef {
  count: number;
}

/** What presence needs from the real-time layer. */
export interface PresenceFanout {
  /** Readers of the article connected to this node. */
  localViewers(site: string, article: string): number;
  /** Tells this node's readers of the article how many read it in all. */
  presence(site: string, article: string, viewers: number): void;
}

/** Counts of readers shared between nodes; each node writes its own. */
export interface PresenceBoard {
  /** Records this node's counts (0 removes the node's entry for the article). */
  write(counts: ArticleCount[]): Promise<void>;
  /** For each article, in order: the readers on the other live nodes. */
  others(articles: ArticleRef[]): Promise<number[]>;
  /** Says this node is alive and writes its counts again. */
  heartbeat(counts: ArticleCount[]): Promise<void>;
  /** Removes this node's entries for these articles, and its heartbeat. */
  leave(articles: ArticleRef[]): Promise<void>;
}

export interface PresenceOptions {
  board?: PresenceBoard;
  /** Told of a failure; failures repeat while the board is away, `first` marks a streak's start. */
  onError(err: unknown, first: boolean): void;
  /** Told when the board answers again after failures. */
  onRecovered?(): void;
  pushIntervalMs?: number;
  writeIntervalMs?: number;
  cacheMs?: number;
  refreshMs?: number;
  heartbeatMs?: number;
}

export const PRESENCE_INTERVAL_MS = 2000;
/** At most this many writes of one article's count a second, per node: 4. */
export const PRESENCE_WRITE_INTERVAL_MS = 250;
export const PRESENCE_CACHE_MS = 1000;
export const PRESENCE_REFRESH_MS = 1000;
export const PRESENCE_HEARTBEAT_MS = 5000;
/** Articles looked up in one round trip by the refresh loop. */
const REFRESH_BATCH = 500;

interface Local extends ArticleRef {
  key: string;
  /** The count this node last wrote to the board, */
  written: number;
  /** by its write number `writtenBy` (writes may end out of order; the later one holds). */
  writtenBy: number;
  /** The total this node last pushed to its readers; -1 before the first push. */
  pushed: number;
}

interface Cached {
  others: number;
  at: number;
}

const keyOf = (site: string, article: string) => `${site}\u0000${article}`;

export class PresenceService implements PresenceTracker {
  /** Articles this node has (or recently had) readers of. */
  private readonly local = new Map<string, Local>();
  /** The other nodes' readers per article, as last looked up. */
  private readonly cache = new Map<string, Cached>();
  /** Look-ups in flight, shared by whoever asks meanwhile. */
  private readonly reading = new Map<string, Promise<number>>();
  private readonly pushes: Coalescer<Local>;
  private readonly writes: Coalescer<Local>;
  private readonly board?: PresenceBoard;
  private readonly cacheMs: number;
  private readonly timers: NodeJS.Timeout[] = [];
  /** Writes to the board issued so far; numbers them. */
  private issued = 0;
  private refreshing = false;
  private failing = false;
  private closed = false;

  constructor(
    private readonly fanout: PresenceFanout,
    private readonly opts: PresenceOptions,
  ) {
    this.board = opts.board;
    this.cacheMs = opts.cacheMs ?? PRESENCE_CACHE_MS;
    const onError = (err: unknown) => this.failed(err);
    this.pushes = new Coalescer({ intervalMs: opts.pushIntervalMs ?? PRESENCE_INTERVAL_MS, flush: (_k, l) => this.push(l), onError });
    this.writes = new Coalescer({ intervalMs: opts.writeIntervalMs ?? PRESENCE_WRITE_INTERVAL_MS, flush: (_k, l) => this.write(l), onError });
    if (this.board) {
      this.every(opts.refreshMs ?? PRESENCE_REFRESH_MS, () => this.refresh());
      // Each write also renews the heartbeat: no need to send one before the first write.
      this.every(opts.heartbeatMs ?? PRESENCE_HEARTBEAT_MS, () => this.heartbeat());
    }
  }

  joined(site: string, article: string): void {
    this.changed(site, article);
  }

  left(site: string, article: string): void {
    this.changed(site, article);
  }

  /** Readers of the article on every node: this node's exact count and the others' as cached. */
  async viewers(site: string, article: string): Promise<number> {
    if (!this.board) return this.fanout.localViewers(site, article);
    const others = await this.others({ site, article }).catch(() => 0);
    return this.fanout.localViewers(site, article) + others;
  }

  /** Stops the loops, sends what is pending, and removes this node's entries from the board. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await Promise.all([this.writes.stop(), this.pushes.stop()]);
    if (this.board) await this.board.leave([...this.local.values()]).catch((err) => this.failed(err));
  }

  private changed(site: string, article: string): void {
    const key = keyOf(site, article);
    let l = this.local.get(key);
    if (!l) this.local.set(key, (l = { key, site, article, written: 0, writtenBy: 0, pushed: -1 }));
    if (this.board) this.writes.touch(key, l);
    this.pushes.touch(key, l);
  }

  private others(a: ArticleRef): Promise<number> {
    const key = keyOf(a.site, a.article);
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.at < this.cacheMs) return Promise.resolve(cached.others);
    let pending = this.reading.get(key);
    if (!pending) {
      pending = this.lookUp([a]).then(([n]) => n!);
      pending.catch(() => {}).finally(() => this.reading.delete(key));
      this.reading.set(key, pending);
    }
    return pending;
  }

  /** Asks the board for the others' counts of these articles and caches them. */
  private async lookUp(articles: ArticleRef[]): Promise<number[]> {
    try {
      const counts = await this.board!.others(articles);
      const at = Date.now();
      articles.forEach((a, i) => this.cache.set(keyOf(a.site, a.article), { others: counts[i]!, at }));
      this.recovered();
      return counts;
    } catch (err) {
      this.failed(err);
      throw err;
    }
  }

  private async write(l: Local): Promise<void> {
    const count = this.fanout.localViewers(l.site, l.article);
    if (count === l.written) return;
    const n = ++this.issued;
    await this.board!.write([{ site: l.site, article: l.article, count }]);
    this.wrote(l, count, n);
    this.recovered();
  }

  private wrote(l: Local, count: number, n: number): void {
    if (n < l.writtenBy) return;
    l.written = count;
    l.writtenBy = n;
  }

  private async push(l: Local): Promise<void> {
    if (this.fanout.localViewers(l.site, l.article) === 0) return; // nobody here to tell
    const viewers = await this.viewers(l.site, l.article);
    l.pushed = viewers;
    this.fanout.presence(l.site, l.article, viewers);
  }

  /**
   * Looks up the articles this node has readers of; a total that moved since the last push
   * (readers came or went on another node) is pushed. Forgets articles nobody reads here.
   */
  private async refresh(): Promise<void> {
    if (this.refreshing || this.closed) return;
    this.refreshing = true;
    try {
      const read: Local[] = [];
      for (const [key, l] of this.local) {
        if (this.fanout.localViewers(l.site, l.article) > 0) read.push(l);
        else if (l.written === 0) this.local.delete(key);
      }
      const now = Date.now();
      for (const [key, c] of this.cache) if (now - c.at > 10 * this.cacheMs && !this.local.has(key)) this.cache.delete(key);
      for (let i = 0; i < read.length; i += REFRESH_BATCH) {
        const batch = read.slice(i, i + REFRESH_BATCH);
        const others = await this.lookUp(batch);
        batch.forEach((l, j) => {
          const total = this.fanout.localViewers(l.site, l.article) + others[j]!;
          if (total !== l.pushed) this.pushes.touch(l.key, l);
        });
      }
    } catch {
      // told through failed(); the next round tries again
    } finally {
      this.refreshing = false;
    }
  }

  private async heartbeat(): Promise<void> {
    if (this.closed) return;
    // Every article with readers here, and those whose last count on the board is stale.
    const counts: (ArticleCount & { l: Local })[] = [];
    for (const l of this.local.values()) {
      const count = this.fanout.localViewers(l.site, l.article);
      if (count > 0 || l.written !== 0) counts.push({ site: l.site, article: l.article, count, l });
    }
    const n = ++this.issued;
    try {
      await this.board!.heartbeat(counts.map(({ site, article, count }) => ({ site, article, count })));
      for (const c of counts) this.wrote(c.l, c.count, n);
      this.recovered();
    } catch (err) {
      this.failed(err);
    }
  }

  private failed(err: unknown): void {
    this.opts.onError(err, !this.failing);
    this.failing = true;
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.opts.onRecovered?.();
  }

  private every(ms: number, fn: () => Promise<void>): void {
    const t = setInterval(() => void fn(), ms);
    t.unref();
    this.timers.push(t);
  }
}
