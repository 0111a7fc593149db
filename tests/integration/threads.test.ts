// Live threads against the real database: seq, replay, pagination, idempotent posts,
// Devanagari round trips, sanitizing and validation, over Socket.IO and HTTP.
import { postKey } from '../../server/src/store/migrations';
import assert from 'node:assert/strict';
import { connectReader, call, http, record, waitFor, type ReaderClient } from '../helpers/clients';
import { startTestServer, type TestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';

const API = '/api/v1/sites/demo';

describe('threads', function () {
  this.timeout(120_000);
  let server: TestServer;
  let alice: string;
  let bob: string;
  const sockets: ReaderClient[] = [];
  const reader = async (token?: string) => {
    const s = await connectReader(server.url, { token });
    sockets.push(s);
    return s;
  };

  before(async function () {
    this.timeout(900_000); // the first run may build the local database
    server = await startTestServer();
    alice = await signToken({ sub: 'alice', name: 'Alice' });
    bob = await signToken({ sub: 'bob', name: 'बॉब' });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });
  after(async () => server?.close());

  it('two clients in one article see each other\'s comments with consecutive seq', async () => {
    const a = await reader(alice);
    const b = await reader(bob);
    const joinA = await call(a, 'article:join', { article: 'live-1' });
    const joinB = await call(b, 'article:join', { article: 'live-1' });
    assert.equal(joinA.seq, 0);
    assert.equal(joinB.viewers, 2);
    const seenA = record(a, ['comment:created']);
    const seenB = record(b, ['comment:created']);
    const r1 = await call(a, 'comment:post', { article: 'live-1', body: 'पहली टिप्पणी', clientId: 'c1' });
    assert.equal(r1.comment.status, 'published');
    const r2 = await call(b, 'comment:post', { article: 'live-1', body: 'second', clientId: 'c2' });
    await waitFor(() => seenA.length === 2 && seenB.length === 2, 5000, 'both comments on both sockets');
    assert.deepEqual(seenA.map((e) => e.payload.seq), [1, 2]);
    assert.deepEqual(seenB.map((e) => e.payload.seq), [1, 2]);
    assert.equal(seenB[0]!.payload.body, 'पहली टिप्पणी');
    assert.equal(seenA[1]!.payload.id, r2.comment.id);
    assert.equal(seenA[0]!.payload.article, 'live-1');
  });

  it('a client that misses three events gets exactly those three on rejoin with since', async () => {
    const writer = await reader(alice);
    await call(writer, 'comment:post', { article: 'replay-1', body: 'one', clientId: 'r1' });
    const listener = await reader(bob);
    const join = await call(listener, 'article:join', { article: 'replay-1' });
    const lastSeen = join.seq;
    listener.disconnect();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await call(writer, 'comment:post', { article: 'replay-1', body: `missed ${i}`, clientId: `m${i}` });
      ids.push(r.comment.id);
    }
    const back = await reader(bob);
    const rejoin = await call(back, 'article:join', { article: 'replay-1', since: lastSeen });
    assert.equal(rejoin.missed.length, 3);
    assert.deepEqual(rejoin.missed.map((e: any) => e.seq), [lastSeen + 1, lastSeen + 2, lastSeen + 3]);
    assert.deepEqual(rejoin.missed.map((e: any) => e.id), ids);
    assert.ok(rejoin.missed.every((e: any) => e.type === 'comment:created'));
    assert.equal(rejoin.seq, lastSeen + 3);
    const stale = await call(back, 'article:join', { article: 'replay-1', since: 999 });
    assert.equal(stale.reset, true);
  });

  it('200 comments posted concurrently page out through the cursor with none missing or doubled', async () => {
    const tokens = await Promise.all(Array.from({ length: 4 }, (_, i) => signToken({ sub: `u${i}`, name: `User ${i}` })));
    const posted = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        http(server.url, 'POST', `${API}/articles/bulk-1/comments`, { token: tokens[i % 4], body: { body: `टिप्पणी ${i}`, clientId: `b${i}` } }),
      ),
    );
    assert.ok(posted.every((p) => p.status === 201), `statuses: ${[...new Set(posted.map((p) => p.status))]}`);
    const wanted = new Set(posted.map((p) => p.body.id));
    for (const sort of ['newest', 'oldest'] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const q: string = `?sort=${sort}&limit=17${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await http(server.url, 'GET', `${API}/articles/bulk-1/comments${q}`);
        assert.equal(page.status, 200);
        assert.equal(page.body.total, 200);
        seen.push(...page.body.comments.map((c: any) => c.id));
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor);
      assert.equal(pages, Math.ceil(200 / 17));
      assert.equal(seen.length, 200, `${sort}: 200 comments`);
      assert.equal(new Set(seen).size, 200, `${sort}: none doubled`);
      assert.ok(seen.every((id) => wanted.has(id)), `${sort}: all posted`);
    }
    const article = await http(server.url, 'GET', `${API}/articles/bulk-1`);
    assert.equal(article.body.commentCount, 200);
  });

  it('the same clientId twice gives one comment, over HTTP and over Socket.IO', async () => {
    const first = await http(server.url, 'POST', `${API}/articles/idem-1/comments`, { token: alice, body: { body: 'once', clientId: 'same-1' } });
    const again = await http(server.url, 'POST', `${API}/articles/idem-1/comments`, { token: alice, body: { body: 'once', clientId: 'same-1' } });
    assert.equal(first.status, 201);
    assert.equal(again.status, 200);
    assert.equal(again.body.id, first.body.id);
    const s = await reader(alice);
    const viaSocket = await call(s, 'comment:post', { article: 'idem-1', body: 'once', clientId: 'same-1' });
    assert.equal(viaSocket.comment.id, first.body.id);
    const both = await Promise.all([
      call(s, 'comment:post', { article: 'idem-1', body: 'race', clientId: 'same-2' }),
      http(server.url, 'POST', `${API}/articles/idem-1/comments`, { token: alice, body: { body: 'race', clientId: 'same-2' } }),
    ]);
    assert.equal(both[0].comment.id, both[1].body.id);
    const list = await http(server.url, 'GET', `${API}/articles/idem-1/comments`);
    assert.equal(list.body.total, 2);
  });

  it('a Hindi comment with conjuncts, nukta, ZWJ and ZWNJ round-trips byte for byte', async () => {
    const text = 'क्षत्रिय, ज्ञान, श्रृंगार, द्वार — क्\u200Dष, क्\u200Cष, ज़रूरी, फ़ोमिन';
    const posted = await http(server.url, 'POST', `${API}/articles/hindi-1/comments`, { token: bob, body: { body: text, clientId: 'h1' } });
    assert.equal(posted.status, 201);
    assert.equal(Buffer.from(posted.body.body).toString('hex'), Buffer.from(text.normalize('NFC')).toString('hex'));
    const list = await http(server.url, 'GET', `${API}/articles/hindi-1/comments`);
    assert.equal(list.body.comments[0].body, text);
    assert.equal(list.body.comments[0].author.name, 'बॉब');
    // A decomposed nukta (क + ़) is stored in NFC.
    const decomposed = 'क\u093C';
    const nfc = await http(server.url, 'POST', `${API}/articles/hindi-1/comments`, { token: bob, body: { body: decomposed, clientId: 'h2' } });
    assert.equal(nfc.body.body, decomposed.normalize('NFC'));
  });

  it('script tags and event handlers never reach the database or a client', async () => {
    const s = await reader(alice);
    await call(s, 'article:join', { article: 'xss-1' });
    const seen = record(s, ['comment:created']);
    const vectors = [
      '<script>alert(document.cookie)</script>बढ़िया लेख',
      '<img src=x onerror=alert(1)>रूस',
      '<a href="javascript:alert(1)">click</a>',
      '<b onmouseover="alert(1)">bold</b>',
      '<svg><script>alert(1)</script></svg>ok',
    ];
    for (const [i, v] of vectors.entries()) {
      const r = await call(s, 'comment:post', { article: 'xss-1', body: v, clientId: `x${i}` });
      assert.ok(!('error' in r), JSON.stringify(r));
    }
    await waitFor(() => seen.length === vectors.length, 5000, 'xss events');
    const stored = await server.app.services.models.Comment.find({ article: 'xss-1' }).lean();
    for (const body of [...stored.map((d) => d.body), ...seen.map((e) => e.payload.body)]) {
      assert.doesNotMatch(body, /<script|onerror|onmouseover|javascript:|<svg|<img/i, body);
    }
    assert.ok(stored.some((d) => d.body === 'बढ़िया लेख'));
    assert.ok(stored.some((d) => d.body === '<b>bold</b>'));
  });

  it('links get rel="nofollow ugc noopener" and only http, https and mailto survive', async () => {
    const r = await http(server.url, 'POST', `${API}/articles/links-1/comments`, {
      token: alice,
      body: { body: 'Source link: <a href="https://www.bbc.com/hindi">BBC Hindi</a>', clientId: 'l1' },
    });
    assert.equal(r.status, 201);
    assert.match(r.body.body, /<a href="https:\/\/www\.bbc\.com\/hindi" rel="nofollow ugc noopener"/);
  });

  it('malformed JSON, wrong types, unknown fields and $-operators get 400s and store nothing', async () => {
    const before = await server.app.services.models.Comment.countDocuments({});
    const bad: { raw?: string; body?: unknown }[] = [
      { raw: '{"body": "x", "clientId": ' },
      { body: { body: 42, clientId: 'w1' } },
      { body: { body: 'x', clientId: { $gt: '' } } },
      { body: { body: { $gt: '' }, clientId: 'w2' } },
      { body: { body: 'x', clientId: 'w3', extra: true } },
      { body: { body: 'x', clientId: 'w4', parentId: { $ne: null } } },
      { body: { body: 'x', clientId: 'w5', parentId: 'not-an-id' } },
      { body: [1, 2, 3] },
      { body: { body: '<script></script>', clientId: 'w6' } },
      { body: { body: '   ', clientId: 'w7' } },
    ];
    for (const b of bad) {
      const r = await http(server.url, 'POST', `${API}/articles/bad-1/comments`, { token: alice, ...b });
      assert.equal(r.status, 400, `${JSON.stringify(b)} → ${r.status} ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, 'bad_request');
      assert.equal(typeof r.body.error.message, 'string');
    }
    const q = await http(server.url, 'GET', `${API}/articles/bad-1/comments?sort[$gt]=`);
    assert.equal(q.status, 400);
    const lim = await http(server.url, 'GET', `${API}/articles/bad-1/comments?limit=1000`);
    assert.equal(lim.status, 400);
    const s = await reader(alice);
    const ack = await call(s, 'comment:post', { article: 'bad-1', body: { $gt: '' }, clientId: 'w8' });
    assert.equal(ack.error.code, 'bad_request');
    const ack2 = await call(s, 'article:join', { article: { $ne: 1 } });
    assert.equal(ack2.error.code, 'bad_request');
    assert.equal(await server.app.services.models.Comment.countDocuments({}), before);
  });

  it('oversized bodies get 413, unknown routes 404, anonymous posts 401, in the contract shape', async () => {
    const big = await http(server.url, 'POST', `${API}/articles/big-1/comments`, { token: alice, body: { body: 'x'.repeat(200_000), clientId: 'big' } });
    assert.equal(big.status, 413);
    assert.equal(big.body.error.code, 'too_large');
    const long = await http(server.url, 'POST', `${API}/articles/big-1/comments`, { token: alice, body: { body: 'क'.repeat(5001), clientId: 'long' } });
    assert.equal(long.status, 413);
    const nf = await http(server.url, 'GET', '/api/v1/nowhere');
    assert.equal(nf.status, 404);
    assert.equal(nf.body.error.code, 'not_found');
    const site = await http(server.url, 'GET', '/api/v1/sites/nosuch/articles/a');
    assert.equal(site.status, 404);
    const anon = await http(server.url, 'POST', `${API}/articles/big-1/comments`, { body: { body: 'hi', clientId: 'anon' } });
    assert.equal(anon.status, 401);
    const guest = await http(server.url, 'POST', `${API}/articles/big-1/comments`, { body: { body: 'hi', clientId: 'g1', guest: { name: 'मेहमान' } } });
    assert.equal(guest.status, 201);
    assert.equal(guest.body.author.guest, true);
    assert.equal(guest.body.author.name, 'मेहमान');
  });

  it('replies nest under parents, are capped at maxDepth, and come with their top-level comment', async () => {
    const post = (body: string, clientId: string, parentId?: string) =>
      http(server.url, 'POST', `${API}/articles/tree-1/comments`, { token: alice, body: { body, clientId, ...(parentId ? { parentId } : {}) } }).then((r) => r.body);
    const top = await post('top', 't0');
    const d1 = await post('d1', 't1', top.id);
    const d2 = await post('d2', 't2', d1.id);
    const d3 = await post('d3', 't3', d2.id);
    const d4 = await post('d4', 't4', d3.id);
    assert.deepEqual([top.depth, d1.depth, d2.depth, d3.depth], [0, 1, 2, 3]);
    assert.equal(d4.depth, 3, 'a reply at the cap stays at the cap');
    assert.equal(d4.parentId, d2.id, 'beside its parent');
    assert.deepEqual(d4.replyTo, { id: d3.id, name: 'Alice' });
    const page = await http(server.url, 'GET', `${API}/articles/tree-1/comments`);
    assert.equal(page.body.total, 1);
    assert.equal(page.body.comments[0].replyCount, 1);
    assert.equal(page.body.comments[0].replies[0].id, d1.id);
    const replies = await http(server.url, 'GET', `${API}/articles/tree-1/comments?parent=${d2.id}`);
    assert.deepEqual(replies.body.comments.map((c: any) => c.id), [d3.id, d4.id]);
  });

  it('edits inside the window set editedAt and reach readers; deletes leave tombstones where replies exist', async () => {
    const s = await reader(bob);
    await call(s, 'article:join', { article: 'edit-1' });
    const seen = record(s, ['comment:updated', 'comment:deleted']);
    const parent = (await http(server.url, 'POST', `${API}/articles/edit-1/comments`, { token: alice, body: { body: 'v1', clientId: 'e1' } })).body;
    const leaf = (await http(server.url, 'POST', `${API}/articles/edit-1/comments`, { token: bob, body: { body: 'reply', clientId: 'e2', parentId: parent.id } })).body;
    const edited = await http(server.url, 'PATCH', `${API}/comments/${parent.id}`, { token: alice, body: { body: 'v2' } });
    assert.equal(edited.status, 200);
    assert.equal(edited.body.body, 'v2');
    assert.ok(edited.body.editedAt);
    const notMine = await http(server.url, 'PATCH', `${API}/comments/${parent.id}`, { token: bob, body: { body: 'hijack' } });
    assert.equal(notMine.status, 403);
    const del = await http(server.url, 'DELETE', `${API}/comments/${parent.id}`, { token: alice });
    assert.equal(del.status, 204);
    const delLeaf = await http(server.url, 'DELETE', `${API}/comments/${leaf.id}`, { token: bob });
    assert.equal(delLeaf.status, 204);
    await waitFor(() => seen.length === 3, 5000, 'edit, tombstone, delete events');
    assert.equal(seen[0]!.name, 'comment:updated');
    assert.equal(seen[1]!.name, 'comment:updated');
    assert.equal(seen[1]!.payload.status, 'deleted');
    assert.equal(seen[1]!.payload.body, '');
    assert.deepEqual(seen[2], { name: 'comment:deleted', payload: { article: 'edit-1', seq: seen[1]!.payload.seq + 1, id: leaf.id } });
    const page = await http(server.url, 'GET', `${API}/articles/edit-1/comments`);
    assert.equal(page.body.comments[0].status, 'deleted');
    const article = await http(server.url, 'GET', `${API}/articles/edit-1`);
    assert.equal(article.body.commentCount, 0);
  });

  it('the edit window closes', async () => {
    const quick = await startTestServer({ sites: [{ id: 'demo', secret: 'demo-secret', guests: true, editWindowSec: 0 }] });
    try {
      const c = await http(quick.url, 'POST', `${API}/articles/w-1/comments`, { token: alice, body: { body: 'x', clientId: 'w' } });
      await new Promise((r) => setTimeout(r, 20));
      const e = await http(quick.url, 'PATCH', `${API}/comments/${c.body.id}`, { token: alice, body: { body: 'y' } });
      assert.equal(e.status, 403);
      assert.match(e.body.error.message, /edit window/);
    } finally {
      await quick.close();
    }
  });

  it('a retry announces a comment that a dead node stored but never published', async () => {
    const s = await reader(bob);
    await call(s, 'article:join', { article: 'stranded-1' });
    const seen = record(s, ['comment:created']);
    // What a node killed between the insert and the event leaves behind: the post's key, a
    // published comment with no event (seq 0) and no claim on its first revision, counters not
    // yet moved.
    const { Comment, Article, PostKey } = server.app.services.models;
    await Article.create({ site: 'demo', article: 'stranded-1' });
    const doc = await Comment.create({
      site: 'demo', article: 'stranded-1', author: { id: 'alice', name: 'Alice' }, clientId: 'lost-1',
      body: 'बचा हुआ', text: 'बचा हुआ', status: 'published', visible: true, rev: 1,
    });
    await PostKey.create({ _id: postKey('demo', 'alice', 'stranded-1', 'lost-1'), commentId: doc._id, at: new Date() });
    const author = await reader(alice);
    const again = await call(author, 'comment:post', { article: 'stranded-1', body: 'बचा हुआ', clientId: 'lost-1' });
    assert.equal(again.comment.id, String(doc._id));
    assert.equal(again.comment.seq, 1);
    await waitFor(() => seen.length === 1, 5000, 'the stranded comment announced');
    assert.equal(seen[0]!.payload.id, String(doc._id));
    const article = await http(server.url, 'GET', `${API}/articles/stranded-1`);
    assert.equal(article.body.commentCount, 1);
    const once = await call(author, 'comment:post', { article: 'stranded-1', body: 'बचा हुआ', clientId: 'lost-1' });
    assert.equal(once.comment.seq, 1, 'announced once');
  });
});
