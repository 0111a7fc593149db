// Identity and entry: forged tokens, origins, guests, the moderation namespace and routes,
// prototype-pollution keys, oversized Socket.IO payloads and security headers.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { SignJWT, generateKeyPair } from 'jose';
import { io } from 'socket.io-client';
import { call, connectReader, http } from '../helpers/clients';
import { startTestServer, type TestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';
import { DEMO_SECRET } from '../../server/src/trust/sites';

const API = '/api/v1/sites/demo';
const key = new TextEncoder().encode(DEMO_SECRET);
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** A token with any header and claims, HMAC-SHA256-signed with `secret` (or unsigned). */
function rawToken(header: object, claims: object, secret: string | null = DEMO_SECRET): string {
  const head = `${b64(header)}.${b64(claims)}`;
  const sig = secret === null ? '' : createHmac('sha256', secret).update(head).digest('base64url');
  return `${head}.${sig}`;
}

const good = () => ({ sub: 'forger', name: 'Forger', exp: now() + 3600, iat: now() });

/** Each forgery a host site's reader could try; every one must be refused with 401. */
async function forgeries(): Promise<{ name: string; token: string }[]> {
  const rsa = await generateKeyPair('RS256');
  const valid = await signToken({ sub: 'forger', name: 'Forger' });
  const [h, , s] = valid.split('.');
  return [
    { name: 'alg none, no signature', token: rawToken({ alg: 'none', typ: 'JWT' }, good(), null) },
    { name: 'alg none with an HMAC signature', token: rawToken({ alg: 'none', typ: 'JWT' }, good()) },
    { name: 'alg "None"', token: rawToken({ alg: 'None', typ: 'JWT' }, good(), null) },
    { name: 'HS512 with the right secret', token: await new SignJWT(good()).setProtectedHeader({ alg: 'HS512' }).sign(key) },
    { name: 'HS384 with the right secret', token: await new SignJWT(good()).setProtectedHeader({ alg: 'HS384' }).sign(key) },
    { name: 'RS256 signed with a private key', token: await new SignJWT(good()).setProtectedHeader({ alg: 'RS256' }).sign(rsa.privateKey) },
    { name: 'RS256 header, HMAC signature (key confusion)', token: rawToken({ alg: 'RS256', typ: 'JWT' }, good()) },
    { name: 'wrong secret', token: await signToken({ sub: 'forger', name: 'Forger' }, 'not-the-demo-secret-but-long-enough-1234') },
    { name: 'expired', token: await signToken({ sub: 'forger', name: 'Forger', expSec: -60 }) },
    { name: 'no exp', token: await new SignJWT({ sub: 'forger', name: 'Forger' }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().sign(key) },
    { name: 'exp as a string', token: rawToken({ alg: 'HS256' }, { ...good(), exp: String(now() + 3600) }) },
    { name: 'not valid yet (nbf)', token: rawToken({ alg: 'HS256' }, { ...good(), nbf: now() + 3600 }) },
    { name: 'no sub', token: rawToken({ alg: 'HS256' }, { name: 'Forger', exp: now() + 3600 }) },
    { name: 'empty sub', token: rawToken({ alg: 'HS256' }, { ...good(), sub: '' }) },
    { name: 'no name', token: rawToken({ alg: 'HS256' }, { sub: 'forger', exp: now() + 3600 }) },
    { name: 'name empty after removing bidi and invisible characters', token: rawToken({ alg: 'HS256' }, { ...good(), name: '\u202E\u200B \u2066' }) },
    { name: 'name of 81 characters', token: rawToken({ alg: 'HS256' }, { ...good(), name: 'न'.repeat(81) }) },
    { name: 'role outside the contract', token: rawToken({ alg: 'HS256' }, { ...good(), role: 'superuser' }) },
    { name: 'picture over http', token: rawToken({ alg: 'HS256' }, { ...good(), picture: 'http://img.example/a.png' }) },
    { name: 'tampered payload (role raised to admin)', token: `${h}.${b64({ ...good(), role: 'admin' })}.${s}` },
    { name: 'tampered signature', token: `${valid.slice(0, -2)}${valid.endsWith('AA') ? 'BB' : 'AA'}` },
    { name: 'not a JWT', token: 'hello.world' },
  ];
}

/** Resolves with the connect_error of a handshake that must be refused. */
function refusedHandshake(url: string, auth: object, origin?: string): Promise<Error & { data?: any }> {
  return new Promise((resolve, reject) => {
    const s = io(url, { auth, transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: origin ? { origin } : undefined });
    s.once('connect', () => {
      s.disconnect();
      reject(new Error(`handshake to ${url} was accepted`));
    });
    s.once('connect_error', (err) => {
      s.disconnect();
      resolve(err as Error & { data?: any });
    });
  });
}

describe('trust: identity and entry', function () {
  this.timeout(120_000);
  let server: TestServer;
  let closed: TestServer;

  before(async function () {
    this.timeout(900_000);
    server = await startTestServer();
    closed = await startTestServer({
      sites: [{ id: 'closed', secret: 'x'.repeat(32), origins: ['https://news.example', 'https://*.news.example'], guests: false }],
    });
  });
  after(async () => {
    await server?.close();
    await closed?.close();
  });

  it('refuses every forged token with 401 over HTTP, at the Socket.IO handshake and on auth:refresh', async () => {
    const list = await forgeries();
    assert.ok(list.length >= 20);
    const reader = await connectReader(server.url, { token: await signToken({ sub: 'honest', name: 'Honest' }) });
    try {
      for (const f of list) {
        const r = await http(server.url, 'POST', `${API}/articles/forged/comments`, { token: f.token, body: { body: 'forged', clientId: 'f1' } });
        assert.equal(r.status, 401, `${f.name}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error.code, 'unauthorized', f.name);
        assert.equal(typeof r.body.error.message, 'string');
        const err = await refusedHandshake(server.url, { site: 'demo', token: f.token });
        assert.equal(err.data?.error?.code, 'unauthorized', `${f.name}: handshake ${JSON.stringify(err.data)}`);
        const ack = await call(reader, 'auth:refresh', { token: f.token });
        assert.equal(ack.error?.code, 'unauthorized', `${f.name}: refresh ${JSON.stringify(ack)}`);
      }
      // The failed refreshes left the connection as the honest user.
      const posted = await call(reader, 'comment:post', { article: 'forged', body: 'still me', clientId: 'h1' });
      assert.equal(posted.comment.author.id, 'honest');
    } finally {
      reader.disconnect();
    }
    const page = await http(server.url, 'GET', `${API}/articles/forged/comments`);
    assert.equal(page.body.total, 1, 'no forged post was stored');
  });

  it('accepts a name of exactly 80 characters and cleans bidi controls out of names', async () => {
    const token = await signToken({ sub: 'long', name: `\u202E${'न'.repeat(80)}\u202C` });
    const r = await http(server.url, 'POST', `${API}/articles/names/comments`, { token, body: { body: 'नमस्ते', clientId: 'n1' } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.author.name, 'न'.repeat(80));
    const spaced = await signToken({ sub: 'spaced', name: '  Ravi \u200B  Kumar\u2067 ' });
    const r2 = await http(server.url, 'POST', `${API}/articles/names/comments`, { token: spaced, body: { body: 'hello', clientId: 'n2' } });
    assert.equal(r2.body.author.name, 'Ravi Kumar');
  });

  it('rejects an Authorization header that is not a Bearer token', async () => {
    const r = await http(server.url, 'GET', `${API}/articles/a1`, { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, 'unauthorized');
  });

  it('roles come only from a verified token: a body cannot claim one', async () => {
    const r = await http(server.url, 'POST', `${API}/articles/roles/comments`, {
      body: { body: 'I am admin', clientId: 'r1', guest: { name: 'Mallory' }, role: 'admin' },
    });
    assert.equal(r.status, 400);
    const g = await http(server.url, 'POST', `${API}/articles/roles/comments`, { body: { body: 'hi', clientId: 'r2', guest: { name: 'Mallory', role: 'admin' } } });
    assert.equal(g.status, 400);
  });

  it('guests post with a cleaned name where the site allows them, and nowhere else', async () => {
    const r = await http(server.url, 'POST', `${API}/articles/guests/comments`, { body: { body: 'मेहमान की टिप्पणी', clientId: 'g1', guest: { name: '  अतिथि \u202E  पाठक ' } } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.author.guest, true);
    assert.equal(r.body.author.name, 'अतिथि पाठक');
    assert.match(r.body.author.id, /^g_/);
    const nameless = await http(server.url, 'POST', `${API}/articles/guests/comments`, { body: { body: 'x', clientId: 'g2', guest: { name: '\u202E \u200B' } } });
    assert.equal(nameless.status, 400);
    const anonymous = await http(server.url, 'POST', `${API}/articles/guests/comments`, { body: { body: 'x', clientId: 'g3' } });
    assert.equal(anonymous.status, 401);
    const elsewhere = await http(closed.url, 'POST', '/api/v1/sites/closed/articles/a/comments', { body: { body: 'x', clientId: 'g4', guest: { name: 'Guest' } } });
    assert.equal(elsewhere.status, 401);
    assert.equal(elsewhere.body.error.code, 'unauthorized');
    assert.equal((await http(closed.url, 'GET', '/api/v1/sites/closed/articles/a/comments')).body.total, 0);
  });

  it('enforces the site\'s origins for HTTP CORS and for Socket.IO handshakes', async () => {
    const base = '/api/v1/sites/closed/articles/a';
    const evil = await http(closed.url, 'GET', base, { headers: { origin: 'https://evil.example' } });
    assert.equal(evil.status, 403);
    assert.equal(evil.body.error.code, 'forbidden');
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    for (const origin of ['https://news.example.evil.example', 'http://news.example', 'https://news.example:443@evil.example', 'null']) {
      assert.equal((await http(closed.url, 'GET', base, { headers: { origin } })).status, 403, origin);
    }
    const ok = await http(closed.url, 'GET', base, { headers: { origin: 'https://hindi.news.example' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://hindi.news.example');
    const preflight = await http(closed.url, 'OPTIONS', base, { headers: { origin: 'https://news.example', 'access-control-request-method': 'POST' } });
    assert.equal(preflight.status, 204);

    const token = await new SignJWT({ sub: 'u', name: 'U' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode('x'.repeat(32)));
    const refused = await refusedHandshake(closed.url, { site: 'closed', token }, 'https://evil.example');
    assert.equal(refused.data?.error?.code, 'forbidden');
    const unknown = await refusedHandshake(closed.url, { site: 'nope' }, 'https://news.example');
    assert.equal(unknown.data?.error?.code, 'not_found');
    const accepted = await connectReader(closed.url, { site: 'closed', token }, { origin: 'https://news.example' });
    accepted.disconnect();
    // The demo site takes any localhost port, and nothing else.
    const demoEvil = await refusedHandshake(server.url, { site: 'demo' }, 'https://localhost.evil.example');
    assert.equal(demoEvil.data?.error?.code, 'forbidden');
    (await connectReader(server.url, {}, { origin: 'http://localhost:5173' })).disconnect();
  });

  it('a guest or a commenter cannot join /moderation or call moderation routes', async () => {
    const commenter = await signToken({ sub: 'c', name: 'C' });
    for (const auth of [{ site: 'demo' }, { site: 'demo', token: commenter }]) {
      const err = await refusedHandshake(`${server.url}/moderation`, auth);
      // Refused at the handshake with the contract's body, or, without the namespace, "Invalid namespace".
      assert.ok(err.data?.error?.code === 'unauthorized' || err.data?.error?.code === 'forbidden' || err.message === 'Invalid namespace', `${err.message} ${JSON.stringify(err.data)}`);
    }
    const routes: [string, string, unknown?][] = [
      ['GET', `${API}/moderation/queue?state=pending`],
      ['POST', `${API}/moderation/comments/0123456789abcdef01234567`, { action: 'approve' }],
      ['POST', `${API}/moderation/users/someone`, { action: 'ban' }],
      ['PUT', `${API}/moderation/articles/a1`, { locked: true }],
      ['GET', `${API}/moderation/log`],
    ];
    for (const [method, path, body] of routes) {
      for (const token of [undefined, commenter]) {
        const r = await http(server.url, method, path, { token, body });
        assert.ok([401, 403].includes(r.status), `${method} ${path} as ${token ? 'commenter' : 'guest'}: ${r.status}`);
        assert.ok(['unauthorized', 'forbidden'].includes(r.body.error.code));
      }
    }
  });

  it('__proto__ and constructor keys are refused and pollute nothing', async () => {
    const bodies = [
      '{"body":"x","clientId":"p1","__proto__":{"polluted":true}}',
      '{"body":"x","clientId":"p2","constructor":{"prototype":{"polluted":true}}}',
      '{"body":"x","clientId":"p3","guest":{"name":"G","__proto__":{"polluted":true}}}',
    ];
    for (const raw of bodies) {
      const r = await http(server.url, 'POST', `${API}/articles/proto/comments`, { raw, token: await signToken({ sub: 'p', name: 'P' }) });
      assert.equal(r.status, 400, raw);
      assert.equal(r.body.error.code, 'bad_request');
    }
    const q = await http(server.url, 'GET', `${API}/articles/proto/comments?__proto__[polluted]=1`);
    assert.equal(q.status, 400);
    const s = await connectReader(server.url, { token: await signToken({ sub: 'p', name: 'P' }) });
    try {
      const ack = await call(s, 'comment:post', JSON.parse('{"article":"proto","body":"x","clientId":"p4","__proto__":{"polluted":true}}'));
      assert.equal(ack.error?.code, 'bad_request');
    } finally {
      s.disconnect();
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((await http(server.url, 'GET', `${API}/articles/proto/comments`)).body.total, 0);
  });

  it('a Socket.IO message over maxHttpBufferSize closes the connection and stores nothing', async () => {
    const s = await connectReader(server.url, { token: await signToken({ sub: 'big', name: 'Big' }) });
    const gone = new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)));
    s.emit('comment:post', { article: 'big', body: 'x'.repeat(200 * 1024), clientId: 'b1' }, () => undefined);
    assert.match(await gone, /transport (close|error)/);
    assert.equal((await http(server.url, 'GET', `${API}/articles/big/comments`)).body.total, 0);
  });

  it('every answer carries security headers and a script policy without inline script', async () => {
    for (const path of ['/healthz', `${API}/articles/a1`, '/demo/article', '/no/such/route']) {
      const r = await http(server.url, 'GET', path);
      const csp = r.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'/, path);
      assert.doesNotMatch(csp.match(/script-src[^;]*/)?.[0] ?? '', /unsafe-inline|unsafe-eval/, path);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(r.headers.get('x-powered-by'), null, path);
    }
  });
});
