// client.notifications against the real server: live notifications and unread counts in two
// tabs of one reader, marking read in one clears the other, and a new token reads the new
// reader's count.
import assert from 'node:assert/strict';
import { createClient, type CharchaClient } from '../../client-sdk/src/index';
import type { Notification } from '../../client-sdk/src/protocol';
import { http, waitFor } from '../helpers/clients';
import { startTestServer, type TestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';

const API = '/api/v1/sites/demo';

describe('SDK: client.notifications', function () {
  this.timeout(120_000);
  let server: TestServer;
  const clients: CharchaClient[] = [];
  const client = (token?: string) => {
    const c = createClient({ url: server.url, site: 'demo', ...(token ? { token } : {}), socketOptions: { transports: ['websocket'] } });
    clients.push(c);
    return c;
  };

  before(async function () {
    this.timeout(900_000);
    server = await startTestServer();
  });
  after(async () => {
    for (const c of clients) c.close();
    await server?.close();
  });

  it('two tabs get the notification live, and reading in one clears the other', async () => {
    const alice = await signToken({ sub: 'sdk-alice', name: 'आलिया' });
    const bob = await signToken({ sub: 'sdk-bob', name: 'बॉबी' });
    const [tab1, tab2] = [client(alice), client(alice)];
    const live: Notification[] = [];
    const counts: number[][] = [[], []];
    tab1.notifications.on('notification', (n) => live.push(n));
    tab1.notifications.on('unread', (n) => counts[0]!.push(n));
    tab2.notifications.on('unread', (n) => counts[1]!.push(n));
    await waitFor(() => tab1.status === 'connected' && tab2.status === 'connected', 10_000, 'both tabs connected');

    const parent = (await http(server.url, 'POST', `${API}/articles/sdk-n/comments`, { token: alice, body: { body: 'आलिया की बात', clientId: 'sdk-n-1' } })).body;
    const reply = (await http(server.url, 'POST', `${API}/articles/sdk-n/comments`, { token: bob, body: { body: 'बॉबी का जवाब', clientId: 'sdk-n-2', parentId: parent.id } })).body;
    await waitFor(() => live.length === 1 && tab1.notifications.unread === 1 && tab2.notifications.unread === 1, 10_000, 'one unread in both tabs');
    assert.equal(live[0]!.comment, reply.id);
    assert.equal(live[0]!.by?.name, 'बॉबी');

    const page = await tab2.notifications.list();
    assert.deepEqual(page.items.map((n) => n.comment), [reply.id]);
    assert.equal(page.unread, 1);
    assert.equal(page.nextCursor, null);

    assert.equal(await tab1.notifications.markRead(), 0);
    await waitFor(() => tab2.notifications.unread === 0, 10_000, 'the other tab cleared');
    assert.deepEqual(counts[1], [1, 0]);
    assert.equal(tab1.notifications.unread, 0);
  });

  it('a new token reads the new reader’s count; without one the count is 0', async () => {
    const carol = await signToken({ sub: 'sdk-carol', name: 'कविता' });
    const dave = await signToken({ sub: 'sdk-dave', name: 'देव' });
    const parent = (await http(server.url, 'POST', `${API}/articles/sdk-n2/comments`, { token: carol, body: { body: 'कविता की बात', clientId: 'sdk-n2-1' } })).body;
    await http(server.url, 'POST', `${API}/articles/sdk-n2/comments`, { token: dave, body: { body: 'देव का जवाब', clientId: 'sdk-n2-2', parentId: parent.id } });
    const c = client();
    const seen: number[] = [];
    c.notifications.on('unread', (n) => seen.push(n));
    await waitFor(() => c.status === 'connected', 10_000, 'connected');
    assert.equal(c.notifications.unread, 0, 'an anonymous reader has none');
    await c.setToken(carol);
    await waitFor(() => c.notifications.unread === 1, 10_000, 'carol’s unread count');
    // The socket followed the new identity: a new reply reaches it live.
    const more = await signToken({ sub: 'sdk-erin', name: 'ईरा' });
    const got: Notification[] = [];
    c.notifications.on('notification', (n) => got.push(n));
    await http(server.url, 'POST', `${API}/articles/sdk-n2/comments`, { token: more, body: { body: 'ईरा का जवाब', clientId: 'sdk-n2-3', parentId: parent.id } });
    await waitFor(() => got.length === 1 && c.notifications.unread === 2, 10_000, 'the live notification after the new token');
  });
});
