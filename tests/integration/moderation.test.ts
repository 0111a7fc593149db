// Moderation against the real database and real sockets: the live queue, decisions reaching
// readers with the next seq, the first-decision-wins race, flags hiding a comment, users,
// articles, the audit log, and who may connect to /moderation.
import assert from 'node:assert/strict';
import { call, connectModerator, connectReader, http, record, waitFor } from '../helpers/clients';
import { startTestServer, type TestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';

const API = '/api/v1/sites/demo';


describe('moderation', function () {
  this.timeout(120_000);
  let server: TestServer;
  let mod1: string;
  let mod2: string;
  let alice: string;
  const sockets: { disconnect(): unknown }[] = [];
  const track = <T extends { disconnect(): unknown }>(s: T) => (sockets.push(s), s);
  const moderator = async (token = mod1) => track(await connectModerator(server.url, token));
  const reader = async (token?: string) => track(await connectReader(server.url, { token }));
  const post = (token: string, article: string, body: string, clientId: string) =>
    http(server.url, 'POST', `${API}/articles/${article}/comments`, { token, body: { body, clientId } });
  const premod = (article: string) => http(server.url, 'PUT', `${API}/moderation/articles/${article}`, { token: mod1, body: { premod: 'all' } });

  before(async function () {
    this.timeout(900_000);
    server = await startTestServer();
    mod1 = await signToken({ sub: 'mod-1', name: 'मीरा', role: 'moderator' });
    mod2 = await signToken({ sub: 'mod-2', name: 'Ravi', role: 'admin' });
    alice = await signToken({ sub: 'alice', name: 'Alice' });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });
  after(async () => server?.close());

  it('refuses reader tokens and anonymous sockets on /moderation, and 401/403 on its routes', async () => {
    await assert.rejects(connectModerator(server.url, alice), (err: any) => err.data?.error?.code === 'forbidden');
    await assert.rejects(connectModerator(server.url), (err: any) => err.data?.error?.code === 'unauthorized');
    const other = await signToken({ sub: 'mod-x', name: 'X', role: 'moderator' }, 'not-the-demo-secret');
    await assert.rejects(connectModerator(server.url, other), (err: any) => err.data?.error?.code === 'unauthorized');
    const asReader = await http(server.url, 'GET', `${API}/moderation/queue`, { token: alice });
    assert.equal(asReader.status, 403);
    assert.equal(asReader.body.error.code, 'forbidden');
    assert.equal((await http(server.url, 'GET', `${API}/moderation/queue`)).status, 401);
    const s = await moderator(mod2);
    assert.ok(s.connected);
  });

  it('a held comment reaches a connected moderator in the queue, with reasons, history and counts', async () => {
    assert.equal((await premod('held-1')).status, 200);
    const m = await moderator();
    const seen = record(m as any, ['queue:added', 'queue:counts']);
    const r = await reader();
    const readerSaw = record(r, ['comment:created']);
    await call(r, 'article:join', { article: 'held-1' });
    const posted = await post(alice, 'held-1', 'रुकी हुई टिप्पणी', 'h1');
    assert.equal(posted.status, 201);
    assert.equal(posted.body.status, 'pending');
    await waitFor(() => seen.some((e) => e.name === 'queue:counts'), 5000, 'counts');
    const added = seen.find((e) => e.name === 'queue:added')!.payload;
    assert.equal(added.id, posted.body.id);
    assert.equal(added.body, 'रुकी हुई टिप्पणी');
    assert.deepEqual(added.reasons, ['premod:all']);
    assert.equal(added.queue, 'pending');
    assert.deepEqual(added.authorHistory, { comments: 0, rejected: 0, spam: 0 });
    assert.equal(seen.filter((e) => e.name === 'queue:counts').at(-1)!.payload.pending, 1);
    const page = await http(server.url, 'GET', `${API}/moderation/queue?state=pending`, { token: mod1 });
    assert.equal(page.status, 200);
    assert.deepEqual(page.body.items.map((i: any) => i.id), [posted.body.id]);
    assert.equal(readerSaw.length, 0);
    const list = await http(server.url, 'GET', `${API}/articles/held-1/comments`);
    assert.equal(list.body.total, 0);
  });

  it('approving delivers the comment to readers with the next seq and clears it from other moderators', async () => {
    await premod('held-2');
    await post(alice, 'held-2', 'पहली', 'a0'); // pending; not a reader event
    const r = await reader();
    const join = await call(r, 'article:join', { article: 'held-2' });
    const readerSaw = record(r, ['comment:created']);
    const m1 = await moderator(mod1);
    const m2 = await moderator(mod2);
    const removed = record(m2 as any, ['queue:removed']);
    const held = (await post(alice, 'held-2', 'मंज़ूरी का इंतज़ार', 'a1')).body;
    const ack = await call(m1, 'decide', { id: held.id, action: 'approve', from: 'pending' });
    assert.equal(ack.comment.status, 'published');
    await waitFor(() => readerSaw.length === 1 && removed.length === 1, 5000, 'reader event and queue:removed');
    assert.equal(readerSaw[0]!.payload.id, held.id);
    assert.equal(readerSaw[0]!.payload.seq, join.seq + 1);
    assert.equal(readerSaw[0]!.payload.body, 'मंज़ूरी का इंतज़ार');
    assert.deepEqual(removed[0]!.payload, { id: held.id, by: 'मीरा', action: 'approve' });
    const list = await http(server.url, 'GET', `${API}/articles/held-2/comments`);
    assert.deepEqual(list.body.comments.map((c: any) => c.id), [held.id]);
    const again = await call(m2, 'decide', { id: held.id, action: 'reject', from: 'pending' });
    assert.equal(again.error.code, 'conflict');
  });

  it('two moderators deciding the same item: the first wins, the second gets 409', async () => {
    await premod('race-1');
    const r = await reader();
    await call(r, 'article:join', { article: 'race-1' });
    const readerSaw = record(r, ['comment:created', 'comment:deleted']);
    const m1 = await moderator(mod1);
    for (let i = 0; i < 5; i++) {
      const held = (await post(alice, 'race-1', `दौड़ ${i}`, `race${i}`)).body;
      const [bySocket, byHttp] = await Promise.all([
        // Each moderator decides on the revision the queue showed them.
        call(m1, 'decide', { id: held.id, action: 'approve', rev: held.rev }),
        http(server.url, 'POST', `${API}/moderation/comments/${held.id}`, { token: mod2, body: { action: i % 2 ? 'approve' : 'reject', rev: held.rev } }),
      ]);
      const wins = [bySocket.comment ? 1 : 0, byHttp.status === 200 ? 1 : 0];
      assert.equal(wins[0]! + wins[1]!, 1, `exactly one decision wins (round ${i})`);
      if (!bySocket.comment) assert.equal(bySocket.error.code, 'conflict');
      else {
        assert.equal(byHttp.status, 409);
        assert.equal(byHttp.body.error.code, 'conflict');
      }
    }
    const decided = await http(server.url, 'GET', `${API}/moderation/log`, { token: mod1 });
    const forRace = decided.body.entries.filter((e: any) => e.target.article === 'race-1' && e.target.comment);
    assert.equal(forRace.length, 5);
    await new Promise((res) => setTimeout(res, 100));
    assert.ok(readerSaw.every((e) => e.name === 'comment:created'));
    const seqs = readerSaw.map((e) => e.payload.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    assert.equal(new Set(seqs).size, seqs.length);
  });

  it('a comment flagged by 3 readers disappears for readers until a moderator approves it', async () => {
    const c = (await post(alice, 'flag-1', 'विवादित राय', 'f1')).body;
    assert.equal(c.status, 'published');
    const r = await reader();
    const join = await call(r, 'article:join', { article: 'flag-1' });
    const readerSaw = record(r, ['comment:created', 'comment:deleted']);
    const m = await moderator();
    const queueSaw = record(m as any, ['queue:added']);
    const flaggers = await Promise.all([1, 2, 3].map((n) => signToken({ sub: `flagger-${n}`, name: `F${n}` })));
    const flag = (token: string | undefined, body: unknown = { reason: 'abuse' }) =>
      http(server.url, 'POST', `${API}/comments/${c.id}/flags`, { token, body });

    assert.equal((await flag(undefined)).status, 401);
    assert.equal((await flag(alice)).status, 400); // one's own comment
    const bad = await flag(flaggers[0], { reason: 'boring' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'bad_request');
    assert.equal((await flag(flaggers[0], { reason: 'abuse', note: 'गाली' })).status, 202);
    assert.equal((await flag(flaggers[0])).status, 202); // the same user again counts once
    assert.equal((await flag(flaggers[1], { reason: 'spam' })).status, 202);
    let list = await http(server.url, 'GET', `${API}/articles/flag-1/comments`);
    assert.equal(list.body.total, 1, 'two flags do not hide it');
    assert.equal(readerSaw.length, 0);
    await waitFor(() => queueSaw.length >= 2, 5000, 'flagged items');
    assert.equal(queueSaw.at(-1)!.payload.queue, 'flagged');
    assert.equal(queueSaw.at(-1)!.payload.flags.length, 2);

    assert.equal((await flag(flaggers[2])).status, 202);
    await waitFor(() => readerSaw.length === 1, 5000, 'comment:deleted');
    assert.deepEqual(readerSaw[0], { name: 'comment:deleted', payload: { article: 'flag-1', seq: join.seq + 1, id: c.id } });
    list = await http(server.url, 'GET', `${API}/articles/flag-1/comments`);
    assert.equal(list.body.total, 0);
    const article = await http(server.url, 'GET', `${API}/articles/flag-1`);
    assert.equal(article.body.commentCount, 0);
    await waitFor(() => queueSaw.some((e) => e.payload.hidden), 5000, 'hidden item');
    const flagged = await http(server.url, 'GET', `${API}/moderation/queue?state=flagged`, { token: mod1 });
    const item = flagged.body.items.find((i: any) => i.id === c.id);
    assert.equal(item.hidden, true);
    assert.deepEqual(item.flags.map((f: any) => f.reason).sort(), ['abuse', 'abuse', 'spam']);
    assert.equal(flagged.body.counts.flagged, 1);

    const approved = await http(server.url, 'POST', `${API}/moderation/comments/${c.id}`, { token: mod1, body: { action: 'approve', from: 'flagged' } });
    assert.equal(approved.status, 200);
    await waitFor(() => readerSaw.length === 2, 5000, 'comment:created');
    assert.equal(readerSaw[1]!.name, 'comment:created');
    assert.equal(readerSaw[1]!.payload.seq, join.seq + 2);
    list = await http(server.url, 'GET', `${API}/articles/flag-1/comments`);
    assert.equal(list.body.total, 1);
    const after = await http(server.url, 'GET', `${API}/moderation/queue?state=flagged`, { token: mod1 });
    assert.equal(after.body.items.length, 0);
  });

  it('reject and spam take published comments away; repeated spam puts the author on premod', async () => {
    const spammer = await signToken({ sub: 'spammer', name: 'Spammer' });
    const r = await reader();
    const join = await call(r, 'article:join', { article: 'spam-1' });
    const readerSaw = record(r, ['comment:deleted']);
    const a = (await post(spammer, 'spam-1', 'सस्ता सोना खरीदें', 's1')).body;
    const b = (await post(spammer, 'spam-1', 'सस्ता सोना फिर से', 's2')).body;
    for (const c of [a, b]) {
      const res = await http(server.url, 'POST', `${API}/moderation/comments/${c.id}`, { token: mod1, body: { action: 'spam', reason: 'विज्ञापन' } });
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'rejected');
    }
    await waitFor(() => readerSaw.length === 2, 5000, 'two comment:deleted');
    assert.deepEqual(readerSaw.map((e) => e.payload.seq), [join.seq + 3, join.seq + 4]);
    const state = await http(server.url, 'GET', `${API}/moderation/users/spammer`, { token: mod1 });
    assert.deepEqual([state.body.state, state.body.spam, state.body.rejected], ['premod', 2, 2]);
    const third = await post(spammer, 'spam-1', 'फिर से', 's3');
    assert.equal(third.body.status, 'pending');
    const rejected = await http(server.url, 'GET', `${API}/moderation/queue?state=rejected`, { token: mod1 });
    const here = rejected.body.items.filter((i: any) => i.article === 'spam-1');
    assert.deepEqual(here.map((i: any) => i.id), [b.id, a.id]); // newest first, to undo
    const undo = await http(server.url, 'POST', `${API}/moderation/comments/${a.id}`, { token: mod1, body: { action: 'approve', from: 'rejected' } });
    assert.equal(undo.status, 200);
    const stale = await http(server.url, 'POST', `${API}/moderation/comments/${a.id}`, { token: mod2, body: { action: 'approve', from: 'rejected' } });
    assert.equal(stale.status, 409);
  });

  it('bans refuse posts with 403 until unbanned; bad user actions change nothing', async () => {
    const bob = await signToken({ sub: 'bob', name: 'Bob' });
    const until = new Date(Date.now() + 3600_000).toISOString();
    const banned = await http(server.url, 'POST', `${API}/moderation/users/bob`, { token: mod1, body: { action: 'ban', reason: 'गाली-गलौज', until } });
    assert.equal(banned.status, 200);
    assert.equal(banned.body.state, 'banned');
    assert.equal(banned.body.bannedUntil, until);
    const refused = await post(bob, 'ban-1', 'नमस्ते', 'b1');
    assert.equal(refused.status, 403);
    assert.match(refused.body.error.message, /banned/);
    for (const body of [{ action: 'ban', until: '2001-01-01T00:00:00Z' }, { action: 'unban', until }, { action: 'exile' }, { action: 'ban', extra: 1 }]) {
      const res = await http(server.url, 'POST', `${API}/moderation/users/bob`, { token: mod1, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, 'bad_request');
    }
    const still = await http(server.url, 'GET', `${API}/moderation/users/bob`, { token: mod1 });
    assert.equal(still.body.bannedUntil, until);
    assert.equal((await http(server.url, 'POST', `${API}/moderation/users/bob`, { token: mod1, body: { action: 'unban' } })).body.state, 'active');
    assert.equal((await post(bob, 'ban-1', 'नमस्ते', 'b2')).status, 201);
    const trusted = await http(server.url, 'POST', `${API}/moderation/users/bob`, { token: mod1, body: { action: 'trust' } });
    assert.equal(trusted.body.state, 'trusted');
    await premod('ban-1');
    assert.equal((await post(bob, 'ban-1', 'भरोसेमंद', 'b3')).body.status, 'published');
  });

  it('locking an article tells readers with a seq and refuses new comments', async () => {
    await post(alice, 'lock-1', 'पहले', 'l0');
    const r = await reader();
    const join = await call(r, 'article:join', { article: 'lock-1' });
    const readerSaw = record(r, ['article:updated']);
    const res = await http(server.url, 'PUT', `${API}/moderation/articles/lock-1`, { token: mod1, body: { locked: true } });
    assert.equal(res.status, 200);
    assert.equal(res.body.locked, true);
    await waitFor(() => readerSaw.length === 1, 5000, 'article:updated');
    assert.deepEqual(readerSaw[0]!.payload, { article: 'lock-1', seq: join.seq + 1, locked: true, commentCount: 1 });
    const refused = await post(alice, 'lock-1', 'बाद में', 'l1');
    assert.equal(refused.status, 423);
    assert.equal(refused.body.error.code, 'locked');
    assert.equal((await http(server.url, 'PUT', `${API}/moderation/articles/lock-1`, { token: mod1, body: {} })).status, 400);
    assert.equal((await http(server.url, 'PUT', `${API}/moderation/articles/lock-1`, { token: alice, body: { locked: false } })).status, 403);
  });

  it('the audit log pages newest first, and the local demo route mints moderator tokens', async () => {
    const first = await http(server.url, 'GET', `${API}/moderation/log?limit=3`, { token: mod1 });
    assert.equal(first.status, 200);
    assert.equal(first.body.entries.length, 3);
    const next = await http(server.url, 'GET', `${API}/moderation/log?limit=3&cursor=${first.body.nextCursor}`, { token: mod1 });
    const all = [...first.body.entries, ...next.body.entries];
    const times = all.map((e: any) => e.at);
    assert.deepEqual(times, [...times].sort().reverse());
    assert.equal(new Set(all.map((e: any) => e.id)).size, all.length);
    assert.ok(all.every((e: any) => e.moderator.id && e.action));
    assert.equal((await http(server.url, 'GET', `${API}/moderation/log?cursor=nope`, { token: mod1 })).status, 400);

    const minted = await http(server.url, 'POST', `${API}/dev/token`, { body: {} });
    assert.equal(minted.status, 200);
    const s = await moderator(minted.body.token);
    assert.ok(s.connected);
  });
});
