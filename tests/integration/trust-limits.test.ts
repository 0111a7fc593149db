// Rate limits against real servers: the default limits on a flood, guests, client
// addresses behind proxies, per-site overrides, flooding sockets, and Redis-backed limits
// shared by two servers.
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { call, connectReader, http, type HttpAnswer } from '../helpers/clients';
import { startTestServer, type TestServer } from '../helpers/server';
import { testRedis, TEST_REDIS_URL } from '../helpers/redis';
import { signToken } from '../helpers/tokens';

const API = '/api/v1/sites/demo';
const LIMITS_ON = { RATE_LIMITS: 'on' };
const TIGHT_SECRET = 't'.repeat(32);
const tightToken = (sub: string) => signToken({ sub, name: sub }, TIGHT_SECRET);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function assertLimited(r: HttpAnswer, what: string) {
  assert.equal(r.status, 429, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
  assert.equal(r.body.error.code, 'rate_limited');
  assert.ok(r.body.error.retryAfter >= 1, 'retryAfter in the body');
  assert.equal(r.headers.get('retry-after'), String(Math.ceil(r.body.error.retryAfter)), 'Retry-After header');
}

describe('trust: rate limits', function () {
  this.timeout(120_000);
  let server: TestServer;
  let tight: TestServer;
  let proxied: TestServer;

  before(async function () {
    this.timeout(900_000);
    server = await startTestServer({ env: LIMITS_ON });
    proxied = await startTestServer({ env: { ...LIMITS_ON, TRUST_PROXY: '1' } });
    tight = await startTestServer({
      env: LIMITS_ON,
      sites: [
        {
          id: 'tight',
          secret: TIGHT_SECRET,
          origins: [],
          guests: true,
          limits: {
            'post:user:burst': { points: 5, duration: 60 },
            'post:site': { points: 6, duration: 60 },
            'react:user': { points: 2, duration: 60 },
            'connect:ip': { points: 3, duration: 60 },
            'event:socket': { points: 5, duration: 60 },
          },
        },
      ],
    });
  });
  after(async () => {
    await server?.close();
    await proxied?.close();
    await tight?.close();
  });

  it('cuts a flood of 100 posts in 5 s after the burst while another user posts without delay', async function () {
    const flooder = await signToken({ sub: 'flooder', name: 'Flooder' });
    const other = await signToken({ sub: 'calm', name: 'शांत पाठक' });
    const flood: Promise<HttpAnswer>[] = [];
    const calm: { status: number; ms: number }[] = [];
    // The same kind of post with no flood going on, by a third user, for comparison.
    const quiet = await signToken({ sub: 'quiet', name: 'Quiet' });
    const quietMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      assert.equal((await http(server.url, 'POST', `${API}/articles/flood/comments`, { token: quiet, body: { body: `बाढ़ से पहले ${i}`, clientId: `q${i}` } })).status, 201);
      quietMs.push(performance.now() - t);
    }
    const started = Date.now();
    const calmPosts = (async () => {
      for (let i = 0; i < 3; i++) {
        await sleep(1200);
        const t0 = performance.now();
        const r = await http(server.url, 'POST', `${API}/articles/flood/comments`, { token: other, body: { body: `शांत टिप्पणी ${i}`, clientId: `calm${i}` } });
        calm.push({ status: r.status, ms: performance.now() - t0 });
      }
    })();
    const floodMs: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t0 = performance.now();
      const sent = http(server.url, 'POST', `${API}/articles/flood/comments`, { token: flooder, body: { body: `flood ${i}`, clientId: `f${i}` } });
      flood.push(sent.then((r) => (floodMs.push(performance.now() - t0), r)));
      await sleep(Math.max(0, started + (i + 1) * 50 - Date.now())); // one post every 50 ms on the clock
    }
    const answers = await Promise.all(flood);
    await calmPosts;
    const floodSpan = Date.now() - started;
    floodMs.sort((a, b) => a - b);
    const accepted = answers.filter((r) => r.status === 201);
    const limited = answers.filter((r) => r.status === 429);
    assert.equal(accepted.length, 3, 'the burst of 3 goes through');
    assert.equal(limited.length, 97, 'everything after the burst is refused');
    assertLimited(limited[0]!, 'flood');
    assert.ok(limited.every((r) => r.body.error.retryAfter <= 10));
    assert.deepEqual(calm.map((c) => c.status), [201, 201, 201], 'the other user is never limited');
    const page = await http(server.url, 'GET', `${API}/articles/flood/comments?limit=100`);
    assert.equal(page.body.total, 9, 'refused posts stored nothing');
    const metrics = await fetch(`${server.url}/metrics`).then((r) => r.text());
    const refusedPosts = /charcha_rate_limited_total\{limit="post:user:burst"\} (\d+)/.exec(metrics);
    assert.ok(refusedPosts && Number(refusedPosts[1]) >= 97, `the metric counts the refusals: ${refusedPosts?.[0]}`);
    const ms = calm.map((c) => c.ms.toFixed(1)).join(', ');
    console.log(`      flood: 100 posts in ${floodSpan} ms (answer median ${floodMs[50]!.toFixed(1)} ms), 3 accepted, 97 refused (429); other user's posts took ${ms} ms during it, ${quietMs.map((m) => m.toFixed(1)).join(', ')} ms (another user) before it`);
  });

  it('limits guests harder, by address, whatever name they give', async () => {
    const post = (name: string, i: number) => http(server.url, 'POST', `${API}/articles/guests/comments`, { body: { body: `guest ${i}`, clientId: `g${i}`, guest: { name } } });
    assert.equal((await post('Guest One', 1)).status, 201);
    assert.equal((await post('Guest One', 2)).status, 201);
    assertLimited(await post('Guest One', 3), 'third guest post');
    assertLimited(await post('A New Name', 4), 'a new name from the same address');
  });

  it('reads the client address from X-Forwarded-For only behind TRUST_PROXY, IPv6 by its /64', async () => {
    const post = (s: TestServer, xff: string, i: number) =>
      http(s.url, 'POST', `${API}/articles/xff/comments`, { headers: { 'x-forwarded-for': xff }, body: { body: `via proxy ${i}`, clientId: `x${i}`, guest: { name: 'G' } } });
    // No proxy trusted: a forged header buys nothing (the earlier test spent this address's guest bucket).
    assertLimited(await post(server, '198.51.100.7', 1), 'forged X-Forwarded-For without TRUST_PROXY');
    // One proxy trusted: the address it saw is the key.
    for (const [i, ip] of ['198.51.100.1', '198.51.100.1'].entries()) assert.equal((await post(proxied, `10.0.0.1, ${ip}`, 10 + i)).status, 201);
    assertLimited(await post(proxied, '198.51.100.1', 12), 'same address');
    assert.equal((await post(proxied, '198.51.100.2', 13)).status, 201, 'another address has its own bucket');
    assert.equal((await post(proxied, '2001:db8:1:2::1', 20)).status, 201);
    assert.equal((await post(proxied, '2001:db8:1:2:aaaa:bbbb:cccc:dddd', 21)).status, 201);
    assertLimited(await post(proxied, '2001:DB8:1:2::ffff', 22), 'same IPv6 /64');
    assert.equal((await post(proxied, '2001:db8:1:3::1', 23)).status, 201, 'another /64');
  });

  it('applies per-site limits: the user burst, the site-wide bucket, reactions', async () => {
    const base = '/api/v1/sites/tight';
    const users = await Promise.all(['s1', 's2', 's3'].map(tightToken));
    const results: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await http(tight.url, 'POST', `${base}/articles/site/comments`, { token: users[i % 3], body: { body: `site-wide ${i}`, clientId: `w${i}` } });
      results.push(r.status);
      if (r.status === 429) assertLimited(r, 'site bucket');
    }
    assert.deepEqual(results, [201, 201, 201, 201, 201, 201, 429], 'six posts a minute on this site, whoever posts');
    const reactor = await tightToken('reactor');
    const kinds = ['like', 'heart', 'wow'];
    const reacted = [];
    for (const kind of kinds) reacted.push(await http(tight.url, 'PUT', `${base}/articles/site/reactions/${kind}`, { token: reactor }));
    assert.deepEqual(reacted.map((r) => r.status), [200, 200, 429]);
    assertLimited(reacted[2]!, 'reactions');
  });

  it('limits connections per address at the handshake', async () => {
    const open = [];
    for (let i = 0; i < 3; i++) open.push(await connectReader(tight.url, { site: 'tight' }));
    const err = await new Promise<any>((resolve, reject) => {
      const s = io(tight.url, { auth: { site: 'tight' }, transports: ['websocket'], forceNew: true, reconnection: false });
      s.once('connect', () => reject(new Error('fourth connection accepted')));
      s.once('connect_error', (e) => resolve((s.disconnect(), e)));
    });
    for (const s of open) s.disconnect();
    assert.equal(err.data?.error?.code, 'rate_limited');
    assert.ok(err.data.error.retryAfter >= 1);
  });

  it('answers a fast socket with rate_limited, then disconnects it when it keeps flooding', async () => {
    const s = await connectReader(server.url);
    const gone = new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)));
    const acks = await Promise.all(Array.from({ length: 100 }, () => call(s, 'article:leave', { article: 'ev' }, 3000).catch(() => ({ lost: true }))));
    const ok = acks.filter((a: any) => !a.error && !a.lost).length;
    const limited = acks.filter((a: any) => a.error?.code === 'rate_limited');
    assert.equal(ok, 40, 'the per-connection allowance');
    assert.equal(limited.length, 60, 'every event past the allowance is answered rate_limited');
    assert.ok(limited.every((a: any) => a.error.retryAfter >= 1));
    assert.equal(await gone, 'io server disconnect');
    // The address may connect again, and other connections were never touched.
    const again = await connectReader(server.url);
    assert.deepEqual(await call(again, 'article:leave', { article: 'ev' }), {});
    again.disconnect();
  });

  it('shares the limits between two servers through Redis', async function () {
    const probe = await testRedis();
    if (!probe) this.skip();
    const prefix = `charcha-test:${process.pid}:${Date.now()}`;
    const env = { ...LIMITS_ON, REDIS_URL: TEST_REDIS_URL, RATE_LIMIT_PREFIX: prefix };
    const a = await startTestServer({ env });
    const b = await startTestServer({ env, mongoUri: a.mongoUri });
    try {
      const token = await signToken({ sub: 'two-nodes', name: 'Two Nodes' });
      const post = (s: TestServer, i: number) => http(s.url, 'POST', `${API}/articles/redis/comments`, { token, body: { body: `node post ${i}`, clientId: `r${i}` } });
      const statuses = [(await post(a, 1)).status, (await post(b, 2)).status, (await post(a, 3)).status];
      assert.deepEqual(statuses, [201, 201, 201]);
      assertLimited(await post(b, 4), 'fourth post, on the other server');
      assertLimited(await post(a, 5), 'fifth post');
      const keys = await probe.keys(`${prefix}:*`);
      assert.ok(keys.some((k) => k.includes('post:user:burst')), `keys in Redis: ${keys.join(', ')}`);
      await probe.del(...keys);
    } finally {
      await a.close();
      await b.close();
      probe.disconnect();
    }
  });
});
