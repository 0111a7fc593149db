// The moderator console in chromium shows a banner when one of the site's webhooks was
// disabled (it failed past its retry schedule), in Hindi and English, and none otherwise.
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { http } from '../helpers/clients';
import { freePort } from '../../server/src/localdb/databaseProcess';
import { until } from '../helpers/cluster';
import { startTestServer, type TestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';
import { newSecret } from '../helpers/webhook-receiver';
import { browserSuite, launchBrowser } from './browser';

const SITE_SECRET = 'console-webhooks-site-secret-of-32-bytes';
const API = '/api/v1/sites/news';

describe('moderator console: disabled webhook banner', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;

  before(async function () {
    browserSuite(this);
    const port = await freePort(); // nothing listens there: a receiver that is down
    server = await startTestServer({
      sites: [{ id: 'news', secret: SITE_SECRET, origins: ['http://127.0.0.1:*'], webhooks: [{ id: 'crm', url: `http://127.0.0.1:${port}/in`, secret: newSecret(), events: ['comment.published'], allowPrivateTargets: true }] }],
      env: { WEBHOOK_RETRY_MS: '0,10' },
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows no banner while the webhook works, and one naming its host once it is disabled', async () => {
    const mod = await signToken({ sub: 'mod', name: 'मीरा', role: 'moderator' }, SITE_SECRET);
    const admin = await signToken({ sub: 'root', name: 'Admin', role: 'admin' }, SITE_SECRET);
    const page = await (await browser.newContext({ locale: 'hi-IN' })).newPage();
    const signIn = async () => {
      await page.goto(`${server.url}/moderate?site=news`);
      await page.locator('#token').fill(mod);
      await page.locator('form button[type="submit"]').click();
      await page.locator('.console').waitFor();
    };
    await signIn();
    await page.locator('.conn.on').waitFor();
    assert.equal(await page.locator('.webhooks-banner').count(), 0);

    const author = await signToken({ sub: 'alice', name: 'Alice' }, SITE_SECRET);
    assert.equal((await http(server.url, 'POST', `${API}/articles/a1/comments`, { token: author, body: { body: 'नमस्ते', clientId: 'x1' } })).status, 201);
    await until('the webhook disabled', async () => (await http(server.url, 'GET', `${API}/admin/webhooks`, { token: admin })).body.webhooks[0].disabled, 30_000);

    await page.reload();
    const banner = page.getByRole('alert');
    await banner.waitFor();
    assert.match(await banner.innerText(), /वेबहुक बंद है: 127\.0\.0\.1:\d+/);
    if (process.env.SHOT) await page.screenshot({ path: process.env.SHOT });
  });
});
