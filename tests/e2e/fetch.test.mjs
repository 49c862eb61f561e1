// Workers fetch models from where the chain says, on a `--dev` node whose model store starts
// empty. The test publishes all-MiniLM-L6-v2's files itself, as owners do: through an IPFS
// gateway (the node is given two, the first broken) for a model registered by CID only, and
// through a web server that corrupts every file, for a second model. Bob's node fetches
// the first, verifies it and marks him ready (timed), and the job he is then drawn for
// settles, as does a job whose input the test serves over HTTP. The corrupted model is
// never marked ready: nobody is drawn for it, jobs for it are refused, and Bob keeps his
// whole bond.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { u8aToHex } from '@polkadot/util';
import { startNode, waitFor, sleep, rpcCall } from './lib/node.mjs';
import { submit, submitOk, eventsOf, devAccounts, MILLI } from './lib/chain.mjs';
import { MINILM_DIR, fixture } from './lib/minilm.mjs';
import { approvedModelWithWorker } from './lib/jobs.mjs';
import { serveFiles, serveBytes, directoryCid } from './lib/file-server.mjs';

const PRICE = 3n * MILLI;
const MAX_FEE = 10n * MILLI;

let node;
let api;
let alice;
let bob;
let charlie;
let gateway;
let brokenGateway;
let corrupt;
const cid = directoryCid('infera e2e minilm');

before(async () => {
  gateway = await serveFiles(MINILM_DIR, { gatewayCid: cid.text });
  brokenGateway = await serveFiles(MINILM_DIR, { gatewayCid: cid.text, mode: 'error' });
  corrupt = await serveFiles(MINILM_DIR, { prefix: '/corrupt', mode: 'corrupt' });
  node = await startNode({
    name: 'fetch',
    args: ['--dev', '--ipfs-gateway', brokenGateway.origin, '--ipfs-gateway', gateway.origin],
    modelStore: true
  });
  api = await node.api();
  ({ alice, bob, charlie } = devAccounts());
});

after(async () => {
  if (node) await node.stop(undefined, { exportStateAs: 'fetch' });
  await Promise.all([gateway, brokenGateway, corrupt].filter(Boolean).map((server) => server.close()));
});

const bondOf = async (who) => (await api.query.computeJobs.workers(who)).unwrap().bond.toBigInt();

test('a worker with an empty store fetches a CID-only model through the second gateway, becomes ready and settles jobs', { timeout: 420_000 }, async () => {
  const started = Date.now();
  const { modelId } = await approvedModelWithWorker(api, {
    owner: alice,
    sudo: alice,
    price: PRICE,
    location: { url: null, cid: cid.hex },
    workers: [{ key: bob, keystore: { rpcPort: node.rpcPort, suri: '//Bob' } }],
    capacity: 4
  });
  const readyAfter = (Date.now() - started) / 1000;
  console.log(`registration to ready (91 MB through a loopback gateway): ${readyAfter.toFixed(1)} s`);

  // The broken gateway was tried first and refused; the second served each file once.
  assert.ok(brokenGateway.requests.length >= 1, 'the first gateway was never tried');
  const served = gateway.requests.filter((r) => r.method === 'GET').map((r) => r.url.split('/').pop()).sort();
  assert.deepEqual(served, ['config.json', 'model.safetensors', 'tokenizer.json']);

  const inline = await jobViaRpc(modelId, { Inline: fixture.sentences[0] });
  assert.equal(inline.closeReason, 'completed');
  assert.equal(inline.result.kind, 'embedding');
  assert.equal(inline.result.values.length, 384);

  // A remote input: the test serves the text; the worker fetches and checks it.
  const text = Buffer.from(fixture.sentences[1]);
  const input = await serveBytes('input.txt', text);
  try {
    const remote = await jobViaRpc(modelId, {
      Remote: { digest: `0x${createHash('sha256').update(text).digest('hex')}`, sizeBytes: text.length, url: input.url }
    });
    assert.equal(remote.closeReason, 'completed');
    assert.deepEqual(input.requests, ['/input.txt']);
  } finally {
    await input.close();
  }
});

test('a model whose published files do not match its digests never makes a worker ready, and nobody is slashed', { timeout: 240_000 }, async () => {
  const fake = () => u8aToHex(randomBytes(32));
  const registered = await submitOk(api, api.tx.modelRegistry.registerModel(
    'corrupted', 'TextEmbedding', 'Apache-2.0', PRICE, null, [],
    { format: 'Safetensors', weights: fake(), tokenizer: fake(), config: fake(), sizeBytes: 91_335_235, location: { url: corrupt.url, cid: null } }), alice);
  const modelId = eventsOf(registered.events, 'modelRegistry', 'ModelRegistered')[0].modelId.toNumber();
  await submitOk(api, api.tx.sudo.sudo(api.tx.modelRegistry.approveVersion(modelId, 1)), alice);
  const bondBefore = await bondOf(bob.address);
  const served = (await api.query.computeJobs.workers(bob.address)).unwrap().models.map((m) => m.toNumber());
  await submitOk(api, api.tx.computeJobs.setServedModels([...served, modelId], 4), bob);

  // The node fetches the corrupted files, finds they do not hash to the digests, and Bob
  // is never marked ready for the version.
  await waitFor('the node to fetch the corrupted weights', async () => corrupt.requests.length > 0, 60_000, 500);
  await sleep(20_000);
  const ready = (await api.query.computeJobs.workers(bob.address)).unwrap().ready.map((e) => e.modelId.toNumber());
  assert.ok(!ready.includes(modelId), `Bob was marked ready for the corrupted model ${modelId}`);
  assert.match(node.log(), /hashes to|digest/i, 'the digest mismatch is logged');

  // Nobody holds it, so a job for it is refused, and Bob lost nothing.
  const job = await submit(api, api.tx.computeJobs.submitJob(
    { Model: { modelId, version: null, maxPrice: PRICE } }, { Inline: 'hello' }, MAX_FEE, 1, 40), charlie);
  assert.equal(job.error, 'computeJobs.NotEnoughWorkers');
  assert.equal(await bondOf(bob.address), bondBefore);
});

/** Submits a one-replica job on `modelId` and waits (over JSON-RPC) until it closes. */
async function jobViaRpc (modelId, input) {
  const job = await submit(api, api.tx.computeJobs.submitJob(
    { Model: { modelId, version: null, maxPrice: PRICE } }, input, MAX_FEE, 1, 40), charlie);
  assert.equal(job.error, null);
  const jobId = eventsOf(job.events, 'computeJobs', 'JobSubmitted')[0].jobId.toNumber();
  let closed;
  await waitFor(`job ${jobId} to close`, async () => {
    const details = await rpcCall(node.rpcPort, 'infera_job', [jobId]);
    closed = details.status === 'closed' ? details : null;
    return closed !== null;
  }, 240_000, 1000);
  return closed;
}
