// The newsroom dashboard in a real browser (Debian's chromium through playwright-core) against
// the real server in local mode: three hours of history written by the real recorder with its
// clock set back, then live activity through the API and a reader's socket. Checks that the
// charts are drawn with the data (pixels of the series' colours on the canvases), the live
// readers and the active articles with links to their queue, no script errors, Hindi and
// English, axe-core (WCAG 2.1 AA, best practices), and a phone layout without sideways scrolling. Screenshots land in tests/.artifacts/
// (and docs/img/ with UPDATE_SCREENSHOTS=1, or when docs/img lacks them).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { Types } from 'mongoose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { CommentDoc } from '../../server/src/store/models';
import { StatsRecorder } from '../../server/src/stats/recorder';
import { call, connectReader, http, type ReaderClient } from '../helpers/clients';
import { startTestServer, type TestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';
import { ARTIFACTS, hasChromium, launchBrowser, screenshot } from './browser';

const ROOT = join(import.meta.dirname, '..', '..');
const API = '/api/v1/sites/demo';
const LEAD = 'russia-pakistan-defence-2021-09-30';
const ARTICLES = [LEAD, 'चुनाव-नतीजे-2026', 'monsoon-delhi-live', 'demo-sample-2'];

function built(): boolean {
  const file = join(ROOT, 'dist/web/manifest.json');
  return existsSync(file) && 'dashboard.js' in JSON.parse(readFileSync(file, 'utf8'));
}

/** Three hours of minutes, as a busy morning would leave them: waves of comments and reactions. */
async function writeHistory(server: TestServer): Promise<void> {
  const stats = server.app.services.stats!;
  let now = Date.now() - 3 * 3_600_000;
  let readers: { site: string; article: string; count: number }[] = [];
  const r = new StatsRecorder({ store: stats.store, slot: { current: async () => 0, close: async () => {} }, flushMs: 60_000, onError: (e) => { throw e; }, readers: () => readers, now: () => now });
  const post = (article: string, status: CommentDoc['status']) =>
    r.watch({ site: 'demo', article, action: 'post', by: { id: 'u', name: 'u' }, before: null, after: { _id: new Types.ObjectId(), status, createdAt: new Date(now) } as unknown as CommentDoc });
  for (let m = 0; m < 175; m++, now += 60_000) {
    const wave = Math.round(4 + 3 * Math.sin(m / 14) + (m % 7 === 0 ? 4 : 0) + m / 40);
    ARTICLES.forEach((article, i) => {
      for (let k = 0; k < Math.max(0, wave - i * 2); k++) post(article, k % 9 === 8 ? 'pending' : 'published');
      r.reacted('demo', article, Math.max(0, 2 * wave - i * 3));
    });
    readers = ARTICLES.map((article, i) => ({ site: 'demo', article, count: Math.max(1, Math.round((40 + 25 * Math.sin(m / 20)) / (i + 1))) }));
    r.sampleReaders();
    if (m % 30 === 29) await r.flush();
  }
  await r.flush();
}

describe('newsroom dashboard in chromium', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;
  let reader: ReaderClient;
  const problems: string[] = [];

  const open = async (viewport: { width: number; height: number }, locale: string): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ locale, viewport, deviceScaleFactor: 1 });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    await page.goto(`${server.url}/dashboard`);
    await page.locator('.signin button.link').click(); // the local demo moderator token
    await page.locator('.dash .conn.on').waitFor();
    return { context, page };
  };

  /**
   * Rows of the first chart's canvas with strongly blue pixels: the comments line (#1a5fd0,
   * antialiased; the reactions line is orange, the grid grey, the fills pale). A line of zeros
   * would cover a couple of rows; one with the data rises and falls over many.
   */
  const commentPixels = (page: Page) =>
    page.evaluate(() => {
      const canvas = document.querySelector('.chart canvas') as HTMLCanvasElement | null;
      if (!canvas) return -1;
      const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const rows = new Set<number>();
      for (let i = 0; i < px.length; i += 4) if (px[i + 3]! > 200 && px[i + 2]! > 150 && px[i + 2]! - px[i]! > 80) rows.add(Math.floor(i / 4 / canvas.width));
      return rows.size;
    });


  before(async function () {
    if (!hasChromium()) {
      console.warn('    (no /usr/bin/chromium: browser tests skipped; apt-get install chromium fonts-noto-core)');
      this.skip();
    }
    this.timeout(900_000);
    if (!built()) {
      const r = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });
      assert.equal(r.status, 0, 'npm run build failed');
    }
    server = await startTestServer({ env: { STATS_FLUSH_MS: '300' } });
    await writeHistory(server);
    // Live: a held comment in the queue, a decision, reactions, and a reader on the lead story.
    const editor = await signToken({ sub: 'editor', name: 'संपादक', role: 'admin' });
    const author = await signToken({ sub: 'rahul', name: 'राहुल वर्मा' });
    assert.equal((await http(server.url, 'PUT', `${API}/moderation/articles/${LEAD}`, { token: editor, body: { premod: 'all' } })).status, 200);
    const held = [];
    for (const i of [1, 2, 3]) held.push((await http(server.url, 'POST', `${API}/articles/${LEAD}/comments`, { token: author, body: { body: `रक्षा सौदे पर राय ${i}`, clientId: `d${i}` } })).body);
    assert.equal((await http(server.url, 'POST', `${API}/moderation/comments/${held[0].id}`, { token: editor, body: { action: 'approve' } })).status, 200);
    assert.equal((await http(server.url, 'PUT', `${API}/articles/${LEAD}/reactions/heart`, { token: author })).status, 200);
    reader = await connectReader(server.url);
    await call(reader, 'article:join', { article: LEAD });
    browser = await launchBrowser();
  });

  after(async () => {
    reader?.disconnect();
    await browser?.close();
    await server?.close();
  });

  it('shows readers now, the charts drawn with the data, the backlog and the active articles (Hindi, desktop)', async () => {
    const { context, page } = await open({ width: 1280, height: 900 }, 'hi-IN');
    try {
      assert.match(await page.locator('h1').innerText(), /^च\s+न्यूज़रूम डैशबोर्ड$/);
      await page.waitForFunction(() => document.querySelector('[data-testid="readers-now"]')?.textContent === '1');
      await page.waitForFunction(() => document.querySelector('[data-testid="backlog"]')?.textContent === '2');
      assert.equal(await page.locator('.uplot').count(), 2);
      await page.waitForFunction(() => document.querySelectorAll('.active tbody tr').length === 4);
      await screenshot(page, 'dashboard.png');
      const drawn = await commentPixels(page);
      assert.ok(drawn > 30, `the comments line is drawn with the data (${drawn} rows)`);
      const first = page.locator('.active tbody tr').first();
      assert.equal(await first.locator('th').innerText(), LEAD);
      assert.equal(await first.locator('a').getAttribute('href'), `/moderate?site=demo&article=${LEAD}`);
      assert.match(await page.locator('.busiest li').first().innerText(), new RegExp(`${LEAD}\\s+1$`));
      assert.notEqual(await page.locator('[data-testid="median-wait"]').innerText(), '–');
      await page.getByRole('button', { name: 'English' }).click();
      assert.match(await page.locator('h1').innerText(), /^च\s+Newsroom dashboard$/);
      assert.equal(await page.locator('#active').innerText(), 'Most active articles (last hour)');
      await screenshot(page, 'dashboard-en.png');
      const axe = await new AxeBuilder({ page: page as never }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
      assert.deepEqual(axe.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`), []);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  it('fits a phone without sideways scrolling, charts included', async () => {
    const { context, page } = await open({ width: 390, height: 844 }, 'hi-IN');
    try {
      await page.waitForFunction(() => document.querySelectorAll('.active tbody tr').length === 4);
      await page.waitForFunction(() => document.querySelector('[data-testid="readers-now"]')?.textContent !== '–');
      await screenshot(page, 'dashboard-phone.png');
      const drawn = await commentPixels(page);
      assert.ok(drawn > 30, `the comments line is drawn with the data on a phone (${drawn} rows)`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${overflow} px wider than the screen`);
      const chartWidth = await page.locator('.chart canvas').first().evaluate((c) => c.getBoundingClientRect().width);
      assert.ok(chartWidth <= 390 && chartWidth > 250, `chart ${chartWidth} px wide`);
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-phone-full.png'), fullPage: true });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
