// The thread read model against the database it stands for: a seeded random run of posts,
// replies, edits, deletes, reactions, holds, decisions, flags and locks, after each step every
// page the model serves compared with the same page built straight from the database; reads
// that follow writes on the node that took them and on another node; a reader joining from a
// page's seq while posts arrive; ETags, signed-in reactions and a tiny memory budget.
import assert from 'node:assert/strict';
import { ObjectId } from 'mongodb';
import { call, connectReader, http, record, waitFor, type ReaderClient } from '../helpers/clients';
import { startRedis, until, type RedisServer } from '../helpers/cluster';
import { seededRandom } from '../helpers/random';
import { callsDuring, startTestServer, type TestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';
import type { Actor } from '../../server/src/domain/actor';
import { eventKey, migrateEventKeys } from '../../server/src/domain/events';
import type { Thread } from '../../server/src/domain/threads';
import { articleKey, trusted } from '../../server/src/store/models';

const API = '/api/v1/sites/demo';
const SITE = {
  id: 'demo',
  secret: 'demo-secret',
  origins: ['http://localhost:*', 'http://127.0.0.1:*'],
  guests: true,
  flagsToHide: 2,
  editWindowSec: 3600,
  maxDepth: 2,
};
const STEPS = Number(process.env.READ_MODEL_STEPS ?? 240);
const SEED = Number(process.env.READ_MODEL_SEED ?? 20261202);
/** How long a cached page may take to show what the database shows (reaction totals are
 * sent coalesced, at most one event per 250 ms, then recounted after 1 s of quiet). */
const SETTLE_MS = 4000;
/** Steps between checks of a node started cold (from the thread's snapshot), and between its restarts. */
const COLD_EVERY = Number(process.env.READ_MODEL_COLD_EVERY ?? 8);
const COLD_RESTART = 5 * COLD_EVERY;

const random = seededRandom;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('thread read model', function () {
  this.timeout(1_800_000);
  let server: TestServer;
  const sockets: ReaderClient[] = [];
  const tokens = new Map<string, string>();
  const token = async (sub: string, role?: 'moderator') => {
    let t = tokens.get(sub);
    if (!t) tokens.set(sub, (t = await signToken({ sub, name: `User ${sub}`, ...(role ? { role } : {}) })));
    return t;
  };
  const actorFor = (srv: TestServer, userId: string | null): Actor => ({
    site: srv.app.services.sites.get('demo')!,
    userId,
    name: userId,
    role: 'commenter',
    guest: false,
    ip: '127.0.0.1',
  });

  before(async function () {
    this.timeout(900_000); // the first run may build the local database
    server = await startTestServer({ sites: [SITE] });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });
  after(async () => server?.close());

  /** The page over HTTP (the read model) and the same page from a thread built from the database. */
  async function comparePages(article: string, viewer: string, fresh: Thread): Promise<string | null> {
    const viewerToken = await token(viewer);
    const reads = server.app.services.comments.reads;
    const queries: Record<string, string>[] = [];
    for (const sort of ['newest', 'oldest', 'top']) queries.push({ sort, limit: '4' });
    for (const who of [null, viewer]) {
      for (const q of queries) {
        const qs = new URLSearchParams(q).toString();
        const got = await http(server.url, 'GET', `${API}/articles/${article}/comments?${qs}`, { token: who ? viewerToken : undefined });
        assert.equal(got.status, 200, JSON.stringify(got.body));
        const want = await reads.listComments(actorFor(server, who), article, q as never, fresh);
        const what = `${who ?? 'anonymous'} ${qs}`;
        if (!isDeepEqual(got.body, want)) return `${what}\n got ${JSON.stringify(got.body)}\nwant ${JSON.stringify(want)}`;
        if (got.body.nextCursor) {
          const next = { ...q, cursor: got.body.nextCursor as string };
          const nqs = new URLSearchParams(next).toString();
          const got2 = await http(server.url, 'GET', `${API}/articles/${article}/comments?${nqs}`, { token: who ? viewerToken : undefined });
          const want2 = await reads.listComments(actorFor(server, who), article, next as never, fresh);
          if (!isDeepEqual(got2.body, want2)) return `${what} (cursor page)\n got ${JSON.stringify(got2.body)}\nwant ${JSON.stringify(want2)}`;
        }
      }
      const view = await http(server.url, 'GET', `${API}/articles/${article}`, { token: who ? viewerToken : undefined });
      const wantView = await reads.getArticle(actorFor(server, who), article, fresh);
      if (!isDeepEqual(view.body, wantView)) return `${who ?? 'anonymous'} article\n got ${JSON.stringify(view.body)}\nwant ${JSON.stringify(wantView)}`;
      // The replies of one top-level comment that has some, as a reply page.
      const top = (await http(server.url, 'GET', `${API}/articles/${article}/comments?sort=oldest&limit=100`)).body;
      const parent = top.comments.find((c: { replyCount: number }) => c.replyCount > 0);
      if (parent) {
        const q = { parent: parent.id, limit: '2' };
        const got = await http(server.url, 'GET', `${API}/articles/${article}/comments?${new URLSearchParams(q)}`, { token: who ? viewerToken : undefined });
        const want = await reads.listComments(actorFor(server, who), article, q as never, fresh);
        if (!isDeepEqual(got.body, want)) return `${who ?? 'anonymous'} replies\n got ${JSON.stringify(got.body)}\nwant ${JSON.stringify(want)}`;
      }
    }
    return null;
  }

  function isDeepEqual(a: unknown, b: unknown): boolean {
    try {
      assert.deepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The first pages and article view of `node` (started cold: it holds the first pages from
   * the snapshot and applies the events after it) equal the database's, once the events are
   * out (a node alone looks at the log at most a second after the last look).
   */
  async function settledFirstPages(node: TestServer, article: string, viewer: string, step: string): Promise<void> {
    const viewerToken = await token(viewer);
    const reads = server.app.services.comments.reads;
    const start = Date.now();
    for (;;) {
      const fresh = await reads.fromDatabase('demo', article);
      let diff: string | null = null;
      for (const who of [null, viewer]) {
        for (const sort of ['newest', 'oldest', 'top']) {
          for (const limit of ['4', '25']) {
            const got = await http(node.url, 'GET', `${API}/articles/${article}/comments?sort=${sort}&limit=${limit}`, { token: who ? viewerToken : undefined });
            const want = await reads.listComments(actorFor(server, who), article, { sort, limit: Number(limit) } as never, fresh);
            if (!diff && !isDeepEqual(got.body, want)) diff = `cold node, ${who ?? 'anonymous'} ${sort} ${limit}\n got ${JSON.stringify(got.body)}\nwant ${JSON.stringify(want)}`;
          }
        }
        const view = await http(node.url, 'GET', `${API}/articles/${article}`, { token: who ? viewerToken : undefined });
        const wantView = await reads.getArticle(actorFor(server, who), article, fresh);
        if (!diff && !isDeepEqual(view.body, wantView)) diff = `cold node, ${who ?? 'anonymous'} article\n got ${JSON.stringify(view.body)}\nwant ${JSON.stringify(wantView)}`;
      }
      if (!diff) return;
      if (Date.now() - start > SETTLE_MS + 2000) assert.fail(`after ${step} (seed ${SEED}): ${diff}`);
      await sleep(200);
    }
  }

  /** Every page the model serves equals the database's, once the step's events are out. */
  async function settled(article: string, viewer: string, step: string): Promise<void> {
    const start = Date.now();
    for (;;) {
      const fresh = await server.app.services.comments.reads.fromDatabase('demo', article);
      const diff = await comparePages(article, viewer, fresh);
      if (!diff) return;
      if (Date.now() - start > SETTLE_MS) assert.fail(`after ${step} (seed ${SEED}): ${diff}`);
      await sleep(100);
    }
  }

  async function snapshotHits(node: TestServer): Promise<number> {
    const text = await (await fetch(`${node.url}/metrics`)).text();
    return Number(/^charcha_thread_snapshot_reads_total\{result="hit"\} (\d+)/m.exec(text)?.[1] ?? 0);
  }

  it('serves every page as the database would, through a seeded run of every kind of change', async () => {
    const rnd = random(SEED);
    const article = `diff-${SEED}`;
    const users = ['u0', 'u1', 'u2', 'u3', 'u4'];
    const viewer = 'viewer';
    const userSockets = new Map<string, ReaderClient>();
    for (const u of [...users, viewer]) {
      const s = await connectReader(server.url, { token: await token(u) });
      sockets.push(s);
      userSockets.set(u, s);
    }
    const mod = await token('mod', 'moderator');
    const { Comment } = server.app.services.models;
    const docs = () => Comment.find({ site: 'demo', article }).lean();
    let locked = false;
    let premod = false;
    let n = 0;
    const counts: Record<string, number> = {};

    const ops: [number, string, () => Promise<number | undefined>][] = [
      [18, 'post', async () => {
        const u = rnd.pick(users)!;
        const body = { body: `comment ${n++} from ${u}: ${rnd.next().toString(36).slice(2)}`, clientId: `c${n}` };
        if (rnd.next() < 0.5) return (await http(server.url, 'POST', `${API}/articles/${article}/comments`, { token: await token(u), body })).status;
        const ack = await call(userSockets.get(u)!, 'comment:post', { ...body, article });
        return ack.error ? 400 : 201;
      }],
      [14, 'reply', async () => {
        const parent = rnd.pick((await docs()).filter((d) => d.status === 'published'));
        if (!parent) return undefined;
        const u = rnd.pick(users)!;
        const body = { body: `reply ${n++} from ${u}`, clientId: `c${n}`, parentId: String(parent._id) };
        return (await http(server.url, 'POST', `${API}/articles/${article}/comments`, { token: await token(u), body })).status;
      }],
      [8, 'edit', async () => {
        const d = rnd.pick((await docs()).filter((x) => x.status === 'published'));
        if (!d) return undefined;
        const as = rnd.next() < 0.7 ? await token(d.author.id) : mod;
        return (await http(server.url, 'PATCH', `${API}/comments/${d._id}`, { token: as, body: { body: `edited ${n++}` } })).status;
      }],
      [7, 'delete', async () => {
        const all = (await docs()).filter((x) => x.status === 'published' || x.status === 'pending');
        // Half the time one with replies, which stays as a tombstone.
        const withReplies = all.filter((x) => x.replyCount > 0);
        const d = rnd.pick(withReplies.length && rnd.next() < 0.5 ? withReplies : all);
        if (!d) return undefined;
        const as = rnd.next() < 0.7 ? await token(d.author.id) : mod;
        return (await http(server.url, 'DELETE', `${API}/comments/${d._id}`, { token: as })).status;
      }],
      [16, 'react', async () => {
        const u = rnd.pick([...users, viewer])!;
        const kind = rnd.pick(['like', 'heart'])!;
        const on = rnd.next() < 0.65;
        const d = rnd.pick((await docs()).filter((x) => x.status === 'published'));
        const target = !d || rnd.next() < 0.15 ? { article } : { comment: String(d._id) };
        if (rnd.next() < 0.5) {
          const path = 'article' in target ? `/articles/${article}/reactions/${kind}` : `/comments/${target.comment}/reactions/${kind}`;
          return (await http(server.url, on ? 'PUT' : 'DELETE', `${API}${path}`, { token: await token(u) })).status;
        }
        const ack = await call(userSockets.get(u)!, 'reaction:set', { target, kind, on });
        return ack.error ? 400 : 200;
      }],
      [3, 'premod', async () => {
        premod = !premod;
        return (await http(server.url, 'PUT', `${API}/moderation/articles/${article}`, { token: mod, body: { premod: premod ? 'all' : null } })).status;
      }],
      [7, 'approve', async () => {
        const d = rnd.pick((await docs()).filter((x) => x.status === 'pending' || x.status === 'rejected'));
        if (!d) return undefined;
        return (await http(server.url, 'POST', `${API}/moderation/comments/${d._id}`, { token: mod, body: { action: 'approve' } })).status;
      }],
      [4, 'reject', async () => {
        const d = rnd.pick((await docs()).filter((x) => x.status === 'published' || x.status === 'pending'));
        if (!d) return undefined;
        return (await http(server.url, 'POST', `${API}/moderation/comments/${d._id}`, { token: mod, body: { action: rnd.next() < 0.8 ? 'reject' : 'spam' } })).status;
      }],
      [9, 'flag', async () => {
        const d = rnd.pick((await docs()).filter((x) => x.status === 'published'));
        if (!d) return undefined;
        const u = rnd.pick([...users, viewer].filter((x) => x !== d.author.id))!;
        return (await http(server.url, 'POST', `${API}/comments/${d._id}/flags`, { token: await token(u), body: { reason: 'spam' } })).status;
      }],
      [2, 'lock', async () => {
        locked = !locked;
        return (await http(server.url, 'PUT', `${API}/moderation/articles/${article}`, { token: mod, body: { locked } })).status;
      }],
    ];
    const weights = ops.reduce((s, [w]) => s + w, 0);

    // Read once first, so that the model holds the thread from its first event on.
    await settled(article, viewer, 'start');
    // Nodes started cold, now and then, on the same database: their first pages come from the
    // snapshot and the events after it; their listings of the comments are counted.
    let cold: TestServer | undefined;
    const coldChecks = { checks: 0, listings: 0, snapshotHits: 0 };
    try {
      for (let step = 0; step < STEPS; step++) {
        let r = rnd.int(weights);
        const [, name, run] = ops.find(([w]) => (r -= w) < 0)!;
        const status = await run();
        if (status !== undefined) assert.ok(status < 500, `${name} answered ${status}`);
        counts[`${name} ${status === undefined ? 'skipped' : status < 300 ? 'done' : 'refused'}`] = (counts[`${name} ${status === undefined ? 'skipped' : status < 300 ? 'done' : 'refused'}`] ?? 0) + 1;
        await settled(article, viewer, `step ${step} (${name})`);
        if ((step + 1) % COLD_EVERY === 0) {
          if (!cold || (step + 1) % COLD_RESTART === 0) {
            if (cold) coldChecks.snapshotHits += await snapshotHits(cold);
            await cold?.close();
            await server.app.services.comments.reads.cache.flushSnapshots();
            cold = await startTestServer({ sites: [SITE], mongoUri: server.mongoUri });
            cold.db.conn.set('debug', (coll: string, method: string) => {
              if (coll === 'comments' && method === 'find') coldChecks.listings++;
            });
          }
          coldChecks.checks++;
          await settledFirstPages(cold, article, viewer, `step ${step} (${name}), cold node`);
        }
      }
      if (cold) coldChecks.snapshotHits += await snapshotHits(cold);
    } finally {
      await cold?.close();
    }
    assert.ok(coldChecks.snapshotHits > 0, 'cold nodes started from snapshots');
    // The run exercised what it meant to.
    const all = await docs();
    for (const status of ['published', 'pending', 'rejected', 'deleted']) assert.ok(all.some((d) => d.status === status), `some comment is ${status}`);
    for (const op of ['post', 'reply', 'edit', 'delete', 'react', 'approve', 'reject', 'flag', 'lock', 'premod']) assert.ok(counts[`${op} done`], `some ${op} went through: ${JSON.stringify(counts)}`);
    console.log(`      ${STEPS} steps (seed ${SEED}): ${all.length} comments; ${JSON.stringify(counts)}; cold nodes: ${JSON.stringify(coldChecks)}`);
  });

  it('shows a post in the very next read, on the node that took it and on another node', async () => {
    const redis: RedisServer = await startRedis();
    const env = { REDIS_URL: redis.url };
    const a = await startTestServer({ sites: [SITE], env });
    const b = await startTestServer({ sites: [SITE], env, mongoUri: a.mongoUri });
    try {
      const article = 'ryw-1';
      const alice = await token('alice');
      // Both nodes hold the thread before the posts.
      for (const srv of [a, b]) assert.equal((await http(srv.url, 'GET', `${API}/articles/${article}/comments`)).body.total, 0);
      for (let i = 0; i < 20; i++) {
        const via = i % 2 ? b : a;
        const posted = await http(via.url, 'POST', `${API}/articles/${article}/comments`, { token: alice, body: { body: `post ${i}`, clientId: `ryw${i}` } });
        assert.equal(posted.status, 201);
        for (const srv of [a, b]) {
          for (const who of [undefined, alice]) {
            const page = await http(srv.url, 'GET', `${API}/articles/${article}/comments?limit=1`, { token: who });
            assert.equal(page.body.comments[0]?.id, posted.body.id, `post ${i} on the next read of ${srv === a ? 'a' : 'b'}`);
            assert.equal(page.body.total, i + 1);
            assert.equal(page.body.seq, posted.body.seq);
          }
        }
      }
    } finally {
      await b.close();
      await a.close();
      await redis.stop();
    }
  });

  it('a reader joining from its page\'s seq while posts arrive misses none and gets none twice', async () => {
    const writerToken = await token('writer');
    const writer = await connectReader(server.url, { token: writerToken });
    sockets.push(writer);
    for (let round = 0; round < 5; round++) {
      const article = `join-${round}`;
      // The thread is held (a read before the posts), as it is for every article being read.
      await http(server.url, 'GET', `${API}/articles/${article}/comments?limit=100`);
      const posted: string[] = [];
      let stop = false;
      const posting = (async () => {
        for (let i = 0; !stop && i < 60; i++) {
          const ack = await call(writer, 'comment:post', { article, body: `r${round} p${i}`, clientId: `j${round}-${i}` });
          posted.push(ack.comment.id);
        }
      })();
      await sleep(20 + round * 15);
      const reader = await connectReader(server.url);
      sockets.push(reader);
      const live = record(reader, ['comment:created']);
      const page = (await http(server.url, 'GET', `${API}/articles/${article}/comments?limit=100&sort=oldest`)).body;
      const inPage = new Set<string>(page.comments.map((c: { id: string }) => c.id));
      const join = await call(reader, 'article:join', { article, since: page.seq });
      assert.ok(!join.reset, 'no reset');
      stop = round % 2 === 1;
      await posting;
      const last = await server.app.services.events.lastSeq('demo', article);
      await waitFor(() => live.some((e) => e.payload.seq === last) || join.seq === last, 10_000, 'the last event');
      // As a client does: the replayed events, then the live ones, one per seq, none at or
      // below the page's seq (an event stored just before the page was read and sent just
      // after the join can arrive live; the protocol lets clients drop seqs they have).
      const bySeq = new Map<number, { id: string }>();
      for (const e of [...join.missed, ...live.map((l) => ({ ...l.payload, type: 'comment:created' }))]) if (e.seq > page.seq) bySeq.set(e.seq, e);
      const seqs = [...bySeq.keys()].sort((x, y) => x - y);
      assert.deepEqual(seqs, Array.from({ length: last - page.seq }, (_, i) => page.seq + 1 + i), 'every event after the page, once');
      const created = seqs.map((s) => bySeq.get(s)!.id);
      for (const id of created) assert.ok(!inPage.has(id), `comment ${id} was in the page and came again`);
      const seen = new Set([...inPage, ...created]);
      for (const id of posted) assert.ok(seen.has(id), `comment ${id} missed`);
      reader.disconnect();
    }
  });

  it('anonymous pages carry seq, an ETag and Cache-Control, and answer 304; signed-in readers get their reactions', async () => {
    const article = 'etag-1';
    const alice = await token('alice');
    const bob = await token('bob');
    const c1 = (await http(server.url, 'POST', `${API}/articles/${article}/comments`, { token: alice, body: { body: 'one', clientId: 'e1' } })).body;
    const c2 = (await http(server.url, 'POST', `${API}/articles/${article}/comments`, { token: alice, body: { body: 'two', clientId: 'e2', parentId: c1.id } })).body;
    const path = `${API}/articles/${article}/comments`;
    const first = await http(server.url, 'GET', path);
    assert.equal(first.status, 200);
    assert.equal(first.body.seq, c2.seq);
    assert.match(first.headers.get('cache-control') ?? '', /public, max-age=1\b/);
    assert.match(first.headers.get('vary') ?? '', /Authorization/i);
    const etag = first.headers.get('etag')!;
    assert.match(etag, new RegExp(`^W/"${c2.seq}-`));
    const again = await http(server.url, 'GET', path, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('etag'), etag);
    const view = await http(server.url, 'GET', `${API}/articles/${article}`);
    assert.equal(view.body.seq, c2.seq);
    assert.equal(view.body.commentCount, 2);
    assert.equal((await http(server.url, 'GET', `${API}/articles/${article}`, { headers: { 'if-none-match': view.headers.get('etag')! } })).status, 304);

    // Bob reacts: his own page shows it; the anonymous page changes with the seq of the event.
    assert.equal((await http(server.url, 'PUT', `${API}/comments/${c2.id}/reactions/heart`, { token: bob })).status, 200);
    assert.equal((await http(server.url, 'PUT', `${API}/articles/${article}/reactions/wow`, { token: bob })).status, 200);
    const mine = await http(server.url, 'GET', path, { token: bob });
    assert.match(mine.headers.get('cache-control') ?? '', /private/);
    assert.deepEqual(mine.body.comments[0].myReactions, []);
    assert.deepEqual(mine.body.comments[0].replies[0].myReactions, ['heart']);
    assert.deepEqual((await http(server.url, 'GET', `${API}/articles/${article}`, { token: bob })).body.myReactions, ['wow']);
    const anon = await http(server.url, 'GET', path);
    assert.equal(anon.body.comments[0].myReactions, undefined);
    let changed = anon;
    for (let i = 0; i < 50 && !changed.body.comments[0].replies[0].reactions.heart; i++) {
      await sleep(50);
      changed = await http(server.url, 'GET', path, { headers: { 'if-none-match': etag } });
    }
    assert.equal(changed.status, 200, 'a new seq is a new ETag');
    assert.deepEqual(changed.body.comments[0].replies[0].reactions, { heart: 1 });
    assert.ok(changed.body.seq > c2.seq);
    assert.notEqual(changed.headers.get('etag'), etag);

    // The reads of a signed-in page: its reactions in one query, nothing else from the database.
    // The article's reaction total is coalesced in the background: let it land first.
    // The snapshot writer, off the request path, stores the thread at most once a second:
    // write what it holds now, and leave its writes out of the count.
    await until('the article reaction’s total', async () => (await http(server.url, 'GET', `${API}/articles/${article}`)).body.reactions?.wow === 1, 10_000);
    await server.app.services.comments.reads.cache.flushSnapshots();
    const others = (calls: string[]) => calls.filter((c) => !c.startsWith('events.') && !c.startsWith('thread_snapshot'));
    const calls = await callsDuring(server, () => http(server.url, 'GET', path, { token: bob }), (c) => others(c).join() === 'reactions.find' && c.filter((x) => x.startsWith('events.')).length <= 1);
    assert.deepEqual(others(calls), ['reactions.find']);
    assert.ok(calls.filter((c) => c.startsWith('events.')).length <= 1, `one freshness lookup: ${calls}`);
  });

  it('keeps pages right when a tiny memory budget evicts threads', async () => {
    const small = await startTestServer({ sites: [SITE], env: { THREAD_CACHE_MB: '0.02' } });
    try {
      const alice = await token('alice');
      const articles = ['lru-a', 'lru-b', 'lru-c'];
      for (let i = 0; i < 12; i++) {
        const article = articles[i % 3]!;
        const body = { body: Array.from({ length: 25 }, (_, k) => `This is line ${k} of comment ${i}, and it is not short.`).join(' '), clientId: `l${i}` };
        const posted = await http(small.url, 'POST', `${API}/articles/${article}/comments`, { token: alice, body });
        assert.equal(posted.body.status, 'published');
        for (const a of articles) {
          const got = await http(small.url, 'GET', `${API}/articles/${a}/comments?limit=100`);
          const want = await small.app.services.comments.reads.listComments(actorFor(small, null), a, { limit: 100 }, 'database');
          assert.deepEqual(got.body, JSON.parse(JSON.stringify(want)));
        }
      }
      const stats = small.app.services.comments.reads.cache.stats();
      assert.ok(stats.bytes <= 0.02 * 1024 * 1024, `${stats.bytes} bytes held`);
      assert.ok(stats.articles < 3, `${stats.articles} articles held`);
      const metrics = await (await fetch(`${small.url}/metrics`)).text();
      const misses = Number(/charcha_thread_reads_total\{outcome="miss"\} (\d+)/.exec(metrics)?.[1]);
      assert.ok(misses > 3, `threads were built again after eviction (${misses} misses)`);
      assert.match(metrics, /charcha_thread_cache_bytes \d+/);
    } finally {
      await small.close();
    }
  });

  it('migrates events stored with ObjectId ids to keyed ones, and replays them', async () => {
    const { Event } = server.app.services.models;
    const article = 'migrate-1';
    await Event.collection.insertMany(
      [1, 2, 3].map((seq) => ({ _id: new ObjectId(), site: 'demo', article, seq, type: 'comment:deleted', payload: { id: `x${seq}` }, at: new Date() })) as never[],
    );
    await server.app.services.models.Article.updateOne({ _id: articleKey('demo', article) }, { $set: { seq: 3 }, $setOnInsert: { site: 'demo', article } }, { upsert: true });
    assert.equal(await migrateEventKeys(server.app.services.models), 3);
    assert.equal(await migrateEventKeys(server.app.services.models), 0, 'idempotent');
    const keyed = await Event.find({ _id: trusted({ $in: [1, 2, 3].map((s) => eventKey('demo', article, s)) }) }).lean();
    assert.equal(keyed.length, 3);
    const replay = await server.app.services.events.replay('demo', article, 0);
    assert.deepEqual(replay.missed?.map((e) => e.seq), [1, 2, 3]);
    const next = await server.app.services.events.append('demo', article, 'comment:deleted', { id: 'x4' });
    assert.equal(next.seq, 4);
  });
});
