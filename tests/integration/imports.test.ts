// Imports of real export files (tests/fixtures/imports): Disqus and WordPress, with Hindi,
// nested replies (some before the comment they answer), spam, deleted comments with replies,
// pingbacks, markup and script injection. What readers and moderators then see, counters
// against a count of the comments, a second run that adds nothing, the API's jobs, and live
// readers told to reload once.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, connectReader, http, record, waitFor, type ReaderClient } from '../helpers/clients';
import { FIXTURES, IMPORT_SITES, importFile, secretOf } from '../helpers/imports';
import { startTestServer, type TestServer } from '../helpers/server';
import { assertCountersExact } from '../helpers/thread-truth';
import { signToken } from '../helpers/tokens';

const DISQUS = join(FIXTURES, 'disqus.xml');
const WXR = join(FIXTURES, 'wordpress.xml');
const NEWS = '/api/v1/sites/news';
const ARTICLE = 'chunav-natije-2024';

const token = (sub: string, role: 'commenter' | 'moderator' | 'admin' = 'commenter', site = 'news') => signToken({ sub, name: sub, role }, secretOf(site));

/** Every comment readers see on the article: top level and, recursively, all replies. */
async function thread(server: TestServer, article: string, site = 'news'): Promise<any[]> {
  const base = `/api/v1/sites/${site}/articles/${encodeURIComponent(article)}/comments`;
  const out: any[] = [];
  const walk = async (parent?: string) => {
    const page = await http(server.url, 'GET', `${base}?sort=oldest&limit=100${parent ? `&parent=${parent}` : ''}`);
    assert.equal(page.status, 200, JSON.stringify(page.body));
    for (const c of page.body.comments) {
      out.push(c);
      if (c.replyCount > 0) await walk(c.id);
    }
  };
  await walk();
  return out;
}

