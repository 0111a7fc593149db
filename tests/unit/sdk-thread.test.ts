// The SDK's thread against an in-memory fake server (client-sdk/testing/fake-server.ts):
// resume after cuts, gaps, resets, the outbox, tokens, reactions, convergence.
import assert from 'node:assert/strict';
import { FakeServer, fakeToken } from '../../client-sdk/testing/fake-server';
import {
  createClient,
  ForbiddenError,
  RateLimitedError,
  type CharchaClient,
  type ClientOptions,
  type Thread,
  type ThreadComment,
} from '../../client-sdk/src/core';
import type { Comment, ErrorBody } from '../../client-sdk/src/protocol';

const ART = 'art-1';
const bob = { id: 'bob', name: 'Bob' };

async function waitFor(cond: () => boolean, what = 'condition', ms = 3000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every comment of a tree, flattened, as comparable rows. */
function rows(list: ThreadComment[] | Comment[]): string[] {
  const out: string[] = [];
  const walk = (cs: (ThreadComment | Comment)[]) => {
    for (const c of cs) {
      if ('local' in c && c.local) continue;
      out.push(`${c.id}|${c.parentId}|${c.status}|${c.body}|${JSON.stringify(c.reactions)}`);
      if ('key' in c) walk(c.replies);
    }
  };
  walk(list as ThreadComment[]);
  return out.sort();
}

/** Loads every page and every reply, so a tree can be compared with the whole server. */
async function loadAll(t: Thread): Promise<void> {
  while (t.hasMore) await t.loadMore();
  for (let round = 0; round < 10; round++) {
    const more: string[] = [];
    const walk = (cs: ThreadComment[]) => cs.forEach((c) => (c.moreReplies > 0 && more.push(c.id), walk(c.replies)));
    walk(t.comments);
    if (!more.length) return;
    for (const id of more) while (await t.loadReplies(id));
  }
}

describe('sdk: thread against a fake server', function () {
  this.timeout(20_000);
  let server: FakeServer;
  const clients: CharchaClient[] = [];

  const client = (o: Partial<ClientOptions> = {}) => {
    const c = createClient({
      url: 'http://fake.test',
      site: 'demo',
      io: server.io as never,
      fetch: server.fetch,
      ackTimeoutMs: 300,
      retry: { attempts: 4, baseDelayMs: 20, maxDelayMs: 100 },
      ...o,
    });
    clients.push(c);
    return c;
  };

  beforeEach(() => {
    server = new FakeServer();
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });

  it('ready: first page, room joined from the page\'s seq, then live events', async () => {
    const first = server.post(ART, bob, 'one');
    server.post(ART, bob, 'two', first.id);
    const t = client().thread(ART);
    await t.ready;
    assert.equal(t.status, 'live');
    assert.deepEqual(rows(t.comments), rows(server.visible(ART)));
    const join = server.received.find((r) => r.event === 'article:join')!;
    assert.equal(join.payload.since, 2);
    let changes = 0;
    t.on('change', () => changes++);
    server.post(ART, bob, 'three');
    await waitFor(() => t.comments.length === 2, 'live comment');
    assert.ok(changes >= 1);
    assert.equal(t.comments[0]!.body, '<p>three</p>');
    assert.equal(t.lastSeq, 3);
  });

  it('a post shows at once, then becomes the stored comment, once', async () => {
    const t = client({ token: fakeToken({ sub: 'alice', name: 'Alice' }) }).thread(ART);
    await t.ready;
    const p = t.post('hello <world>');
    assert.equal(t.comments.length, 1);
    assert.ok(t.comments[0]!.local);
    assert.equal(t.comments[0]!.body, 'hello &lt;world&gt;');
    assert.equal(t.comments[0]!.author.name, 'Alice');
    const stored = await p;
    assert.equal(stored.local, undefined);
    await sleep(20);
    assert.equal(t.comments.length, 1);
    assert.equal(t.comments[0]!.id, stored.id);
    assert.equal(t.comments[0]!.key, stored.key);
    assert.equal(server.visible(ART).length, 1);
  });

  it('a post made while the server is down is queued and sent once when it is back', async () => {
    const t = client({ token: fakeToken({ sub: 'alice', name: 'Alice' }) }).thread(ART);
    await t.ready;
    server.stop();
    await waitFor(() => t.status === 'offline', 'offline');
    const p = t.post('written offline');
    await sleep(100);
    assert.equal(t.comments[0]!.local?.state, 'queued');
    assert.equal(server.visible(ART).length, 0);
    server.start();
    const stored = await p;
    await waitFor(() => t.status === 'live', 'live again');
    await sleep(30);
    assert.equal(server.visible(ART).length, 1);
    assert.deepEqual(t.comments.map((c) => c.id), [stored.id]);
  });

  it('a lost acknowledgement is retried with the same clientId: one comment', async () => {
    const t = client({ token: fakeToken({ sub: 'alice', name: 'Alice' }) }).thread(ART);
    await t.ready;
    server.inject.set('comment:post', ['drop-ack', 'drop-ack']);
    const stored = await t.post('only once please');
    const posts = server.received.filter((r) => r.event === 'comment:post');
    assert.equal(posts.length, 3);
    assert.equal(new Set(posts.map((p) => p.payload.clientId)).size, 1);
    assert.equal(server.visible(ART).length, 1);
    await sleep(20);
    assert.deepEqual(t.comments.map((c) => c.id), [stored.id]);
  });

  it('after the last failure the post stays as failed, and retry() sends it', async () => {
    const t = client({ token: fakeToken({ sub: 'alice', name: 'Alice' }) }).thread(ART);
    await t.ready;
    const unavailable: ErrorBody = { error: { code: 'unavailable', message: 'down' } };
    server.inject.set('comment:post', [unavailable, unavailable, unavailable, unavailable]);
    await assert.rejects(t.post('stubborn'), (e: Error & { code?: string }) => e.code === 'unavailable');
    const failed = t.comments[0]!;
    assert.equal(failed.local?.state, 'failed');
    assert.equal(failed.local?.attempts, 4);
    const stored = await failed.local!.retry();
    assert.equal(stored.key, failed.key);
    assert.equal(t.comments.length, 1);
    assert.equal(t.comments[0]!.local, undefined);
    assert.equal(server.visible(ART).length, 1);
  });

  it('typed errors: a refusal fails at once, a rate limit waits retryAfter and goes through', async () => {
    const t = client({ token: fakeToken({ sub: 'alice', name: 'Alice' }) }).thread(ART);
    await t.ready;
    server.inject.set('comment:post', [{ error: { code: 'forbidden', message: 'banned' } }]);
    await assert.rejects(t.post('nope'), ForbiddenError);
    assert.equal(t.comments[0]!.local?.state, 'failed');
    t.comments[0]!.local!.discard();
    assert.equal(t.comments.length, 0);

    server.inject.set('comment:post', [{ error: { code: 'rate_limited', message: 'slow down', retryAfter: 0.05 } }]);
    const started = Date.now();
    await t.post('patient');
    assert.ok(Date.now() - started >= 45, 'waited for retryAfter');
    server.inject.set('reaction:set', [{ error: { code: 'rate_limited', message: 'slow down', retryAfter: 3 } }]);
    const err = await t.react(t.comments[0]!.id, 'like').catch((e: unknown) => e);
    assert.ok(err instanceof RateLimitedError);
    assert.equal(err.retryAfter, 3);
  });

  it('resumes after a cut with exactly the missed events (creates, edits, deletes, reactions)', async () => {
    const a = server.post(ART, bob, 'a');
    const b = server.post(ART, bob, 'b');
    const t = client().thread(ART);
    await t.ready;
    server.cutAll();
    await waitFor(() => t.status === 'offline', 'offline');
    server.post(ART, bob, 'c');
    server.edit(a.id, 'a edited');
    server.remove(b.id);
    server.react('bob', { comment: a.id }, 'like', true);
    const before = server.received.length;
    await waitFor(() => t.status === 'live' && t.lastSeq === server.seq(ART), 'resumed');
    const rejoin = server.received.slice(before).find((r) => r.event === 'article:join')!;
    assert.equal(rejoin.payload.since, 2);
    assert.deepEqual(rows(t.comments), rows(server.visible(ART)));
  });

  it('events sent out of order are applied in order without a rejoin', async () => {
    const t = client().thread(ART, { gapWaitMs: 500 });
    await t.ready;
    server.holdBroadcasts = true;
    server.post(ART, bob, 'first');
    server.post(ART, bob, 'second');
    server.post(ART, bob, 'third');
    server.holdBroadcasts = false;
    server.releaseHeld('reverse');
    await waitFor(() => t.comments.length === 3, 'three comments');
    assert.deepEqual(t.comments.map((c) => c.body), ['<p>third</p>', '<p>second</p>', '<p>first</p>']);
    assert.equal(server.received.filter((r) => r.event === 'article:join').length, 1);
  });

  it('a lost event is noticed by the next one and fetched with a rejoin', async () => {
    const t = client().thread(ART, { gapWaitMs: 30 });
    await t.ready;
    server.holdBroadcasts = true;
    server.post(ART, bob, 'lost');
    server.holdBroadcasts = false;
    const lost = server['held' as never] as unknown[];
    lost.splice(0); // never delivered
    server.post(ART, bob, 'after');
    await waitFor(() => t.comments.length === 2, 'both comments');
    const joins = server.received.filter((r) => r.event === 'article:join');
    assert.equal(joins.length, 2);
    assert.equal(joins[1]!.payload.since, 0);
    assert.deepEqual(t.comments.map((c) => c.body), ['<p>after</p>', '<p>lost</p>']);
  });

  it('a reset reloads as many comments as the reader had loaded, keeping unsent posts', async () => {
    for (let i = 0; i < 7; i++) server.post(ART, bob, `c${i}`);
    const t = client({ token: fakeToken({ sub: 'alice', name: 'Alice' }) }).thread(ART, { pageSize: 3 });
    await t.ready;
    await t.loadMore();
    assert.equal(t.comments.length, 6);
    server.stop();
    await waitFor(() => t.status === 'offline', 'offline');
    const pending = t.post('unsent during the outage');
    server.start();
    server.up = false; // keep clients out while history moves on
    server.post(ART, bob, 'new one');
    server.remove(server.visible(ART).find((c) => c.body === '<p>c5</p>')!.id);
    server.forget(ART);
    server.up = true;
    await pending;
    await waitFor(() => t.status === 'live' && t.lastSeq === server.seq(ART), 'resynced');
    const bodies = t.comments.map((c) => c.body);
    assert.ok(bodies.length >= 6, `kept what was loaded (${bodies.length})`);
    assert.ok(!bodies.includes('<p>c5</p>'));
    assert.ok(bodies.includes('<p>new one</p>'));
    assert.equal(bodies.filter((b) => b.includes('unsent during the outage')).length, 1);
    await loadAll(t);
    assert.deepEqual(rows(t.comments), rows(server.visible(ART)));
  });

  it('an expired token: the token function is called again and the socket uses auth:refresh', async () => {
    let calls = 0;
    const token = async () => {
      calls++;
      return fakeToken({ sub: 'alice', name: 'Alice', exp: Math.floor(Date.now() / 1000) + 3600 });
    };
    const c = client({ token });
    const t = c.thread(ART);
    await t.ready;
    assert.equal(calls, 1);
    for (const s of server.sockets) s.expired = true;
    await t.post('still signed in');
    assert.equal(calls, 2);
    assert.ok(server.received.some((r) => r.event === 'auth:refresh'));
    assert.equal(server.visible(ART).length, 1);
  });

  it('an expired token at the handshake is replaced before connecting again', async () => {
    let calls = 0;
    const token = () => {
      calls++;
      return fakeToken({ sub: 'alice', name: 'Alice', exp: Math.floor(Date.now() / 1000) + (calls === 1 ? -10 : 3600) });
    };
    const t = client({ token }).thread(ART);
    await t.ready;
    assert.equal(calls, 2);
    await t.post('fine');
    assert.equal(server.visible(ART)[0]!.author.id, 'alice');
  });

  it('reactions are optimistic and undone when refused', async () => {
    const a = server.post(ART, bob, 'react to me');
    const t = client({ token: fakeToken({ sub: 'alice', name: 'Alice' }) }).thread(ART);
    await t.ready;
    const p = t.react({ comment: a.id }, 'like', true);
    assert.deepEqual(t.find(a.id)!.reactions, { like: 1 });
    assert.deepEqual(await p, { reactions: { like: 1 }, myReactions: ['like'] });
    server.inject.set('reaction:set', [{ error: { code: 'forbidden', message: 'no' } }]);
    await assert.rejects(t.react({ comment: a.id }, 'like', false), ForbiddenError);
    assert.deepEqual(t.find(a.id)!.reactions, { like: 1 });
    assert.deepEqual(t.find(a.id)!.myReactions, ['like']);
  });

  it('loadMore and loadReplies page through, without duplicates', async () => {
    const parent = server.post(ART, bob, 'parent');
    for (let i = 0; i < 5; i++) server.post(ART, bob, `reply ${i}`, parent.id);
    for (let i = 0; i < 4; i++) server.post(ART, bob, `top ${i}`);
    const t = client().thread(ART, { pageSize: 2 });
    await t.ready;
    assert.equal(t.comments.length, 2);
    assert.equal(await t.loadMore(), true);
    assert.equal(await t.loadMore(), false);
    assert.equal(t.comments.length, 5);
    const p = t.find(parent.id)!;
    assert.equal(p.replies.length, 3);
    assert.equal(p.moreReplies, 2);
    assert.equal(await t.loadReplies(parent.id), false);
    assert.deepEqual(t.find(parent.id)!.replies.map((r) => r.body), [0, 1, 2, 3, 4].map((i) => `<p>reply ${i}</p>`));
    assert.equal(t.find(parent.id)!.moreReplies, 0);
  });

  it('a failed first load rejects ready; reload() tries again', async () => {
    server.up = false;
    const t = client().thread(ART);
    await assert.rejects(t.ready, (e: Error & { code?: string }) => e.code === 'network');
    assert.equal(t.status, 'error');
    server.up = true;
    server.post(ART, bob, 'there all along');
    await t.reload();
    await waitFor(() => t.status === 'live', 'live');
    assert.deepEqual(t.comments.map((c) => c.body), ['<p>there all along</p>']);
  });

  it('a token function that fails leaves reading anonymous; signing in later reloads with the user', async () => {
    const a = server.post(ART, bob, 'hello');
    server.react('alice', { comment: a.id }, 'like', true);
    const c = client({
      token: () => {
        throw new Error('auth service down');
      },
    });
    const t = c.thread(ART);
    await t.ready;
    assert.equal(t.comments.length, 1);
    assert.deepEqual(t.find(a.id)!.reactions, { like: 1 });
    await c.setToken(fakeToken({ sub: 'alice', name: 'Alice' }));
    const mine = await t.post('signed in now');
    assert.equal(mine.author.id, 'alice');
    assert.equal(c.user?.sub, 'alice');
  });

  it('two threads of one article share the room; it is left when the last one closes', async () => {
    const c = client();
    const t1 = c.thread(ART);
    const t2 = c.thread(ART, { sort: 'oldest' });
    await Promise.all([t1.ready, t2.ready]);
    server.post(ART, bob, 'x');
    server.post(ART, bob, 'y');
    await waitFor(() => t1.comments.length === 2 && t2.comments.length === 2, 'both threads');
    assert.deepEqual(t2.comments.map((x) => x.body), ['<p>x</p>', '<p>y</p>']);
    t1.close();
    await sleep(20);
    assert.equal(server.received.filter((r) => r.event === 'article:leave').length, 0);
    server.post(ART, bob, 'z');
    await waitFor(() => t2.comments.length === 3, 'still live');
    t2.close();
    await waitFor(() => server.received.some((r) => r.event === 'article:leave'), 'left the room');
  });

  it('guests post under a name, and the echo of their post is not shown twice', async () => {
    const t = client({ guest: { name: 'Meera' } }).thread(ART);
    await t.ready;
    const changes: number[] = [];
    t.on('change', () => changes.push(t.comments.length));
    const stored = await t.post('as a guest');
    await sleep(20);
    assert.equal(stored.author.name, 'Meera');
    assert.ok(changes.every((n) => n === 1), `never two copies (${changes.join(',')})`);
    const post = server.received.find((r) => r.event === 'comment:post')!;
    assert.deepEqual(post.payload.guest, { name: 'Meera' });
  });

  it('two clients converge with the server through 100 random operations and cuts', async () => {
    const tokenA = fakeToken({ sub: 'alice', name: 'Alice' });
    const tokenB = fakeToken({ sub: 'bob', name: 'Bob' });
    const ta = client({ token: tokenA }).thread(ART, { gapWaitMs: 20 });
    const tb = client({ token: tokenB }).thread(ART, { gapWaitMs: 20 });
    await Promise.all([ta.ready, tb.ready]);
    let seed = 42;
    /** mulberry32: a small deterministic generator, the same sequence every run. */
    const rand = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) % n;
    };
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) {
      const [t, me] = rand(2) ? [ta, 'alice'] : [tb, 'bob'];
      const mine = server.visible(ART).filter((c) => c.author.id === me && c.status === 'published');
      const any = server.visible(ART).filter((c) => c.status === 'published');
      const op = rand(10);
      if (op < 4 || any.length === 0) {
        const parent = any.length && rand(2) ? any[rand(any.length)]!.id : null;
        pending.push(t.post(`op ${i}`, { parentId: parent }).catch(() => undefined));
      } else if (op < 6 && mine.length) {
        pending.push(t.edit(mine[rand(mine.length)]!.id, `edited ${i}`).catch(() => undefined));
      } else if (op < 7 && mine.length) {
        pending.push(t.delete(mine[rand(mine.length)]!.id).catch(() => undefined));
      } else if (op < 9) {
        pending.push(t.react(any[rand(any.length)]!.id, rand(2) ? 'like' : 'insight', rand(3) > 0).catch(() => undefined));
      } else {
        server.cutAll();
      }
      if (rand(4) === 0) await sleep(rand(15));
    }
    await Promise.all(pending);
    await waitFor(
      () => [ta, tb].every((t) => t.status === 'live' && t.lastSeq === server.seq(ART)),
      'both threads live at the server seq',
      5000,
    );
    await Promise.all([loadAll(ta), loadAll(tb)]);
    const truth = rows(server.visible(ART));
    assert.ok(truth.length > 10);
    assert.deepEqual(rows(ta.comments), truth);
    assert.deepEqual(rows(tb.comments), truth);
  });
});
