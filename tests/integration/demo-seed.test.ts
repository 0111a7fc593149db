// The local demo's sample comments: posted through the domain, with the pipeline's verdicts.
import assert from 'node:assert/strict';
import { DEMO_ARTICLE, seedDemo } from '../../server/src/demo-seed';
import { createLogger } from '../../server/src/log';
import { http } from '../helpers/clients';
import { startTestServer, type TestServer } from '../helpers/server';

describe('demo seed', function () {
  this.timeout(120_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  it('publishes the sample reader comments once, holds the spam and refuses the duplicate', async () => {
    const { services } = server.app;
    const site = services.sites.get('demo')!;
    await seedDemo(site, services.comments, createLogger('silent'));
    await seedDemo(site, services.comments, createLogger('silent')); // a second start adds nothing
    const page = await http(server.url, 'GET', `/api/v1/sites/demo/articles/${DEMO_ARTICLE}/comments?limit=100`);
    assert.equal(page.status, 200);
    const stored = await services.models.Comment.find({ article: DEMO_ARTICLE }).lean();
    const byStatus = (s: string) => stored.filter((d) => d.status === s).length;
    assert.equal(page.body.total, byStatus('published'));
    assert.equal(stored.length, 17);
    assert.ok(byStatus('published') >= 13, `published: ${byStatus('published')}`);
    assert.ok(byStatus('pending') >= 2, 'the keyword line and the loan links are held');
    assert.equal(byStatus('rejected'), 1, 'the repeated comment is refused as a duplicate');
    const bodies = page.body.comments.map((c: { body: string }) => c.body);
    assert.ok(bodies.includes('<b>ज़रूरी</b> सवाल: क्या भारत के पास इसका कोई जवाब है?'));
    assert.ok(bodies.every((b: string) => !/<script|onerror/i.test(b)));
  });
});
