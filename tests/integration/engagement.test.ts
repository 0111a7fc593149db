// Reactions, live totals, top sort, presence and listing counts, against the real database
// with real Socket.IO clients.
import assert from 'node:assert/strict';
import { call, connectReader, http, record, waitFor, type HttpAnswer, type ReaderClient } from '../helpers/clients';
import { callsDuring, startTestServer, type TestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';
import { trusted } from '../../server/src/store/models';

const API = '/api/v1/sites/demo';
const CLOSED_SECRET = 'closed-site-secret-of-at-least-32-bytes!';
const SITES = [
  { id: 'demo', secret: 'demo-secret', origins: ['http://localhost:*', 'http://127.0.0.1:*'], guests: true },
  { id: 'closed', secret: CLOSED_SECRET, origins: [], guests: false, reactions: ['like', 'insightful'] },
];
/** The server's quiet time before a target is recounted, plus a margin. */
const SETTLED_MS = 1000 + 500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('engagement', function () {
  this.timeout(120_000);
  let server: TestServer;
  const sockets: ReaderClient[] = [];
  const tokens = new Map<string, string>();
  const token = async (sub: string) => {
    let t = tokens.get(sub);
    if (!t) tokens.set(sub, (t = await signToken({ sub, name: `User ${sub}` })));
    return t;
  };
  const reader = async (t?: string, srv = server) => {
    const s = await connectReader(srv.url, { token: t });
    sockets.push(s);
    return s;
  };
  const post = async (article: string, body: string, as = 'author', parentId?: string) => {
    const r = await http(server.url, 'POST', `${API}/articles/${article}/comments`, {
      token: await token(as),
      body: { body, clientId: `c${Math.random().toString(36).slice(2)}`, ...(parentId ? { parentId } : {}) },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id as string;
  };
  const commentDoc = (id: string, srv = server) => srv.app.services.models.Comment.findById(id).lean();
  const react = async (method: 'PUT' | 'DELETE', path: string, user: string | null, srv = server, body?: unknown) =>
    http(srv.url, method, `${API}${path}`, { token: user ? await token(user) : undefined, body });
  /** A page once `ready` holds (reaction totals reach pages with their coalesced event), or after 5 s. */
  const pageWhen = async (path: string, ready: (body: any) => boolean, user?: string) => {
    const start = Date.now();
    for (;;) {
      const r = await http(server.url, 'GET', `${API}${path}`, { token: user ? await token(user) : undefined });
      if (ready(r.body) || Date.now() - start > 5000) return r;
      await sleep(50);
    }
  };

  before(async function () {
    this.timeout(900_000); // the first run may build the local database
    server = await startTestServer({ sites: SITES });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });
  after(async () => server?.close());

  it('100 users reacting at once give exactly 100, and exactly 0 once they all undo', async () => {
    const id = await post('conc-1', 'react to me');
    const users = Array.from({ length: 100 }, (_, i) => `r${i}`);
    // Half over HTTP, half over Socket.IO: both transports call the same domain function.
    const socketUsers = await Promise.all(users.slice(50).map(async (u) => reader(await token(u))));
    const setAll = (on: boolean) =>
      Promise.all([
        ...users.slice(0, 50).map((u) => react(on ? 'PUT' : 'DELETE', `/comments/${id}/reactions/like`, u).then((r) => {
          assert.equal(r.status, 200, JSON.stringify(r.body));
          return r.body;
        })),
        ...socketUsers.map((s) => call(s, 'reaction:set', { target: { comment: id }, kind: 'like', on })),
      ]);

    const onAnswers = await setAll(true);
    for (const a of onAnswers) {
      assert.ok(!a.error, JSON.stringify(a));
      assert.deepEqual(a.myReactions, ['like']);
    }
    let doc = await commentDoc(id);
    assert.equal(doc!.reactions.like, 100);
    assert.equal(doc!.score, 100, 'score = reactions + replies');
    assert.equal(await server.app.services.models.Reaction.countDocuments({ site: 'demo', target: `c:${id}` }), 100);
    const page = await pageWhen('/articles/conc-1/comments', (b) => b.comments[0].reactions.like === 100, 'r7');
    assert.deepEqual(page.body.comments[0].reactions, { like: 100 });
    assert.deepEqual(page.body.comments[0].myReactions, ['like']);

    const offAnswers = await setAll(false);
    for (const a of offAnswers) assert.deepEqual(a.myReactions, []);
    doc = await commentDoc(id);
    assert.equal(doc!.reactions.like ?? 0, 0);
    assert.equal(doc!.score, 0);
    assert.equal(await server.app.services.models.Reaction.countDocuments({ site: 'demo', target: `c:${id}` }), 0);
    const after = await pageWhen('/articles/conc-1/comments', (b) => !b.comments[0].reactions.like);
    assert.deepEqual(after.body.comments[0].reactions, {}, 'kinds that fell to zero are not shown');
  });

  it('PUT twice counts once, DELETE twice is harmless, on comments and on the article', async () => {
    const id = await post('idem-1', 'twice');
    for (let i = 0; i < 2; i++) {
      const r = await react('PUT', `/comments/${id}/reactions/heart`, 'ida');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { reactions: { heart: 1 }, myReactions: ['heart'] });
    }
    const two = await react('PUT', `/comments/${id}/reactions/laugh`, 'ida');
    assert.deepEqual(two.body, { reactions: { heart: 1, laugh: 1 }, myReactions: ['heart', 'laugh'] });
    const other = await react('PUT', `/comments/${id}/reactions/heart`, 'idb');
    assert.deepEqual(other.body, { reactions: { heart: 2, laugh: 1 }, myReactions: ['heart'] });
    for (let i = 0; i < 2; i++) {
      const r = await react('DELETE', `/comments/${id}/reactions/heart`, 'ida');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { reactions: { heart: 1, laugh: 1 }, myReactions: ['laugh'] });
    }
    assert.equal((await commentDoc(id))!.score, 2);

    // The article itself.
    for (let i = 0; i < 2; i++) {
      const r = await react('PUT', '/articles/idem-1/reactions/wow', 'ida');
      assert.deepEqual(r.body, { reactions: { wow: 1 }, myReactions: ['wow'] });
    }
    const view = await pageWhen('/articles/idem-1', (b) => b.reactions.wow === 1, 'ida');
    assert.deepEqual(view.body.reactions, { wow: 1 });
    assert.deepEqual(view.body.myReactions, ['wow']);
    const anon = await http(server.url, 'GET', `${API}/articles/idem-1`);
    assert.equal(anon.body.myReactions, undefined);
    // An article nobody commented on yet can be reacted to.
    const fresh = await react('PUT', '/articles/no-comments-yet/reactions/sad', 'ida');
    assert.deepEqual(fresh.body, { reactions: { sad: 1 }, myReactions: ['sad'] });
    const off = await react('DELETE', '/articles/no-comments-yet/reactions/sad', 'ida');
    assert.deepEqual(off.body, { reactions: {}, myReactions: [] });
  });

  it('refuses unknown kinds, anonymous readers, guests where the site has none, and missing targets; nothing is stored', async () => {
    const id = await post('refuse-1', 'x');
    const { Reaction } = server.app.services.models;
    const before = await Reaction.countDocuments({});

    const unknown = await react('PUT', `/comments/${id}/reactions/clap`, 'rf');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, 'bad_request');
    const badName = await react('PUT', `/comments/${id}/reactions/Like!`, 'rf');
    assert.equal(badName.status, 400);
    const anon = await react('PUT', `/comments/${id}/reactions/like`, null);
    assert.equal(anon.status, 401);
    assert.equal(anon.body.error.code, 'unauthorized');
    const badBody = await react('PUT', `/comments/${id}/reactions/like`, 'rf', server, { on: { $gt: '' } });
    assert.equal(badBody.status, 400);
    const missing = await react('PUT', `/comments/${'0'.repeat(24)}/reactions/like`, 'rf');
    assert.equal(missing.status, 404);
    const notAnId = await react('PUT', '/comments/nope/reactions/like', 'rf');
    assert.equal(notAnId.status, 400);
    const s = await reader();
    const sockAnon = await call(s, 'reaction:set', { target: { comment: id }, kind: 'like', on: true });
    assert.equal(sockAnon.error.code, 'unauthorized');
    const sockBad = await call(s, 'reaction:set', { target: { comment: id, article: 'x' }, kind: 'like', on: true });
    assert.equal(sockBad.error.code, 'bad_request');
    const sockKind = await call(s, 'reaction:set', { target: { comment: id }, kind: 'clap', on: true, guest: { name: 'G' } });
    assert.equal(sockKind.error.code, 'bad_request');

    // A site without guests: a guest name does not help; a signed-in user may use its own kinds.
    const closedToken = await signToken({ sub: 'cu', name: 'Closed User' }, CLOSED_SECRET);
    const guestOnClosed = await http(server.url, 'PUT', '/api/v1/sites/closed/articles/c-1/reactions/like', { body: { guest: { name: 'G' } } });
    assert.equal(guestOnClosed.status, 401);
    const defaultKindOnClosed = await http(server.url, 'PUT', '/api/v1/sites/closed/articles/c-1/reactions/heart', { token: closedToken });
    assert.equal(defaultKindOnClosed.status, 400);
    assert.equal(await Reaction.countDocuments({}), before, 'refused requests store nothing');
    const own = await http(server.url, 'PUT', '/api/v1/sites/closed/articles/c-1/reactions/insightful', { token: closedToken });
    assert.deepEqual(own.body, { reactions: { insightful: 1 }, myReactions: ['insightful'] });

    // Guests react on sites that allow them, under their guest identity.
    const guest = await react('PUT', `/comments/${id}/reactions/like`, null, server, { guest: { name: 'Meera' } });
    assert.equal(guest.status, 200);
    assert.deepEqual(guest.body, { reactions: { like: 1 }, myReactions: ['like'] });
    const again = await call(s, 'reaction:set', { target: { comment: id }, kind: 'like', on: true, guest: { name: 'Meera' } });
    assert.deepEqual(again, { reactions: { like: 1 }, myReactions: ['like'] }, 'the same guest from the same address is one reactor');
  });

  it('a burst of 500 reactions reaches a watching client as a handful of reaction:updated, the last one exact', async () => {
    const id = await post('burst-1', 'hot comment');
    const watcher = await reader();
    const join = await call(watcher, 'article:join', { article: 'burst-1' });
    const seen: { at: number; payload: any }[] = [];
    watcher.on('reaction:updated', (payload: any) => seen.push({ at: Date.now(), payload }));
    const kinds = ['like', 'thumbsup', 'heart', 'laugh', 'wow'];
    // 100 readers connected beforehand, each sending 5 reactions at once over its socket.
    const users = await Promise.all(Array.from({ length: 100 }, async (_, i) => reader(await token(`b${i}`))));

    const start = Date.now();
    const answers = await Promise.all(
      users.flatMap((s) => kinds.map((kind) => call(s, 'reaction:set', { target: { comment: id }, kind, on: true }))),
    );
    const burstMs = Date.now() - start;
    assert.ok(answers.every((a) => !a.error), JSON.stringify(answers.find((a) => a.error)));
    const exact = Object.fromEntries(kinds.map((k) => [k, 100]));
    const total = (e: { payload: any }) => Object.values(e.payload.reactions as Record<string, number>).reduce((a, b) => a + b, 0);
    await waitFor(() => seen.length > 0 && total(seen.at(-1)!) === 500, 15_000, 'exact totals');
    await sleep(SETTLED_MS); // nothing more may come once the target is settled
    const spanMs = seen.at(-1)!.at - seen[0]!.at;
    console.log(`      burst: 500 reactions written in ${burstMs} ms; ${seen.length} reaction:updated events over ${spanMs} ms; totals per event: ${seen.map(total).join(', ')}`);

    assert.deepEqual(seen.at(-1)!.payload.reactions, exact);
    assert.deepEqual(seen.at(-1)!.payload.target, { comment: id });
    assert.ok(seen.length <= Math.floor((burstMs + SETTLED_MS) / 250) + 2, `${seen.length} events for a ${burstMs} ms burst`);
    assert.ok(seen.length < 50, `${seen.length} events for 500 reactions`);
    // Each went through the event log: consecutive seqs, and replayed to a late reader.
    assert.deepEqual(seen.map((e) => e.payload.seq), seen.map((_, i) => join.seq + 1 + i));
    const late = await reader();
    const replay = await call(late, 'article:join', { article: 'burst-1', since: join.seq });
    assert.equal(replay.missed.length, seen.length);
    assert.ok(replay.missed.every((e: any) => e.type === 'reaction:updated'));
    assert.deepEqual(replay.missed.at(-1).reactions, exact);
  });

  it('two nodes on one database writing to one comment end with exact totals', async () => {
    const id = await post('nodes-1', 'two nodes');
    const second = await startTestServer({ sites: SITES, mongoUri: server.mongoUri });
    try {
      const users = Array.from({ length: 60 }, (_, i) => `n${i}`);
      await Promise.all(
        users.map((u, i) => react('PUT', `/comments/${id}/reactions/like`, u, i % 2 ? second : server)),
      );
      await Promise.all(
        users.slice(0, 20).map((u, i) => react('DELETE', `/comments/${id}/reactions/like`, u, i % 2 ? server : second)),
      );
      await sleep(SETTLED_MS);
      const doc = await commentDoc(id);
      assert.equal(doc!.reactions.like, 40);
      assert.equal(doc!.score, 40);
      for (const srv of [server, second]) {
        const page = await http(srv.url, 'GET', `${API}/articles/nodes-1/comments`);
        assert.deepEqual(page.body.comments[0].reactions, { like: 40 });
      }
    } finally {
      await second.close();
    }
  });

  it('a drifted counter is recounted from the reaction documents, and never goes below zero', async () => {
    const id = await post('drift-1', 'drift');
    const { Comment } = server.app.services.models;
    const watcher = await reader();
    await call(watcher, 'article:join', { article: 'drift-1' });
    const seen = record(watcher, ['reaction:updated']);

    await react('PUT', `/comments/${id}/reactions/like`, 'd1');
    await waitFor(() => seen.length === 1, 5000, 'the first update');
    // As if another node's write had been lost between the reaction document and its $inc.
    await Comment.updateOne({ _id: id }, { $set: { 'reactions.like': 7, score: 7 } });
    await react('PUT', `/comments/${id}/reactions/heart`, 'd1');
    await waitFor(() => seen.some((e) => e.payload.reactions.like === 7), 5000, 'the drifted totals');
    await waitFor(() => seen.at(-1)!.payload.reactions.like === 1, SETTLED_MS + 2000, 'the recount');
    assert.deepEqual(seen.map((e) => e.payload.reactions), [{ like: 1 }, { like: 7, heart: 1 }, { like: 1, heart: 1 }]);
    let doc = await commentDoc(id);
    assert.deepEqual(doc!.reactions, { like: 1, heart: 1 });
    assert.equal(doc!.score, 2);

    // Counter at zero while a reaction document exists: the undo must not take it below zero.
    await Comment.updateOne({ _id: id }, { $set: { reactions: {}, score: 0 } });
    const r = await react('DELETE', `/comments/${id}/reactions/like`, 'd1');
    assert.deepEqual(r.body, { reactions: { heart: 1 }, myReactions: ['heart'] });
    doc = await commentDoc(id);
    assert.deepEqual(doc!.reactions, { heart: 1 });
    assert.equal(doc!.score, 1);
  });

  it('sort=top orders by reactions plus replies, and its cursor pages without skips or doubles', async () => {
    const article = 'top-1';
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await post(article, `comment ${i}`, `t${i}`));
    // Scores: ids[0]=3 (3 reactions), ids[1]=2 (1 reaction + 1 reply), ids[2]=2 (2 reactions),
    // ids[3]=1, the rest 0; ties fall back to the newest first.
    const plan: [number, string[]][] = [[0, ['a', 'b', 'c']], [1, ['a']], [2, ['a', 'b']], [3, ['c']]];
    for (const [i, users] of plan) for (const u of users) await react('PUT', `/comments/${ids[i]}/reactions/like`, u);
    await post(article, 'a reply', 't9', ids[1]);
    await react('PUT', `/comments/${ids[5]}/reactions/like`, 'a');
    await react('DELETE', `/comments/${ids[5]}/reactions/like`, 'a');

    const expected = [ids[0], ids[2], ids[1], ids[3], ids[6], ids[5], ids[4]];
    // Scores on pages follow the reaction events, sent at most every 250 ms per comment.
    await pageWhen(`/articles/${article}/comments?sort=top&limit=10`, (b) => b.comments.map((c: any) => c.id).join() === expected.join());
    const pageAll = async () => {
      const got: string[] = [];
      let cursor: string | null = null;
      do {
        const q: string = `?sort=top&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const r = await http(server.url, 'GET', `${API}/articles/${article}/comments${q}`);
        assert.equal(r.status, 200);
        got.push(...r.body.comments.map((c: any) => c.id));
        cursor = r.body.nextCursor;
      } while (cursor);
      return got;
    };
    const first = await pageAll();
    assert.deepEqual(first, expected);
    assert.deepEqual(await pageAll(), first, 'the same order on every read');
    const docs = await server.app.services.models.Comment.find({ _id: trusted({ $in: ids }) }).lean();
    const score = new Map(docs.map((d) => [String(d._id), d.score]));
    assert.deepEqual(expected.map((i) => score.get(i!)), [3, 2, 2, 1, 0, 0, 0]);
  });

  it('presence goes 0 → 3 → 1 as sockets join and leave, pushed throttled with the final count', async () => {
    const article = 'pres-1';
    const view = async () => (await http(server.url, 'GET', `${API}/articles/${article}`)).body.viewers;
    assert.equal(await view(), 0);
    const a = await reader();
    const seenA = record(a, ['presence']);
    assert.equal((await call(a, 'article:join', { article })).viewers, 1);
    const b = await reader();
    const c = await reader();
    const joinB = await call(b, 'article:join', { article });
    const joinC = await call(c, 'article:join', { article });
    assert.deepEqual([joinB.viewers, joinC.viewers], [2, 3]);
    assert.equal(await view(), 3);
    await waitFor(() => seenA.at(-1)?.payload.viewers === 3, 5000, 'presence 3');

    await call(b, 'article:leave', { article });
    c.disconnect();
    await waitFor(() => seenA.at(-1)?.payload.viewers === 1, 5000, 'presence 1');
    assert.equal(await view(), 1);
    assert.ok(seenA.every((e) => e.payload.article === article));
    // Throttled: a first push at once, then at most one per 2 s; here two changes per burst.
    assert.ok(seenA.length <= 4, `${seenA.length} presence events`);
    await sleep(2300);
    assert.equal(seenA.at(-1)!.payload.viewers, 1, 'the last push holds the final count');
  });

  it('counts for 100 articles take one query, with Cache-Control, an ETag and 304', async () => {
    const articles = Array.from({ length: 100 }, (_, i) => `count-${i}`);
    await post('count-3', 'one');
    await post('count-3', 'two');
    await post('count-42', 'three');
    // The snapshot writer stores the threads just posted to, off the request path: first.
    await server.app.services.comments.reads.cache.flushSnapshots();
    let r: HttpAnswer | undefined;
    const calls = await callsDuring(server, async () => (r = await http(server.url, 'GET', `${API}/counts?articles=${articles.join(',')}`)), (c) => c.join() === 'articles.find');
    assert.deepEqual(calls, ['articles.find'], 'one database query');
    r = r!;
    assert.equal(r.status, 200);
    assert.equal(Object.keys(r.body.counts).length, 100);
    assert.equal(r.body.counts['count-3'], 2);
    assert.equal(r.body.counts['count-42'], 1);
    assert.equal(r.body.counts['count-0'], 0);
    assert.match(r.headers.get('cache-control') ?? '', /max-age=\d+/);
    const etag = r.headers.get('etag');
    assert.match(etag ?? '', /^W\/".+"$/);

    const cached = await http(server.url, 'GET', `${API}/counts?articles=${articles.join(',')}`, { headers: { 'if-none-match': etag! } });
    assert.equal(cached.status, 304);
    assert.equal(cached.headers.get('etag'), etag);
    assert.match(cached.headers.get('cache-control') ?? '', /max-age=\d+/);
    await post('count-42', 'four');
    const changed = await http(server.url, 'GET', `${API}/counts?articles=${articles.join(',')}`, { headers: { 'if-none-match': etag! } });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.counts['count-42'], 2);
    assert.notEqual(changed.headers.get('etag'), etag);

    const tooMany = await http(server.url, 'GET', `${API}/counts?articles=${[...articles, 'count-100'].join(',')}`);
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.body.error.code, 'bad_request');
    const empty = await http(server.url, 'GET', `${API}/counts?articles=`);
    assert.equal(empty.status, 400);
  });
});
