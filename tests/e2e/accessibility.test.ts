// axe-core (WCAG 2.1 A/AA and best practices) on what readers and moderators use: the demo
// article with the widget loaded and comments shown, and the console signed in with its queue.
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { http } from '../helpers/clients';
import { startTestServer, type TestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';
import { browserSuite, launchBrowser } from './browser';

const API = '/api/v1/sites/demo';
const ARTICLE = 'russia-pakistan-defence-2021-09-30';
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page: page as never }).withTags(TAGS).analyze();
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

describe('accessibility (axe-core in chromium)', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;

  before(async function () {
    browserSuite(this);
    server = await startTestServer();
    const token = await signToken({ sub: 'asha', name: 'आशा' });
    for (const [i, body] of ['पहली टिप्पणी: अच्छा लेख।', 'दूसरी टिप्पणी: और जानकारी चाहिए।'].entries()) {
      const r = await http(server.url, 'POST', `${API}/articles/${ARTICLE}/comments`, { token, body: { body, clientId: `a11y-${i}` } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the demo article with the widget and its comments has no violations', async () => {
    const page = await (await browser.newContext({ locale: 'hi-IN' })).newPage();
    await page.goto(`${server.url}/demo/article`);
    await page.locator('#charcha').scrollIntoViewIfNeeded();
    await page.locator('#charcha .bd').first().waitFor();
    assert.deepEqual(await violations(page), []);
    await page.close();
  });

  it('the widget of a signed-in reader, with the notification list open, has no violations', async () => {
    const asha = await signToken({ sub: 'asha', name: 'आशा' });
    const first = (await http(server.url, 'GET', `${API}/articles/${ARTICLE}/comments`)).body.comments.find((c: { author: { id: string } }) => c.author.id === 'asha');
    const ravi = await signToken({ sub: 'ravi-a11y', name: 'रवि' });
    assert.equal((await http(server.url, 'POST', `${API}/articles/${ARTICLE}/comments`, { token: ravi, body: { body: 'आशा जी से सहमत', clientId: 'a11y-reply', parentId: first.id } })).status, 201);
    const page = await (await browser.newContext({ locale: 'hi-IN' })).newPage();
    await page.addInitScript((t) => sessionStorage.setItem('charcha-demo-token', t), asha);
    await page.goto(`${server.url}/demo/article`);
    await page.locator('#charcha').scrollIntoViewIfNeeded();
    await page.locator('#charcha .nc').waitFor();
    assert.deepEqual(await violations(page), [], 'the bell with its count');
    await page.locator('#charcha .nb').click();
    await page.locator('#charcha .ni').first().waitFor();
    assert.deepEqual(await violations(page), [], 'the list open');
    await page.close();
  });

  it('the console, signed in with a queue, has no violations', async () => {
    const author = await signToken({ sub: 'ravi', name: 'रवि' });
    const admin = await signToken({ sub: 'editor', name: 'संपादक', role: 'admin' });
    assert.equal((await http(server.url, 'PUT', `${API}/moderation/articles/demo-sample-2`, { token: admin, body: { premod: 'all' } })).status, 200);
    assert.equal((await http(server.url, 'POST', `${API}/articles/demo-sample-2/comments`, { token: author, body: { body: 'जाँच के लिए रुकी टिप्पणी', clientId: 'a11y-held' } })).body.status, 'pending');
    const page = await (await browser.newContext({ locale: 'hi-IN' })).newPage();
    await page.goto(`${server.url}/moderate`);
    assert.deepEqual(await violations(page), [], 'the sign-in form');
    await page.getByRole('button', { name: 'डेमो मॉडरेटर टोकन लें (केवल लोकल)' }).click();
    await page.locator('.row').first().waitFor();
    assert.deepEqual(await violations(page), [], 'the queue');
    await page.close();
  });
});
