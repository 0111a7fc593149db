// A reply taken out of the thread by moderation and brought back is counted once under its parent.
import assert from 'node:assert/strict';
import { http } from '../helpers/clients';
import { startTestServer, type TestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';

const API = '/api/v1/sites/demo';

describe('moderation and reply counts', function () {
  this.timeout(120_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  it('reject then approve of a reply leaves the parent with one reply', async () => {
    const alice = await signToken({ sub: 'alice', name: 'Alice' });
    const mod = await signToken({ sub: 'mod', name: 'मॉडरेटर', role: 'moderator' });
    const parent = (await http(server.url, 'POST', `${API}/articles/rc-1/comments`, { token: alice, body: { body: 'मूल टिप्पणी', clientId: 'p' } })).body;
    const reply = (await http(server.url, 'POST', `${API}/articles/rc-1/comments`, { token: alice, body: { body: 'जवाब', clientId: 'r', parentId: parent.id } })).body;
    const replyCount = async () => {
      const page = await http(server.url, 'GET', `${API}/articles/rc-1/comments`);
      return page.body.comments[0].replyCount as number;
    };
    assert.equal(await replyCount(), 1);
    const rejected = await http(server.url, 'POST', `${API}/moderation/comments/${reply.id}`, { token: mod, body: { action: 'reject' } });
    assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
    assert.equal(await replyCount(), 0);
    const approved = await http(server.url, 'POST', `${API}/moderation/comments/${reply.id}`, { token: mod, body: { action: 'approve' } });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(await replyCount(), 1);
  });
});
