// The web console (console/) in a real browser: Debian's Chromium driven by playwright-core
// against a `--dev` node that lib/console-seed.mjs filled (a dataset with an accepted
// contribution, all-MiniLM-L6-v2 trained on it and served by Bob's node, a settled job, a
// curator referendum). Charlie submits a job from a model's page with the dev account,
// watches it settle on its job page, and Bob's earnings on his worker page grow by the
// worker fee; once root shortens the era Charlie claims his data reward from his account
// page; every page shows what the chain says (checked against the JSON-RPC), and an
// unreachable node gets a clear message. A screenshot of each page is saved to
// $INFERA_CONSOLE_SCREENSHOTS (default tests/e2e/artifacts/console/).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startNode, rpcCall, freePort, waitFor, REPO_ROOT } from './lib/node.mjs';
import { devAccounts, submitOk, UNIT } from './lib/chain.mjs';
import { fixture } from './lib/minilm.mjs';
import { seedConsoleChain } from './lib/console-seed.mjs';
import { protocolParameters } from './lib/params.mjs';

const CONSOLE = join(REPO_ROOT, 'console');
const SHOTS = process.env.INFERA_CONSOLE_SCREENSHOTS ?? join(REPO_ROOT, 'tests', 'e2e', 'artifacts', 'console');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

let node;
let api;
let server;
let browser;
let page;
let base;
let seeded;
const pageErrors = [];

before(async () => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: scripts/setup installs Debian's chromium (or set CHROMIUM)`);
  assert.ok(existsSync(join(CONSOLE, 'node_modules', 'playwright-core')), 'console/node_modules is missing: run scripts/setup');
  const built = spawnSync(process.execPath, ['build.mjs'], { cwd: CONSOLE, encoding: 'utf8' });
  assert.equal(built.status, 0, `the console's build failed:\n${built.stdout}\n${built.stderr}`);

  // An archive node, as scripts/start-dev runs: the console reads every block's events.
  node = await startNode({ name: 'console', args: ['--dev', '--rpc-cors', 'all', '--state-pruning', 'archive'], modelStore: true });
  api = await node.api();
  seeded = await seedConsoleChain(api, node.rpcPort);

  const port = await freePort();
  server = spawn(process.execPath, ['serve.mjs', '--port', String(port)], { cwd: CONSOLE, stdio: 'ignore' });
  base = `http://127.0.0.1:${port}/`;
  await waitFor('the console server', () => fetch(base).then((r) => r.ok), 20_000, 200);

  const { chromium } = await import(join(CONSOLE, 'node_modules', 'playwright-core', 'index.mjs'));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.kill();
  if (node) await node.stop(undefined, { exportStateAs: 'console' });
});

/** Opens `hash` on the console connected to the test's node and waits until it has loaded. */
async function open (hash) {
  await page.goto(`${base}?node=ws://127.0.0.1:${node.rpcPort}${hash}`);
  await page.waitForSelector('main h1');
  await page.waitForFunction(() => !document.querySelector('main .loading') && !document.querySelector('main [aria-busy="true"]'), null, { timeout: 60_000 });
  // The chain is younger than the console's backfill: wait until it has read every block,
  // so that sums over the recent blocks are sums over the whole chain.
  await page.waitForFunction(() => {
    const footer = document.querySelector('footer')?.textContent ?? '';
    return /Events from blocks #0–/.test(footer) && !/reading older blocks/.test(footer);
  }, null, { timeout: 60_000 });
  await assertAccessible(hash);
}

/**
 * What every page owes people using a keyboard or a screen reader: one h1, a label for
 * every form control, a name for every button and link.
 */
async function assertAccessible (hash) {
  const problems = await page.evaluate(() => {
    const found = [];
    if (document.querySelectorAll('main h1').length !== 1) found.push(`${document.querySelectorAll('main h1').length} h1 in main`);
    for (const control of document.querySelectorAll('input, select, textarea')) {
      const labelled = control.labels?.length || control.getAttribute('aria-label') || control.getAttribute('aria-labelledby');
      if (!labelled && control.type !== 'hidden') found.push(`unlabelled ${control.outerHTML.slice(0, 80)}`);
    }
    for (const el of document.querySelectorAll('button, a[href]')) {
      if (!(el.innerText.trim() || el.getAttribute('aria-label') || el.getAttribute('title'))) found.push(`nameless ${el.outerHTML.slice(0, 80)}`);
    }
    return found;
  });
  assert.deepEqual(problems, [], `accessibility of ${hash}`);
}

