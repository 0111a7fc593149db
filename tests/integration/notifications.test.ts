// A signed-in reader's notifications against the real server, database and Redis: a reply
// reaches every open socket of the comment's author (on this node and another), lists unread,
// and marking it read clears every tab's count; guests and self-replies tell nobody; held
// replies tell only once published; a moderator's removal carries its reason.
import assert from 'node:assert/strict';
import type { Notification, NotificationPage } from '../../client-sdk/src/protocol';
import { connectReader, http, record, waitFor, type ReaderClient } from '../helpers/clients';
import { until } from '../helpers/cluster';
import { testRedis, TEST_REDIS_URL } from '../helpers/redis';
import { startTestServer, type TestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';

const API = '/api/v1/sites/demo';

describe('reply notifications', function () {
  this.timeout(120_000);
  let server: TestServer;
  let second: TestServer | undefined;
  const sockets: ReaderClient[] = [];
  const tokens: Record<string, string> = {};
  const token = async (sub: string, role?: 'moderator') => (tokens[sub + (role ?? '')] ??= await signToken({ sub, name: `पाठक ${sub}`, ...(role ? { role } : {}) }));
  let clientIds = 0;
  const post = async (url: string, who: string, article: string, body: string, parentId?: string) => {
    const r = await http(url, 'POST', `${API}/articles/${article}/comments`, { token: await token(who), body: { body, clientId: `n-${clientIds++}`, ...(parentId ? { parentId } : {}) } });
    assert.ok(r.status === 201, JSON.stringify(r.body));
    return r.body as { id: string; status: string; rev: number };
  };
  const list = async (who: string, query = '', url = server.url) => {
    const r = await http<NotificationPage>(url, 'GET', `${API}/me/notifications${query}`, { token: await token(who) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };
  const socketOf = async (who: string, url = server.url) => {
    const s = await connectReader(url, { token: await token(who) });
    sockets.push(s);
    return s;
  };
  const mod = () => token('mod', 'moderator');

  before(async function () {
    this.timeout(900_000);
    const redis = await testRedis();
    redis?.disconnect();
    const env = redis ? { REDIS_URL: TEST_REDIS_URL } : undefined;
    server = await startTestServer({ env });
    if (redis) second = await startTestServer({ env, mongoUri: server.mongoUri });
  });
  after(async () => {
    for (const s of sockets) s.disconnect();
    await second?.close();
    await server?.close();
  });

  it('a reply reaches both of the author’s sockets, lists unread, and reading clears both', async () => {
    const [tab1, tab2] = [await socketOf('alice'), await socketOf('alice')];
    const seen1 = record(tab1, ['notification', 'notification:read']);
    const seen2 = record(tab2, ['notification', 'notification:read']);
    const parent = await post(server.url, 'alice', 'n-live', 'मेरी राय यह है');
    const reply = await post(server.url, 'bob', 'n-live', 'मैं सहमत नहीं हूँ, क्योंकि…', parent.id);
    await waitFor(() => seen1.length === 1 && seen2.length === 1, 10_000, 'the notification on both sockets');
    const live = seen1[0]!.payload as Notification;
    assert.equal(seen1[0]!.name, 'notification');
    assert.deepEqual(seen2[0]!.payload, live);
    assert.equal(live.kind, 'reply');
    assert.equal(live.comment, reply.id);
    assert.equal(live.parentId, parent.id);
    assert.equal(live.article, 'n-live');
    assert.deepEqual(live.by, { id: 'bob', name: 'पाठक bob' });
    assert.equal(live.excerpt, 'मैं सहमत नहीं हूँ, क्योंकि…');
    assert.equal(live.read, false);

    const page = await list('alice');
    assert.equal(page.unread, 1);
    const count = await http(server.url, 'GET', `${API}/me/notifications/unread`, { token: await token('alice') });
    assert.deepEqual(count.body, { upTo: '', unread: 1 });
    assert.deepEqual(page.items, [live]);
    assert.equal(page.nextCursor, null);
    assert.equal((await list('bob')).items.length, 0, 'the replier is not told of their own reply');

    const read = await http(server.url, 'POST', `${API}/me/notifications/read`, { token: await token('alice'), body: { upTo: live.id } });
    assert.equal(read.status, 200, JSON.stringify(read.body));
    assert.deepEqual(read.body, { unread: 0 });
    await waitFor(() => seen1.length === 2 && seen2.length === 2, 10_000, 'notification:read on both sockets');
    for (const seen of [seen1, seen2]) assert.deepEqual(seen[1], { name: 'notification:read', payload: { upTo: live.id, unread: 0 } });
    const after = await list('alice');
    assert.equal(after.unread, 0);
    assert.deepEqual((await http(server.url, 'GET', `${API}/me/notifications/unread`, { token: await token('alice') })).body, { upTo: live.id, unread: 0 });
    assert.equal(after.items[0]!.read, true);
  });

  it('a notification is stored once when the watcher is told the same change again', async () => {
    const carol = record(await socketOf('carol'), ['notification']);
    const parent = await post(server.url, 'carol', 'n-once', 'पहली बात');
    const reply = await post(server.url, 'dave', 'n-once', 'दूसरी बात', parent.id);
    await waitFor(() => carol.length === 1, 10_000, 'the first telling');
    const { models, notifications } = server.app.services;
    const doc = (await models.Comment.findOne({ _id: reply.id }).lean())!;
    const again = await notifications!.notify({ site: 'demo', article: 'n-once', action: 'post', by: { id: 'dave', name: 'पाठक dave' }, before: null, after: doc });
    assert.deepEqual(again, [], 'nothing new stored or sent');
    const page = await list('carol');
    assert.equal(page.items.length, 1);
    assert.equal(page.unread, 1);
  });

  it('guests, self-replies and anonymous callers get nothing', async () => {
    const erin = record(await socketOf('erin'), ['notification']);
    const guest = await http(server.url, 'POST', `${API}/articles/n-guest/comments`, { body: { body: 'मेहमान की टिप्पणी', clientId: 'g-1', guest: { name: 'मेहमान' } } });
    assert.equal(guest.status, 201, JSON.stringify(guest.body));
    const toGuest = await post(server.url, 'erin', 'n-guest', 'मेहमान को जवाब', guest.body.id);
    const own = await post(server.url, 'erin', 'n-guest', 'अपनी बात');
    const self = await post(server.url, 'erin', 'n-guest', 'अपने को जवाब', own.id);
    // A reply that does notify, after the two that must not: once it is there, they had their turn.
    const marker = await post(server.url, 'frank', 'n-guest', 'फ़्रैंक का जवाब', own.id);
    await waitFor(() => erin.length === 1, 10_000, 'the notice of the marker reply');
    const page = await list('erin');
    assert.deepEqual(page.items.map((n) => n.comment), [marker.id], `not ${toGuest.id} nor ${self.id}`);
    const stored = await server.app.services.models.Comment.db.collection('notifications').countDocuments({ comment: { $in: [toGuest.id, self.id] } });
    assert.equal(stored, 0, 'nothing stored for a guest or a self-reply');

    const anonymous = await http(server.url, 'GET', `${API}/me/notifications`);
    assert.equal(anonymous.status, 401);
    assert.equal((await http(server.url, 'GET', `${API}/me/notifications/unread`)).status, 401);
    assert.equal(anonymous.body.error.code, 'unauthorized');
    const asGuest = await http(server.url, 'POST', `${API}/me/notifications/read`, { body: { upTo: page.items[0]!.id } });
    assert.equal(asGuest.status, 401);
    const bad = await http(server.url, 'POST', `${API}/me/notifications/read`, { token: await token('erin'), body: { upTo: { $gt: '' } } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'bad_request');
    const badCursor = await http(server.url, 'GET', `${API}/me/notifications?cursor=zzz`, { token: await token('erin') });
    assert.equal(badCursor.status, 400);
    const extra = await http(server.url, 'GET', `${API}/me/notifications?limit=5&x=1`, { token: await token('erin') });
    assert.equal(extra.status, 400);
  });

  it('a held reply tells the parent’s author only once approved, and tells its own author it is published', async () => {
    await http(server.url, 'PUT', `${API}/moderation/articles/n-held`, { token: await mod(), body: { premod: 'all' } });
    const heldParent = await post(server.url, 'gita', 'n-held', 'गीता की टिप्पणी');
    await http(server.url, 'POST', `${API}/moderation/comments/${heldParent.id}`, { token: await mod(), body: { action: 'approve' } });
    // Her own comment's "published" notice is sent after the approval's answer: let it be
    // stored before her socket listens, so what the socket records is only what follows.
    await until('her comment published', async () => (await list('gita')).items.some((n) => n.kind === 'published' && n.comment === heldParent.id), 10_000);
    const gitaSocket = await socketOf('gita');
    const harish = await socketOf('harish');
    const gitaSeen = record(gitaSocket, ['notification']);
    const harishSeen = record(harish, ['notification']);
    const reply = await post(server.url, 'harish', 'n-held', 'हरीश का रुका हुआ जवाब', heldParent.id);
    assert.equal(reply.status, 'pending');
    const approved = await http(server.url, 'POST', `${API}/moderation/comments/${reply.id}`, { token: await mod(), body: { action: 'approve' } });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    await waitFor(() => gitaSeen.some((e) => e.payload.comment === reply.id) && harishSeen.length === 1, 10_000, 'both told');
    const gitaPage = await list('gita');
    const kinds = gitaPage.items.map((n) => `${n.kind}:${n.comment}`);
    assert.deepEqual(kinds, [`reply:${reply.id}`, `published:${heldParent.id}`], 'one reply notice, after her own comment was published');
    assert.deepEqual(gitaSeen.map((e) => e.payload.kind), ['reply'], 'nothing while the reply was held');
    const harishNote = harishSeen[0]!.payload as Notification;
    assert.equal(harishNote.kind, 'published');
    assert.equal(harishNote.comment, reply.id);
    assert.equal(harishNote.excerpt, 'हरीश का रुका हुआ जवाब');
  });

  it('a moderator’s removal tells the author, with the reason', async () => {
    const c1 = await post(server.url, 'indu', 'n-removed', 'इंदु की पहली टिप्पणी');
    const c2 = await post(server.url, 'indu', 'n-removed', 'इंदु की दूसरी टिप्पणी');
    const indu = record(await socketOf('indu'), ['notification']);
    const rejected = await http(server.url, 'POST', `${API}/moderation/comments/${c1.id}`, { token: await mod(), body: { action: 'reject', reason: 'अपमानजनक भाषा' } });
    assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
    const deleted = await http(server.url, 'DELETE', `${API}/comments/${c2.id}`, { token: await mod() });
    assert.equal(deleted.status, 204);
    const own = await post(server.url, 'indu', 'n-removed', 'इंदु खुद हटाएगी');
    assert.equal((await http(server.url, 'DELETE', `${API}/comments/${own.id}`, { token: await token('indu') })).status, 204);
    await waitFor(() => indu.length === 2, 10_000, 'two removals');
    const byComment = Object.fromEntries(indu.map((e) => [e.payload.comment, e.payload as Notification]));
    assert.equal(byComment[c1.id]!.kind, 'removed');
    assert.equal(byComment[c1.id]!.reason, 'अपमानजनक भाषा');
    assert.equal(byComment[c1.id]!.excerpt, 'इंदु की पहली टिप्पणी');
    assert.equal(byComment[c2.id]!.kind, 'removed');
    assert.equal(byComment[c2.id]!.reason, undefined);
    const page = await list('indu');
    assert.deepEqual(new Set(page.items.map((n) => n.comment)), new Set([c1.id, c2.id]), 'her own delete tells nobody');
    assert.equal(page.unread, 2);
  });

  it('a second node delivers to the author’s socket on that node', async function () {
    if (!second) this.skip();
    const onSecond = record(await socketOf('jaya', second!.url), ['notification', 'notification:read']);
    const parent = await post(server.url, 'jaya', 'n-nodes', 'जया की टिप्पणी');
    const reply = await post(server.url, 'kabir', 'n-nodes', 'कबीर का जवाब', parent.id);
    await waitFor(() => onSecond.length === 1, 10_000, 'the notification on the other node');
    assert.equal(onSecond[0]!.payload.comment, reply.id);
    const read = await http(server.url, 'POST', `${API}/me/notifications/read`, { token: await token('jaya'), body: { upTo: onSecond[0]!.payload.id } });
    assert.equal(read.status, 200);
    await waitFor(() => onSecond.length === 2, 10_000, 'notification:read on the other node');
    assert.deepEqual(onSecond[1]!.payload, { upTo: onSecond[0]!.payload.id, unread: 0 });
    assert.equal((await list('jaya', '', second!.url)).unread, 0);
  });

  it('pages by cursor, newest first, and reading up to one leaves the newer unread', async () => {
    const parent = await post(server.url, 'lata', 'n-pages', 'लता की टिप्पणी');
    const lata = record(await socketOf('lata'), ['notification']);
    const replies: string[] = [];
    for (let i = 0; i < 7; i++) replies.push((await post(server.url, `r${i}`, 'n-pages', `जवाब ${i}`, parent.id)).id);
    await waitFor(() => lata.length === 7, 20_000, 'seven notifications');
    const seen: Notification[] = [];
    let cursor: string | null = null;
    do {
      const page: NotificationPage = await list('lata', `?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      assert.ok(page.items.length <= 3);
      assert.equal(page.unread, 7);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(seen.map((n) => n.comment), [...replies].reverse(), 'every reply once, newest first');
    const ids = seen.map((n) => n.id);
    assert.deepEqual(ids, [...ids].sort().reverse(), 'ids sort by time');
    const mark = seen[4]!.id; // the third oldest
    const read = await http(server.url, 'POST', `${API}/me/notifications/read`, { token: await token('lata'), body: { upTo: mark } });
    assert.deepEqual(read.body, { unread: 4 });
    const back = await http(server.url, 'POST', `${API}/me/notifications/read`, { token: await token('lata'), body: { upTo: seen[6]!.id } });
    assert.deepEqual(back.body, { unread: 4 }, 'the mark never moves back');
    const page = await list('lata', '?limit=100');
    assert.deepEqual(page.items.map((n) => n.read), [false, false, false, false, true, true, true]);
  });

  it('many replies at once on two nodes: each stored once, and the unread count equals a recount', async () => {
    const nodes = [server, second ?? server];
    for (let round = 0; round < 10; round++) {
      const who = `race${round}`;
      const parent = await post(server.url, who, 'n-race', `दौड़ ${round}`);
      const live = record(await socketOf(who), ['notification']);
      await Promise.all(Array.from({ length: 6 }, (_, i) => post(nodes[i % 2]!.url, `rr${round}-${i}`, 'n-race', `जवाब ${round}.${i}`, parent.id)));
      await waitFor(() => live.length === 6, 20_000, `six notifications (round ${round})`);
      const page = await list(who, '?limit=100');
      assert.equal(page.items.length, 6, `round ${round}`);
      assert.equal(new Set(page.items.map((n) => n.id)).size, 6);
      assert.equal(page.unread, page.items.filter((n) => !n.read).length, `round ${round}: the count equals a recount`);
      const stored = await http(nodes[(round + 1) % 2]!.url, 'GET', `${API}/me/notifications/unread`, { token: await token(who) });
      assert.equal(stored.body.unread, 6, `round ${round}: the inbox holds the recount`);
      const read = await http(nodes[round % 2]!.url, 'POST', `${API}/me/notifications/read`, { token: await token(who), body: { upTo: page.items[0]!.id } });
      assert.deepEqual(read.body, { unread: 0 });
    }
  });

  it('notifications past retention are neither listed nor counted, and the sweep deletes them', async () => {
    const parent = await post(server.url, 'mira', 'n-old', 'मीरा की टिप्पणी');
    const mira = record(await socketOf('mira'), ['notification']);
    await post(server.url, 'nadia', 'n-old', 'नादिया का जवाब', parent.id);
    await waitFor(() => mira.length === 1, 10_000, 'the notification');
    const { notifications, models } = server.app.services;
    const later = Date.now() + 31 * 24 * 3600 * 1000;
    assert.ok((await notifications!.sweep(later)) >= 1);
    const left = await models.Comment.db.collection('notifications').countDocuments({ user: 'mira' });
    assert.equal(left, 0);
    const page = await list('mira');
    assert.deepEqual(page, { items: [], unread: 0, nextCursor: null }, 'the count mends on the first page');
  });

  it('an erasure tells nobody, takes the reader’s notifications, and blanks their name and words in others’', async () => {
    const omar = record(await socketOf('omar'), ['notification']);
    const priya = record(await socketOf('priya'), ['notification']);
    const parent = await post(server.url, 'omar', 'n-erase', 'ओमर की टिप्पणी');
    await post(server.url, 'priya', 'n-erase', 'प्रिया का जवाब', parent.id);
    const priyaParent = await post(server.url, 'priya', 'n-erase', 'प्रिया की टिप्पणी');
    await post(server.url, 'omar', 'n-erase', 'ओमर का जवाब', priyaParent.id);
    await waitFor(() => omar.length === 1 && priya.length === 1, 10_000, 'both told of the replies');
    // Her data report holds her notification, as her list has it.
    const report = await http(server.url, 'GET', `${API}/me/data`, { token: await token('priya') });
    assert.equal(report.status, 200);
    assert.deepEqual(report.body.notifications, (await list('priya')).items);
    assert.equal(report.body.notifications.length, 1);
    assert.equal(report.body.notifications[0].excerpt, 'ओमर का जवाब');
    const erased = await http(server.url, 'DELETE', `${API}/me/data`, { token: await token('priya') });
    assert.equal(erased.status, 200, JSON.stringify(erased.body));
    const page = await list('omar');
    assert.equal(page.items.length, 1);
    assert.deepEqual([page.items[0]!.by, page.items[0]!.excerpt], [{ id: '', name: '' }, ''], 'her name and words are gone');
    const priyaPage = await list('priya');
    assert.deepEqual(priyaPage, { items: [], unread: 0, nextCursor: null }, 'her own notifications went, and her comments’ deletes told her nothing');
    const stored = await server.app.services.models.Comment.db.collection('notifications').countDocuments({ user: 'priya' });
    assert.equal(stored, 0);
  });

  it('an erasure racing a reply (of the erased reader, or to them) leaves nothing of theirs, in 2 x 12 rounds', async () => {
    const notifications = server.app.services.models.Comment.db.collection('notifications');
    const inboxes = server.app.services.models.Comment.db.collection('inboxes');
    const erase = async (who: string) => {
      const r = await http(server.url, 'DELETE', `${API}/me/data`, { token: await token(who) });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    };
    // A reply to a parent being erased may be refused (the parent went first): that is a fair end too.
    const reply = async (who: string, article: string, body: string, parentId: string) =>
      http(server.url, 'POST', `${API}/articles/${article}/comments`, { token: await token(who), body: { body, clientId: `n-${clientIds++}`, parentId } });
    for (let i = 0; i < 12; i++) {
      // The parent's author is erased while the reply that would tell them is posted.
      const toErased = await post(server.url, `er-a${i}`, 'n-erase-race', `पहली बात ${i}`);
      const [answer] = await Promise.all([reply(`er-b${i}`, 'n-erase-race', `जवाब ${i}`, toErased.id), erase(`er-a${i}`)]);
      assert.ok(answer.status === 201 || (answer.status === 400 && /parentId/.test(answer.body.error.message)), JSON.stringify(answer.body));
      // The reply's author is erased while their reply tells the parent's author.
      const parent = await post(server.url, `er-c${i}`, 'n-erase-race', `दूसरी बात ${i}`);
      await Promise.all([reply(`er-d${i}`, 'n-erase-race', `मिटने वाला जवाब ${i}`, parent.id), erase(`er-d${i}`)]);
      await server.app.services.notifications!.settled();
      assert.equal(await notifications.countDocuments({ user: `er-a${i}` }), 0, `round ${i}: nothing stored for the erased reader`);
      assert.equal(await inboxes.countDocuments({ _id: `demo:er-a${i}` } as never), 0, `round ${i}: no inbox of the erased reader`);
      // Their name and words stay only with a reply of theirs that is still there, one the
      // erasure could not see (stored after its last listing, answered after it).
      for (const n of await notifications.find({ user: `er-c${i}` }).toArray()) {
        if (n.by.id === '') {
          assert.equal(n.excerpt, '', `round ${i}: the erased replier’s words are gone`);
          continue;
        }
        const kept = await server.app.services.models.Comment.findOne({ _id: n.comment }).lean();
        assert.equal(kept?.author.id, `er-d${i}`, `round ${i}: a notice names the erased replier, whose reply is gone`);
      }
    }
  });

  it('keeps a reader’s newest 200: past 20 more, the oldest go', async () => {
    const { notifications: service } = server.app.services;
    const Notification = server.app.services.models.Comment.db.collection('notifications');
    const Inbox = server.app.services.models.Comment.db.collection('inboxes');
    const parent = await post(server.url, 'ravi', 'n-cap', 'रवि की टिप्पणी');
    // 230 older notifications stored as the service stores them, then one real reply.
    const start = Date.now() - 3600_000;
    const old = Array.from({ length: 230 }, (_, i) => {
      const id = `${(start + i).toString(36).padStart(9, '0')}-${'a'.repeat(24)}-${String(i).padStart(6, '0')}`;
      return { _id: `demo:ravi:${id}`, site: 'demo', user: 'ravi', kind: 'reply', article: 'n-cap', comment: 'a'.repeat(24), parentId: null, by: null, excerpt: '', reason: null, at: new Date(start + i) };
    });
    await Notification.insertMany(old as never[]);
    await Inbox.updateOne({ _id: 'demo:ravi' } as never, { $set: { unread: 230, stored: 230, readUpTo: '', newest: old[229]!._id.slice(10) } }, { upsert: true });
    const ravi = record(await socketOf('ravi'), ['notification']);
    const reply = await post(server.url, 'sita', 'n-cap', 'सीता का जवाब', parent.id);
    await waitFor(() => ravi.length === 1, 10_000, 'the new notification');
    const deadline = Date.now() + 10_000;
    let left = await Notification.countDocuments({ user: 'ravi' });
    while (left > 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      left = await Notification.countDocuments({ user: 'ravi' });
    }
    assert.equal(left, 200);
    const page = await service!.list({ site: { id: 'demo' }, userId: 'ravi', guest: false } as never, { limit: 100 });
    assert.equal(page.items[0]!.comment, reply.id, 'the newest stays');
    assert.equal(await Notification.countDocuments({ _id: { $in: old.slice(0, 31).map((d) => d._id) } } as never), 0, 'the 31 oldest went');
  });
});
