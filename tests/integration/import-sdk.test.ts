// A reader on the client SDK while comments are imported into the article: it gets one
// `article:reset` and reloads, and then shows what the server has.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { io as realIo } from 'socket.io-client';
import { createClient, type CharchaClient } from '../../client-sdk/src/index';
import { http } from '../helpers/clients';
import { FIXTURES, importFile } from '../helpers/imports';
import { startTestServer, type TestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';

const ARTICLE = 'chunav-natije-2024';

describe('sdk: an import into an open thread', function () {
  this.timeout(120_000);
  let server: TestServer;
  let client: CharchaClient | undefined;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    client?.close();
    await server?.close();
  });

  it('reloads the thread once and shows the imported comments', async () => {
    const t = await signToken({ sub: 'here-first', name: 'पहला' });
    assert.equal((await http(server.url, 'POST', `/api/v1/sites/demo/articles/${ARTICLE}/comments`, { token: t, body: { body: 'पहले से यहाँ', clientId: 'first' } })).status, 201);
    client = createClient({ url: server.url, site: 'demo', socketOptions: { transports: ['websocket'] }, io: (url, opts) => realIo(url, { ...opts, forceNew: true }) });
    const thread = client.thread(ARTICLE, { sort: 'oldest', pageSize: 50 });
    await thread.ready;
    assert.equal(thread.comments.length, 1);

    await importFile(server, 'demo', { format: 'disqus', file: join(FIXTURES, 'disqus.xml') });
    const page = (await http(server.url, 'GET', `/api/v1/sites/demo/articles/${ARTICLE}/comments?sort=oldest&limit=50`)).body;
    const deadline = Date.now() + 20_000;
    while (thread.comments.length !== page.comments.length || thread.status !== 'live') {
      if (Date.now() > deadline) throw new Error(`the thread shows ${thread.comments.length} of ${page.comments.length} top-level comments`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(thread.comments.map((c) => [c.id, c.status, c.body]), page.comments.map((c: any) => [c.id, c.status, c.body]));
    assert.equal(thread.commentCount, 11);
  });
});
