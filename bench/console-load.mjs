// Cold loads of the web console in Chromium: each round opens a fresh browser context (no
// cache, no storage) on a page and measures, from navigation start,
//   - the bundle's transfer (every script and stylesheet byte, as the server sent it),
//   - DOMContentLoaded,
//   - connected: the header says the node is connected (metadata fetched, API ready),
//   - content: the page's data is rendered (no "Loading…" left in main).
// Median and slowest over the rounds, per page, with the CPU line; the node is whatever
// runs at --node (default ws://127.0.0.1:9944, e.g. scripts/start-dev seeded with
// tests/e2e/seed-console.mjs), the console is served from console/dist by serve.mjs.
//   node bench/console-load.mjs [rounds] [--node ws://…]     (default 10 rounds)
// Uncompressed loopback: what it measures is the work in the browser, not the network;
// the bundle's gzip size (console/dist/bundle-report.json) is what a network pays.

import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitFor, REPO_ROOT } from '../tests/e2e/lib/node.mjs';

const args = process.argv.slice(2);
const nodeAt = args.indexOf('--node');
const nodeUrl = nodeAt >= 0 ? args[nodeAt + 1] : 'ws://127.0.0.1:9944';
const rounds = Number(args.find((a) => /^\d+$/.test(a)) ?? 10);
const CONSOLE = join(REPO_ROOT, 'console');
const PAGES = ['#/', '#/models', '#/jobs', '#/governance'];

function cpuLine () {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const model = info.match(/^model name\s*:\s*(.*)$/m)?.[1] ?? 'unknown CPU';
  const flags = info.match(/^flags\s*:\s*(.*)$/m)?.[1].split(' ') ?? [];
  const vector = ['avx512f', 'avx2'].filter((f) => flags.includes(f)).join(', ') || 'no AVX2';
  return `${model}, ${vector}, ${(info.match(/^processor/gm) ?? []).length} CPUs`;
}

const built = spawnSync(process.execPath, ['build.mjs'], { cwd: CONSOLE, encoding: 'utf8' });
if (built.status !== 0) throw new Error(built.stderr);
const report = JSON.parse(readFileSync(join(CONSOLE, 'dist', 'bundle-report.json'), 'utf8'));
const port = await freePort();
const server = spawn(process.execPath, ['serve.mjs', '--port', String(port)], { cwd: CONSOLE, stdio: 'ignore' });
const base = `http://127.0.0.1:${port}/`;
await waitFor('the console server', () => fetch(base).then((r) => r.ok), 20_000, 200);
const { chromium } = await import(join(CONSOLE, 'node_modules', 'playwright-core', 'index.mjs'));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`console cold loads, ${rounds} rounds per page, node ${nodeUrl}`);
console.log(`CPU: ${cpuLine()}; Chromium ${browser.version()}`);
console.log(`bundle: ${(report.total.bytes / 1024).toFixed(0)} KiB, ${(report.total.gzip / 1024).toFixed(0)} KiB gzip`);
try {
  for (const hash of PAGES) {
    const times = { dom: [], connected: [], content: [] };
    for (let i = 0; i < rounds; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const start = Date.now();
      await page.goto(`${base}?node=${encodeURIComponent(nodeUrl)}${hash}`, { waitUntil: 'domcontentloaded' });
      times.dom.push(Date.now() - start);
      await page.waitForSelector('.status.connected', { timeout: 60_000 });
      times.connected.push(Date.now() - start);
      await page.waitForFunction(() => document.querySelector('main h1') && !document.querySelector('main .loading'), null, { timeout: 60_000 });
      times.content.push(Date.now() - start);
      await context.close();
    }
    const line = (name) => `${name} ${median(times[name])} ms (slowest ${Math.max(...times[name])})`;
    console.log(`${hash.padEnd(14)} ${line('dom')} · ${line('connected')} · ${line('content')}`);
  }
} finally {
  await browser.close();
  server.kill();
}
