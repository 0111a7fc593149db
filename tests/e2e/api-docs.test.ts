// The reference page /api/docs in a real browser (Debian's chromium through playwright-core):
// Swagger UI from our own copy renders the document under the server's CSP without a script
// error, and an operation opened shows its Hindi example. Screenshot: tests/.artifacts/api-docs.png.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { EXAMPLE } from '../../server/src/api/schemas';
import { startTestServer, type TestServer } from '../helpers/server';
import { launchBrowser, skipWithoutChromium } from './browser';

const ARTIFACTS = join(import.meta.dirname, '..', '.artifacts');

describe('API reference page in chromium', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;

  before(async function () {
    skipWithoutChromium(this);
    this.timeout(900_000);
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  });
  after(async () => void (await Promise.all([browser?.close(), server?.close()])));

  it('renders every route from our own assets, with no script error, and a readable Hindi example', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const outside: string[] = [];
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('request', (r) => !r.url().startsWith(server.url) && !r.url().startsWith('data:') && outside.push(r.url()));

    await page.goto(`${server.url}/api/docs`);
    await page.locator('.opblock').first().waitFor();
    const operations = await page.locator('.opblock').count();
    const documented = Object.values((await (await fetch(`${server.url}/api/v1/openapi.json`)).json()).paths as Record<string, object>).reduce((n, item) => n + Object.keys(item).length, 0);
    assert.equal(operations, documented);

    const op = page.locator('#operations-threads-getArticlesArticleComments');
    await op.locator('.opblock-summary').click();
    const hindi = op.getByText(EXAMPLE.author).first();
    await hindi.waitFor();
    assert.ok(await hindi.isVisible());
    await hindi.scrollIntoViewIfNeeded();
    await page.evaluate(() => document.fonts.ready);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'api-docs.png') });

    assert.deepEqual(problems, []);
    assert.deepEqual(outside, []);
  });
});
