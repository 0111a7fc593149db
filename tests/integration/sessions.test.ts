// Sessions on open sockets: tokens that expire while a socket stays open (on "/" and on
// "/moderation"), auth:refresh, the aud claim and requireAudience, one secret per site, the
// room limit per socket, the connection limit on /moderation, guests keyed by address, and
// nothing secret in what a socket carries through Redis.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { loadSites } from '../../server/src/trust/sites';
import { call, connectModerator, connectReader, http, type ReaderClient } from '../helpers/clients';
import { startTestServer, type TestServer } from '../helpers/server';
import { testRedis, TEST_REDIS_URL as REDIS_URL } from '../helpers/redis';
import { signToken, type TokenClaims } from '../helpers/tokens';

const API = '/api/v1/sites/demo';
const AUD_SECRET = 'audience-site-secret-of-at-least-32-bytes';
const STRICT_SECRET = 'strict-audience-secret-of-at-least-32-bytes';
const LIMITED_SECRET = 'limited-site-secret-of-at-least-32-bytes!';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const expOf = (token: string): number => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp;
/** Waits until the token's `exp` has passed (as the server counts it: whole seconds). */
const untilExpired = (token: string) => sleep(Math.max(0, expOf(token) * 1000 - Date.now() + 50));
/** A token that expires in two to three seconds (`exp` counts whole seconds). */
const shortToken = (claims: TokenClaims, secret?: string) => signToken({ ...claims, expSec: 3 }, secret);


/** Resolves with the reason of the socket's next disconnect. */
const disconnected = (socket: { once(ev: 'disconnect', fn: (reason: string) => void): unknown }) =>
  new Promise<string>((resolve) => socket.once('disconnect', resolve));

const code = (answer: any): string | undefined => answer?.error?.code;

