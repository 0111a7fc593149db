// Launches Debian's chromium through playwright-core: never a downloaded browser.
// Shared by every browser test (widget, console); CI installs `chromium` and `fonts-noto-core` with apt.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

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
