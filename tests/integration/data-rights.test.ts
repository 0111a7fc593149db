// A reader's data: what GET …/me/data reports, and what DELETE …/me/data does while another
// reader is live on the article: comments removed or left as tombstones without name or body
// (seen live), reactions withdrawn with their totals, flags dropped, the ban kept in force,
// the erasure in the audit log, counters exact; a second erasure changes nothing.
import assert from 'node:assert/strict';
import { call, connectReader, http, record, waitFor, type ReaderClient } from '../helpers/clients';
import { IMPORT_SITES, secretOf } from '../helpers/imports';
import { startTestServer, type TestServer } from '../helpers/server';
import { assertCountersExact } from '../helpers/thread-truth';
import { signToken } from '../helpers/tokens';

const API = '/api/v1/sites/news';
const token = (sub: string, role: 'commenter' | 'moderator' | 'admin' = 'commenter') => signToken({ sub, name: sub, role }, secretOf('news'));

describe("a reader's data", function () {
  this.timeout(120_000);
  let server: TestServer;
  let reader: ReaderClient | undefined;
  before(async () => {
    server = await startTestServer({ sites: IMPORT_SITES });
  });
  after(async () => {
    reader?.close();
    await server?.close();
  });

  it('is reported whole, then erased live and exactly, once', async () => {
    const [alice, bob, carol, mod, admin] = await Promise.all([token('alice'), token('bob'), token('carol'), token('mod', 'moderator'), token('boss', 'admin')]);
    let n = 0;
    const post = async (t: string, article: string, body: string, parentId?: string) => {
      const r = await http(server.url, 'POST', `${API}/articles/${article}/comments`, { token: t, body: { body, clientId: `c${n++}`, ...(parentId ? { parentId } : {}) } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body;
    };
    const alone = await post(alice, 'dr-1', 'अकेली टिप्पणी');
    const answered = await post(alice, 'dr-1', 'जिसका जवाब आया');
    const bobsReply = await post(bob, 'dr-1', 'bob answers alice', answered.id);
    const bobs = await post(bob, 'dr-1', 'bob speaks');
    const alicesReply = await post(alice, 'dr-1', 'alice answers bob', bobs.id);
    const carols = await post(carol, 'dr-1', 'carol speaks');
    // A reply beside alice's comment at the depth cap names her.
    const d0 = await post(bob, 'dr-2', 'd0');
    const d1 = await post(bob, 'dr-2', 'd1', d0.id);
    const d2 = await post(bob, 'dr-2', 'd2', d1.id);
    const deep = await post(alice, 'dr-2', 'alice at the cap', d2.id);
    const beside = await post(carol, 'dr-2', 'carol answers alice', deep.id);
    assert.deepEqual(beside.replyTo, { id: deep.id, name: 'alice' });

    const react = async (t: string, id: string, kind: string) => assert.equal((await http(server.url, 'PUT', `${API}/comments/${id}/reactions/${kind}`, { token: t })).status, 200);
    await react(alice, bobs.id, 'like');
    await react(carol, bobs.id, 'like');
    await react(alice, bobsReply.id, 'heart');
    const flag = async (t: string, id: string) => assert.equal((await http(server.url, 'POST', `${API}/comments/${id}/flags`, { token: t, body: { reason: 'spam' } })).status, 202);
    await flag(alice, carols.id);
    await flag(bob, carols.id);
    const ban = await http(server.url, 'POST', `${API}/moderation/users/alice`, { token: mod, body: { action: 'ban', reason: 'trolling', until: new Date(Date.now() + 86_400_000).toISOString() } });
    assert.equal(ban.status, 200);

    const mine = await http(server.url, 'GET', `${API}/me/data`, { token: alice });
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    const report = mine.body;
    assert.equal(report.userId, 'alice');
    assert.deepEqual(report.comments.map((c: any) => c.body).sort(), ['alice answers bob', 'alice at the cap', 'अकेली टिप्पणी', 'जिसका जवाब आया'].sort());
    assert.deepEqual(report.reactions.map((r: any) => `${r.kind}:${r.target.comment}`).sort(), [`heart:${bobsReply.id}`, `like:${bobs.id}`].sort());
    assert.deepEqual(report.flags.map((f: any) => [f.comment, f.reason]), [[carols.id, 'spam']]);
    assert.equal(report.user.state, 'banned');
    assert.deepEqual(report.moderation.map((m: any) => m.action), ['ban']);
    const onBehalf = await http(server.url, 'GET', `${API}/admin/users/alice/data`, { token: admin });
    assert.equal(onBehalf.status, 200);
    assert.deepEqual(onBehalf.body.comments, report.comments);
    assert.equal((await http(server.url, 'GET', `${API}/admin/users/alice/data`, { token: mod })).status, 403, 'moderators are not admins');
    assert.equal((await http(server.url, 'GET', `${API}/me/data`)).status, 401, 'anonymous readers have no data');

    reader = await connectReader(server.url, { site: 'news' });
    await call(reader, 'article:join', { article: 'dr-1' });
    const seen = record(reader, ['comment:created', 'comment:updated', 'comment:deleted', 'reaction:updated', 'article:updated']);

    const erased = await http(server.url, 'DELETE', `${API}/me/data`, { token: alice });
    assert.equal(erased.status, 200, JSON.stringify(erased.body));
    assert.deepEqual(erased.body, { userId: 'alice', comments: { removed: 3, tombstones: 1 }, reactions: 2, flags: 1, record: 'kept' });

    await waitFor(() => seen.filter((e) => e.name === 'comment:deleted').length === 2 && seen.some((e) => e.name === 'comment:updated'), 10_000, 'live events');
    assert.deepEqual(seen.filter((e) => e.name === 'comment:deleted').map((e) => e.payload.id).sort(), [alone.id, alicesReply.id].sort());
    const tomb = seen.find((e) => e.name === 'comment:updated' && e.payload.id === answered.id)!.payload;
    assert.deepEqual([tomb.status, tomb.body, tomb.author.name], ['deleted', '', '']);
    await waitFor(() => seen.some((e) => e.name === 'reaction:updated' && e.payload.target.comment === bobs.id && e.payload.reactions.like === 1), 10_000, 'the like withdrawn, live');
    // Reaction totals are sent per article in passes, so the reply's may come in a later pass.
    await waitFor(() => seen.some((e) => e.name === 'reaction:updated' && e.payload.target.comment === bobsReply.id && !(e.payload.reactions.heart > 0)), 10_000, 'the heart withdrawn, live');

    const { models } = server.app.services;
    const stored = await models.Comment.findOne({ _id: answered.id }).lean();
    assert.deepEqual([stored!.author, stored!.body, stored!.text], [{ id: '', name: '' }, '', ''], 'the tombstone keeps no name or body');
    assert.equal(await models.Comment.countDocuments({ site: 'news', 'author.id': 'alice' }), 0);
    assert.equal(await models.Reaction.countDocuments({ site: 'news', userId: 'alice' }), 0);
    assert.deepEqual((await models.Comment.findOne({ _id: bobs.id }).lean())!.reactions, { like: 1 });
    assert.deepEqual(((await models.Comment.findOne({ _id: bobsReply.id }).lean())!.reactions.heart ?? 0), 0);
    const flagged = (await models.Comment.findOne({ _id: carols.id }).lean())!;
    assert.deepEqual([flagged.flags.map((f) => f.userId), flagged.flagCount], [['bob'], 1]);
    assert.equal((await models.Comment.findOne({ _id: beside.id }).lean())!.replyTo!.name, '', 'no reply names her');
    assert.equal(await models.Event.countDocuments({ site: 'news', 'payload.author.id': 'alice' }), 0, 'nor does the event history');
    const user = (await models.User.findOne({ _id: 'news:alice' }).lean())!;
    assert.deepEqual([user.state, user.name, user.comments, user.reason], ['banned', '', 0, null]);
    const again = await http(server.url, 'POST', `${API}/articles/dr-1/comments`, { token: alice, body: { body: 'I am back', clientId: 'back' } });
    assert.equal(again.status, 403, 'the ban holds');
    const log = (await http(server.url, 'GET', `${API}/moderation/log`, { token: mod })).body.entries;
    const entry = log.find((e: any) => e.action === 'user.erase');
    assert.deepEqual([entry.target, entry.before, entry.after], [{ user: 'alice' }, undefined, undefined], 'that an erasure happened, not what');
    await assertCountersExact(models, 'news', 'dr-1', 'after the erasure');
    await assertCountersExact(models, 'news', 'dr-2', 'after the erasure');

    const after = (await http(server.url, 'GET', `${API}/me/data`, { token: alice })).body;
    assert.deepEqual([after.comments, after.reactions, after.flags, after.user.name], [[], [], [], '']);
    const count = seen.length;
    const twice = await http(server.url, 'DELETE', `${API}/admin/users/alice/data`, { token: admin });
    assert.deepEqual(twice.body, { userId: 'alice', comments: { removed: 0, tombstones: 0 }, reactions: 0, flags: 0, record: 'kept' });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(seen.length, count, 'a second erasure sends nothing');
  });
});
