// The presence board in Redis: what each node tells the others about its readers.
//   <prefix>:presence:<site>:<article>  hash, one field per node id: that node's readers of the
//                                        article (a node with none has no field)
//   <prefix>:node:<id>                   that node's heartbeat, expiring after NODE_TTL_MS
// A count is believed only while its node's heartbeat lives; whoever finds a field of a node
// whose heartbeat has expired removes it. A hash expires too, HASH_TTL_MS after its last write,
// so the entries of a cluster that stopped all at once do not stay forever. Node ids are
// random: nothing here names a reader, a token or a host.
import { randomBytes } from 'node:crypto';
import type { ArticleCount, ArticleRef, PresenceBoard } from '../domain/presence';
import type { Redis } from '../redis';

/** A node's heartbeat lives this long; it renews it every PRESENCE_HEARTBEAT_MS (5 s). */
export const NODE_TTL_MS = 15_000;
/** A hash nobody wrote for this long is gone (live nodes rewrite theirs every heartbeat). */
const HASH_TTL_MS = 60_000;
/** How long a node found alive, or dead, is believed so without asking again. */
const LIVENESS_MS = 1000;

export class RedisPresenceBoard implements PresenceBoard {
  readonly nodeId = randomBytes(8).toString('hex');
  private readonly liveness = new Map<string, { alive: boolean; at: number }>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  articleKey(a: ArticleRef): string {
    return `${this.prefix}:presence:${a.site}:${a.article}`;
  }

  nodeKey(id: string): string {
    return `${this.prefix}:node:${id}`;
  }

  async write(counts: ArticleCount[]): Promise<void> {
    // The heartbeat goes first: a field must never be seen before its node's heartbeat.
    const pipe = this.redis.pipeline().set(this.nodeKey(this.nodeId), '1', 'PX', NODE_TTL_MS);
    for (const c of counts) {
      const key = this.articleKey(c);
      if (c.count > 0) pipe.hset(key, this.nodeId, c.count).pexpire(key, HASH_TTL_MS);
      else pipe.hdel(key, this.nodeId);
    }
    await exec(pipe);
  }

  heartbeat(counts: ArticleCount[]): Promise<void> {
    return this.write(counts);
  }

  async others(articles: ArticleRef[]): Promise<number[]> {
    if (articles.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const a of articles) pipe.hgetall(this.articleKey(a));
    const hashes = (await exec(pipe)) as Record<string, string>[];
    const alive = await this.alive(new Set(hashes.flatMap((h) => Object.keys(h)).filter((id) => id !== this.nodeId)));

    const dead = this.redis.pipeline();
    let deadFields = 0;
    const totals = hashes.map((h, i) => {
      let sum = 0;
      for (const [id, value] of Object.entries(h)) {
        if (id === this.nodeId) continue; // this node's own count is read locally, exactly
        if (!alive.has(id)) {
          dead.hdel(this.articleKey(articles[i]!), id);
          deadFields++;
          continue;
        }
        const n = Number(value);
        if (Number.isSafeInteger(n) && n > 0) sum += n;
      }
      return sum;
    });
    if (deadFields > 0) await exec(dead);
    return totals;
  }

  async leave(articles: ArticleRef[]): Promise<void> {
    const pipe = this.redis.pipeline();
    for (const a of articles) pipe.hdel(this.articleKey(a), this.nodeId);
    pipe.del(this.nodeKey(this.nodeId));
    await exec(pipe);
  }

  /** Which of these nodes have a live heartbeat (asked once per LIVENESS_MS per node). */
  private async alive(ids: Set<string>): Promise<Set<string>> {
    const now = Date.now();
    const unknown = [...ids].filter((id) => {
      const l = this.liveness.get(id);
      return !l || now - l.at >= LIVENESS_MS;
    });
    if (unknown.length > 0) {
      const beats = await this.redis.mget(unknown.map((id) => this.nodeKey(id)));
      unknown.forEach((id, i) => this.liveness.set(id, { alive: beats[i] !== null, at: now }));
      for (const [id, l] of this.liveness) if (now - l.at > NODE_TTL_MS) this.liveness.delete(id);
    }
    return new Set([...ids].filter((id) => this.liveness.get(id)?.alive));
  }
}

/** Runs a pipeline; the first failed command fails the whole. */
async function exec(pipe: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
  const results = (await pipe.exec()) ?? [];
  return results.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}