describe('sessions on open sockets', function () {
  this.timeout(120_000);
  /** Five seconds of grace: time to use an expired socket before it is cut. */
  let patient: TestServer;
  /** 200 ms of grace: expired sockets are cut almost at once. */
  let strict: TestServer;
  const open: { disconnect(): unknown }[] = [];
  const track = <T extends { disconnect(): unknown }>(s: T): T => (open.push(s), s);

  before(async function () {
    this.timeout(900_000);
    patient = await startTestServer({ env: { SESSION_GRACE_MS: '5000' } });
    strict = await startTestServer({ env: { SESSION_GRACE_MS: '200' } });
  });
  afterEach(() => {
    for (const s of open.splice(0)) s.disconnect();
  });
  after(async () => {
    await patient?.close();
    await strict?.close();
  });

  it('on "/": after exp, posting, editing, deleting and reacting are refused, joining still works, and auth:refresh restores them', async () => {
    const token = await shortToken({ sub: 'ravi', name: 'Ravi' });
    const s = track(await connectReader(patient.url, { token }));
    const first = await call(s, 'comment:post', { article: 'exp-1', body: 'before expiry', clientId: 'e1' });
    assert.equal(first.comment?.status, 'published', JSON.stringify(first));

    await untilExpired(token);
    const refused = [
      await call(s, 'comment:post', { article: 'exp-1', body: 'after expiry', clientId: 'e2' }),
      await call(s, 'comment:edit', { id: first.comment.id, body: 'edited after expiry' }),
      await call(s, 'comment:delete', { id: first.comment.id }),
      await call(s, 'reaction:set', { target: { comment: first.comment.id }, kind: 'like', on: true }),
    ];
    assert.deepEqual(refused.map(code), ['unauthorized', 'unauthorized', 'unauthorized', 'unauthorized'], JSON.stringify(refused));
    // An expired socket is still a reader.
    const joined = await call(s, 'article:join', { article: 'exp-1' });
    assert.equal(typeof joined.seq, 'number', JSON.stringify(joined));
    assert.deepEqual(await call(s, 'article:leave', { article: 'exp-1' }), {});
    // Refused events stored nothing.
    const page = await http(patient.url, 'GET', `${API}/articles/exp-1/comments`);
    assert.deepEqual(page.body.comments.map((c: any) => c.body), ['before expiry']);

    assert.deepEqual(await call(s, 'auth:refresh', { token: await signToken({ sub: 'ravi', name: 'Ravi' }) }), {});
    const again = await call(s, 'comment:post', { article: 'exp-1', body: 'after refresh', clientId: 'e3' });
    assert.equal(again.comment?.status, 'published', JSON.stringify(again));
    assert.equal(again.comment.author.id, 'ravi');
    const edited = await call(s, 'comment:edit', { id: first.comment.id, body: 'edited after refresh' });
    assert.equal(edited.comment?.body, 'edited after refresh', JSON.stringify(edited));
    // Still open past the first token's exp and grace: the new token holds.
    await sleep(Math.max(0, expOf(token) * 1000 + 5000 - Date.now() + 300));
    assert.ok(s.connected, 'the refreshed socket stays open');
  });

  it('on "/": a refresh may sign in another user, and a refused refresh leaves the socket as it was', async () => {
    const s = track(await connectReader(patient.url, { token: await signToken({ sub: 'asha', name: 'Asha' }) }));
    const bad = await call(s, 'auth:refresh', { token: await signToken({ sub: 'asha', name: 'Asha' }, 'another-secret-of-at-least-32-bytes-long') });
    assert.equal(code(bad), 'unauthorized');
    const still = await call(s, 'comment:post', { article: 'exp-2', body: 'as Asha', clientId: 'a1' });
    assert.equal(still.comment?.author.id, 'asha');
    assert.deepEqual(await call(s, 'auth:refresh', { token: await signToken({ sub: 'bina', name: 'Bina' }) }), {});
    const other = await call(s, 'comment:post', { article: 'exp-2', body: 'as Bina', clientId: 'b1' });
    assert.equal(other.comment?.author.id, 'bina');
  });

  it('on "/": a socket still expired after the grace period is disconnected', async () => {
    const token = await shortToken({ sub: 'late', name: 'Late' });
    const s = track(await connectReader(strict.url, { token }));
    const anonymous = track(await connectReader(strict.url));
    const cut = disconnected(s);
    assert.equal(await cut, 'io server disconnect');
    assert.ok(Date.now() >= expOf(token) * 1000, 'not before exp');
    assert.ok(anonymous.connected, 'an anonymous reader has no expiry');
  });

  it('on "/moderation": after exp, decide is refused, and the socket is cut after the grace period', async () => {
    const token = await shortToken({ sub: 'mod-exp', name: 'Mod', role: 'moderator' });
    const m = track(await connectModerator(strict.url, token));
    const unknown = '0123456789abcdef01234567';
    assert.equal(code(await call(m, 'decide', { id: unknown, action: 'approve' })), 'not_found', 'a valid token reaches the domain');
    const cut = disconnected(m);
    await untilExpired(token);
    // The 200 ms of grace may run out before the answer comes: then the cut is the answer.
    const late = await Promise.race([call(m, 'decide', { id: unknown, action: 'approve' }).catch(() => 'cut'), cut.then(() => 'cut')]);
    if (late !== 'cut') assert.equal(code(late), 'unauthorized', JSON.stringify(late));
    assert.equal(await cut, 'io server disconnect');
  });

  it('on "/moderation": auth:refresh with a commenter token cuts the socket; with a moderator token (another one, too) keeps it', async () => {
    const patientMod = async (sub: string) => track(await connectModerator(patient.url, await shortToken({ sub, name: sub, role: 'moderator' })));

    const a = await patientMod('mod-a');
    const cutA = disconnected(a);
    const demoted = await call(a, 'auth:refresh', { token: await signToken({ sub: 'mod-a', name: 'mod-a' }) });
    assert.equal(code(demoted), 'forbidden', JSON.stringify(demoted));
    assert.equal(await cutA, 'io server disconnect');

    const b = await patientMod('mod-b');
    const cutB = disconnected(b);
    const forged = await call(b, 'auth:refresh', { token: await signToken({ sub: 'mod-b', name: 'mod-b', role: 'moderator' }, 'another-secret-of-at-least-32-bytes-long') });
    assert.equal(code(forged), 'unauthorized');
    assert.equal(await cutB, 'io server disconnect');

    const token = await shortToken({ sub: 'mod-c', name: 'mod-c', role: 'moderator' });
    const c = track(await connectModerator(patient.url, token));
    assert.deepEqual(await call(c, 'auth:refresh', { token: await signToken({ sub: 'mod-d', name: 'mod-d', role: 'admin' }) }), {});
    await untilExpired(token);
    assert.equal(code(await call(c, 'decide', { id: '0123456789abcdef01234567', action: 'approve' })), 'not_found', 'the new token holds');
    await sleep(Math.max(0, expOf(token) * 1000 + 5000 - Date.now() + 300));
    assert.ok(c.connected, 'kept past the first token\'s exp and grace');
  });

  it('joins at most 10 article rooms: the 11th leaves the oldest, and presence counts it gone', async () => {
    const s = track(await connectReader(patient.url));
    const seen: string[] = [];
    s.on('comment:created', (c) => seen.push(c.article));
    const articles = Array.from({ length: 11 }, (_, i) => `rooms-${i + 1}`);
    for (const a of articles.slice(0, 10)) assert.equal(typeof (await call(s, 'article:join', { article: a })).seq, 'number');
    const viewers = async (a: string) => (await http(patient.url, 'GET', `${API}/articles/${a}`)).body.viewers;
    assert.equal(await viewers('rooms-1'), 1);
    // Joining a room it is in already leaves nothing.
    await call(s, 'article:join', { article: 'rooms-5' });
    assert.equal(await viewers('rooms-1'), 1);
    await call(s, 'article:join', { article: 'rooms-11' });
    assert.deepEqual([await viewers('rooms-1'), await viewers('rooms-2'), await viewers('rooms-11')], [0, 1, 1]);

    // Events go out in order on one connection: once rooms-11's arrives, rooms-1's would have.
    const author = await signToken({ sub: 'rooms-author', name: 'Rooms' });
    for (const [i, a] of ['rooms-1', 'rooms-2', 'rooms-11'].entries()) {
      const r = await http(patient.url, 'POST', `${API}/articles/${a}/comments`, { token: author, body: { body: `in ${a}`, clientId: `r${i}` } });
      assert.equal(r.status, 201);
    }
    const start = Date.now();
    while (!seen.includes('rooms-11') && Date.now() - start < 10_000) await sleep(20);
    assert.deepEqual(seen, ['rooms-2', 'rooms-11']);
  });

  it('guests are one identity per address: another name gives no second reaction and no way around a ban', async () => {
    const mod = await signToken({ sub: 'mod-g', name: 'Mod', role: 'moderator' });
    const posted = await http(patient.url, 'POST', `${API}/articles/guests-1/comments`, { body: { body: 'first guest words', clientId: 'gp1', guest: { name: 'Meera' } } });
    assert.equal(posted.status, 201);
    assert.equal(posted.body.author.name, 'Meera', 'the typed name is shown');
    assert.equal(posted.body.author.guest, true);
    const id = posted.body.id;

    const names = ['Meera', 'Ravi', 'R a v i', 'अतिथि', 'Someone Else'];
    for (const name of names) {
      const r = await http(patient.url, 'PUT', `${API}/comments/${id}/reactions/like`, { body: { guest: { name } } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.reactions.like, 1, `after ${name}`);
    }
    const s = track(await connectReader(patient.url));
    const sock = await call(s, 'reaction:set', { target: { comment: id }, kind: 'like', on: true, guest: { name: 'Socket Name' } });
    assert.equal(sock.reactions.like, 1);
    assert.deepEqual(sock.myReactions, ['like']);
    const cleared = await http(patient.url, 'DELETE', `${API}/comments/${id}/reactions/like`, { body: { guest: { name: 'Yet Another' } } });
    assert.equal(cleared.body.reactions.like ?? 0, 0, 'any name of the address clears the one reaction');

    const second = await http(patient.url, 'POST', `${API}/articles/guests-1/comments`, { body: { body: 'second guest words', clientId: 'gp2', guest: { name: 'Kabir' } } });
    assert.equal(second.body.author.id, posted.body.author.id);
    assert.equal(second.body.author.name, 'Kabir');

    const ban = await http(patient.url, 'POST', `${API}/moderation/users/${posted.body.author.id}`, { token: mod, body: { action: 'ban', reason: 'spam' } });
    assert.equal(ban.status, 200, JSON.stringify(ban.body));
    for (const [i, name] of ['Meera', 'A New Name', 'नया नाम'].entries()) {
      const r = await http(patient.url, 'POST', `${API}/articles/guests-1/comments`, { body: { body: `after the ban ${i}`, clientId: `gb${i}`, guest: { name } } });
      assert.equal(r.status, 403, `${name}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, 'forbidden');
    }
    const bySocket = await call(s, 'comment:post', { article: 'guests-1', body: 'after the ban by socket', clientId: 'gb9', guest: { name: 'Socket Name' } });
    assert.equal(code(bySocket), 'forbidden');
    // A signed-in reader at the same address is not the guest.
    const signedIn = await http(patient.url, 'POST', `${API}/articles/guests-1/comments`, { token: await signToken({ sub: 'neighbour', name: 'Neighbour' }), body: { body: 'signed in at the same address', clientId: 'n1' } });
    assert.equal(signedIn.status, 201);
    await http(patient.url, 'POST', `${API}/moderation/users/${posted.body.author.id}`, { token: mod, body: { action: 'unban' } });
  });
});

describe('sessions: audience, secrets and limits', function () {
  this.timeout(120_000);
  let server: TestServer;
  const opened: { disconnect(): unknown }[] = [];
  const track = <T extends { disconnect(): unknown }>(s: T): T => (opened.push(s), s);
  const sites = [
    { id: 'aud', secret: AUD_SECRET, origins: [], guests: true },
    { id: 'strict-aud', secret: STRICT_SECRET, origins: [], requireAudience: true },
    { id: 'limited', secret: LIMITED_SECRET, origins: [], limits: { 'connect:ip': { points: 3, duration: 60 } } },
  ];

  before(async function () {
    this.timeout(900_000);
    server = await startTestServer({ sites, env: { RATE_LIMITS: 'on' } });
  });
  afterEach(() => {
    for (const s of opened.splice(0)) s.disconnect();
  });
  after(async () => server?.close());

  const withAud = (aud: unknown, secret: string, claims: Record<string, unknown> = {}) =>
    signToken({ sub: 'aud-user', name: 'Aud', ...claims, ...(aud === undefined ? {} : { aud }) } as TokenClaims, secret);

  async function accepted(site: string, token: string): Promise<boolean> {
    const res = await http(server.url, 'GET', `/api/v1/sites/${site}/articles/aud-1`, { token });
    const socket = io(server.url, { auth: { site, token }, transports: ['websocket'], forceNew: true, reconnection: false });
    const handshake = await new Promise<boolean | string>((resolve) => {
      socket.once('connect', () => resolve(true));
      socket.once('connect_error', (err: any) => resolve(err.data?.error?.code ?? err.message));
    });
    socket.disconnect();
    if (res.status === 200 && handshake === true) return true;
    assert.equal(res.status, 401, `HTTP ${res.status} for ${site}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error.code, 'unauthorized');
    assert.equal(handshake, 'unauthorized', `handshake for ${site}`);
    return false;
  }

  it('an aud claim must name the site, over HTTP and at the handshake', async () => {
    assert.equal(await accepted('aud', await withAud(undefined, AUD_SECRET)), true, 'no aud');
    assert.equal(await accepted('aud', await withAud('aud', AUD_SECRET)), true, 'aud = site');
    assert.equal(await accepted('aud', await withAud(['other', 'aud'], AUD_SECRET)), true, 'a list naming the site');
    assert.equal(await accepted('aud', await withAud('other', AUD_SECRET)), false, 'another audience');
    assert.equal(await accepted('aud', await withAud(['other', 'more'], AUD_SECRET)), false, 'a list without the site');
    assert.equal(await accepted('aud', await withAud('AUD', AUD_SECRET)), false, 'case matters');
    assert.equal(await accepted('aud', await withAud(42, AUD_SECRET)), false, 'not a string');
  });

  it('auth:refresh checks the audience too', async () => {
    const s = track(await connectReader(server.url, { site: 'aud', token: await withAud('aud', AUD_SECRET) }));
    assert.equal(code(await call(s, 'auth:refresh', { token: await withAud('other', AUD_SECRET) })), 'unauthorized');
    assert.deepEqual(await call(s, 'auth:refresh', { token: await withAud(undefined, AUD_SECRET) }), {});
  });

  it('a site with requireAudience refuses tokens without aud', async () => {
    assert.equal(await accepted('strict-aud', await withAud(undefined, STRICT_SECRET)), false, 'no aud');
    assert.equal(await accepted('strict-aud', await withAud('aud', STRICT_SECRET)), false, 'another site');
    assert.equal(await accepted('strict-aud', await withAud('strict-aud', STRICT_SECRET)), true, 'aud = site');
    const mod = await withAud(undefined, STRICT_SECRET, { role: 'moderator' });
    await assert.rejects(connectModerator(server.url, mod, 'strict-aud'), (err: any) => err.data?.error?.code === 'unauthorized');
  });

  it('/moderation handshakes count against the per-address connection limit', async () => {
    const token = await signToken({ sub: 'lim-mod', name: 'Mod', role: 'moderator' }, LIMITED_SECRET);
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 3; i++) sockets.push(await connectModerator(server.url, token, 'limited'));
      await assert.rejects(connectModerator(server.url, token, 'limited'), (err: any) => err.data?.error?.code === 'rate_limited' && err.data.error.retryAfter >= 1);
      const reader = io(server.url, { auth: { site: 'limited' }, transports: ['websocket'], forceNew: true, reconnection: false });
      const refused = await new Promise<string>((resolve) => {
        reader.once('connect', () => resolve('connected'));
        reader.once('connect_error', (err: any) => resolve(err.data?.error?.code));
      });
      reader.disconnect();
      assert.equal(refused, 'rate_limited', 'one bucket for both namespaces');
    } finally {
      for (const s of sockets) s.disconnect();
    }
  });

  it('refuses a sites file where two sites share a secret, naming both, and a requireAudience that is not a boolean', () => {
    const file = (content: unknown) => {
      const path = join(mkdtempSync(join(tmpdir(), 'charcha-sites-')), 'sites.json');
      writeFileSync(path, JSON.stringify(content));
      return path;
    };
    const same = 'one-secret-shared-by-two-sites-0123456789';
    assert.throws(
      () => loadSites(file([{ id: 'news', secret: same }, { id: 'sport', secret: 'x'.repeat(40) }, { id: 'weather', secret: same }])),
      (err: Error) => err.message.includes('"news"') && err.message.includes('"weather"') && /same secret/.test(err.message),
    );
    assert.throws(() => loadSites(file([{ id: 'news', secret: same, requireAudience: 'yes' }])), /requireAudience/);
    assert.equal(loadSites(file([{ id: 'news', secret: same, requireAudience: true }]))[0]!.requireAudience, true);
    assert.equal(loadSites(file([{ id: 'news', secret: same }]))[0]!.requireAudience, false);
  });
});

describe('sessions: what a socket carries through Redis', function () {
  this.timeout(120_000);

  it('fetchSockets() on another node sees the identity, and neither the site secret nor the token', async function () {
    this.timeout(900_000);
    const probe = await testRedis();
    if (!probe) this.skip();
    probe.disconnect();
    const secret = 'redis-site-secret-of-at-least-32-bytes-long';
    const sites = [{ id: 'wire', secret, origins: [], guests: true }];
    const a = await startTestServer({ sites, env: { REDIS_URL } });
    const b = await startTestServer({ sites, env: { REDIS_URL }, mongoUri: a.mongoUri });
    let reader: ReaderClient | undefined;
    try {
      const token = await signToken({ sub: 'wire-user', name: 'Wire', picture: 'https://img.example/w.png' }, secret);
      reader = await connectReader(a.url, { site: 'wire', token });
      const article = `wire-${process.pid}-${Date.now()}`;
      await call(reader, 'article:join', { article });
      const local = a.app.io.of('/').sockets.get(reader.id!)!;
      let remote: { id: string; data: unknown; handshake: unknown }[] = [];
      for (let i = 0; i < 50 && remote.length === 0; i++) {
        remote = await b.app.io.in(`a:wire:${article}`).fetchSockets().catch(() => []);
        if (remote.length === 0) await sleep(100);
      }
      assert.equal(remote.length, 1, 'node b sees the socket of node a');
      for (const [where, carried] of [['local socket.data', JSON.stringify(local.data)], ['remote data and handshake', JSON.stringify({ data: remote[0]!.data, handshake: remote[0]!.handshake })]] as const) {
        assert.ok(!carried.includes(secret), `${where}: no secret`);
        assert.ok(!carried.includes(token), `${where}: no token`);
        assert.ok(!carried.includes(token.split('.')[2]!), `${where}: no token signature`);
      }
      assert.deepEqual(remote[0]!.data, {
        identity: { site: 'wire', userId: 'wire-user', name: 'Wire', picture: 'https://img.example/w.png', role: 'commenter', guest: false, ip: '127.0.0.1', exp: expOf(token) },
      });
    } finally {
      reader?.disconnect();
      await a.close();
      await b.close();
    }
  });
});
