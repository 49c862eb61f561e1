// Opens console pages in Debian's Chromium (playwright-core) and saves a screenshot of
// each, printing the browser's console errors: a quick look while working on a page.
// Usage: node tools/screenshot.mjs OUT_DIR URL [URL …]   (e.g. http://127.0.0.1:8090/#/models)
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [outDir, ...urls] = process.argv.slice(2);
if (!outDir || urls.length === 0) {
  console.error('usage: node tools/screenshot.mjs OUT_DIR URL [URL …]');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.log(`[${m.type()}] ${m.text()}`); });
page.on('pageerror', (e) => console.log(`[pageerror] ${e.stack ?? e.message}`));
for (const url of urls) {
  await page.goto(url);
  await page.waitForSelector('main h1', { timeout: 30_000 });
  await page.waitForFunction(() => !document.querySelector('main .loading'), null, { timeout: 30_000 }).catch(() => console.log('still loading after 30 s'));
  await page.waitForTimeout(1500);
  const name = (new URL(url).hash.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'overview') + '.png';
  await page.screenshot({ path: join(outDir, name), fullPage: true });
  console.log(`${url} → ${join(outDir, name)}`);
}
await browser.close();
