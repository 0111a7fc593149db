// The security headers set from the list recorded at start are the ones helmet itself sets on
// an answer with Charcha's configuration: two real Express servers, one with each.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import { SECURITY_HEADERS, helmetSteps, securityHeaders } from '../../server/src/http/security-headers';

async function headersWith(middleware: RequestHandler): Promise<Record<string, string>> {
  const app = express();
  app.use(middleware);
  app.get('/page', (_req, res) => void res.json({ ok: true }));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/page`);
    await res.text();
    const out: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      if (name !== 'date') out[name] = value;
    });
    return out;
  } finally {
    server.close();
  }
}

describe('security headers', () => {
  it('sets on an answer exactly the headers helmet sets, and removes X-Powered-By', async () => {
    const fromHelmet = await headersWith(helmet(SECURITY_HEADERS));
    const fromList = await headersWith(securityHeaders(SECURITY_HEADERS));
    assert.deepEqual(fromList, fromHelmet);
    assert.match(fromList['content-security-policy'] ?? '', /script-src 'self'/);
    assert.equal(fromList['x-content-type-options'], 'nosniff');
    assert.equal(fromList['x-powered-by'], undefined);
  });

  it('refuses a configuration whose headers read the request or change from one answer to the next', () => {
    const fromRequest = { contentSecurityPolicy: { directives: { 'script-src': ["'self'", (req: unknown) => `'nonce-${String((req as { id?: string }).id)}'`] } } };
    assert.throws(() => helmetSteps(fromRequest), /reads the request \(id\)/);
    let n = 0;
    const changing = { contentSecurityPolicy: { directives: { 'script-src': ["'self'", () => `'nonce-${n++}'`] } } };
    assert.throws(() => helmetSteps(changing), /change from one answer to the next/);
    assert.ok(helmetSteps(SECURITY_HEADERS).length > 10);
  });
});
