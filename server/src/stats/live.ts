// The live numbers of the dashboard: readers now per article and posts and reactions per
// minute, across nodes. Each node publishes its own snapshot per site once a second (in Redis,
// one hash field per node, when nodes share Redis); a node with dashboards open adds up the
// fresh snapshots and tells its own dashboards, at most once a second.
import type { Redis } from '../redis';
import type { LiveSnapshot, StatsRecorder } from './recorder';

/** Snapshots older than this are a node that stopped: left out. */
const FRESH_MS = 5000;
const TTL_MS = 10_000;
const TOP_ARTICLES = 20;

export interface LiveStats {
  at: number;
  /** Readers now on the whole site. */
  readers: number;
  /** The most-read articles now. */
  articles: { article: string; readers: number }[];
  /** The last hour's minutes with activity, oldest first. */
  minutes: { at: number; posted: number; reactions: number }[];
}

/** Adds up the snapshots of several nodes. Pure. */
export function sumSnapshots(snaps: LiveSnapshot[], at: number): LiveStats {
  const readers = new Map<string, number>();
  const minutes = new Map<number, { at: number; posted: number; reactions: number }>();
  for (const s of snaps) {
    for (const [a, n] of Object.entries(s.readers)) readers.set(a, (readers.get(a) ?? 0) + n);
    for (const [m, c] of Object.entries(s.minutes)) {
      const k = Number(m);
      const x = minutes.get(k) ?? { at: k, posted: 0, reactions: 0 };
      x.posted += c.posted;
      x.reactions += c.reactions;
      minutes.set(k, x);
    }
  }
  const articles = [...readers].map(([article, n]) => ({ article, readers: n })).sort((a, b) => b.readers - a.readers || a.article.localeCompare(b.article));
  return {
    at,
    readers: articles.reduce((s, a) => s + a.readers, 0),
    articles: articles.slice(0, TOP_ARTICLES),
    minutes: [...minutes.values()].sort((a, b) => a.at - b.at),
  };
}

export interface LiveBoard {
  publish(site: string, snap: LiveSnapshot): Promise<void>;
  /** The other nodes' fresh snapshots of the site. */
  others(site: string, now: number): Promise<LiveSnapshot[]>;
}

export class RedisLiveBoard implements LiveBoard {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly node: string,
  ) {}

  private key(site: string) {
    return `${this.prefix}:live:${site}`;
  }

  async publish(site: string, snap: LiveSnapshot): Promise<void> {
    await this.redis.multi().hset(this.key(site), this.node, JSON.stringify(snap)).pexpire(this.key(site), TTL_MS).exec();
  }

  async others(site: string, now: number): Promise<LiveSnapshot[]> {
    const all = await this.redis.hgetall(this.key(site));
    return Object.entries(all)
      .filter(([node]) => node !== this.node)
      .map(([, v]) => JSON.parse(v) as LiveSnapshot)
      .filter((s) => now - s.at < FRESH_MS);
  }
}

export class LiveFeed {
  constructor(
    private readonly recorder: StatsRecorder,
    private readonly board: LiveBoard | undefined,
    private readonly onError: (err: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Publishes this node's snapshots (one a site), for the other nodes' dashboards. */
  async publish(): Promise<void> {
    if (!this.board) return;
    for (const site of this.recorder.sites()) {
      const snap = this.recorder.snapshot(site);
      if (snap) await this.board.publish(site, snap).catch(this.onError);
    }
  }

  /** The site's live numbers: this node's own, and the other nodes' as they last published. */
  async stats(site: string): Promise<LiveStats> {
    const now = this.now();
    const own = this.recorder.snapshot(site);
    const others = this.board ? await this.board.others(site, now).catch((err) => (this.onError(err), [])) : [];
    return sumSnapshots(own ? [own, ...others] : others, now);
  }
}
