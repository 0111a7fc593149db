// Signed webhooks against the real database, a real receiver over HTTP and real Charcha
// processes: every event of the comment lifecycle and the moderation queue arrives, verified
// with the Standard Webhooks reference code, once per webhook-id, in order per article, through
// failed attempts, a receiver that is down while nodes restart (one killed with SIGKILL), and
// two nodes sharing the queue; a private address is refused without allowPrivateTargets; a
// receiver failing past the schedule is disabled, shown to admins and moderators, re-enabled.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebhookDispatcher } from '../../server/src/domain/webhooks';
import { WebhookOutbox } from '../../server/src/domain/webhooks/outbox';
import { deliveryKey, streamKey } from '../../server/src/domain/webhooks/keys';
import { connectDatabase, type Database } from '../../server/src/store/connection';
import { ensureIndexes } from '../../server/src/store/models';
import { buildWebhookModels } from '../../server/src/store/webhook-models';
import { parseSites, SiteRegistry } from '../../server/src/trust/sites';
import { http } from '../helpers/clients';
import { startNode, until, type CharchaNode } from '../helpers/cluster';
import { freshDatabaseUri } from '../helpers/db';
import { startTestServer, type TestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';
import { newSecret, startReceiver, type Received, type Receiver } from '../helpers/webhook-receiver';

const SITE = 'news';
const API = `/api/v1/sites/${SITE}`;
const SITE_SECRET = 'webhook-tests-site-secret-of-32-bytes-or-more';
const ALL_EVENTS = ['comment.published', 'comment.held', 'comment.rejected', 'comment.deleted', 'comment.reply', 'flag.threshold', 'moderation.backlog'];

const site = (webhooks: unknown[]) => [{ id: SITE, secret: SITE_SECRET, guests: true, flagsToHide: 2, backlogThreshold: 2, webhooks }];
const token = (sub: string, name: string, role?: 'moderator' | 'admin') => signToken({ sub, name, ...(role ? { role } : {}) }, SITE_SECRET);

/** The accepted messages of one path, per article, as `type:comment` in the order they arrived. */
function perArticle(list: Received[], path: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of list.filter((x) => x.path === path)) {
    const c = m.payload.data.reply ?? m.payload.data.comment;
    const article = c?.article ?? '';
    out.set(article, [...(out.get(article) ?? []), `${m.type}:${c?.id ?? ''}`]);
  }
  return out;
}

function assertOncePerId(list: Received[]): void {
  const ids = list.map((m) => m.id);
  assert.equal(new Set(ids).size, ids.length, 'a webhook-id was accepted twice');
}

