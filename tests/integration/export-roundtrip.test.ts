// Export and import round trip: a site's NDJSON export (over HTTP and from the command),
// imported into a second site, exports the same comments: the same threads, authors, bodies,
// states, reactions and times, with other ids.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importedAuthorId, isImportedAuthor } from '../../server/src/domain/imports';
import { http } from '../helpers/clients';
import { command, FIXTURES, finished, IMPORT_SITES, importFile, secretOf } from '../helpers/imports';
import { startTestServer, type TestServer } from '../helpers/server';
import { assertSiteCountersExact } from '../helpers/thread-truth';
import { signToken } from '../helpers/tokens';

const token = (site: string, sub: string, role: 'commenter' | 'moderator' | 'admin' = 'commenter') => signToken({ sub, name: sub, role }, secretOf(site));

async function exported(server: TestServer, site: string, query = ''): Promise<any[]> {
  const r = await http(server.url, 'GET', `/api/v1/sites/${site}/admin/export${query}`, { token: await token(site, 'boss', 'admin') });
  assert.equal(r.status, 200, typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
  assert.match(r.headers.get('content-type') ?? '', /application\/x-ndjson/);
  const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body) + '\n';
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** Lines in time order, with ids replaced by positions: what must survive a move between sites. */
function comparable(lines: any[]): any[] {
  const sorted = [...lines].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.body.localeCompare(b.body));
  const pos = new Map(sorted.map((l, i) => [l.id, i]));
  return sorted.map(({ id, site: _site, parentId, replyTo, ...rest }) => ({
    ...rest,
    at: pos.get(id),
    parent: parentId === null ? null : pos.get(parentId),
    replyTo: replyTo ? { name: replyTo.name, at: pos.get(replyTo.id) } : null,
  }));
}

describe('export and import round trip', function () {
  this.timeout(180_000);
  let server: TestServer;
  let dir: string;
  before(async () => {
    server = await startTestServer({ sites: IMPORT_SITES });
    dir = mkdtempSync(join(tmpdir(), 'charcha-export-test-'));
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports a site as NDJSON, and a second site imported from it exports the same', async () => {
    await importFile(server, 'news', { format: 'disqus', file: join(FIXTURES, 'disqus.xml') });
    await importFile(server, 'news', { format: 'wordpress', file: join(FIXTURES, 'wordpress.xml') });
    // Reactions, a reader's own comment and a reply of theirs to an imported one.
    const [first] = (await http(server.url, 'GET', '/api/v1/sites/news/articles/chunav-natije-2024/comments?sort=oldest')).body.comments;
    for (const [who, kind] of [['r1', 'like'], ['r2', 'like'], ['r1', 'heart']] as const) {
      const r = await http(server.url, 'PUT', `/api/v1/sites/news/comments/${first.id}/reactions/${kind}`, { token: await token('news', who) });
      assert.equal(r.status, 200);
    }
    const mine = await http(server.url, 'POST', '/api/v1/sites/news/articles/chunav-natije-2024/comments', {
      token: await token('news', 'reader'),
      body: { body: 'मेरा जवाब <b>भी</b>', clientId: 'rt-1', parentId: first.id },
    });
    assert.equal(mine.status, 201);

    const lines = await exported(server, 'news');
    assert.equal(lines.length, await server.app.services.models.Comment.countDocuments({ site: 'news' }));
    const top = lines.find((l) => l.id === first.id);
    assert.deepEqual(top.reactions, { like: 2, heart: 1 });
    assert.deepEqual(Object.keys(top).sort(), ['article', 'author', 'body', 'createdAt', 'decision', 'depth', 'editedAt', 'id', 'parentId', 'reactions', 'replyCount', 'replyTo', 'site', 'status', 'v', 'visible']);
    assert.equal((await exported(server, 'news', '?article=late-thread')).length, 1);
    const mod = await http(server.url, 'GET', '/api/v1/sites/news/admin/export', { token: await token('news', 'mod', 'moderator') });
    assert.equal(mod.status, 403, 'admins only');

    // The command writes the same lines (npm's banner above them is skipped by the import).
    const sites = join(dir, 'sites.json');
    writeFileSync(sites, JSON.stringify(IMPORT_SITES));
    const cli = await finished(command('export', ['--site', 'news'], { MONGODB_URI: server.mongoUri, SITES_FILE: sites }));
    assert.equal(cli.code, 0, cli.stderr);
    const cliLines = cli.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.deepEqual(comparable(cliLines), comparable(lines));
    const file = join(dir, 'news.ndjson');
    writeFileSync(file, `\n> charcha@0.1.0 export\n> tsx server/src/cli/export.ts --site news\n\n${cli.stdout}`);

    const s = await importFile(server, 'mirror', { format: 'charcha', file });
    assert.deepEqual(s.errors, []);
    assert.equal(s.comments.imported, lines.length);
    assert.deepEqual(s.reactions, { imported: 3, alreadyPresent: 0, skipped: 0 });
    const back = await exported(server, 'mirror');
    assert.ok(back.every((l) => l.site === 'mirror' && !lines.some((o) => o.id === l.id)), 'new ids in the second site');
    // Token users of one site are imported authors in the other; imported authors stay as they are.
    const moved = lines.map((l) => ({ ...l, author: { ...l.author, id: isImportedAuthor(l.author.id) ? l.author.id : importedAuthorId('charcha', `u:${l.author.id}`) } }));
    assert.deepEqual(comparable(back), comparable(moved));
    const reader = back.find((l) => l.body.includes('मेरा जवाब'));
    assert.match(reader.author.id, /^imp:charcha:[0-9a-f]{20}$/);
    await assertSiteCountersExact(server.app.services.models, 'mirror');

    // Into the site it came from: a restore that finds everything in place.
    const restore = await importFile(server, 'news', { format: 'charcha', file });
    assert.deepEqual([restore.comments.imported, restore.comments.alreadyPresent], [0, lines.length]);
  });
});
