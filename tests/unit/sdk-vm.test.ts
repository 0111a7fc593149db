// The core bundle needs nothing platform-specific: it runs in a bare V8 context that has
// fetch and timers, and no window, document, process, require, crypto or AbortController.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import * as esbuild from 'esbuild';
import { FakeServer, fakeToken } from '../../client-sdk/testing/fake-server';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The core exactly as client-sdk/build.mjs bundles it for dist/charcha-core.min.js. */
async function coreBundle(): Promise<string> {
  const r = await esbuild.build({
    entryPoints: [join(root, 'client-sdk', 'src', 'core.ts')],
    bundle: true,
    platform: 'neutral',
    target: 'es2020',
    format: 'iife',
    globalName: 'Charcha',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  return r.outputFiles[0]!.text;
}

describe('sdk: the core bundle in a bare vm context', function () {
  this.timeout(20_000);

  it('loads, opens a thread, receives live events and posts, with only fetch and timers', async () => {
    const code = await coreBundle();
    assert.doesNotMatch(code, /\brequire\(/, 'no require calls in the core');
    const server = new FakeServer();
    server.post('vm-art', { id: 'bob', name: 'Bob' }, 'before');
    const ctx = vm.createContext({ fetch: server.fetch, setTimeout, clearTimeout });
    vm.runInContext(code, ctx, { filename: 'charcha-core.min.js' });
    const probe = vm.runInContext(
      '[typeof window, typeof document, typeof process, typeof require, typeof crypto, typeof AbortController, typeof Charcha.createClient]',
      ctx,
    ) as string[];
    assert.deepEqual([...probe], ['undefined', 'undefined', 'undefined', 'undefined', 'undefined', 'undefined', 'function']);

    ctx.io = server.io;
    ctx.token = fakeToken({ sub: 'alice', name: 'Alice' });
    const result = (await vm.runInContext(
      `(async () => {
        const client = Charcha.createClient({ url: 'http://fake.test', site: 'demo', token, io, ackTimeoutMs: 500 });
        const thread = client.thread('vm-art');
        await thread.ready;
        const first = thread.comments.map((c) => c.body);
        const posted = await thread.post('from the vm');
        let refused = null;
        try { await thread.edit('000000000000000000000001', 'not mine'); } catch (e) { refused = [e.name, e.code, e instanceof Charcha.ForbiddenError, e instanceof Charcha.CharchaError]; }
        const out = { first, posted: posted.id, refused, status: thread.status, seq: thread.lastSeq };
        client.close();
        return JSON.stringify(out);
      })()`,
      ctx,
    )) as string;
    const out = JSON.parse(result) as { first: string[]; posted: string; refused: unknown[]; status: string; seq: number };
    assert.deepEqual(out.first, ['<p>before</p>']);
    assert.equal(server.visible('vm-art').length, 2);
    assert.ok(server.visible('vm-art').some((c) => c.id === out.posted));
    assert.deepEqual(out.refused, ['ForbiddenError', 'forbidden', true, true]);
    assert.equal(out.status, 'live');
    assert.equal(out.seq, 2);
  });
});
