// Screenshots of the demo article with a lived-in thread, in Hindi and in English (and dark),
// for the README and for reviewing the look. They land in tests/.artifacts/; with
// UPDATE_SCREENSHOTS=1 (or when docs/img lacks them) they are also copied to docs/img/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';
import { hasChromium, launchBrowser, screenshot } from './browser';

const ROOT = join(import.meta.dirname, '..', '..');
const ARTICLE = 'russia-pakistan-defence-2021-09-30';

interface SeedComment {
  author: string;
  body: string;
  expect: string;
}

describe('widget screenshots', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;

  before(async function () {
    if (!hasChromium()) this.skip();
    if (!existsSync(join(ROOT, 'dist/web/manifest.json'))) {
      const r = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });
      assert.equal(r.status, 0, 'npm run build failed');
    }
    server = await startTestServer();
    browser = await launchBrowser();
    await seedThread();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const api = `/api/v1/sites/demo`;
  async function call(method: string, path: string, token: string, body?: unknown) {
    const res = await fetch(`${server.url}${api}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  /** The publisher's sample comments, a few replies and likes, spread over the last hours. */
  async function seedThread() {
    const sample = (JSON.parse(readFileSync(join(ROOT, 'web/demo/seed-comments-hi.json'), 'utf8')) as { comments: SeedComment[] }).comments
      .filter((c) => c.expect === 'publish' || c.expect.startsWith('publish,'))
      .slice(0, 7);
    const users = new Map<string, string>();
    const tokenOf = async (name: string) => {
      if (!users.has(name)) users.set(name, await signToken({ sub: `shot-${users.size + 1}`, name }));
      return users.get(name)!;
    };
    const models = server.app.services.models;
    const backdate = (id: string, minutesAgo: number) =>
      models.Comment.updateOne({ _id: id }, { $set: { createdAt: new Date(Date.now() - minutesAgo * 60_000) } });
    const ids: string[] = [];
    // Oldest first, so that "newest" order and the times agree.
    const ages = [610, 380, 240, 150, 95, 48, 19];
    for (const [i, c] of sample.reverse().entries()) {
      const token = await tokenOf(c.author);
      const comment = await call('POST', `/articles/${ARTICLE}/comments`, token, { body: c.body, clientId: `shot${i}` });
      // One author fixes a typo (inside the edit window, so before the comment is aged).
      if (i === sample.length - 3) await call('PATCH', `/comments/${comment.id}`, token, { body: `${c.body} (शीर्षक भी देखें)` });
      await backdate(comment.id, ages[i] ?? 5);
      ids.push(comment.id);
    }
    const newest = ids[ids.length - 1]!;
    const replies: [string, string, number][] = [
      ['Priya Verma', 'चिंता की बात ज़रूर है, पर भारत-रूस रिश्ते दशकों पुराने हैं। एक बैठक से तस्वीर नहीं बदलती।', 12],
      ['अनिल कुमार', 'सहमत। रक्षा सौदों पर नज़र रखनी होगी, ख़ासकर संयुक्त सैन्य अभ्यास पर।', 6],
    ];
    for (const [i, [author, body, age]] of replies.entries()) {
      const reply = await call('POST', `/articles/${ARTICLE}/comments`, await tokenOf(author), { body, parentId: newest, clientId: `shotr${i}` });
      await backdate(reply.id, age);
    }
    // Likes from a handful of readers.
    const likes: [string, number][] = [
      [newest, 7],
      [ids[ids.length - 2]!, 3],
      [ids[ids.length - 4]!, 12],
      [ids[1]!, 2],
    ];
    for (const [id, n] of likes) {
      for (let k = 0; k < n; k++) await call('PUT', `/comments/${id}/reactions/like`, await signToken({ sub: `liker-${k}`, name: `पाठक ${k}` }));
    }
  }

  async function shoot(name: string, o: { query?: string; scheme?: 'light' | 'dark'; viewport?: { width: number; height: number } }) {
    const context = await browser.newContext({
      viewport: o.viewport ?? { width: 1280, height: 1000 },
      colorScheme: o.scheme ?? 'light',
      reducedMotion: 'reduce',
      locale: 'hi-IN',
    });
    // A second reader on the article, so the "reading now" count shows two.
    const other = await browser.newContext();
    const errors: string[] = [];
    try {
      const page: Page = await context.newPage();
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      const reader = await other.newPage();
      await reader.goto(`${server.url}/demo/article`);
      await reader.locator('#charcha').scrollIntoViewIfNeeded();
      await page.goto(`${server.url}/demo/article${o.query ?? ''}`);
      await page.locator('#charcha').scrollIntoViewIfNeeded();
      await page.locator('#charcha .sk').waitFor({ state: 'detached' });
      await page.locator('#charcha .v').waitFor();
      await page.evaluate(() => {
        document.querySelector('#comments')!.scrollIntoView();
        window.scrollBy(0, -200);
      });
      await page.evaluate(() => document.fonts.ready);
      await page.waitForTimeout(300);
      await screenshot(page, name);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
      await other.close();
    }
  }

  it('Hindi (the demo article as published)', async () => {
    await shoot('widget-hi.png', {});
  });

  it('English interface', async () => {
    await shoot('widget-en.png', { query: '?lang=en' });
  });

  it('dark mode', async () => {
    await shoot('widget-dark.png', { scheme: 'dark' });
  });

  it('phone width', async () => {
    await shoot('widget-mobile.png', { viewport: { width: 390, height: 844 } });
  });
});