/** Saves a full-page screenshot as `name`.png. */
async function shot (name, t) {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  t.diagnostic(`screenshot ${path}`);
}

const mainText = () => page.locator('main').innerText();

test('the overview counts what the chain holds and charts the recent blocks', async (t) => {
  await open('#/');
  await page.waitForSelector('figure.chart svg');
  const text = await mainText();
  const models = (await api.query.modelRegistry.nextModelId()).toNumber();
  const jobs = (await api.query.computeJobs.nextJobId()).toNumber();
  assert.match(text, new RegExp(`Models\\s+${models}\\b`));
  assert.match(text, new RegExp(`Jobs\\s+${jobs}\\b`));
  assert.match(text, /Jobs submitted per block/);
  assert.match(text, /submitted by Charlie/);
  await shot('overview', t);
});

test('Charlie submits a job from the model page with the dev account, watches it settle, and Bob\'s earnings grow by the worker fee', { timeout: 300_000 }, async (t) => {
  const { charlie, bob } = devAccounts();
  const { workerFee } = await protocolParameters(api);

  await open(`#/worker/${bob.address}`);
  const earnedBefore = await earned();
  await shot('worker-before', t);

  await open(`#/model/${seeded.modelId}`);
  await page.waitForSelector('text=Quote:');
  const text = await mainText();
  assert.match(text, /all-MiniLM-L6-v2/);
  assert.match(text, /Routing score/);
  assert.match(text, /sentences-en/, 'the lineage names the dataset');
  await page.selectOption('#account', charlie.address);
  await page.fill('#job-input', fixture.sentences[3]);
  await shot('model', t);
  await page.click('button[type=submit]:has-text("Submit job")');
  await page.waitForURL(/#\/job\/\d+$/, { timeout: 60_000 });
  const jobId = Number(/#\/job\/(\d+)$/.exec(page.url())[1]);
  t.diagnostic(`job ${jobId} submitted from the console`);

  // The job page follows it to settlement as blocks arrive.
  await waitFor(`job ${jobId} closed on the chain`, async () => (await rpcCall(node.rpcPort, 'infera_job', [jobId])).status === 'closed', 180_000, 1000);
  const job = await rpcCall(node.rpcPort, 'infera_job', [jobId]);
  assert.equal(job.requester, charlie.address, 'signed by the chosen account');
  assert.equal(job.closeReason, 'completed');
  await page.waitForFunction(() => /settled/i.test(document.querySelector('main').innerText) && /completed/i.test(document.querySelector('main').innerText), null, { timeout: 60_000 });
  const jobText = await mainText();
  assert.match(jobText, new RegExp(fixture.sentences[3].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'the input');
  assert.match(jobText, /Bob/, 'the worker');
  assert.match(jobText, /384/, 'the embedding\'s dimensions');
  await shot('job', t);

  await open(`#/worker/${bob.address}`);
  await page.waitForFunction((before) => document.querySelector('[data-testid=worker-earned]')?.textContent !== before, earnedBefore, { timeout: 60_000 });
  const earnedAfter = await earned();
  assert.equal(parseInfr(earnedAfter) - parseInfr(earnedBefore), workerFee, `${earnedBefore} → ${earnedAfter}`);
  assert.match(await mainText(), new RegExp(`job ${jobId}`));
  await shot('worker', t);
});

test('the dataset and account pages show the contribution and its pending reward', async (t) => {
  const { charlie } = devAccounts();
  await open('#/datasets');
  assert.match(await mainText(), /sentences-en/);
  await shot('datasets', t);

  await open(`#/dataset/${seeded.datasetId}`);
  const text = await mainText();
  assert.match(text, /Eve/);
  assert.match(text, /Ferdie/);
  const row = await page.locator('tr', { hasText: 'part-0' }).innerText();
  assert.match(row, /accepted/, 'the contribution\'s row says it was accepted');
  assert.match(row, /170 points/, 'with the points the chain gave it');
  await shot('dataset', t);

  await open(`#/account/${charlie.address}`);
  const pending = await rpcCall(node.rpcPort, 'infera_pendingRewards', [charlie.address]);
  assert.ok(BigInt(pending.estimated) > 0n);
  const accountText = await mainText();
  assert.ok(accountText.replace(/,/g, '').includes(formatInfr(BigInt(pending.estimated))), `pending ${pending.estimated} shown in:\n${accountText}`);
  assert.match(accountText, /era still running/);
  await shot('account', t);

  // Root shortens the era to one block (a protocol parameter): era 0 ends, and Charlie
  // claims from his account page with his dev key.
  await submitOk(api, api.tx.sudo.sudo(api.tx.parameters.setParameter({ Data: { EraLength: [null, 1] } })), devAccounts().alice);
  const claimable = await waitFor('the era to finish', async () => {
    const rewards = await rpcCall(node.rpcPort, 'infera_pendingRewards', [charlie.address]);
    return rewards.claimable !== '0' ? BigInt(rewards.claimable) : null;
  }, 60_000, 500);
  await page.selectOption('#account', charlie.address);
  const claim = page.locator(`button[aria-label="Claim the reward of contribution ${seeded.contributionId}"]`);
  await claim.waitFor({ timeout: 30_000 });
  assert.equal(await claim.isEnabled(), true);
  await claim.click();
  await page.waitForSelector('.tx-status .good', { timeout: 60_000 });
  assert.match(await page.locator('.tx-status').innerText(), /^Claimed /);
  const [contribution] = await rpcCall(node.rpcPort, 'infera_contributions', [{ contributor: charlie.address }]);
  assert.equal(contribution.claimed, true, 'the chain records the claim');
  assert.equal((await rpcCall(node.rpcPort, 'infera_pendingRewards', [charlie.address])).claimable, '0');
  assert.match(await mainText(), new RegExp(formatInfr(claimable).replace('.', '\\.')));
  await shot('account-claimed', t);
});

test('a double click on Top up sends one transaction, and the pot grows by the amount once', async (t) => {
  const { dave } = devAccounts();
  const potBefore = BigInt((await rpcCall(node.rpcPort, 'infera_dataset', [seeded.datasetId])).pot);
  const nonceBefore = (await api.rpc.system.accountNextIndex(dave.address)).toNumber();
  await open(`#/dataset/${seeded.datasetId}`);
  await page.selectOption('#account', dave.address);
  await page.fill('#top-up-amount', '0.5');
  await page.dblclick('button:has-text("Top up")');
  await page.waitForSelector('.tx-status .good, .tx-status .error-text', { timeout: 60_000 });
  assert.match(await page.locator('.tx-status').innerText(), /^Added 0\.5 INFR to the pot/);
  await waitFor('the pot to show the top-up', async () =>
    BigInt((await rpcCall(node.rpcPort, 'infera_dataset', [seeded.datasetId])).pot) === potBefore + UNIT / 2n, 20_000, 500);
  await new Promise((resolve) => setTimeout(resolve, 6000)); // two more blocks: a second transaction would be in by now
  assert.equal((await api.rpc.system.accountNextIndex(dave.address)).toNumber(), nonceBefore + 1, 'one transaction signed');
  assert.equal(BigInt((await rpcCall(node.rpcPort, 'infera_dataset', [seeded.datasetId])).pot), potBefore + UNIT / 2n);
  await shot('dataset-topped-up', t);
});

test('governance shows the curator referendum in its state, with its proposal', async (t) => {
  await open('#/governance');
  const info = (await api.query.referenda.referendumInfoFor(seeded.referendum)).unwrap();
  // The referendum's row sits under its track's heading and names its proposal and state.
  const table = page.locator('h3:has-text("curator") + .table-wrap');
  const row = await table.locator('tr', { has: page.locator(`a[href="#/referendum/${seeded.referendum}"]`) }).innerText();
  assert.match(row, new RegExp(`modelRegistry\\.approveVersion\\(model_id: ${seeded.pendingModelId}, version: 1\\)`));
  if (info.isOngoing) {
    const ongoing = info.asOngoing;
    const state = ongoing.deciding.isNone ? /preparing|awaiting/i : ongoing.deciding.unwrap().confirming.isSome ? /confirming/i : /deciding/i;
    assert.match(row, state, `the row says what the chain says (${JSON.stringify(ongoing.deciding.toHuman())})`);
  } else {
    assert.match(row, new RegExp(info.type, 'i'));
  }
  await shot('governance', t);

  await open(`#/referendum/${seeded.referendum}`);
  const steps = await page.locator('ol.timeline li').allInnerTexts();
  assert.ok(steps.some((step) => /submitted/i.test(step)), `timeline: ${steps.join(' | ')}`);
  assert.ok(steps.some((step) => /decision deposit/i.test(step)), `timeline: ${steps.join(' | ')}`);
  await shot('referendum', t);
});

test('names and texts from the chain are shown as text, never run or linked', async (t) => {
  const { dave } = devAccounts();
  const hostile = '<img src=x onerror="window.__pwned=1">';
  const artifacts = { format: 'Safetensors', weights: '0x' + 'ab'.repeat(32), tokenizer: '0x' + 'cd'.repeat(32), config: '0x' + 'ef'.repeat(32),
    sizeBytes: 1000, location: { url: 'https://example.com/m', cid: null } };
  await submitOk(api, api.tx.modelRegistry.registerModel(hostile, 'TextEmbedding', 'MIT', 1n, null, [], artifacts), dave);
  const modelId = (await api.query.modelRegistry.nextModelId()).toNumber() - 1;
  // A right-to-left override would show "\u202Egnp.exe" as "exe.png": it is shown as "�gnp.exe".
  await submitOk(api, api.tx.modelRegistry.registerModel('\u202Egnp.exe', 'TextEmbedding', 'MIT', 1n, null, [],
    { ...artifacts, weights: '0x' + '12'.repeat(32) }), dave);
  await open('#/models');
  assert.equal(await page.locator(`a[href="#/model/${modelId + 1}"]`).innerText(), '\uFFFDgnp.exe');
  await open(`#/model/${modelId}`);
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no script ran');
  assert.equal(await page.locator('main img').count(), 0, 'no element was made from the name');
  assert.equal(await page.locator('main a[href^="javascript:"]').count(), 0, 'no javascript: link');
  assert.ok((await page.locator('main h1').innerText()).includes(hostile), 'the name is shown as written');
  await shot('hostile-model', t);
});

test('on a phone-sized screen the pages fit the width: wide tables scroll inside their box', async (t) => {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    for (const [hash, name] of [['#/', 'phone-overview'], [`#/model/${seeded.modelId}`, 'phone-model'], [`#/job/${seeded.jobId}`, 'phone-job'], ['#/governance', 'phone-governance']]) {
      await open(hash);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `${hash} is ${width} px wide on a 390 px screen`);
      await shot(name, t);
    }
  } finally {
    await page.setViewportSize({ width: 1280, height: 900 });
  }
});

test('no page raised an error, and an unreachable node gets a clear message', async (t) => {
  assert.deepEqual(pageErrors, []);
  await page.goto(`${base}?node=ws://127.0.0.1:1#/jobs`);
  await page.waitForSelector('main [role=alert]');
  assert.match(await page.locator('main [role=alert]').innerText(), /ws:\/\/127\.0\.0\.1:1/);
  await shot('unreachable', t);
});

/** The worker page's "Earned" figure. */
const earned = () => page.locator('[data-testid=worker-earned]').innerText();

/** "0.002 INFR" → planck. */
function parseInfr (text) {
  const [whole, fraction = ''] = text.replace(/[^\d.]/g, '').split('.');
  return BigInt(whole) * 10n ** 12n + BigInt((fraction + '0'.repeat(12)).slice(0, 12));
}

/** Planck as the console writes it, without grouping: "1000.6" for 1,000.6 INFR. */
function formatInfr (planck) {
  const whole = planck / 10n ** 12n;
  const fraction = (planck % 10n ** 12n).toString().padStart(12, '0').replace(/0+$/, '').slice(0, 4);
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}
