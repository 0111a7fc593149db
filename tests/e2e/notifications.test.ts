// The notification bell in a real browser against the real server: a reply to a signed-in
// reader's comment shows a live unread badge in both of their tabs; opening the list shows who
// replied and marks it read in both tabs; an item brings the reply into view, loading the
// replies it is hidden among.
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { hi } from '../../web/widget/i18n/hi';
import { http } from '../helpers/clients';
import { startTestServer, type TestServer } from '../helpers/server';
import { signToken } from '../helpers/tokens';
import { browserSuite, launchBrowser } from './browser';

const API = '/api/v1/sites/demo';
const ARTICLE = 'russia-pakistan-defence-2021-09-30';
const W = '#charcha';
/** Numbers as the Hindi widget writes them. */
const num = new Intl.NumberFormat('hi').format;

describe('widget: notification bell in chromium', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;
  const problems: string[] = [];

  before(async function () {
    browserSuite(this);
    server = await startTestServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(token: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1000, height: 800 }, locale: 'hi-IN', reducedMotion: 'reduce' });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.addInitScript((t) => sessionStorage.setItem('charcha-demo-token', t), token);
    await page.goto(`${server.url}/demo/article`);
    await page.locator(W).scrollIntoViewIfNeeded();
    await page.locator(`${W} .sk`).waitFor({ state: 'detached' });
    await page.locator(`${W} .nb`).waitFor();
    return page;
  }

  const badge = (page: Page) => page.locator(`${W} .nc`);

  it('shows the reply live in both tabs, clears both once opened, and jumps to the reply', async () => {
    const asha = await signToken({ sub: 'bell-asha', name: 'आशा वर्मा' });
    const parent = (await http(server.url, 'POST', `${API}/articles/${ARTICLE}/comments`, { token: asha, body: { body: 'आशा की टिप्पणी: सीमा पर शांति ज़रूरी है।', clientId: 'bell-p' } })).body;
    const [tab1, tab2] = [await open(asha), await open(asha)];
    assert.equal(await badge(tab1).count(), 0, 'no badge before any reply');
    assert.equal(await tab1.locator(`${W} .nb`).getAttribute('aria-label'), hi.notifications(0, num(0)));

    // Five replies: the thread's first page shows three of them, so the newest is not loaded yet.
    const replies: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const who = await signToken({ sub: `bell-r${i}`, name: `पाठक ${i}` });
      const r = await http(server.url, 'POST', `${API}/articles/${ARTICLE}/comments`, { token: who, body: { body: `जवाब संख्या ${i}`, clientId: `bell-r${i}`, parentId: parent.id } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      replies.push(r.body.id);
    }
    for (const tab of [tab1, tab2]) {
      await tab.waitForFunction((five) => document.querySelector('#charcha')!.shadowRoot!.querySelector('.nc')?.textContent === five, num(5), { timeout: 15_000 });
    }
    // A fresh load shows three of the five replies (the first page's), and the count from the server.
    await tab1.reload();
    await tab1.locator(`${W} .sk`).waitFor({ state: 'detached' });
    await badge(tab1).waitFor();
    assert.equal(await badge(tab1).innerText(), num(5));
    assert.equal(await tab1.locator(`${W} .nb`).getAttribute('aria-label'), hi.notifications(5, num(5)));

    await tab1.locator(`${W} .nb`).click();
    assert.equal(await tab1.locator(`${W} .nb`).getAttribute('aria-expanded'), 'true');
    const items = tab1.locator(`${W} .ni`);
    await items.first().waitFor();
    assert.equal(await items.count(), 5);
    assert.ok((await items.first().innerText()).includes(hi.notifReply('पाठक 5')), await items.first().innerText());
    assert.ok((await items.first().innerText()).includes('जवाब संख्या 5'));
    // Opening the list marked them read: the badge goes in this tab and in the other.
    await badge(tab1).waitFor({ state: 'detached', timeout: 15_000 });
    await badge(tab2).waitFor({ state: 'detached', timeout: 15_000 });

    const newest = replies[4]!;
    assert.equal(await tab1.locator(`${W} li.c[data-id="${newest}"]`).count(), 0, 'the newest reply is not loaded yet');
    await items.first().locator('button').click();
    await tab1.waitForFunction((id) => document.querySelector('#charcha')!.shadowRoot!.activeElement?.closest('li')?.getAttribute('data-id') === id, newest, { timeout: 15_000 });
    const box = (await tab1.locator(`${W} li.c[data-id="${newest}"]>.ca`).boundingBox())!;
    assert.ok(box.y >= 0 && box.y + box.height <= 800, `the reply is in view (${box.y})`);
    assert.equal(await tab1.locator(`${W} .np`).count(), 0, 'the list closed');

    // Escape closes the list and gives the focus back to the bell.
    await tab2.locator(`${W} .nb`).click();
    await tab2.locator(`${W} .ni`).first().waitFor();
    await tab2.keyboard.press('Escape');
    assert.equal(await tab2.locator(`${W} .np`).count(), 0);
    assert.equal(await tab2.evaluate(() => document.querySelector('#charcha')!.shadowRoot!.activeElement?.className), 'nb');
    assert.deepEqual(problems, []);
    for (const tab of [tab1, tab2]) await tab.context().close();
  });

  it('anonymous readers have no bell', async () => {
    const page = await (await browser.newContext({ locale: 'hi-IN' })).newPage();
    await page.goto(`${server.url}/demo/article`);
    await page.locator(W).scrollIntoViewIfNeeded();
    await page.locator(`${W} .sk`).waitFor({ state: 'detached' });
    assert.equal(await page.locator(`${W} .nb`).count(), 0);
    await page.context().close();
  });
});
