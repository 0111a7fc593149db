// Readers per article across real Charcha processes sharing one database and one Redis (a
// redis-server of our own): each node counts its own readers and publishes the count in
// Redis, a hash per article with a field per node; totals add up the live nodes' fields.
// Checked: exact totals in join answers, in GET /articles/:a on every node and in presence
// pushes as 30 readers come and go; no socket lists travel between nodes (fetchSockets goes
// over Redis PUBLISH, which stays unused); a node stopped with SIGTERM removes its counts (and
// disconnects its own readers only), one
// killed with SIGKILL has them dropped once its heartbeat expires; while Redis is down each
// node counts its own readers, and the totals come back by themselves after.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startNode, startNodes, startRedis, until, type CharchaNode, type NodeOptions, type RedisServer } from '../helpers/cluster';
import { call, connectReader, http, record, waitFor, type ReaderClient } from '../helpers/clients';
import { freshDatabaseUri } from '../helpers/db';

const SITE = 'news';
/** How long a killed node's heartbeat outlives it (server/src/realtime/presence-board.ts). */
const NODE_TTL_MS = 15_000;

/** Calls of one Redis command since the server started (INFO commandstats). */
async function commandCalls(redis: Redis, command: string): Promise<number> {
  const info = await redis.info('commandstats');
  const m = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info);
  return m ? Number(m[1]) : 0;
}

