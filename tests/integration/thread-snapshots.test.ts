// Thread snapshots: a node that never held an article's thread serves its first pages from
// the stored snapshot (one `_id` read) and the events after it, equal to the pages built from
// the database, without listing the comments; snapshots of another version, or older than the
// events kept, are rebuilt; and two nodes writing one article's snapshot never leave an older
// seq stored.
import assert from 'node:assert/strict';
import { http, waitFor } from '../helpers/clients';
import { startTestServer, type TestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';
import type { Actor } from '../../server/src/domain/actor';
import { eventKey } from '../../server/src/domain/events';
import { SnapshotStore, SNAPSHOT_VERSION } from '../../server/src/domain/threads';
import { toSnapshot } from '../../server/src/domain/threads/snapshot';
import { articleKey } from '../../server/src/store/models';
import { snapshotCollections, type ThreadSnapshotDoc } from '../../server/src/store/thread-snapshots';

const API = '/api/v1/sites/demo';
const SITE = { id: 'demo', secret: 'demo-secret', origins: ['http://localhost:*'], guests: true, flagsToHide: 2, editWindowSec: 3600, maxDepth: 2 };
/** Snapshots are written when a test says so (flushSnapshots), not by the timer. */
const MANUAL = { THREAD_SNAPSHOT_MS: '3600000' };
const FIRST_PAGES = ['sort=newest', 'sort=oldest', 'sort=top', 'sort=newest&limit=25', 'sort=top&limit=25', 'sort=oldest&limit=7'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('thread snapshots', function () {
  this.timeout(600_000);
  let a: TestServer;
  const others: TestServer[] = [];
  const tokens = new Map<string, string>();
  const token = async (sub: string) => {
    let t = tokens.get(sub);
    if (!t) tokens.set(sub, (t = await signToken({ sub, name: `पाठक ${sub}` })));
    return t;
  };
  const actor = (srv: TestServer, userId: string | null): Actor => ({ site: srv.app.services.sites.get('demo')!, userId, name: userId, role: 'commenter', guest: false, ip: '127.0.0.1' });

  before(async function () {
    this.timeout(900_000);
    a = await startTestServer({ sites: [SITE], env: MANUAL });
  });
  after(async () => {
    for (const s of others) await s.close().catch(() => undefined);
    await a?.close();
  });

  /** A node on the same database that has never read anything; its listings are recorded. */
  async function coldNode(env: Record<string, string> = MANUAL): Promise<{ node: TestServer; listings: string[] }> {
    const node = await startTestServer({ sites: [SITE], env, mongoUri: a.mongoUri });
    others.push(node);
    const listings: string[] = [];
    node.db.conn.set('debug', (coll: string, method: string, filter: unknown) => {
      if (coll === 'comments' && method === 'find') listings.push(JSON.stringify(filter));
    });
    return { node, listings };
  }

  let posts = 0;
  async function post(article: string, who: string, body: string, parentId?: string) {
    const r = await http(a.url, 'POST', `${API}/articles/${article}/comments`, { token: await token(who), body: { body, clientId: `p${++posts}`, ...(parentId ? { parentId } : {}) } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body as { id: string; seq: number };
  }

  /** A thread of `top` top-level comments in Hindi and English, replies and reactions. */
  async function seedThread(article: string, top: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < top; i++) ids.push((await post(article, `u${i % 5}`, i % 2 ? `${article} टिप्पणी ${i}: बहुत अच्छा लेख` : `${article} comment ${i}`)).id);
    for (const [k, parent] of [ids[3], ids[3], ids[3], ids[3], ids[10 % top], ids[top - 2]].entries()) await post(article, `r${k}`, `${article} जवाब ${k}`, parent);
    for (const [k, id] of [ids[1], ids[1], ids[7 % top], ids[15 % top], ids[20 % top]].entries()) {
      const r = await http(a.url, 'PUT', `${API}/comments/${id}/reactions/like`, { token: await token(`fan${k}`) });
      assert.equal(r.status, 200);
    }
    await quiet(article);
    return ids;
  }

  /** Until the article's log stops growing (reaction totals are sent coalesced, then recounted). */
  async function quiet(article: string): Promise<void> {
    for (let seq = -1; ; ) {
      const now = await a.app.services.events.lastSeq('demo', article);
      if (now === seq) return;
      seq = now;
      await sleep(1500);
    }
  }

  async function metric(srv: TestServer, name: string, label: string): Promise<number> {
    const text = await (await fetch(`${srv.url}/metrics`)).text();
    const m = new RegExp(`^${name}\\{result="${label}"\\} (\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  }

  const stored = (srv: TestServer, article: string) => snapshotCollections(srv.db.conn).snapshots.findOne({ _id: articleKey('demo', article) });

  /** The first pages and the article view of `node`, each equal to the one built from the database now. */
  async function assertFirstPagesExact(node: TestServer, article: string, who: string | null = null): Promise<void> {
    const fresh = await a.app.services.comments.reads.fromDatabase('demo', article);
    const reads = a.app.services.comments.reads;
    const t = who ? await token(who) : undefined;
    for (const qs of FIRST_PAGES) {
      const got = await http(node.url, 'GET', `${API}/articles/${article}/comments?${qs}`, { token: t });
      assert.equal(got.status, 200);
      const q = Object.fromEntries(new URLSearchParams(qs));
      const want = await reads.listComments(actor(a, who), article, { sort: q.sort as never, ...(q.limit ? { limit: Number(q.limit) } : {}) }, fresh);
      assert.deepStrictEqual(JSON.parse(JSON.stringify(got.body)), JSON.parse(JSON.stringify(want)), `${who ?? 'anonymous'} ${qs}`);
    }
    const view = await http(node.url, 'GET', `${API}/articles/${article}`, { token: t });
    const wantView = await reads.getArticle(actor(a, who), article, fresh);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(view.body)), JSON.parse(JSON.stringify(wantView)), 'article view');
  }

  it('a cold node serves the first pages from the snapshot, equal to the database, without listing the comments', async () => {
    const article = 'snap-cold';
    await seedThread(article, 40);
    await http(a.url, 'GET', `${API}/articles/${article}/comments`);
    await a.app.services.comments.reads.cache.flushSnapshots();
    const seq = await a.app.services.events.lastSeq('demo', article);
    const doc = await stored(a, article);
    assert.ok(doc, 'snapshot stored');
    assert.equal(doc.seq, seq);
    assert.equal(doc.v, SNAPSHOT_VERSION);
    assert.equal(doc.topTotal, 40);

    const { node, listings } = await coldNode();
    await assertFirstPagesExact(node, article);
    await assertFirstPagesExact(node, article, 'fan1');
    assert.deepEqual(listings, [], 'no listing of the comments');
    assert.equal(await metric(node, 'charcha_thread_snapshot_reads_total', 'hit'), 1);
    assert.equal(await metric(node, 'charcha_thread_snapshot_reads_total', 'miss'), 0);

    // A page the snapshot does not hold (the next one, a comment's replies) builds the thread in full.
    const first = (await http(node.url, 'GET', `${API}/articles/${article}/comments?sort=newest&limit=25`)).body;
    const next = await http(node.url, 'GET', `${API}/articles/${article}/comments?sort=newest&limit=25&cursor=${first.nextCursor}`);
    const fresh = await a.app.services.comments.reads.fromDatabase('demo', article);
    const want = await a.app.services.comments.reads.listComments(actor(a, null), article, { sort: 'newest', limit: 25, cursor: first.nextCursor }, fresh);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(next.body)), JSON.parse(JSON.stringify(want)));
    assert.equal(listings.length, 1, 'one listing, for the page beyond the first');
  });

  it('a cold node applies the events after the snapshot: posts, replies, reactions, edits and deletes since', async () => {
    const article = 'snap-after';
    const ids = await seedThread(article, 30);
    await http(a.url, 'GET', `${API}/articles/${article}/comments`);
    await a.app.services.comments.reads.cache.flushSnapshots();
    const snapSeq = (await stored(a, article))!.seq;
    // After the snapshot: new posts and replies, a reaction, an edit of a comment on the first pages.
    const late = [];
    for (let i = 0; i < 4; i++) late.push(await post(article, 'late', `बाद में ${i}`));
    await post(article, 'late', 'a late reply', ids[29]);
    await post(article, 'late', 'a reply to a late one', late[0]!.id);
    assert.equal((await http(a.url, 'PUT', `${API}/comments/${late[1]!.id}/reactions/heart`, { token: await token('fan9') })).status, 200);
    assert.equal((await http(a.url, 'PATCH', `${API}/comments/${ids[29]}`, { token: await token('u4'), body: { body: 'संपादित' } })).status, 200);
    assert.equal((await http(a.url, 'DELETE', `${API}/comments/${late[2]!.id}`, { token: await token('late') })).status, 204);
    await quiet(article);
    assert.ok((await a.app.services.events.lastSeq('demo', article)) > snapSeq + 8);

    const { node, listings } = await coldNode();
    await assertFirstPagesExact(node, article);
    assert.deepEqual(listings, [], 'no listing of the comments');
    assert.equal(await metric(node, 'charcha_thread_snapshot_reads_total', 'hit'), 1);
    const page = (await http(node.url, 'GET', `${API}/articles/${article}/comments?sort=newest&limit=3`)).body;
    assert.equal(page.comments[0].id, late[3]!.id, 'the newest post, made after the snapshot');
  });

  it('rebuilds a snapshot of another version, one older than the events kept, and one whose article was reset', async () => {
    const article = 'snap-stale';
    await seedThread(article, 30);
    await http(a.url, 'GET', `${API}/articles/${article}/comments`);
    await a.app.services.comments.reads.cache.flushSnapshots();
    const coll = snapshotCollections(a.db.conn).snapshots;
    const key = articleKey('demo', article);

    // Another version.
    await coll.updateOne({ _id: key }, { $set: { v: SNAPSHOT_VERSION + 100, topTotal: 999 } });
    const one = await coldNode();
    await assertFirstPagesExact(one.node, article);
    assert.equal(await metric(one.node, 'charcha_thread_snapshot_reads_total', 'stale'), 1);
    await one.node.app.services.comments.reads.cache.flushSnapshots();
    const rewritten = await coll.findOne({ _id: key });
    assert.equal(rewritten?.v, SNAPSHOT_VERSION, 'written again in the current version');
    assert.equal(rewritten?.topTotal, 30);

    // Behind the kept history: the event after its seq was swept.
    const snapSeq = rewritten!.seq;
    await post(article, 'late', 'after the snapshot');
    await post(article, 'late', 'and another');
    await a.app.services.models.Event.collection.deleteOne({ _id: eventKey('demo', article, snapSeq + 1) as never });
    const two = await coldNode();
    await assertFirstPagesExact(two.node, article);
    assert.equal(await metric(two.node, 'charcha_thread_snapshot_reads_total', 'stale'), 1);
    assert.equal(await metric(two.node, 'charcha_thread_snapshot_reads_total', 'hit'), 0);
    await two.node.app.services.comments.reads.cache.flushSnapshots();
    assert.equal((await coll.findOne({ _id: key }))?.seq, await a.app.services.events.lastSeq('demo', article), 'a fresh snapshot');

    // Not seen fresh for longer than the log surely keeps its events.
    const old = new Date(Date.now() - 48 * 3600 * 1000);
    await coll.updateOne({ _id: key }, { $set: { verifiedAt: old } });
    const three = await coldNode();
    await assertFirstPagesExact(three.node, article);
    assert.equal(await metric(three.node, 'charcha_thread_snapshot_reads_total', 'stale'), 1);

    // The article was replaced wholesale (an import appends article:reset).
    await three.node.app.services.comments.reads.cache.flushSnapshots();
    const before = (await coll.findOne({ _id: key }))!;
    await a.app.services.models.Comment.updateOne({ site: 'demo', article, parentId: null }, { $set: { body: 'imported over', text: 'imported over' } });
    const reset = await a.app.services.events.append('demo', article, 'article:reset', { reason: 'import' });
    a.app.services.fanout.toArticle('demo', reset);
    assert.ok(reset.seq > before.seq);
    const four = await coldNode();
    await assertFirstPagesExact(four.node, article);
    assert.equal(await metric(four.node, 'charcha_thread_snapshot_reads_total', 'stale'), 1);
  });

  it('an erasure drops the snapshots of the articles the reader wrote in', async () => {
    const article = 'snap-erase';
    await seedThread(article, 6);
    const mine = await post(article, 'leaver', 'मेरी टिप्पणी');
    await post(article, 'u1', 'a reply to the leaver', mine.id);
    await http(a.url, 'GET', `${API}/articles/${article}/comments`);
    await a.app.services.comments.reads.cache.flushSnapshots();
    assert.ok(await stored(a, article));
    const erased = await http(a.url, 'DELETE', `${API}/me/data`, { token: await token('leaver') });
    assert.equal(erased.status, 200, JSON.stringify(erased.body));
    assert.equal(await stored(a, article), null, 'snapshot dropped');
    const { node } = await coldNode();
    await assertFirstPagesExact(node, article);
    const page = JSON.stringify((await http(node.url, 'GET', `${API}/articles/${article}/comments?limit=25`)).body);
    assert.ok(!page.includes('पाठक leaver') && !page.includes('मेरी टिप्पणी'), 'nothing of the erased reader');
  });

  it('two nodes writing one snapshot at once never leave an older seq stored (the write race, many times)', async () => {
    const article = 'snap-race';
    await seedThread(article, 26);
    const thread = await a.app.services.comments.reads.fromDatabase('demo', article);
    const base = toSnapshot(thread, articleKey('demo', article))!;
    const { node: b } = await coldNode();
    const stores = [a, b].map((s) => new SnapshotStore(snapshotCollections(s.db.conn), s.db.ferret));
    const coll = snapshotCollections(a.db.conn).snapshots;
    await coll.deleteOne({ _id: base._id });
    /** As the writer does: a write another node holds the lock for is tried again later. */
    const write = async (store: SnapshotStore, doc: ThreadSnapshotDoc) => {
      for (;;) {
        const r = await store.write(doc);
        if (r !== 'busy') return r;
        await sleep(1 + Math.floor(Math.random() * 5));
      }
    };
    let highest = 0;
    for (let round = 0; round < 60; round++) {
      const x = highest + 1 + Math.floor(Math.random() * 3);
      const y = highest + 1 + Math.floor(Math.random() * 3);
      const [first, second] = round % 2 ? [stores[0]!, stores[1]!] : [stores[1]!, stores[0]!];
      const results = await Promise.all([write(first, { ...base, seq: x }), write(second, { ...base, seq: y })]);
      highest = Math.max(x, y);
      const now = await coll.findOne({ _id: base._id });
      assert.equal(now?.seq, highest, `round ${round}: wrote ${x} and ${y} (${results.join(', ')}), stored ${now?.seq}`);
      // A write of an older seq afterwards changes nothing.
      assert.equal(await write(stores[round % 2]!, { ...base, seq: highest - 1 }), 'older');
      assert.equal((await coll.findOne({ _id: base._id }))?.seq, highest);
    }
  });

  it('two nodes holding the thread while posts arrive through both: the stored seq only rises, and ends at the last', async () => {
    const article = 'snap-race-live';
    const fast = { THREAD_SNAPSHOT_MS: '20' };
    const { node: b } = await coldNode(fast);
    const { node: c } = await coldNode(fast);
    const coll = snapshotCollections(a.db.conn).snapshots;
    const key = articleKey('demo', article);
    let seen = 0;
    let stop = false;
    const watching = (async () => {
      while (!stop) {
        const s = (await coll.findOne({ _id: key }, { projection: { seq: 1 } }))?.seq ?? 0;
        assert.ok(s >= seen, `stored seq went from ${seen} back to ${s}`);
        seen = s;
        await sleep(5);
      }
    })();
    for (let i = 0; i < 40; i++) {
      const via = i % 2 ? b : c;
      const r = await http(via.url, 'POST', `${API}/articles/${article}/comments`, { token: await token(`w${i % 3}`), body: { body: `दौड़ ${i}`, clientId: `race-${i}` } });
      assert.equal(r.status, 201);
      // Both read, so both hold the thread and write its snapshot.
      await Promise.all([b, c].map((n) => http(n.url, 'GET', `${API}/articles/${article}/comments`)));
    }
    const last = await a.app.services.events.lastSeq('demo', article);
    await waitFor(() => seen === last, 20_000, `stored seq ${last}`);
    stop = true;
    await watching;
    assert.ok((await metric(b, 'charcha_thread_snapshot_writes_total', 'written')) + (await metric(c, 'charcha_thread_snapshot_writes_total', 'written')) > 1);
  });
});
