// Webhooks without a database: the site configuration, the address check, the signature (the
// spec's algorithm by hand against the package), the retry setting, and which events a
// lifecycle transition makes.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { storedComment } from '../../bench/comment-doc';
import { loadConfig } from '../../server/src/config';
import type { Transition } from '../../server/src/domain/lifecycle';
import { eventsOf, sendDelivery, signedHeaders } from '../../server/src/domain/webhooks';
import { Types, type CommentDoc } from '../../server/src/store/models';
import { parseSites } from '../../server/src/trust/sites';
import { checkedAddresses, isPublicAddress, TargetRefused } from '../../server/src/trust/webhook-targets';
import { newSecret } from '../helpers/webhook-receiver';

const SECRET = 'unit-test-site-secret-of-32-bytes-or-more';
const site = (webhooks: unknown) => [{ id: 'news', secret: SECRET, webhooks }];
const hook = (extra: Record<string, unknown> = {}) => ({ url: 'https://hooks.example.com/in', secret: newSecret(), events: ['comment.published'], ...extra });

describe('webhooks: site configuration', () => {
  it('takes webhooks with defaults (no private targets, an id from the URL) and a backlog threshold', () => {
    const [s] = parseSites(site([hook()]));
    assert.equal(s!.webhooks.length, 1);
    assert.equal(s!.webhooks[0]!.allowPrivateTargets, false);
    assert.match(s!.webhooks[0]!.id, /^url-[0-9a-f]{8}$/);
    assert.equal(parseSites(site([hook()]))[0]!.webhooks[0]!.id, s!.webhooks[0]!.id, 'stable');
    assert.equal(s!.backlogThreshold, 50);
    assert.deepEqual(parseSites([{ id: 'news', secret: SECRET }])[0]!.webhooks, []);
  });

  const refused: [string, unknown, RegExp][] = [
    ['a secret not in whsec_ form', [hook({ secret: 'plain-secret' })], /field "webhooks\.0\.secret": a secret of the form whsec_<base64>/],
    ['a short secret', [hook({ secret: 'whsec_' + Buffer.alloc(8).toString('base64') })], /webhooks\.0\.secret.*at least 24 random bytes/],
    ['an unknown event', [hook({ events: ['comment.liked'] })], /field "webhooks\.0\.events\.0"/],
    ['no events', [hook({ events: [] })], /field "webhooks\.0\.events"/],
    ['a URL of another scheme', [hook({ url: 'ftp://example.com/x' })], /field "webhooks\.0\.url": an http or https URL/],
    ['user info in the URL', [hook({ url: 'https://u:p@example.com/x' })], /webhooks\.0\.url": a URL without user info/],
    ['an unknown field', [hook({ retries: 3 })], /field "webhooks\.0"/],
    ['two webhooks with one id', [hook({ id: 'crm' }), hook({ id: 'crm' })], /webhook id "crm" is used twice; give each webhook its own "id"/],
    ['two webhooks of one URL without ids', [hook(), hook()], /is used twice/],
  ];
  for (const [what, webhooks, message] of refused) {
    it(`refuses ${what} with a clear error`, () => {
      assert.throws(() => parseSites(site(webhooks)), (err: Error) => message.test(err.message));
    });
  }

  it('reads WEBHOOK_RETRY_MS and WEBHOOK_TIMEOUT_MS', () => {
    const defaults = loadConfig({});
    assert.deepEqual(defaults.WEBHOOK_RETRY_MS, [0, 5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000]);
    assert.equal(defaults.WEBHOOK_TIMEOUT_MS, 10000);
    assert.deepEqual(loadConfig({ WEBHOOK_RETRY_MS: '0, 50,100' }).WEBHOOK_RETRY_MS, [0, 50, 100]);
    assert.throws(() => loadConfig({ WEBHOOK_RETRY_MS: '0,5s' }), /WEBHOOK_RETRY_MS: milliseconds, comma separated/);
  });
});

describe('webhooks: target addresses', () => {
  const cases: [string, boolean][] = [
    ['8.8.8.8', true],
    ['2606:4700:4700::1111', true],
    ['127.0.0.1', false],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['192.168.1.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['224.0.0.1', false],
    ['255.255.255.255', false],
    ['::1', false],
    ['::', false],
    ['fc00::1', false],
    ['fe80::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:8.8.8.8', true],
    ['not-an-address', false],
  ];
  for (const [address, ok] of cases) it(`${address}: ${ok ? 'public' : 'refused'}`, () => assert.equal(isPublicAddress(address), ok));

  it('resolves a name and refuses it when any address is private, unless allowed', async () => {
    await assert.rejects(checkedAddresses('localhost', false), (err: Error) => err instanceof TargetRefused && /localhost resolves to/.test(err.message));
    assert.ok((await checkedAddresses('localhost', true)).length >= 1);
    await assert.rejects(checkedAddresses('[::1]', false), TargetRefused);
    assert.deepEqual(await checkedAddresses('127.0.0.1', true), [{ address: '127.0.0.1', family: 4 }]);
  });
});

describe('webhooks: signature', () => {
  it('signs per the Standard Webhooks spec: v1, base64 HMAC-SHA256 of id.timestamp.body, verified by the reference code', () => {
    const [s] = parseSites(site([hook()]));
    const h = s!.webhooks[0]!;
    const body = JSON.stringify({ type: 'comment.published', data: { text: 'नमस्ते' } });
    const headers = signedHeaders(h, 'msg_1', body, new Date());
    const key = Buffer.from(h.secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`msg_1.${headers['webhook-timestamp']}.${body}`).digest('base64');
    assert.equal(headers['webhook-signature'], `v1,${expected}`);
    assert.deepEqual(new Webhook(h.secret).verify(body, headers), JSON.parse(body));
    assert.throws(() => new Webhook(h.secret).verify(body.replace('नमस्ते', 'नमस्कार'), headers));
    assert.throws(() => new Webhook(newSecret()).verify(body, headers));
  });
});

describe('webhooks: events of a transition', () => {
  const doc = (extra: Partial<CommentDoc> = {}): CommentDoc => ({
    ...storedComment({ site: 'news', article: 'a1', authorId: 'bob', authorName: 'Bob', clientId: 'c', body: 'हाँ', createdAt: new Date(), seq: 1 }),
    ...extra,
  });
  const parent = doc({ author: { id: 'alice', name: 'अलका' } });
  const t = (action: Transition['action'], before: CommentDoc | null, after: CommentDoc | null): Transition => ({ site: 'news', article: 'a1', action, by: { id: 'm', name: 'M' }, before, after });
  const types = async (tr: Transition) => (await eventsOf(tr, async (_s, id) => (id === String(parent._id) ? parent : null))).map((e) => e.type);

  it('maps each lifecycle action to its events', async () => {
    assert.deepEqual(await types(t('post', null, doc())), ['comment.published']);
    assert.deepEqual(await types(t('post', null, doc({ status: 'pending' }))), ['comment.held']);
    assert.deepEqual(await types(t('post', null, doc({ status: 'rejected' }))), ['comment.rejected']);
    assert.deepEqual(await types(t('approve', doc({ status: 'pending' }), doc())), ['comment.published']);
    assert.deepEqual(await types(t('reject', doc({ status: 'pending' }), doc({ status: 'rejected' }))), ['comment.rejected']);
    assert.deepEqual(await types(t('spam', doc(), doc({ status: 'rejected' }))), ['comment.rejected']);
    assert.deepEqual(await types(t('hide', doc(), doc({ status: 'pending', flagCount: 3 }))), ['flag.threshold']);
    assert.deepEqual(await types(t('delete', doc(), null)), ['comment.deleted']);
    assert.deepEqual(await types(t('delete', doc(), doc({ status: 'deleted' }))), ['comment.deleted']);
    assert.deepEqual(await types(t('edit', doc(), doc({ status: 'pending' }))), ['comment.held']);
    assert.deepEqual(await types(t('edit', doc(), doc({ rev: 2 }))), []);
  });

  it('tells of a reply to a signed-in author once it is published, not to guests or to oneself', async () => {
    const reply = doc({ parentId: parent._id, depth: 1 });
    assert.deepEqual(await types(t('post', null, reply)), ['comment.published', 'comment.reply']);
    assert.deepEqual(await types(t('approve', doc({ ...reply, status: 'pending' }), reply)), ['comment.published', 'comment.reply']);
    assert.deepEqual(await types(t('approve', reply, reply)), ['comment.published'], 'already published: told before');
    assert.deepEqual(await types(t('post', null, doc({ parentId: parent._id, status: 'pending' }))), ['comment.held']);
    assert.deepEqual(await types(t('post', null, doc({ parentId: parent._id, author: { id: 'alice', name: 'अलका' } }))), ['comment.published']);
    const guestParent = doc({ author: { id: 'g_1', name: 'Guest', guest: true } });
    const toGuest = await eventsOf(t('post', null, doc({ parentId: guestParent._id })), async () => guestParent);
    assert.deepEqual(toGuest.map((e) => e.type), ['comment.published']);
    const beside = doc({ parentId: new Types.ObjectId(), replyTo: { id: String(parent._id), name: 'अलका' } });
    const [, told] = await eventsOf(t('post', null, beside), async (_s, id) => (id === String(parent._id) ? parent : null));
    assert.equal(told!.type, 'comment.reply');
    assert.deepEqual(told!.data.to, { id: 'alice', name: 'अलका' });
  });
});

describe('webhooks: one attempt over HTTP', () => {
  let server: Server;
  let base: string;
  const seen: string[] = [];
  before(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      if (req.url === '/moved') res.writeHead(302, { location: '/target' }).end();
      else if (req.url === '/slow') setTimeout(() => res.writeHead(204).end(), 3000).unref();
      else res.writeHead(204).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const target = (path: string, allowPrivateTargets = true) => parseSites(site([hook({ url: base + path, allowPrivateTargets })]))[0]!.webhooks[0]!;

  it('counts a 2xx as delivered, never follows a redirect, and stops at the timeout', async () => {
    assert.deepEqual(await sendDelivery(target('/ok'), 'msg_a', '{}', 2000), { ok: true, status: 204, error: null });
    assert.deepEqual(await sendDelivery(target('/moved'), 'msg_b', '{}', 2000), { ok: false, status: 302, error: 'HTTP 302' });
    assert.ok(!seen.includes('/target'), 'the redirect was not followed');
    const slow = await sendDelivery(target('/slow'), 'msg_c', '{}', 200);
    assert.equal(slow.ok, false);
    assert.match(slow.error!, /timed out after 200 ms/);
  });

  it('refuses a loopback receiver without allowPrivateTargets, before any request', async () => {
    const before = seen.length;
    const r = await sendDelivery(target('/ok', false), 'msg_d', '{}', 2000);
    assert.equal(r.ok, false);
    assert.match(r.error!, /^refused: 127\.0\.0\.1 resolves to 127\.0\.0\.1, a private or reserved address/);
    assert.equal(seen.length, before);
  });
});
