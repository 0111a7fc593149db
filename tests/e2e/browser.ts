// Launches Debian's chromium through playwright-core: never a downloaded browser.
// Shared by every browser test (widget, console); CI installs `chromium` and `fonts-noto-core` with apt.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type LaunchOptions, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** True when the system chromium is installed; tests skip themselves otherwise. */
export function hasChromium(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** Skips the suite, saying why, when the system chromium is missing. */
export function skipWithoutChromium(ctx: Mocha.Context): void {
  if (hasChromium()) return;
  console.warn(`    (no ${CHROMIUM_PATH}: browser tests skipped; apt-get install chromium fonts-noto-core)`);
  ctx.skip();
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    ...options,
  });
}

/**
 * For a suite's `before` hook: skips the suite when chromium is missing, and builds the web
 * assets when they have not been built yet.
 */
export function browserSuite(ctx: Mocha.Context): void {
  if (!hasChromium()) {
    console.warn('    (no /usr/bin/chromium: browser tests skipped; apt-get install chromium fonts-noto-core)');
    ctx.skip();
  }
  ctx.timeout(900_000);
  const root = join(import.meta.dirname, '..', '..');
  if (!existsSync(join(root, 'dist/web/manifest.json'))) {
    const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('the web build failed');
  }
}

const ROOT = join(import.meta.dirname, '..', '..');
export const ARTIFACTS = join(ROOT, 'tests', '.artifacts');
const DOCS_IMG = join(ROOT, 'docs', 'img');

/**
 * Takes a screenshot into tests/.artifacts/ for review; it replaces the README's copy in
 * docs/img/ only with UPDATE_SCREENSHOTS=1 (or when docs/img lacks it), so a test run leaves
 * the tree as it was.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, name);
  await page.screenshot({ path: file });
  if (process.env.UPDATE_SCREENSHOTS || !existsSync(join(DOCS_IMG, name))) {
    mkdirSync(DOCS_IMG, { recursive: true });
    copyFileSync(file, join(DOCS_IMG, name));
  }
  return file;
}

