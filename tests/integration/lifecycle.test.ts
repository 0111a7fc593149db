// A comment's lifecycle under races, on the real database and real sockets: author, flaggers
// and moderators (on one node and on two) acting on one comment at once. After each round:
// exactly one winner, the events a reader got rebuild exactly what readers should see (none
// twice, none for a comment they cannot see), and every counter equals a count of the comments.
import assert from 'node:assert/strict';
import { call, connectModerator, connectReader, http, waitFor } from '../helpers/clients';
import { startTestServer, type TestServer } from '../helpers/server';
import { assertCountersExact, EventMirror, threadTruth } from '../helpers/thread-truth';
import { signToken } from '../helpers/tokens';

const API = '/api/v1/sites/demo';
const ROUNDS = Number(process.env.RACE_ROUNDS ?? 12);

/** Starts `fn` after 0-25 ms, on alternate sides of a race, so both orders occur. */
const later = <T>(round: number, side: 0 | 1, fn: () => Promise<T>): Promise<T> =>
  round % 2 === side ? new Promise((r) => setTimeout(r, Math.random() * 25)).then(fn) : fn();


describe('comment lifecycle races', function () {
  this.timeout(300_000);
  let server: TestServer;
  let mod: string;
  let mod2: string;
  let alice: string;
  let bob: string;
  const flaggers: string[] = [];
  const sockets: { disconnect(): unknown }[] = [];
  const track = <T extends { disconnect(): unknown }>(s: T) => (sockets.push(s), s);
  const models = () => server.app.services.models;

  const post = async (article: string, body: string, clientId: string, parentId?: string, token = alice) => {
    const r = await http(server.url, 'POST', `${API}/articles/${article}/comments`, { token, body: { body, clientId, ...(parentId ? { parentId } : {}) } });
    assert.ok(r.status === 201, `post: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const decide = (id: string, body: object, token = mod, url = server.url) => http(url, 'POST', `${API}/moderation/comments/${id}`, { token, body });
  const premod = (article: string) => http(server.url, 'PUT', `${API}/moderation/articles/${article}`, { token: mod, body: { premod: 'all' } });

  /** A reader joined to a fresh article, mirroring what it is shown. */
  async function watch(article: string): Promise<EventMirror> {
    const r = track(await connectReader(server.url));
    const ack = await call(r, 'article:join', { article });
    return new EventMirror(r, ack.seq);
  }

  /** Waits until the reader has every event the article handed out, then checks everything. */
  async function settled(mirror: EventMirror, article: string, what: string): Promise<void> {
    const seq = async () => (await models().Article.findOne({ site: 'demo', article }).lean())?.seq ?? 0;
    const target = await seq();
    await waitFor(() => mirror.lastSeq >= target, 5000, `events up to ${target} (${what})`);
    await mirror.assertMatches(models(), 'demo', article, what);
    await assertCountersExact(models(), 'demo', article, what);
  }

  before(async function () {
    this.timeout(900_000);
    server = await startTestServer();
    mod = await signToken({ sub: 'mod-1', name: 'मीरा', role: 'moderator' });
    mod2 = await signToken({ sub: 'mod-2', name: 'Ravi', role: 'moderator' });
    alice = await signToken({ sub: 'alice', name: 'Alice' });
    bob = await signToken({ sub: 'bob', name: 'Bob' });
    for (let i = 0; i < 3; i++) flaggers.push(await signToken({ sub: `flagger-${i}`, name: `Flagger ${i}` }));
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });
  after(async () => server?.close());

  it('edit vs decide: the moderator publishes only the text they saw, or gets 409', async () => {
    const m = track(await connectModerator(server.url, mod));
    const updates: any[] = [];
    m.on('queue:updated', (item: any) => updates.push(item));
    let editWon = 0;
    let decideWon = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const article = `edit-decide-${i}`;
      await premod(article);
      const mirror = await watch(article);
      const held = await post(article, `पहला पाठ ${i}`, `ed-${i}`);
      assert.equal(held.status, 'pending');
      const [edit, decision] = await Promise.all([
        later(i, 0, () => http(server.url, 'PATCH', `${API}/comments/${held.id}`, { token: alice, body: { body: `बदला हुआ पाठ ${i}` } })),
        later(i, 1, () => decide(held.id, { action: 'approve', rev: held.rev })),
      ]);
      if (decision.status === 200) {
        decideWon++;
        assert.match(decision.body.body, new RegExp(`पहला पाठ ${i}`), 'what was published is what the moderator saw');
        assert.equal(decision.body.rev, held.rev + 1);
      } else {
        editWon++;
        assert.equal(decision.status, 409);
        assert.equal(edit.status, 200);
        assert.equal(edit.body.rev, held.rev + 1);
        assert.equal(edit.body.status, 'pending');
        await waitFor(() => updates.some((u) => u.id === held.id && u.rev === held.rev + 1), 5000, 'queue:updated with the new rev');
        const after = await models().Comment.findById(held.id).lean();
        assert.equal(after!.status, 'pending', 'the edit stays held');
      }
      await settled(mirror, article, `round ${i}`);
    }
    console.log(`      edit vs decide, ${ROUNDS} rounds: edit first ${editWon}, decision first ${decideWon}`);
  });

  it('approve vs author delete: no comment:created for a deleted comment, counts exact', async () => {
    let approved = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const article = `approve-delete-${i}`;
      await premod(article);
      const mirror = await watch(article);
      const held = await post(article, `हटाने वाली टिप्पणी ${i}`, `ad-${i}`);
      const [decision, del] = await Promise.all([
        later(i, 0, () => decide(held.id, { action: 'approve', rev: held.rev })),
        later(i, 1, () => http(server.url, 'DELETE', `${API}/comments/${held.id}`, { token: alice })),
      ]);
      assert.equal(del.status, 204);
      if (decision.status === 200) approved++;
      else assert.ok([404, 409].includes(decision.status), `decision: ${decision.status}`);
      assert.equal(await models().Comment.countDocuments({ _id: held.id }), 0, 'the comment is gone');
      await settled(mirror, article, `round ${i}`);
      assert.equal(mirror.shown.size, 0);
    }
    console.log(`      approve vs delete, ${ROUNDS} rounds: approved first ${approved}, deleted first ${ROUNDS - approved}`);
  });

  it('reject vs the third flag: one comment:deleted, counts down by one', async () => {
    let flagFirst = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const article = `reject-flag-${i}`;
      const mirror = await watch(article);
      await post(article, `रहने वाली ${i}`, `rf-keep-${i}`, undefined, bob);
      const c = await post(article, `झंडे वाली ${i}`, `rf-${i}`);
      for (const f of flaggers.slice(0, 2)) {
        assert.equal((await http(server.url, 'POST', `${API}/comments/${c.id}/flags`, { token: f, body: { reason: 'abuse' } })).status, 202);
      }
      const [flag, decision] = await Promise.all([
        later(i, 0, () => http(server.url, 'POST', `${API}/comments/${c.id}/flags`, { token: flaggers[2], body: { reason: 'abuse' } })),
        later(i, 1, () => decide(c.id, { action: 'reject' })),
      ]);
      // The flag lands first (and hides it), or finds it already rejected.
      assert.ok([202, 404].includes(flag.status), `flag: ${flag.status}`);
      if (flag.status === 202) flagFirst++;
      assert.equal(decision.status, 200, JSON.stringify(decision.body));
      await settled(mirror, article, `round ${i}`);
      const after = await models().Comment.findById(c.id).lean();
      assert.equal(after!.status, 'rejected');
      assert.equal(mirror.shown.size, 1, 'only the other comment is shown');
      assert.equal((await models().Article.findOne({ site: 'demo', article }).lean())!.commentCount, 1);
    }
    console.log(`      reject vs third flag, ${ROUNDS} rounds: flag first ${flagFirst}, rejection first ${ROUNDS - flagFirst}`);
  });

  it('five concurrent deletes of one reply: one event, the parent keeps its other reply', async () => {
    const s = track(await connectReader(server.url, { token: alice }));
    for (let i = 0; i < ROUNDS; i++) {
      const article = `deletes-${i}`;
      const mirror = await watch(article);
      const parent = await post(article, `मूल ${i}`, `d-parent-${i}`, undefined, bob);
      const doomed = await post(article, `जवाब ${i}`, `d-reply-${i}`, parent.id);
      await post(article, `दूसरा जवाब ${i}`, `d-reply2-${i}`, parent.id, bob);
      const answers = await Promise.all([
        ...[0, 1, 2].map(() => http(server.url, 'DELETE', `${API}/comments/${doomed.id}`, { token: alice })),
        ...[0, 1].map(() => call(s, 'comment:delete', { id: doomed.id })),
      ]);
      assert.deepEqual(answers.slice(0, 3).map((a: any) => a.status), [204, 204, 204]);
      assert.deepEqual(answers.slice(3), [{}, {}]);
      await settled(mirror, article, `round ${i}`);
      const p = await models().Comment.findById(parent.id).lean();
      assert.equal(p!.replyCount, 1);
      const page = await http(server.url, 'GET', `${API}/articles/${article}/comments`);
      assert.equal(page.body.comments[0].replies.length, 1, 'the surviving reply is still shown');
      const late = await http(server.url, 'DELETE', `${API}/comments/${doomed.id}`, { token: alice });
      assert.equal(late.status, 204, 'a late retry of the delete is answered as done');
    }
    const never = await http(server.url, 'DELETE', `${API}/comments/${'0'.repeat(24)}`, { token: alice });
    assert.equal(never.status, 404, 'a comment that never existed is not found');
  });

  it('two nodes deciding one comment: exactly one decision wins', async () => {
    // Two nodes on one database and one Redis, each with its own connection to the database.
    const redis = { REDIS_URL: process.env.REDIS_URL_TEST ?? 'redis://127.0.0.1:6379' };
    const a = await startTestServer({ env: redis });
    const b = await startTestServer({ env: redis, mongoUri: a.mongoUri });
    const m = () => a.app.services.models;
    try {
      for (let i = 0; i < ROUNDS; i++) {
        const article = `two-nodes-${i}`;
        await http(a.url, 'PUT', `${API}/moderation/articles/${article}`, { token: mod, body: { premod: 'all' } });
        const r = track(await connectReader(a.url));
        const mirror = new EventMirror(r, (await call(r, 'article:join', { article })).seq);
        const held = (await http(b.url, 'POST', `${API}/articles/${article}/comments`, { token: alice, body: { body: `दो नोड ${i}`, clientId: `tn-${i}` } })).body;
        const answers = await Promise.all([
          later(i, 0, () => decide(held.id, { action: 'approve', rev: held.rev }, mod, a.url)),
          later(i, 1, () => decide(held.id, { action: i % 4 < 2 ? 'approve' : 'reject', rev: held.rev }, mod2, b.url)),
        ]);
        const statuses = answers.map((x) => x.status).sort();
        assert.deepEqual(statuses, [200, 409], `round ${i}: ${JSON.stringify(answers.map((x) => x.body))}`);
        const seq = (await m().Article.findOne({ site: 'demo', article }).lean())?.seq ?? 0;
        await waitFor(() => mirror.lastSeq >= seq, 5000, `events up to ${seq} (round ${i})`);
        await mirror.assertMatches(m(), 'demo', article, `round ${i}`);
        await assertCountersExact(m(), 'demo', article, `round ${i}`);
        const revs = await m().Revision.find({ commentId: held.id }).lean();
        assert.deepEqual(revs.map((x) => x.rev).sort(), [1, 2], 'one claim per revision');
      }
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('a decision with a stale rev answers 409 and changes nothing', async () => {
    const article = 'stale-rev';
    await premod(article);
    const held = await post(article, 'पुराना', 'stale-1');
    const edit = await http(server.url, 'PATCH', `${API}/comments/${held.id}`, { token: alice, body: { body: 'नया' } });
    assert.equal(edit.body.rev, held.rev + 1);
    const stale = await decide(held.id, { action: 'approve', rev: held.rev });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.error.code, 'conflict');
    assert.equal((await models().Comment.findById(held.id).lean())!.status, 'pending');
    const fresh = await decide(held.id, { action: 'approve', rev: edit.body.rev });
    assert.equal(fresh.status, 200);
    assert.match(fresh.body.body, /नया/);
    const bad = await decide(held.id, { action: 'approve', rev: 'x' });
    assert.equal(bad.status, 400);
  });

  it('a rejected or flag-hidden comment with replies stays as a tombstone; approving restores it', async () => {
    const article = 'tombstones';
    const mirror = await watch(article);
    const carol = await signToken({ sub: 'carol', name: 'Carol' });
    const parent = await post(article, 'विवादित मूल', 'tomb-parent', undefined, carol);
    await post(article, 'जवाब एक', 'tomb-r1', parent.id, bob);
    const rejected = await decide(parent.id, { action: 'reject' });
    assert.equal(rejected.status, 200);
    await settled(mirror, article, 'after reject');
    const page = await http(server.url, 'GET', `${API}/articles/${article}/comments`);
    const shown = page.body.comments[0];
    assert.equal(shown.id, parent.id);
    assert.equal(shown.status, 'deleted');
    assert.equal(shown.body, '');
    assert.equal(shown.author.name, '');
    assert.equal(shown.replies.length, 1, 'its reply is still reachable');
    assert.equal(page.body.total, 1);
    const approved = await decide(parent.id, { action: 'approve' });
    assert.equal(approved.status, 200);
    await settled(mirror, article, 'after approve');
    assert.equal(mirror.shown.get(parent.id)!.status, 'published');
    const user = await models().User.findOne({ site: 'demo', userId: 'carol' }).lean();
    assert.equal(user!.rejected, 0, 'undoing the rejection takes it off the record');
    // Hidden by flags with a reply: a tombstone too, until a moderator decides.
    for (const f of flaggers) await http(server.url, 'POST', `${API}/comments/${parent.id}/flags`, { token: f, body: { reason: 'spam' } });
    await settled(mirror, article, 'after the flags');
    assert.equal(mirror.shown.get(parent.id)!.status, 'deleted');
    assert.equal((await http(server.url, 'GET', `${API}/articles/${article}`)).body.commentCount, 1);
  });

  it('moderators\' edits and deletes of others\' comments are in the log with before and after', async () => {
    const article = 'audited';
    const c = await post(article, 'मूल पाठ', 'audit-1');
    const edited = await http(server.url, 'PATCH', `${API}/comments/${c.id}`, { token: mod, body: { body: 'संपादित पाठ' } });
    assert.equal(edited.status, 200);
    assert.equal((await http(server.url, 'DELETE', `${API}/comments/${c.id}`, { token: mod })).status, 204);
    const log = await http(server.url, 'GET', `${API}/moderation/log`, { token: mod });
    const mine = log.body.entries.filter((e: any) => e.target.comment === c.id);
    assert.deepEqual(mine.map((e: any) => e.action), ['comment.delete', 'comment.edit']);
    assert.match(mine[1].before.body, /मूल पाठ/);
    assert.match(mine[1].after.body, /संपादित पाठ/);
    assert.equal(mine[0].after.status, 'deleted');
    assert.equal(mine[0].moderator.id, 'mod-1');
  });

  it('counters heal: a recount sets drifted counts right, and none goes negative', async () => {
    const article = 'heal';
    const parent = await post(article, 'मूल', 'heal-p');
    await post(article, 'जवाब', 'heal-r', parent.id, bob);
    await models().Article.updateOne({ site: 'demo', article }, { $set: { commentCount: 17, topLevelCount: 0 } });
    await models().Comment.updateOne({ _id: parent.id }, { $set: { replyCount: 5, score: 5 } });
    const r = await http(server.url, 'POST', `${API}/moderation/articles/${article}/recount`, { token: mod });
    assert.equal(r.status, 200);
    assert.deepEqual({ commentCount: r.body.commentCount, topLevelCount: r.body.topLevelCount }, { commentCount: 2, topLevelCount: 1 });
    assert.equal(r.body.fixed, 2);
    await assertCountersExact(models(), 'demo', article, 'after the recount');
    // A decrement where the counter is already zero leaves it at zero.
    await models().Article.updateOne({ site: 'demo', article }, { $set: { commentCount: 0 } });
    assert.equal((await http(server.url, 'DELETE', `${API}/comments/${parent.id}`, { token: alice })).status, 204);
    assert.equal((await models().Article.findOne({ site: 'demo', article }).lean())!.commentCount, 0);
    const t = await threadTruth(models(), 'demo', article);
    assert.equal(t.commentCount, 1);
    assert.equal((await http(server.url, 'POST', `${API}/moderation/articles/${article}/recount`, { token: alice })).status, 403);
  });
});