describe('webhooks', function () {
  this.timeout(240_000);
  const secrets: Record<string, string> = { '/hooks': newSecret(), '/private': newSecret(), '/always': newSecret(), '/cluster': newSecret(), '/race': newSecret() };
  let receiver: Receiver;

  before(async () => {
    receiver = await startReceiver(secrets);
  });
  after(async () => receiver?.stop());

  describe('on one node', () => {
    let server: TestServer;
    let alice: string, bob: string, carol: string, dave: string, mod: string, admin: string;
    const post = (tok: string, article: string, body: string, clientId: string, parentId?: string) =>
      http(server.url, 'POST', `${API}/articles/${article}/comments`, { token: tok, body: { body, clientId, ...(parentId ? { parentId } : {}) } });
    const adminList = async () => (await http(server.url, 'GET', `${API}/admin/webhooks`, { token: admin })).body.webhooks as any[];

    before(async () => {
      receiver.failFirst = 2;
      receiver.failing.add('/always');
      server = await startTestServer({
        sites: site([
          { id: 'main', url: receiver.url('/hooks'), secret: secrets['/hooks'], events: ALL_EVENTS, allowPrivateTargets: true },
          { id: 'private', url: receiver.url('/private'), secret: secrets['/private'], events: ['comment.published'] },
          { id: 'flaky', url: receiver.url('/always'), secret: secrets['/always'], events: ['comment.held'], allowPrivateTargets: true },
        ]),
        env: { WEBHOOK_RETRY_MS: '0,100,200,300,400,500', WEBHOOK_TIMEOUT_MS: '5000' },
      });
      [alice, bob, carol, dave, mod, admin] = await Promise.all([
        token('alice', 'अलका'),
        token('bob', 'Bob'),
        token('carol', 'Carol'),
        token('dave', 'Dave'),
        token('mod', 'मीरा', 'moderator'),
        token('root', 'Admin', 'admin'),
      ]);
    });
    after(async () => {
      receiver.failFirst = 0;
      await server?.close();
    });

    it('sends every event, signed, after failed attempts, once per webhook-id and in order per article', async () => {
      // a1: a comment, a reply to it, flags that hide it, the reply deleted.
      const c1 = (await post(alice, 'a1', 'पहली टिप्पणी', 'c1')).body;
      assert.equal(c1.status, 'published');
      const r1 = (await post(bob, 'a1', 'जवाब', 'r1', c1.id)).body;
      assert.equal(r1.status, 'published');
      for (const t of [carol, dave]) assert.equal((await http(server.url, 'POST', `${API}/comments/${c1.id}/flags`, { token: t, body: { reason: 'abuse' } })).status < 300, true);
      assert.equal((await http(server.url, 'DELETE', `${API}/comments/${r1.id}`, { token: bob })).status < 300, true);
      // a2: two held comments (the backlog passes 2), one approved, one rejected.
      assert.equal((await http(server.url, 'PUT', `${API}/moderation/articles/a2`, { token: mod, body: { premod: 'all' } })).status, 200);
      const h1 = (await post(alice, 'a2', 'रुकी हुई', 'h1')).body;
      const h2 = (await post(bob, 'a2', 'यह भी रुकी', 'h2')).body;
      assert.equal(h1.status, 'pending');
      assert.equal((await http(server.url, 'POST', `${API}/moderation/comments/${h1.id}`, { token: mod, body: { action: 'approve' } })).status, 200);
      assert.equal((await http(server.url, 'POST', `${API}/moderation/comments/${h2.id}`, { token: mod, body: { action: 'reject', reason: 'विषय से हटकर' } })).status, 200);

      const expected = new Map([
        ['a1', [`comment.published:${c1.id}`, `comment.published:${r1.id}`, `comment.reply:${r1.id}`, `flag.threshold:${c1.id}`, `comment.deleted:${r1.id}`]],
        ['a2', [`comment.held:${h1.id}`, `comment.held:${h2.id}`, `comment.published:${h1.id}`, `comment.rejected:${h2.id}`]],
      ]);
      const main = () => receiver.accepted.filter((m) => m.path === '/hooks');
      await until('every event at the receiver', async () => main().filter((m) => m.type !== 'moderation.backlog').length >= 9 && main().some((m) => m.type === 'moderation.backlog'), 60_000);
      await until('the queue of main empty', async () => (await adminList()).find((h) => h.id === 'main').pending === 0, 30_000);

      assert.deepEqual(receiver.badSignatures, []);
      assertOncePerId(main());
      const got = perArticle(receiver.accepted, '/hooks');
      assert.deepEqual(got.get('a1'), expected.get('a1'));
      assert.deepEqual(got.get('a2'), expected.get('a2'));
      // The same webhook-id on every attempt: each was accepted at its third try.
      assert.deepEqual([...new Set(main().map((m) => m.attempt))], [3]);

      const reply = main().find((m) => m.type === 'comment.reply')!.payload;
      assert.deepEqual(reply.data.to, { id: 'alice', name: 'अलका' });
      assert.equal(reply.data.parent.id, c1.id);
      assert.equal(reply.data.reply.author.id, 'bob');
      assert.equal(reply.data.reply.article, 'a1');
      const backlog = main().filter((m) => m.type === 'moderation.backlog');
      assert.ok(backlog.every((m) => m.payload.data.waiting >= 2 && m.payload.data.threshold === 2));
      const approved = main().find((m) => m.type === 'comment.published' && m.payload.data.comment.id === h1.id)!.payload;
      assert.equal(approved.data.action, 'approve');
      assert.equal(approved.data.by.id, 'mod');
      assert.equal(approved.data.comment.body, 'रुकी हुई');
      assert.equal(approved.data.reason, undefined);
      const rejected = main().find((m) => m.type === 'comment.rejected')!.payload;
      assert.equal(rejected.data.reason, 'विषय से हटकर');
      assert.equal(rejected.data.comment.status, 'rejected');
    });

    it('refuses a private address without allowPrivateTargets', async () => {
      await until('the private webhook tried', async () => (await adminList()).find((h) => h.id === 'private').deliveries.some((d: any) => d.attempts > 0), 30_000);
      const hook = (await adminList()).find((h) => h.id === 'private');
      assert.ok(hook.deliveries.every((d: any) => d.state !== 'delivered'));
      assert.match(hook.deliveries.find((d: any) => d.attempts > 0).lastError, /^refused: 127\.0\.0\.1 resolves to 127\.0\.0\.1/);
      assert.equal(receiver.requests.get('/private'), undefined);
    });

    it('gives a delivery stored without its queue entry (its writer died in between) the entry back on the sweep', async () => {
      const db = server.app.services.models.Comment.db;
      const deliveries = db.collection<any>('webhook_deliveries');
      // A delivered event of the main webhook, stored again as the first event of another
      // article whose writer died before the queue entry: nothing later in its article to notice.
      const sent = await deliveries.findOne({ hook: 'main', state: 'delivered' });
      assert.ok(sent, 'a delivered event to copy');
      const article = 'orphaned-article';
      const stream = streamKey(SITE, 'main', article);
      const msgId = `msg_orphan_${Date.now()}`;
      await deliveries.insertOne({ ...sent, _id: deliveryKey(stream, 1), article, n: 1, msgId, state: 'pending', attempts: 0, lastStatus: null, lastError: null, createdAt: new Date(Date.now() - 120_000), lastAttemptAt: null, deliveredAt: null });
      assert.equal(await db.collection<any>('webhook_queue').countDocuments({ _id: deliveryKey(stream, 1) }), 0);
      assert.equal(await server.app.services.webhooks!.sweep(), 1);
      await until('the orphaned event at the receiver', async () => receiver.accepted.some((m) => m.id === msgId), 30_000);
      await until('recorded as delivered', async () => (await deliveries.findOne({ _id: deliveryKey(stream, 1) }))?.state === 'delivered', 10_000);
      assert.equal(await server.app.services.webhooks!.sweep(), 0, 'nothing left to give back');
      assertOncePerId(receiver.accepted.filter((m) => m.id === msgId));
    });

    it('disables a receiver that fails past the schedule: admins and moderators see it; re-enabling delivers what waited', async () => {
      await until('flaky disabled, its delivery failed', async () => {
        const h = (await adminList()).find((x) => x.id === 'flaky');
        return h.disabled === true && h.deliveries.some((d: any) => d.state === 'failed');
      }, 60_000);
      const hook = (await adminList()).find((h) => h.id === 'flaky');
      assert.match(hook.disabledReason, /6 attempts failed; the last: HTTP 500/);
      assert.equal(hook.pending, 2);
      assert.ok(hook.deliveries.some((d: any) => d.state === 'failed' && d.attempts === 6));
      assert.equal(hook.secret, undefined);

      const console = await http(server.url, 'GET', `${API}/moderation/webhooks`, { token: mod });
      assert.equal(console.status, 200);
      assert.deepEqual(
        console.body.webhooks.find((h: any) => h.id === 'flaky'),
        { id: 'flaky', host: `127.0.0.1:${receiver.port}`, disabled: true, disabledAt: hook.disabledAt, reason: hook.disabledReason },
      );
      assert.equal((await http(server.url, 'GET', `${API}/moderation/webhooks`, { token: alice })).status, 403);
      assert.equal((await http(server.url, 'GET', `${API}/admin/webhooks`, { token: mod })).status, 403);
      assert.equal((await http(server.url, 'POST', `${API}/admin/webhooks/nope/enable`, { token: admin })).status, 404);

      receiver.failing.delete('/always');
      const enabled = await http(server.url, 'POST', `${API}/admin/webhooks/flaky/enable`, { token: admin });
      assert.equal(enabled.status, 200);
      assert.deepEqual(enabled.body, { id: 'flaky', disabled: false, resumed: 2 });
      await until('both held events at the receiver', async () => receiver.accepted.filter((m) => m.path === '/always').length === 2, 30_000);
      const flaky = receiver.accepted.filter((m) => m.path === '/always');
      assert.deepEqual(flaky.map((m) => m.type), ['comment.held', 'comment.held']);
      assertOncePerId(flaky);
      assert.equal((await adminList()).find((h) => h.id === 'flaky').disabled, false);
      // /metrics counts the attempts: the disabling one, and the two deliveries after re-enabling.
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      const count = (result: string) => Number(metrics.match(new RegExp(`^charcha_webhook_attempts_total\\{site="${SITE}",webhook="flaky",result="${result}"\\} (\\d+)$`, 'm'))?.[1] ?? 0);
      assert.ok(count('disabled') >= 1, metrics.split('\n').filter((l) => l.includes('webhook_attempts')).join('\n'));
      assert.ok(count('delivered') >= 2);
    });
  });

  describe('across restarts and nodes', () => {
    let killed: CharchaNode | null = null;
    let nodeA: CharchaNode | null = null;
    let nodeB: TestServer | null = null;
    after(async () => {
      await killed?.kill('SIGKILL');
      await nodeA?.kill();
      await nodeB?.close();
    });

    it('loses nothing while the receiver is down, a node is killed and the other restarts; two nodes share the queue', async () => {
      const sites = site([{ id: 'cluster', url: receiver.url('/cluster'), secret: secrets['/cluster'], events: ['comment.published'], allowPrivateTargets: true }]);
      const file = join(mkdtempSync(join(tmpdir(), 'charcha-webhook-sites-')), 'sites.json');
      writeFileSync(file, JSON.stringify(sites));
      // Long enough a schedule that the receiver comes back before it runs out (docs/WEBHOOKS.md).
      const env = { WEBHOOK_RETRY_MS: '0,300,600,1000,2000,3000,5000,8000,13000,21000', RATE_LIMITS: 'off', LOG_LEVEL: 'warn' };
      const mongoUri = await freshDatabaseUri();
      await receiver.stop();
      killed = await startNode({ name: 'a', mongoUri, sitesFile: file, env });
      nodeB = await startTestServer({ mongoUri, sites, env });
      const urls = () => [killed?.url ?? nodeA!.url, nodeB!.url];
      const writer = await token('writer', 'लेखक');
      const expected = new Map<string, string[]>();
      for (let i = 0; i < 12; i++) {
        const article = `c${i % 3}`;
        const r = await http(urls()[i % 2]!, 'POST', `${API}/articles/${article}/comments`, { token: writer, body: { body: `टिप्पणी ${i}`, clientId: `k${i}` } });
        assert.equal(r.status, 201);
        expected.set(article, [...(expected.get(article) ?? []), `comment.published:${r.body.id}`]);
      }
      const admin = await token('root', 'Admin', 'admin');
      const list = async () => (await http(nodeB!.url, 'GET', `${API}/admin/webhooks`, { token: admin })).body.webhooks[0];
      await until('attempts failing while the receiver is down', async () => (await list()).deliveries.some((d: any) => d.lastError), 30_000);

      await killed.kill('SIGKILL');
      killed = null;
      nodeB = await nodeB.restart();
      nodeA = await startNode({ name: 'a2', mongoUri, sitesFile: file, env });
      await receiver.start();

      await until('all 12 at the receiver', async () => receiver.accepted.filter((m) => m.path === '/cluster').length >= 12, 120_000);
      await until('the queue empty', async () => (await list()).pending === 0, 60_000);
      const got = receiver.accepted.filter((m) => m.path === '/cluster');
      assert.equal(got.length, 12);
      assertOncePerId(got);
      assert.deepEqual(receiver.badSignatures, []);
      assert.deepEqual(perArticle(receiver.accepted, '/cluster'), expected);
      assert.equal((await list()).disabled, false);
    });
  });

  describe('four nodes racing over one queue', () => {
    const dbs: Database[] = [];
    const dispatchers: WebhookDispatcher[] = [];
    after(async () => {
      await Promise.all(dispatchers.map((d) => d.close()));
      await Promise.all(dbs.map((d) => d.close()));
    });

    it('numbers concurrent events once, sends each attempt once, and keeps each writer\'s order per article (5 rounds)', async () => {
      const registry = new SiteRegistry(parseSites(site([{ id: 'race', url: receiver.url('/race'), secret: secrets['/race'], events: ['comment.published'], allowPrivateTargets: true }])));
      const mongoUri = await freshDatabaseUri();
      for (let i = 0; i < 4; i++) dbs.push(await connectDatabase(mongoUri));
      const nodes = dbs.map((db) => buildWebhookModels(db.conn));
      await ensureIndexes(nodes[0]!);
      const outboxes = nodes.map((m) => new WebhookOutbox(m, registry, 0, () => dispatchers.forEach((d) => d.wake())));
      for (const m of nodes) dispatchers.push(new WebhookDispatcher(m, registry, { retryMs: [0, 20, 20, 20, 20], timeoutMs: 5000, pollMs: 50 }, (err) => { throw err; }));
      receiver.failFirst = 1; // every event's first attempt fails: two attempts each, to be claimed once each
      dispatchers.forEach((d) => d.start());
      try {
        for (let round = 0; round < 5; round++) {
          const before = receiver.accepted.filter((m) => m.path === '/race').length;
          // Four writers at once, each 6 events, on the same 2 articles.
          await Promise.all(
            outboxes.map(async (outbox, w) => {
              for (let i = 0; i < 6; i++) {
                const article = `r${round}-${i % 2}`;
                await outbox.enqueue({ type: 'comment.published', site: SITE, article, data: { comment: { id: `w${w}-${i}`, article } } });
              }
            }),
          );
          await until(`round ${round} delivered`, async () => receiver.accepted.filter((m) => m.path === '/race').length >= before + 24, 60_000);
        }
        await until('the race queue empty', async () => (await nodes[0]!.Queue.countDocuments({})) === 0, 30_000);
        const got = receiver.accepted.filter((m) => m.path === '/race');
        assert.equal(got.length, 120);
        assertOncePerId(got);
        assert.deepEqual(receiver.badSignatures, []);
        for (const m of got) assert.equal(receiver.tries.get(m.id), 2, `${m.id}: each attempt sent once`);
        const stored = await nodes[0]!.Delivery.find({}).lean();
        assert.equal(stored.length, 120);
        assert.ok(stored.every((d) => d.state === 'delivered' && d.attempts === 2));
        for (const [article, seq] of perArticle(got, '/race')) {
          assert.equal(seq.length, 12);
          for (let w = 0; w < 4; w++) {
            const mine = seq.filter((x) => x.includes(`:w${w}-`));
            assert.deepEqual(mine, [...mine].sort(), `writer ${w}'s order in ${article}`);
          }
          const ns = stored.filter((d) => d.article === article).map((d) => d.n).sort((a, b) => a - b);
          assert.deepEqual(ns, Array.from({ length: 12 }, (_, i) => i + 1), `${article}: n handed out once each`);
        }
      } finally {
        receiver.failFirst = 0;
      }
    });
  });
});