describe('presence across nodes, counted per node and shared through Redis', function () {
  this.timeout(180_000);
  const prefix = `charcha-test-${process.pid}`;
  let redis: RedisServer;
  let probe: Redis;
  let nodes: CharchaNode[];
  let options: Omit<NodeOptions, 'name'>;
  const sockets: ReaderClient[] = [];
  const reader = async (node: CharchaNode) => {
    const s = await connectReader(node.url, { site: SITE });
    sockets.push(s);
    return s;
  };
  const articleKey = (article: string) => `${prefix}:presence:${SITE}:${article}`;
  /** The nodes' counts in Redis, smallest first. */
  const fields = async (article: string) => Object.values(await probe.hgetall(articleKey(article))).map(Number).sort((x, y) => x - y);
  const viewersOn = async (node: CharchaNode, article: string) => {
    const r = await http(node.url, 'GET', `/api/v1/sites/${SITE}/articles/${article}`);
    assert.equal(r.status, 200);
    return r.body.viewers as number;
  };
  /** Waits until GET /articles/:a says `n` on each of these nodes. */
  const everyNodeSays = (on: CharchaNode[], article: string, n: number, timeoutMs = 5000) =>
    until(`${n} viewers of ${article} on ${on.map((x) => x.name).join(', ')}`, async () => (await Promise.all(on.map((x) => viewersOn(x, article)))).every((v) => v === n), timeoutMs);

  before(async function () {
    this.timeout(900_000); // the first run may build the local database
    const mongoUri = await freshDatabaseUri('cluster-presence');
    redis = await startRedis();
    probe = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    probe.on('error', () => {}); // Redis is stopped on purpose below
    const sitesFile = join(mkdtempSync(join(tmpdir(), 'charcha-presence-')), 'sites.json');
    writeFileSync(sitesFile, JSON.stringify([{ id: SITE, secret: 'presence-test-secret-of-at-least-32-bytes', guests: true }]));
    options = { mongoUri, redisUrl: redis.url, sitesFile, env: { RATE_LIMITS: 'off', CLUSTER_PREFIX: prefix } };
    nodes = await startNodes(['a', 'b', 'c'], options);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });
  after(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    await Promise.all((nodes ?? []).map((n) => n.kill('SIGTERM')));
    probe?.disconnect();
    await redis?.stop();
  });

  it('counts 30 readers on three nodes exactly, as they join, leave and disconnect, without listing sockets', async () => {
    const article = 'crowd';
    const publishesBefore = await commandCalls(probe, 'publish');
    const byNode = await Promise.all(nodes.map((n) => Promise.all(Array.from({ length: 10 }, () => reader(n)))));
    const pushed = byNode.map((ss) => record(ss[0]!, ['presence']));

    // Nodes side by side, readers of a node one after another: the k-th join on a node
    // counts at least the k readers of its own node, and never more than there are.
    const answers = await Promise.all(byNode.map(async (ss) => {
      const seen: number[] = [];
      for (const s of ss) seen.push((await call(s, 'article:join', { article })).viewers);
      return seen;
    }));
    answers.forEach((seen, n) => seen.forEach((v, k) => assert.ok(v >= k + 1 && v <= 30, `join ${k + 1} on node ${nodes[n]!.name} answered ${v}`)));
    await everyNodeSays(nodes, article, 30);
    await waitFor(() => pushed.every((p) => p.at(-1)?.payload.viewers === 30), 5000, 'presence 30 on every node');
    assert.ok(pushed.every((p) => p.every((e) => e.payload.article === article && e.payload.viewers <= 30)));

    // In Redis: one field per node, with its own count, and a live heartbeat for each.
    const hash = await probe.hgetall(articleKey(article));
    assert.deepEqual(Object.values(hash).map(Number), [10, 10, 10]);
    for (const id of Object.keys(hash)) assert.equal(await probe.exists(`${prefix}:node:${id}`), 1, `heartbeat of ${id}`);
    const ttl = await probe.pttl(`${prefix}:node:${Object.keys(hash)[0]}`);
    assert.ok(ttl > 0 && ttl <= NODE_TTL_MS, `heartbeat TTL ${ttl} ms`);

    // Five leave on A, five disconnect on B.
    for (const s of byNode[0]!.slice(5)) assert.deepEqual(await call(s, 'article:leave', { article }), {});
    for (const s of byNode[1]!.slice(5)) s.disconnect();
    await everyNodeSays(nodes, article, 20);
    await waitFor(() => pushed.every((p) => p.at(-1)?.payload.viewers === 20), 5000, 'presence 20 on every node');
    assert.deepEqual(await fields(article), [5, 5, 10]);

    // fetchSockets travels as a Redis PUBLISH (request and answers): none was sent.
    assert.equal(await commandCalls(probe, 'publish'), publishesBefore, 'PUBLISH calls during joins, page loads and presence');

    for (const s of byNode.flat()) s.disconnect();
    await everyNodeSays(nodes, article, 0);
    await until('no counts left in Redis', async () => (await probe.exists(articleKey(article))) === 0, 5000);
  });

  it('a node stopped with SIGTERM takes its readers off the count and its entries out of Redis', async () => {
    const article = 'graceful';
    const d = await startNode({ ...options, name: 'd' });
    try {
      const onA = await reader(nodes[0]!);
      for (const s of [onA, await reader(d), await reader(d), await reader(d)]) await call(s, 'article:join', { article });
      await everyNodeSays([nodes[0]!, nodes[1]!], article, 4);
      const ids = Object.keys(await probe.hgetall(articleKey(article)));
      assert.equal(ids.length, 2);
      await d.kill('SIGTERM');
      const left = Object.keys(await probe.hgetall(articleKey(article)));
      assert.equal(left.length, 1, 'only node A\'s entry is left');
      const gone = ids.find((id) => id !== left[0])!;
      assert.equal(await probe.exists(`${prefix}:node:${gone}`), 0, 'the stopped node\'s heartbeat is gone');
      await everyNodeSays([nodes[0]!, nodes[1]!], article, 1);
      assert.ok(onA.connected, 'a reader of another node stays connected');
    } finally {
      await d.kill('SIGKILL');
    }
  });

  it('drops the readers of a node killed with SIGKILL once its heartbeat expires', async () => {
    const article = 'killed';
    const d = await startNode({ ...options, name: 'd' });
    try {
      const watcher = await reader(nodes[0]!);
      const pushed = record(watcher, ['presence']);
      await call(watcher, 'article:join', { article });
      for (let i = 0; i < 5; i++) await call(await reader(d), 'article:join', { article });
      await everyNodeSays([nodes[0]!, nodes[1]!, d], article, 6);
      await waitFor(() => pushed.at(-1)?.payload.viewers === 6, 5000, 'presence 6');

      await d.kill('SIGKILL');
      const killedAt = Date.now();
      assert.equal((await fields(article)).length, 2, 'the killed node\'s entry outlives it for a while');
      await everyNodeSays([nodes[0]!, nodes[1]!, nodes[2]!], article, 1, NODE_TTL_MS + 5000);
      const droppedMs = Date.now() - killedAt;
      await waitFor(() => pushed.at(-1)?.payload.viewers === 1, 5000, 'presence 1');
      assert.deepEqual(await fields(article), [1], 'whoever noticed removed the dead node\'s entry');
      console.log(`      readers of a node killed with SIGKILL dropped from the count after ${(droppedMs / 1000).toFixed(1)} s (heartbeat TTL ${NODE_TTL_MS / 1000} s)`);
    } finally {
      await d.kill('SIGKILL');
    }
  });

  it('counts each node\'s own readers while Redis is down, and the whole cluster again once it is back', async () => {
    const article = 'outage';
    for (const n of nodes) for (let i = 0; i < 2; i++) await call(await reader(n), 'article:join', { article });
    await everyNodeSays(nodes, article, 6);

    await redis.stop();
    await everyNodeSays(nodes, article, 2); // each its own two readers, no errors
    const late = await reader(nodes[2]!);
    assert.equal((await call(late, 'article:join', { article })).viewers, 3, 'a join while Redis is down counts this node');
    for (const n of nodes) assert.equal((await http(n.url, 'GET', '/readyz')).body.status, 'degraded');

    // Redis comes back empty: each node writes its counts again with its next heartbeat.
    await redis.start();
    await everyNodeSays(nodes, article, 7, 15_000);
    assert.deepEqual(await fields(article), [2, 2, 3]);
  });
});
