// The moderator console in a real browser (Debian's chromium through playwright-core) against
// the real server in local mode: sign in with the demo moderator token, see a comment posted
// through the API arrive without a reload, approve it with `a`, and a Hindi screenshot.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { call, connectReader, http, record, waitFor, type ReaderClient } from '../helpers/clients';
import { startTestServer, type TestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';
import { hasChromium, launchBrowser, screenshot } from './browser';

const ROOT = join(import.meta.dirname, '..', '..');
const API = '/api/v1/sites/demo';
const ARTICLE = 'russia-pakistan-defence-2021-09-30';
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; img-src 'self' https: data:";

/** Until server/src/app.ts mounts pagesRouter: serve it in front of the app, with the app's CSP. */
async function mountPagesIfMissing(server: TestServer) {
  if ((await fetch(`${server.url}/moderate`)).status !== 404) return;
  const { default: express } = await import('express');
  const { pagesRouter } = await import('../../server/src/http/pages');
  const inner = server.app.http.listeners('request')[0] as (req: unknown, res: unknown) => void;
  const outer = express();
  outer.use((_req, res, next) => (res.setHeader('Content-Security-Policy', CSP), next()));
  outer.use(pagesRouter({ distDir: join(ROOT, 'dist/web'), sites: server.app.services.sites }));
  outer.use((req, res) => inner(req, res));
  server.app.http.removeAllListeners('request');
  server.app.http.on('request', outer);
}

function consoleBuilt(): boolean {
  const file = join(ROOT, 'dist/web/manifest.json');
  return existsSync(file) && 'console.js' in JSON.parse(readFileSync(file, 'utf8'));
}

describe('moderator console in chromium', function () {
  this.timeout(90_000);
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let reader: ReaderClient;
  const problems: string[] = [];
  const authors: string[] = [];

  const post = (token: string, article: string, body: string, clientId: string) =>
    http(server.url, 'POST', `${API}/articles/${article}/comments`, { token, body: { body, clientId } });

  before(async function () {
    if (!hasChromium()) {
      console.warn('    (no /usr/bin/chromium: browser tests skipped; apt-get install chromium fonts-noto-core)');
      this.skip();
    }
    this.timeout(900_000);
    if (!consoleBuilt()) {
      const r = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });
      assert.equal(r.status, 0, 'npm run build failed');
    }
    server = await startTestServer(); // local mode: the demo site, demo tokens allowed
    await mountPagesIfMissing(server);
    const admin = await signToken({ sub: 'editor', name: 'संपादक', role: 'admin' });
    assert.equal((await http(server.url, 'PUT', `${API}/moderation/articles/${ARTICLE}`, { token: admin, body: { premod: 'all' } })).status, 200);
    const seeds: [string, string, string][] = [
      ['rahul', 'राहुल वर्मा', 'रक्षा सौदे की ख़बर अच्छी है, पर इसमें पाकिस्तान के पक्ष की जानकारी भी होनी चाहिए थी।'],
      ['anita', 'अनीता सिंह', 'यह लेख एकतरफ़ा लगता है। सरकार को संसद में इस पर जवाब देना चाहिए।'],
      ['promo', 'सस्ता सोना', 'सस्ता सोना खरीदें! अभी क्लिक करें https://example.com/offer और 90% छूट पाएँ'],
    ];
    for (const [sub, name, body] of seeds) {
      const token = await signToken({ sub, name });
      authors.push(token);
      assert.equal((await post(token, ARTICLE, body, `seed-${sub}`)).body.status, 'pending');
    }
    // One published comment that readers reported, for the flagged tab's badge.
    const open = await post(authors[0]!, 'demo-sample-2', 'इस लेख में तथ्य ग़लत हैं, लेखक को माफ़ी माँगनी चाहिए।', 'seed-open');
    const flagger = await signToken({ sub: 'reader-9', name: 'पाठक' });
    assert.equal((await http(server.url, 'POST', `${API}/comments/${open.body.id}/flags`, { token: flagger, body: { reason: 'abuse', note: 'अपमानजनक' } })).status, 202);

    browser = await launchBrowser();
    const context = await browser.newContext({ locale: 'hi-IN', viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    reader = await connectReader(server.url);
    await call(reader, 'article:join', { article: ARTICLE });
  });

  after(async () => {
    reader?.disconnect();
    await browser?.close();
    await server?.close();
  });

  it('signs in with the local demo moderator token and shows the queue in Hindi', async () => {
    await page.goto(`${server.url}/moderate`);
    await page.getByRole('button', { name: 'डेमो मॉडरेटर टोकन लें (केवल लोकल)' }).click();
    await page.locator('.row').nth(2).waitFor();
    assert.equal(await page.locator('.row').count(), 3);
    assert.equal(await page.getByRole('tab', { selected: true }).innerText(), 'लंबित 3');
    assert.match(await page.getByRole('tab').nth(1).innerText(), /शिकायतें\s*1/);
    assert.match(await page.locator('.detail').innerText(), /राहुल वर्मा/);
    await page.locator('.conn.on').waitFor();
  });

  it('shows a comment posted through the API without a reload, and `a` approves it', async () => {
    let navigations = 0;
    page.on('framenavigated', (f) => f === page.mainFrame() && navigations++);
    const readerSaw = record(reader, ['comment:created']);
    const author = await signToken({ sub: 'meena', name: 'मीना कुमारी' });
    const started = Date.now();
    const posted = await post(author, ARTICLE, 'मेरी टिप्पणी: सेना के आधुनिकीकरण पर और रिपोर्ट चाहिए।', 'live-1');
    const row = page.locator(`.row[data-id="${posted.body.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    console.log(`      (appeared in the console ${Date.now() - started} ms after the POST)`);
    assert.equal(navigations, 0, 'no reload');
    assert.equal(await page.locator('.row').count(), 4);
    assert.equal(await page.locator('.row').nth(3).getAttribute('data-id'), posted.body.id, 'new items go to the end');

    for (let i = 0; i < 3; i++) await page.keyboard.press('j');
    assert.equal(await row.getAttribute('aria-selected'), 'true');
    await screenshot(page, 'console.png');

    await page.keyboard.press('a');
    await row.waitFor({ state: 'detached' });
    await waitFor(() => readerSaw.length === 1, 5000, 'the reader gets the approved comment');
    assert.equal(readerSaw[0]!.payload.id, posted.body.id);
    assert.equal(readerSaw[0]!.payload.status, 'published');
    assert.equal(await page.locator('.row').count(), 3);
    await page.locator('.msg.ok').waitFor();
    assert.match(await page.getByRole('tab', { selected: true }).innerText(), /3/);
    const list = await http(server.url, 'GET', `${API}/articles/${ARTICLE}/comments`);
    assert.deepEqual(list.body.comments.map((c: any) => c.id), [posted.body.id]);
  });

  it('removes an item another moderator decided, switches to English, and ran no blocked script', async () => {
    const other = await signToken({ sub: 'mod-2', name: 'Ravi', role: 'moderator' });
    await page.keyboard.press('k');
    await page.keyboard.press('k');
    const first = await page.locator('.row').first().getAttribute('data-id');
    assert.equal(await page.locator('.row.sel').getAttribute('data-id'), first);
    const r = await http(server.url, 'POST', `${API}/moderation/comments/${first}`, { token: other, body: { action: 'reject', from: 'pending' } });
    assert.equal(r.status, 200);
    await page.locator(`.row[data-id="${first}"]`).waitFor({ state: 'detached' });
    await page.locator('.msg.err', { hasText: 'Ravi' }).waitFor();
    await page.getByRole('button', { name: 'English' }).click();
    assert.match(await page.getByRole('tab', { selected: true }).innerText(), /Pending\s*2/);
    await page.getByRole('tab', { name: /Flagged/ }).click();
    await page.locator('.detail', { hasText: 'abuse' }).waitFor();
    assert.equal(await page.locator('.row').count(), 1);
    await screenshot(page, 'console-flagged.png');
    assert.deepEqual(problems, []);
  });

  it("lists one article's queue from a dashboard link, live, and every article again on request", async () => {
    const admin = await signToken({ sub: 'editor', name: 'संपादक', role: 'admin' });
    const STORY = 'demo-sample-3';
    assert.equal((await http(server.url, 'PUT', `${API}/moderation/articles/${STORY}`, { token: admin, body: { premod: 'all' } })).status, 200);
    const held = await post(authors[1]!, STORY, 'इस ख़बर पर एक और राय: पूरी जानकारी दीजिए।', 'story-1');
    assert.equal(held.body.status, 'pending');
    await page.goto(`${server.url}/moderate?article=${STORY}`); // signed in already (this tab's session)
    await page.locator(`.row[data-id="${held.body.id}"]`).waitFor();
    assert.equal(await page.locator('.row').count(), 1, "only the story's item");
    await page.locator('.filter', { hasText: STORY }).waitFor();
    // Live: a held comment on another article stays out, one on the story comes in.
    const elsewhere = await post(authors[2]!, ARTICLE, 'दूसरे लेख पर रोकी गई टिप्पणी', 'elsewhere-1');
    const more = await post(authors[2]!, STORY, 'इसी ख़बर पर दूसरी रोकी गई टिप्पणी', 'story-2');
    await page.locator(`.row[data-id="${more.body.id}"]`).waitFor();
    assert.equal(await page.locator(`.row[data-id="${elsewhere.body.id}"]`).count(), 0);
    assert.equal(await page.locator('.row').count(), 2);
    await page.locator('.filter button').click();
    await page.locator(`.row[data-id="${elsewhere.body.id}"]`).waitFor();
    assert.equal(new URL(page.url()).searchParams.get('article'), null);
    assert.equal(await page.locator('.filter').count(), 0);
    assert.deepEqual(problems, []);
  });
});
