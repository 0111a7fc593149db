// The engagement statistics through the API, on two nodes sharing the database and Redis:
// the counts equal what was done (posts, holds, decisions, reactions, flags, on either node),
// who may read them, bad queries, the /dashboard live feed (real Socket.IO clients), and
// STATS=off.
import assert from 'node:assert/strict';
import { io, type Socket } from 'socket.io-client';
import type { DashboardLive } from '../../client-sdk/src/protocol';
import { call, connectReader, http } from '../helpers/clients';
import { until } from '../helpers/cluster';
import { freshDatabaseUri } from '../helpers/db';
import { TEST_REDIS_URL, testRedis } from '../helpers/redis';
import { startTestServer, type TestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';

const API = '/api/v1/sites/demo';
const HOUR = 3_600_000;

function connectDashboard(url: string, token?: string): Promise<Socket> {
  const socket = io(`${url}/dashboard`, { auth: { site: 'demo', token }, transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.disconnect();
      reject(err);
    });
  });
}

describe('engagement statistics on two nodes', function () {
  this.timeout(180_000);
  let a: TestServer;
  let b: TestServer;
  let mod: string;
  let admin: string;
  let alice: string;
  let bob: string;
  const sockets: Socket[] = [];
  const prefix = `stats-test-${process.pid}-${Date.now()}`;

  const post = (s: TestServer, token: string, article: string, body: string, clientId: string) =>
    http(s.url, 'POST', `${API}/articles/${encodeURIComponent(article)}/comments`, { token, body: { body, clientId } });
  const stats = (s: TestServer, query: string, token = mod) => http(s.url, 'GET', `${API}/admin/stats${query}`, { token });

  before(async function () {
    this.timeout(900_000);
    const probe = await testRedis();
    if (!probe) return this.skip();
    probe.disconnect();
    const mongoUri = await freshDatabaseUri('stats');
    const env = { REDIS_URL: TEST_REDIS_URL, CLUSTER_PREFIX: prefix, STATS_FLUSH_MS: '200' };
    a = await startTestServer({ mongoUri, env });
    b = await startTestServer({ mongoUri, env });
    mod = await signToken({ sub: 'mod-1', name: 'मीरा', role: 'moderator' });
    admin = await signToken({ sub: 'admin-1', name: 'Ravi', role: 'admin' });
    alice = await signToken({ sub: 'alice', name: 'अलीशा' });
    bob = await signToken({ sub: 'bob', name: 'Bob' });
  });
  after(async () => {
    for (const s of sockets) s.disconnect();
    await Promise.all([a?.close(), b?.close()]);
  });

  // Done once, checked by the tests below.
  const X = 'राजनीति.चुनाव-2026';
  const Y = 'sports-final';
  let published: string[] = [];

  it('counts what was done on either node: posts by outcome, decisions, reactions, flags', async () => {
    published = [];
    for (const [s, i] of [[a, 1], [a, 2], [a, 3], [b, 4], [b, 5]] as const) {
      const r = await post(s, i % 2 ? alice : bob, X, `टिप्पणी ${i}`, `x${i}`);
      assert.equal(r.status, 201);
      published.push(r.body.id);
    }
    assert.equal((await http(a.url, 'PUT', `${API}/moderation/articles/${Y}`, { token: mod, body: { premod: 'all' } })).status, 200);
    const held: string[] = [];
    for (const i of [1, 2, 3]) {
      const r = await post(b, alice, Y, `held ${i}`, `y${i}`);
      assert.equal(r.body.status, 'pending');
      held.push(r.body.id);
    }
    assert.equal((await http(a.url, 'POST', `${API}/moderation/comments/${held[0]}`, { token: mod, body: { action: 'approve' } })).status, 200);
    assert.equal((await http(b.url, 'POST', `${API}/moderation/comments/${held[1]}`, { token: admin, body: { action: 'reject' } })).status, 200);
    // Reactions: two new on a comment (one repeated: not new), one on the article itself.
    assert.equal((await http(a.url, 'PUT', `${API}/comments/${published[0]}/reactions/like`, { token: bob })).status, 200);
    assert.equal((await http(b.url, 'PUT', `${API}/comments/${published[0]}/reactions/like`, { token: bob })).status, 200);
    assert.equal((await http(b.url, 'PUT', `${API}/comments/${published[0]}/reactions/heart`, { token: alice })).status, 200);
    assert.equal((await http(b.url, 'PUT', `${API}/articles/${encodeURIComponent(X)}/reactions/wow`, { token: alice })).status, 200);
    assert.equal((await http(a.url, 'POST', `${API}/comments/${published[3]}/flags`, { token: alice, body: { reason: 'spam' } })).status, 202);

    const want = { posted: 8, published: 5, held: 3, decisions: 2, approved: 1, reactions: 3, flags: 1 };
    const pick = (t: Record<string, unknown>) => Object.fromEntries(Object.keys(want).map((k) => [k, t[k] ?? 0]));
    let last: unknown;
    await until('the counts flushed', async () => {
      const r = await stats(a, '');
      last = pick(r.body.totals);
      return JSON.stringify(last) === JSON.stringify(want);
    }, 30_000).catch((err) => assert.fail(`${err.message}: last ${JSON.stringify(last)}`));
    // Either node answers the same, and nothing more arrives after it.
    await new Promise((r) => setTimeout(r, 600));
    const fromA = await stats(a, '');
    const fromB = await stats(b, '');
    assert.deepEqual(pick(fromA.body.totals), want);
    assert.deepEqual(pick(fromB.body.totals), want);
    assert.equal(fromA.body.resolution, 'minute');
    const span = Date.parse(fromA.body.to) - Math.floor(Date.parse(fromA.body.from) / 60_000) * 60_000;
    assert.equal(fromA.body.points.length, Math.ceil(span / 60_000)); // six hours of minutes, zeros included
    assert.equal(fromA.body.points.reduce((s: number, p: { posted?: number }) => s + (p.posted ?? 0), 0), 8);
    assert.equal(fromA.body.totals.wait ? Object.values(fromA.body.totals.wait as Record<string, number>).reduce((s, n) => s + n, 0) : 0, 2);
    assert.equal(typeof fromA.body.medianWaitMs, 'number');
    assert.deepEqual(fromA.body.backlog, { pending: 1, flagged: 0 + fromA.body.backlog.flagged });

    const perX = await stats(b, `?article=${encodeURIComponent(X)}`);
    assert.deepEqual([perX.body.totals.posted, perX.body.totals.reactions, perX.body.totals.flags, perX.body.totals.held ?? 0], [5, 3, 1, 0]);
    const perY = await stats(b, `?article=${Y}`);
    assert.deepEqual([perY.body.totals.posted, perY.body.totals.held, perY.body.totals.decisions], [3, 3, 2]);

    const top = await http(a.url, 'GET', `${API}/admin/stats/top?by=comments&window=1h`, { token: mod });
    assert.equal(top.status, 200);
    assert.deepEqual(top.body.articles.map((t: { article: string; comments: number }) => [t.article, t.comments]), [[X, 5], [Y, 3]]);
    const topR = await http(b.url, 'GET', `${API}/admin/stats/top?by=reactions`, { token: admin });
    assert.deepEqual(topR.body.articles.map((t: { article: string; reactions: number }) => [t.article, t.reactions]), [[X, 3]]);
  });

  it('answers staff only, with clear errors for bad queries', async () => {
    assert.equal((await stats(a, '', alice)).status, 403);
    assert.equal((await http(a.url, 'GET', `${API}/admin/stats`)).status, 401);
    assert.equal((await http(a.url, 'GET', `${API}/admin/export`, { token: mod })).status, 403, 'the rest of admin/ stays admins only');
    const now = Date.now();
    for (const q of [`?from=${now}&to=${now - 1000}`, '?from=yesterday', `?from=${now - 40 * 24 * HOUR}&to=${now}`, '?article=a%20b', '?x=1']) {
      const r = await stats(a, q);
      assert.equal(r.status, 400, q);
      assert.equal(r.body.error.code, 'bad_request');
    }
    for (const q of ['?by=likes', '?window=2w', '?window=0m']) {
      const r = await http(a.url, 'GET', `${API}/admin/stats/top${q}`, { token: mod });
      assert.equal(r.status, 400, q);
    }
    const long = await stats(a, `?from=${new Date(now - 7 * 24 * HOUR).toISOString()}&to=${new Date(now).toISOString()}`);
    assert.equal(long.status, 200);
    assert.equal(long.body.resolution, 'hour');
    assert.equal(long.body.totals.posted, 8);
  });

  it('feeds /dashboard live: readers now on another node, posts per minute, at most once a second', async () => {
    await assert.rejects(connectDashboard(a.url, alice), (err: any) => err.data?.error?.code === 'forbidden');
    await assert.rejects(connectDashboard(a.url), (err: any) => err.data?.error?.code === 'unauthorized');
    const dash = await connectDashboard(a.url, mod);
    sockets.push(dash);
    const seen: { at: number; live: DashboardLive }[] = [];
    dash.on('stats:live', (live: DashboardLive) => seen.push({ at: Date.now(), live }));
    const reader = await connectReader(b.url);
    sockets.push(reader as unknown as Socket);
    await call(reader, 'article:join', { article: X });
    const posted = (l: DashboardLive) => l.minutes.reduce((s, m) => s + m.posted, 0);
    const reactions = (l: DashboardLive) => l.minutes.reduce((s, m) => s + m.reactions, 0);
    await until('the reader on node b shows on node a', async () => {
      const l = seen.at(-1)?.live;
      return !!l && l.articles.some((x) => x.article === X && x.readers === 1) && l.readers === 1;
    }, 30_000);
    const l = seen.at(-1)!.live;
    assert.equal(posted(l), 8);
    assert.equal(reactions(l), 3);
    // A new post on node b reaches node a's dashboard.
    assert.equal((await post(b, bob, X, 'एक और', 'x9')).status, 201);
    await until('the new post', async () => posted(seen.at(-1)!.live) === 9, 30_000);
    // Throttled: a few seconds bring a few updates, not one per event.
    const start = seen.length;
    const t0 = Date.now();
    for (let i = 0; i < 20; i++) await http(a.url, 'PUT', `${API}/articles/${encodeURIComponent(X)}/reactions/${['like', 'heart'][i % 2]}`, { token: i % 4 < 2 ? bob : alice });
    await new Promise((r) => setTimeout(r, 2000));
    const elapsed = Date.now() - t0;
    assert.ok(seen.length - start <= Math.ceil(elapsed / 1000) + 1, `${seen.length - start} updates in ${elapsed} ms`);
    reader.disconnect();
    await until('the reader gone', async () => seen.at(-1)!.live.readers === 0, 30_000);
  });

  it('counts one decision per comment when two moderators on two nodes decide it at once, race after race', async () => {
    const Z = 'race-article';
    assert.equal((await http(a.url, 'PUT', `${API}/moderation/articles/${Z}`, { token: mod, body: { premod: 'all' } })).status, 200);
    const ROUNDS = 12;
    let wins = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const held = await post(i % 2 ? a : b, alice, Z, `दौड़ ${i}`, `race-${i}`);
      assert.equal(held.body.status, 'pending');
      const answers = await Promise.all([
        http(a.url, 'POST', `${API}/moderation/comments/${held.body.id}`, { token: mod, body: { action: 'approve', rev: held.body.rev } }),
        http(b.url, 'POST', `${API}/moderation/comments/${held.body.id}`, { token: admin, body: { action: 'reject', rev: held.body.rev } }),
      ]);
      assert.deepEqual(answers.map((r) => r.status).sort(), [200, 409]);
      wins += answers.filter((r) => r.status === 200).length;
    }
    // The counts equal a recount of the decisions the moderation log holds for the article.
    const log = await http(a.url, 'GET', `${API}/moderation/log?limit=100`, { token: admin });
    const decided = (log.body.entries as { action: string; target?: { article?: string } }[]).filter((e) => e.target?.article === Z && ['approve', 'reject', 'spam'].includes(e.action)).length;
    let last: unknown;
    await until('the decisions flushed', async () => {
      const r = await stats(b, `?article=${Z}`);
      last = r.body.totals;
      return r.body.totals.posted === ROUNDS && r.body.totals.decisions === wins;
    }, 30_000).catch((err) => assert.fail(`${err.message}: last ${JSON.stringify(last)}, ${wins} decisions won`));
    assert.equal(wins, ROUNDS, 'one decision per comment: the second is a conflict');
    assert.equal(decided, wins);
  });

  it('flushes what it counted when the node shuts down, long before the next flush', async () => {
    let one = await startTestServer({ env: { STATS_FLUSH_MS: '600000' } });
    try {
      for (const i of [1, 2, 3]) assert.equal((await post(one, alice, 'shutdown-article', `अंतिम ${i}`, `s${i}`)).status, 201);
      one = await one.restart(); // close() flushes; the new node reads what the old one wrote
      const r = await stats(one, '?article=shutdown-article');
      assert.equal(r.body.totals.posted, 3);
      assert.equal(r.body.totals.published, 3);
    } finally {
      await one.close();
    }
  });

  it('STATS=off: nothing counted, the routes answer 503', async () => {
    const off = await startTestServer({ env: { STATS: 'off' } });
    try {
      const r = await http(off.url, 'GET', `${API}/admin/stats`, { token: mod });
      assert.equal(r.status, 503);
      assert.equal(r.body.error.code, 'unavailable');
      assert.equal(off.app.services.stats, undefined);
    } finally {
      await off.close();
    }
  });
});
