// The import command on a generated Disqus export of a few thousand comments: killed (SIGKILL)
// while it writes, then run again, it ends with exactly one copy of every comment and exact
// counters.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDisqusFile } from '../../bench/disqus-file';
import { command, finished, IMPORT_SITES, importFile } from '../helpers/imports';
import { startTestServer, type TestServer } from '../helpers/server';
import { assertSiteCountersExact } from '../helpers/thread-truth';

const COMMENTS = 3000;
const THREADS = 12;

describe('an import killed half way', function () {
  this.timeout(300_000);
  let server: TestServer;
  let dir: string;
  let file: string;
  let env: Record<string, string>;
  before(async () => {
    server = await startTestServer({ sites: IMPORT_SITES });
    dir = mkdtempSync(join(tmpdir(), 'charcha-import-test-'));
    file = join(dir, 'disqus.xml');
    await writeDisqusFile(file, { comments: COMMENTS, threads: THREADS, seed: 7 });
    const sites = join(dir, 'sites.json');
    writeFileSync(sites, JSON.stringify(IMPORT_SITES));
    // TMPDIR: the killed run's spool stays in this test's folder, removed after.
    env = { MONGODB_URI: server.mongoUri, SITES_FILE: sites, TMPDIR: dir };
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('and run again stores each comment once, with exact counters', async () => {
    const { models } = server.app.services;
    const plan = await importFile(server, 'news', { format: 'disqus', file, dryRun: true });
    const expected = plan.comments.imported;
    assert.ok(expected > COMMENTS * 0.9, `most posts are stored (${expected})`);
    assert.equal(plan.articles, THREADS);

    const child = command('import', ['--site', 'news', '--format', 'disqus', file, '--json'], env);
    const ended = finished(child);
    let atKill = 0;
    for (;;) {
      atKill = await models.Comment.countDocuments({ site: 'news' });
      if (atKill > 0 || child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    const killed = await ended;
    assert.equal(killed.signal, 'SIGKILL', `the command had already ended: ${killed.stderr}`);
    assert.ok(atKill > 0 && atKill < expected, `killed while writing (${atKill} of ${expected} stored)`);

    const rerun = await finished(command('import', ['--site', 'news', '--format', 'disqus', file, '--json'], env));
    assert.equal(rerun.code, 0, rerun.stderr);
    const summary = JSON.parse(rerun.stdout);
    assert.equal(summary.comments.imported + summary.comments.alreadyPresent, expected);
    assert.ok(summary.comments.alreadyPresent >= atKill);

    assert.equal(await models.Comment.countDocuments({ site: 'news' }), expected, 'exactly one copy of each');
    const ids = await models.Comment.distinct('clientId', { site: 'news' });
    assert.equal(ids.length, expected, 'one comment per source post');
    await assertSiteCountersExact(models, 'news', 'after the rerun');
  });
});
