// A site's articlePattern: posts and article reactions on ids the site never published are
// refused and store nothing; its own ids work as before.
import assert from 'node:assert/strict';
import { call, connectReader, http } from '../helpers/clients';
import { startTestServer, type TestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';
import { articleKey } from '../../server/src/store/models';

const SITES = [{ id: 'demo', secret: 'demo-secret', origins: ['http://localhost:*'], guests: true, articlePattern: '[0-9]{4,12}' }];
const API = '/api/v1/sites/demo';

describe('article ids of a site', function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async function () {
    this.timeout(900_000);
    server = await startTestServer({ sites: SITES });
  });
  after(async () => server?.close());

  const stored = (article: string) => server.app.services.models.Article.findById(articleKey('demo', article)).lean();

  it('refuses posts and article reactions on other ids, over HTTP and Socket.IO, storing nothing', async () => {
    const token = await signToken({ sub: 'u1', name: 'पाठक' });
    for (const article of ['not-an-article', '12', '1234567890123', '1234x']) {
      const posted = await http(server.url, 'POST', `${API}/articles/${article}/comments`, { token, body: { body: 'नमस्ते', clientId: `p-${article}` } });
      assert.equal(posted.status, 404, JSON.stringify(posted.body));
      assert.equal(posted.body.error.code, 'not_found');
      const reacted = await http(server.url, 'PUT', `${API}/articles/${article}/reactions/like`, { token });
      assert.equal(reacted.status, 404, JSON.stringify(reacted.body));
      assert.equal(await stored(article), null, `no article document for ${article}`);
    }
    const socket = await connectReader(server.url, { token });
    try {
      const ack = await call(socket, 'comment:post', { article: 'bogus', body: 'नमस्ते', clientId: 's-1' });
      assert.equal(ack.error?.code, 'not_found');
      const react = await call(socket, 'reaction:set', { target: { article: 'bogus' }, kind: 'like', on: true });
      assert.equal(react.error?.code, 'not_found');
    } finally {
      socket.disconnect();
    }
    assert.equal(await stored('bogus'), null);
    assert.equal(await server.app.services.models.Comment.countDocuments({ site: 'demo' }), 0);
  });

  it('takes posts and reactions on the ids it publishes', async () => {
    const token = await signToken({ sub: 'u2', name: 'Reader' });
    const posted = await http(server.url, 'POST', `${API}/articles/20261202/comments`, { token, body: { body: 'पहली टिप्पणी', clientId: 'ok-1' } });
    assert.equal(posted.status, 201, JSON.stringify(posted.body));
    const reacted = await http(server.url, 'PUT', `${API}/articles/20261202/reactions/like`, { token });
    assert.equal(reacted.status, 200, JSON.stringify(reacted.body));
    assert.equal((await stored('20261202'))?.commentCount, 1);
  });
});