/** Follows an import job until it is done or failed. */
async function jobEnd(server: TestServer, site: string, id: string, t: string): Promise<any> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const job = (await http(server.url, 'GET', `/api/v1/sites/${site}/admin/imports/${id}`, { token: t })).body;
    if (job.state === 'done' || job.state === 'failed') return job;
    if (Date.now() > deadline) throw new Error(`import ${id} still ${job.state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const byText = (list: any[], text: string) => {
  const found = list.find((c) => c.body.includes(text));
  assert.ok(found, `no comment with "${text}"`);
  return found;
};

describe('imports', function () {
  this.timeout(180_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ sites: IMPORT_SITES });
  });
  after(async () => server?.close());

  it('a Disqus export: threads, tombstones, spam out of view, Hindi kept, markup sanitized, counters exact; twice adds nothing', async () => {
    const first = await importFile(server, 'news', { format: 'disqus', file: DISQUS });
    assert.deepEqual(
      { read: first.comments.read, imported: first.comments.imported, present: first.comments.alreadyPresent, tombstones: first.comments.tombstones, hidden: first.comments.hidden },
      { read: 18, imported: 13, present: 0, tombstones: 1, hidden: 1 },
    );
    assert.deepEqual(first.comments.skipped, {
      'deleted, with no replies to keep it as a tombstone': 2,
      'its thread was not imported': 2,
      'its thread is not in the file': 1,
    });
    const lines = Object.fromEntries(first.threads.map((t) => [t.thread, t]));
    assert.equal(lines['disqus:t:100']!.article, ARTICLE);
    assert.equal(lines['disqus:t:100']!.comments, 12);
    assert.equal(lines['disqus:t:103']!.article, 'late-thread', 'a thread written after its posts');
    assert.match(lines['disqus:t:101']!.skipped!, /no identifier/);
    assert.equal(lines['disqus:t:102']!.skipped, 'deleted in the source');
    assert.equal(lines['disqus:t:404']!.skipped, 'not in the file');

    const seen = await thread(server, ARTICLE);
    const top = seen.filter((c) => c.parentId === null);
    assert.equal(top.length, 5, 'four comments and a tombstone at the top level');
    const hindi = byText(seen, 'बहुत अच्छा लेख');
    assert.equal(hindi.body, '<p>बहुत अच्छा लेख! नतीजों का विश्लेषण सटीक है। 🙏</p>');
    assert.equal(hindi.author.name, 'रमेश कुमार');
    assert.match(hindi.author.id, /^imp:disqus:[0-9a-f]{20}$/);
    assert.equal(hindi.createdAt, '2024-06-04T06:00:00.000Z');
    assert.equal(parseInt(hindi.id.slice(0, 8), 16), Date.parse('2024-06-04T06:00:00Z') / 1000, '_id carries the original time');

    const agree = byText(seen, 'सहमत हूँ');
    assert.equal(agree.parentId, hindi.id);
    assert.doesNotMatch(agree.body, /script|alert/);
    const two = byText(seen, 'Depth two');
    const three = byText(seen, 'Depth three');
    const deeper = byText(seen, 'Deeper than the site allows');
    assert.equal(byText(seen, 'Depth two').author.id, hindi.author.id, 'one author, one imported identity');
    assert.deepEqual([two.depth, three.depth, three.parentId], [2, 3, two.id]);
    assert.deepEqual([deeper.depth, deeper.parentId, deeper.replyTo], [3, two.id, { id: three.id, name: 'Sita' }], 'beyond maxDepth: beside its parent, as live replies are');
    assert.equal(deeper.author.guest, true, 'an anonymous Disqus author is a guest');

    const tombstone = seen.find((c) => c.status === 'deleted');
    assert.ok(tombstone, 'the deleted comment with a reply stays as a tombstone');
    assert.deepEqual([tombstone.body, tombstone.author.name, tombstone.replyCount], ['', '', 1]);
    assert.equal(byText(seen, 'keeps the deleted one').parentId, tombstone.id);
    assert.equal(byText(seen, 'comes later in the file').parentId, byText(seen, 'Parent written after its reply').id);
    assert.equal(byText(seen, 'not in the file').parentId, null, 'a reply whose parent is missing starts a thread');
    const links = byText(seen, 'Links:');
    assert.doesNotMatch(links.body, /javascript|onclick/);
    assert.match(links.body, /<a href="https:\/\/ok\.example\/page" rel="nofollow ugc noopener" target="_blank">ok<\/a>/);
    assert.ok(!seen.some((c) => /Cheap pills|onerror|iframe|Deleted, nobody/.test(c.body)), 'spam, empty and lone deleted comments are not shown');

    const article = await http(server.url, 'GET', `${NEWS}/articles/${ARTICLE}`);
    assert.equal(article.body.commentCount, 10);
    const { models } = server.app.services;
    await assertCountersExact(models, 'news', ARTICLE, 'after the import');
    await assertCountersExact(models, 'news', 'late-thread', 'after the import');

    const mod = await token('mod', 'moderator');
    const rejected = await http(server.url, 'GET', `${NEWS}/moderation/queue?state=rejected`, { token: mod });
    const spam = rejected.body.items.find((i: any) => i.body.includes('Cheap pills'));
    assert.ok(spam, 'spam is kept for moderators, rejected');
    assert.equal(spam.decision ?? (await models.Comment.findOne({ _id: spam.id }).lean())!.decision, 'spam');

    const before = await models.Comment.countDocuments({ site: 'news' });
    const second = await importFile(server, 'news', { format: 'disqus', file: DISQUS });
    assert.deepEqual([second.comments.imported, second.comments.alreadyPresent], [0, 13]);
    assert.equal(await models.Comment.countDocuments({ site: 'news' }), before, 'the second run adds nothing');
    await assertCountersExact(models, 'news', ARTICLE, 'after the second run');
  });

  it('a WordPress export: pingbacks skipped, held comments in the queue, trash with a reply as a tombstone, closed posts locked', async () => {
    const s = await importFile(server, 'mirror', { format: 'wordpress', file: WXR });
    assert.deepEqual([s.comments.read, s.comments.imported, s.comments.tombstones, s.comments.hidden], [10, 8, 1, 2]);
    assert.deepEqual(s.comments.skipped, { 'a pingback or trackback': 2 });
    const seen = await thread(server, '42', 'mirror');
    const first = byText(seen, 'यहाँ भी');
    assert.equal(first.body, 'यहाँ भी खूब बारिश हुई!<br />दूसरी पंक्ति।');
    assert.equal(first.createdAt, '2024-07-01T05:30:00.000Z', 'comment_date_gmt');
    const answer = byText(seen, 'मौसम विभाग');
    assert.equal(answer.parentId, first.id);
    assert.doesNotMatch(answer.body, /data:|script/);
    assert.equal(answer.author.id, first.author.id, 'one commenter (by email), one identity');
    const below = byText(seen, 'written below me');
    assert.deepEqual([below.parentId, below.depth], [answer.id, 2], 'a reply before its parent in the file');
    assert.doesNotMatch(below.body, /style|display/);
    const tomb = seen.find((c) => c.status === 'deleted');
    assert.ok(tomb && tomb.replyCount === 1, 'trash with a reply: a tombstone');
    assert.ok(!seen.some((c) => /linked here|trackback|Buy now|Awaiting/.test(c.body)));

    const mod = await token('mod', 'moderator', 'mirror');
    const pending = await http(server.url, 'GET', '/api/v1/sites/mirror/moderation/queue?state=pending', { token: mod });
    const held = pending.body.items.find((i: any) => i.body.includes('Awaiting moderation'));
    assert.ok(held, 'an unapproved comment waits in the pending queue');
    assert.doesNotMatch(held.body, /script|cookie/);
    assert.equal(held.createdAt, '2024-07-01T13:00:00.000Z', 'comment_date when comment_date_gmt is zero');

    const { models } = server.app.services;
    assert.equal((await models.Article.findOne({ _id: 'mirror:2' }).lean())!.locked, true, 'comments closed in WordPress');
    assert.equal((await models.Article.findOne({ _id: 'mirror:42' }).lean())!.locked, false);
    await assertCountersExact(models, 'mirror', '42');
  });

  it('maps threads by identifier, URL path or slug; a dry run stores nothing', async () => {
    const { models } = server.app.services;
    const count = await models.Comment.countDocuments({});
    const articles = async (format: 'disqus' | 'wordpress', file: string, map: 'identifier' | 'url-path' | 'slug') => {
      const s = await importFile(server, 'news', { format, file, map, dryRun: true });
      return Object.fromEntries(s.threads.map((t) => [t.thread, t.article ?? `skipped: ${t.skipped}`]));
    };
    const path = await articles('disqus', DISQUS, 'url-path');
    assert.equal(path['disqus:t:100'], '/2024/06/%E0%A4%9A%E0%A5%81%E0%A4%A8%E0%A4%BE%E0%A4%B5-%E0%A4%A8%E0%A4%A4%E0%A5%80%E0%A4%9C%E0%A5%87/');
    assert.equal(path['disqus:t:101'], '/sports/cricket-final/', 'the path only, without the query');
    const slug = await articles('disqus', DISQUS, 'slug');
    assert.deepEqual([slug['disqus:t:101'], slug['disqus:t:103']], ['cricket-final', 'late']);
    const wp = await articles('wordpress', WXR, 'slug');
    assert.deepEqual([wp['wordpress:t:42'], wp['wordpress:t:2']], ['monsoon-pehli-baarish', 'about']);
    assert.deepEqual(await articles('wordpress', WXR, 'identifier'), { 'wordpress:t:42': '42', 'wordpress:t:2': '2' });
    assert.equal(await models.Comment.countDocuments({}), count, 'dry runs store nothing');
  });

  it('no token can speak for an imported author', async () => {
    const [c] = await thread(server, ARTICLE);
    const forged = await token(c.author.id);
    const r = await http(server.url, 'POST', `${NEWS}/articles/${ARTICLE}/comments`, { token: forged, body: { body: 'as them', clientId: 'forged' } });
    assert.equal(r.status, 401);
    assert.match(r.body.error.message, /imp:/);
    const del = await http(server.url, 'DELETE', `${NEWS}/comments/${c.id}`, { token: forged });
    assert.equal(del.status, 401);
  });

  it('over the API: 202 and a job any request can follow; admins only; too large or malformed stores nothing', async () => {
    const admin = await token('boss', 'admin', 'mirror');
    const mod = await token('mod', 'moderator', 'mirror');
    const raw = readFileSync(DISQUS, 'utf8');
    const post = (t: string, query: string, body = raw) => http(server.url, 'POST', `/api/v1/sites/mirror/admin/imports?${query}`, { token: t, raw: body, headers: { 'content-type': 'application/xml' } });

    assert.equal((await post(mod, 'format=disqus')).status, 403, 'moderators are not admins');
    assert.equal((await post(admin, 'format=blogger')).status, 400);
    const started = await post(admin, 'format=disqus&map=slug');
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.match(started.body.id, /^[0-9a-f-]{36}$/);
    const job = await jobEnd(server, 'mirror', started.body.id, admin);
    assert.equal(job.state, 'done', JSON.stringify(job));
    assert.equal(job.summary.comments.imported, 14, 'with --map slug the cricket thread is imported too');
    assert.equal(job.summary.threads.find((t: any) => t.thread === 'disqus:t:101').article, 'cricket-final');
    assert.equal((await server.app.services.models.Article.findOne({ _id: 'mirror:cricket-final' }).lean())!.locked, true, 'closed in Disqus');
    assert.equal((await http(server.url, 'GET', `/api/v1/sites/news/admin/imports/${started.body.id}`, { token: await token('boss', 'admin') })).status, 404, 'another site does not see it');

    const broken = await post(admin, 'format=disqus', '<disqus><thread dsq:id="1"><id>x</thread></disqus>');
    assert.equal(broken.status, 202);
    const failed = await jobEnd(server, 'mirror', broken.body.id, admin);
    assert.equal(failed.state, 'failed');
    assert.match(failed.error, /line 1/);

    const small = await startTestServer({ sites: IMPORT_SITES, mongoUri: server.mongoUri, env: { IMPORT_MAX_BYTES: '2048' } });
    try {
      const jobs = await server.app.services.models.ImportJob.countDocuments({});
      const big = await http(small.url, 'POST', '/api/v1/sites/mirror/admin/imports?format=disqus', { token: admin, raw: raw, headers: { 'content-type': 'application/xml' } });
      assert.equal(big.status, 413);
      assert.equal(big.body.error.code, 'too_large');
      assert.equal(await server.app.services.models.ImportJob.countDocuments({}), jobs, 'no job for a refused upload');
    } finally {
      await small.close();
    }
  });

  it('readers live on the article are told to reload once, not sent every comment; a rejoin from before answers reset', async () => {
    const site = IMPORT_SITES.find((s) => s.id === 'news')!;
    const fresh = { ...site, id: 'fresh', secret: 'fresh-secret-fresh-secret-fresh-secr' };
    const other = await startTestServer({ sites: [fresh], mongoUri: server.mongoUri });
    let reader: ReaderClient | undefined;
    try {
      const t = await signToken({ sub: 'early', name: 'Early' }, fresh.secret);
      const early = await http(other.url, 'POST', `/api/v1/sites/fresh/articles/${ARTICLE}/comments`, { token: t, body: { body: 'पहले से', clientId: 'e1' } });
      assert.equal(early.status, 201);
      reader = await connectReader(other.url, { site: 'fresh' });
      const joined = await call(reader, 'article:join', { article: ARTICLE });
      const seen = record(reader, ['comment:created', 'comment:updated', 'article:updated', 'article:reset', 'reaction:updated']);
      await importFile(other, 'fresh', { format: 'disqus', file: DISQUS });
      await waitFor(() => seen.some((e) => e.name === 'article:reset'), 10_000, 'article:reset');
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(!seen.some((e) => e.name === 'comment:created'), 'no event per imported comment');
      assert.ok(seen.length <= 2, `a count and a reset, got ${seen.map((e) => e.name).join(', ')}`);
      const reset = seen.find((e) => e.name === 'article:reset')!.payload;
      assert.equal(reset.reason, 'import');
      const again = await connectReader(other.url, { site: 'fresh' });
      try {
        const ack = await call(again, 'article:join', { article: ARTICLE, since: joined.seq });
        assert.equal(ack.reset, true, JSON.stringify(ack));
        assert.ok(ack.seq >= reset.seq);
      } finally {
        again.close();
      }
      const list = await thread(other, ARTICLE, 'fresh');
      assert.equal(list.filter((c) => c.status === 'published').length, 11, 'the earlier comment and the ten imported');
      await assertCountersExact(other.app.services.models, 'fresh', ARTICLE, 'imported beside a live comment');
    } finally {
      reader?.close();
      await other.close();
    }
  });
});
