// Script injection: every vector of the corpus is posted, read back over HTTP and over
// Socket.IO, and checked twice: by the markup rules below, and by a real Chromium that
// renders every stored body and reports any script that ran.
import assert from 'node:assert/strict';
import { XSS_VECTORS } from '../fixtures/xss-vectors';
import { call, connectReader, http } from '../helpers/clients';
import { startTestServer, type TestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';
import { hasChromium, launchBrowser } from '../e2e/browser';

const API = '/api/v1/sites/demo';
const TAGS = new Set(['p', 'br', 'b', 'strong', 'i', 'em', 'a', 'blockquote', 'code', 'pre', 'ul', 'ol', 'li', 'span']);
const SAFE_HREF = /^(?:https?:\/\/[^/]|mailto:)/i;

/** What is wrong with a stored body, as a list of findings (empty: nothing executable). */
export function executableMarkup(html: string): string[] {
  const found: string[] = [];
  if (/<script/i.test(html)) found.push('<script');
  if (/<(?!\/?[a-z])/i.test(html)) found.push('a "<" that starts no tag');
  for (const [, tag, attrs] of html.matchAll(/<\/?([^\s>/]+)([^>]*)>/g)) {
    const name = tag!.toLowerCase();
    if (!TAGS.has(name)) found.push(`tag <${name}>`);
    for (const [, attr, value] of attrs!.matchAll(/([^\s="']+)(?:="([^"]*)")?/g)) {
      const a = attr!.toLowerCase();
      if (a === '/') continue;
      if (/^on/.test(a)) found.push(`handler ${a}`);
      if (name !== 'a' || !['href', 'rel', 'target'].includes(a)) found.push(`attribute ${a} on <${name}>`);
      if (a === 'href') {
        const decoded = (value ?? '').replace(/&amp;/g, '&').replace(/&#x?[0-9a-f]+;?|&colon;/gi, '?').replace(/[\s\u0000-\u001f]/g, '');
        if (!SAFE_HREF.test(decoded)) found.push(`href ${value}`);
      }
    }
  }
  if (/(?:javascript|vbscript|data):/i.test(html.match(/href="[^"]*"/gi)?.join(' ') ?? '')) found.push('dangerous scheme in href');
  return found;
}

/**
 * Runs in Chromium (kept as plain JavaScript text, so no compiler helper leaks into the
 * page): renders each body into the document, clicks every link, and reports elements,
 * attributes and URLs that could run script, and any dialog that script opened.
 */
const RENDER_IN_PAGE = `async (bodies) => {
  const ran = [];
  const note = (what) => () => { ran.push(what); };
  window.alert = note('alert');
  window.confirm = note('confirm');
  window.prompt = note('prompt');
  const root = document.getElementById('root');
  const bad = [];
  const forbidden = ['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'MATH', 'STYLE', 'IMG', 'FORM', 'BASE', 'META', 'LINK', 'TEMPLATE'];
  for (const { name, body } of bodies) {
    const box = document.createElement('div');
    box.innerHTML = body;
    root.appendChild(box);
    for (const el of box.querySelectorAll('*')) {
      if (forbidden.includes(el.tagName.toUpperCase())) bad.push(name + ': <' + el.tagName + '>');
      for (const attr of el.getAttributeNames()) {
        if (attr.startsWith('on')) bad.push(name + ': ' + attr);
        if (attr === 'href') {
          const scheme = new URL(el.getAttribute('href'), 'https://base.example/').protocol;
          if (!['http:', 'https:', 'mailto:'].includes(scheme)) bad.push(name + ': href ' + el.getAttribute('href'));
        }
      }
    }
    for (const a of box.querySelectorAll('a')) a.addEventListener('click', (e) => e.preventDefault());
    for (const a of box.querySelectorAll('a')) a.click();
  }
  await new Promise((r) => setTimeout(r, 300));
  return { bad, ran };
}`;

describe('trust: script injection corpus', function () {
  this.timeout(180_000);
  let server: TestServer;
  /** One author per vector: the bodies share their visible text, which the duplicate phase would refuse. */
  const author = (i: number) => signToken({ sub: `xss-${i}`, name: `Tester ${i}` });
  const stored: { name: string; body: string }[] = [];

  before(async function () {
    this.timeout(900_000);
    server = await startTestServer();
  });
  after(async () => server?.close());

  it(`has at least 40 vectors (${XSS_VECTORS.length})`, () => {
    assert.ok(XSS_VECTORS.length >= 40);
    assert.equal(new Set(XSS_VECTORS.map((v) => v.name)).size, XSS_VECTORS.length, 'names are unique');
  });

  it('each vector posted over HTTP and read back carries no executable markup', async () => {
    const failures: string[] = [];
    const refused: string[] = [];
    for (const [i, v] of XSS_VECTORS.entries()) {
      const token = await author(i);
      const posted = await http(server.url, 'POST', `${API}/articles/xss-http/comments`, { token, body: { body: v.body, clientId: `x${i}` } });
      if (posted.status === 400) {
        // Everything was markup (e.g. an unclosed <svg> swallows the rest): refused as empty.
        assert.equal(posted.body.error.code, 'bad_request', v.name);
        refused.push(v.name);
        continue;
      }
      assert.equal(posted.status, 201, `${v.name}: ${JSON.stringify(posted.body)}`);
      const back = await http(server.url, 'GET', `${API}/comments/${posted.body.id}`, { token });
      assert.equal(back.status, 200);
      for (const html of [posted.body.body as string, back.body.body as string]) {
        const found = executableMarkup(html);
        if (found.length) failures.push(`${v.name}: ${found.join(', ')} in ${JSON.stringify(html)}`);
      }
      assert.ok(!/[\u202A-\u202E\u2066-\u2069]/.test(back.body.body), `${v.name}: bidi controls removed`);
      stored.push({ name: v.name, body: back.body.body });
    }
    assert.deepEqual(failures, []);
    const page = await http(server.url, 'GET', `${API}/articles/xss-http/comments?limit=100`);
    assert.equal(page.body.total, XSS_VECTORS.length - refused.length, 'a refused post stores nothing');
    assert.ok(refused.length <= 5, `refused as empty: ${refused.join(', ')}`);
    for (const c of page.body.comments) assert.deepEqual(executableMarkup(c.body), [], c.body);
  });

  it('each vector posted over Socket.IO comes back clean in the ack and in comment:created', async () => {
    const s = await connectReader(server.url, { token: await author(1000) });
    try {
      await call(s, 'article:join', { article: 'xss-socket' });
      const live: string[] = [];
      s.on('comment:created', (c) => live.push(c.body));
      for (const [i, v] of XSS_VECTORS.entries()) {
        assert.deepEqual(await call(s, 'auth:refresh', { token: await author(1000 + i) }), {});
        const r = await call(s, 'comment:post', { article: 'xss-socket', body: v.body, clientId: `s${i}` });
        if (r.error) {
          assert.equal(r.error.code, 'bad_request', `${v.name}: ${JSON.stringify(r)}`);
          continue;
        }
        assert.equal(r.comment.status, 'published', v.name);
        assert.deepEqual(executableMarkup(r.comment.body), [], `${v.name}: ${r.comment.body}`);
      }
      for (const html of live) assert.deepEqual(executableMarkup(html), [], html);
      assert.ok(live.length >= 40, `live events: ${live.length}`);
    } finally {
      s.disconnect();
    }
  });

  it('the markup checker itself finds what it must', () => {
    assert.ok(executableMarkup('<img src=x onerror=alert(1)>').length > 0);
    assert.ok(executableMarkup('<a href="javascript:alert(1)">x</a>').length > 0);
    assert.ok(executableMarkup('<a href="&#106;avascript:x">x</a>').length > 0);
    assert.ok(executableMarkup('<b onclick="x">x</b>').length > 0);
    assert.ok(executableMarkup('<svg></svg>').length > 0);
    assert.deepEqual(executableMarkup('<p><a href="https://a.example" rel="nofollow ugc noopener" target="_blank">x</a> &lt;script&gt;</p>'), []);
  });

  it('Chromium renders every stored body without running any script', async function () {
    if (!hasChromium()) this.skip();
    assert.ok(stored.length >= 40, 'the HTTP corpus ran first');
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.setContent('<!doctype html><meta charset="utf-8"><div id="root"></div>');
      const report = (await page.evaluate(`(${RENDER_IN_PAGE})(${JSON.stringify(stored)})`)) as { bad: string[]; ran: string[] };
      assert.deepEqual(report.bad, []);
      assert.deepEqual(report.ran, []);
    } finally {
      await browser.close();
    }
  });
});
