// Compute jobs on a `--dev` node through @polkadot/api: a worker bonds, a requester's job
// is escrowed and assigned, the worker commits and reveals an embedding, and the escrow
// is split exactly as the settlement rules say.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/api';
import { blake2AsU8a } from '@polkadot/util-crypto';
import { u8aConcat } from '@polkadot/util';
import { startNode } from './lib/node.mjs';
import { submit, eventsOf } from './lib/chain.mjs';

const UNIT = 10n ** 12n;
const MILLI = 10n ** 9n;
// runtime/src/configs/jobs.rs
const WORKER_FEE = MILLI;
const TREASURY_SHARE_PERCENT = 5n;
const PRICE = 2n * MILLI;

let node;
let api;
let alice;
let bob;
let charlie;

before(async () => {
  node = await startNode({ name: 'jobs', args: ['--dev'] });
  api = await node.api();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  alice = keyring.addFromUri('//Alice');
  bob = keyring.addFromUri('//Bob');
  charlie = keyring.addFromUri('//Charlie');
});

after(async () => {
  if (node) await node.stop();
});

const free = async (who) => (await api.query.system.account(who)).data.free.toBigInt();

test('a job is escrowed, assigned, committed, revealed and settled to the planck', async () => {
  // Alice's approved embedding model.
  const artifacts = {
    format: 'Safetensors',
    weights: '0x' + '53'.repeat(32),
    tokenizer: '0x' + 'be'.repeat(32),
    config: '0x' + '95'.repeat(32),
    sizeBytes: 91_335_235,
    location: { url: 'file:///models/minilm', cid: null }
  };
  const reg = await submit(api, api.tx.modelRegistry.registerModel(
    'all-MiniLM-L6-v2', 'TextEmbedding', 'Apache-2.0', PRICE, null, [], artifacts), alice);
  assert.equal(reg.error, null);
  const modelId = eventsOf(reg.events, 'modelRegistry', 'ModelRegistered')[0].modelId.toNumber();
  assert.equal((await submit(api, api.tx.sudo.sudo(api.tx.modelRegistry.approveVersion(modelId, 1)), alice)).error, null);

  // Bob bonds as a worker.
  const bond = 200n * UNIT;
  const worker = await submit(api, api.tx.computeJobs.registerWorker(bond, [modelId], 4), bob);
  assert.equal(worker.error, null);
  const holds = await api.query.balances.holds(bob.address);
  assert.equal(holds.find((h) => h.id.isComputeJobs && h.id.asComputeJobs.isWorkerBond).amount.toBigInt(), bond);

  // Charlie submits a job routed by task; it is assigned to Bob at once.
  const maxFee = 10n * MILLI;
  const job = await submit(api, api.tx.computeJobs.submitJob(
    { Task: { task: 'TextEmbedding', maxPrice: 5n * MILLI } },
    { Inline: 'The quick brown fox' }, maxFee, 1, 20), charlie);
  assert.equal(job.error, null);
  const [submitted] = eventsOf(job.events, 'computeJobs', 'JobSubmitted');
  const jobId = submitted.jobId.toNumber();
  assert.equal(submitted.modelId.toNumber(), modelId);
  const [assigned] = eventsOf(job.events, 'computeJobs', 'JobAssigned');
  assert.deepEqual(assigned.workers.map((w) => w.toString()), [bob.address]);

  // Bob commits blake2_256(SCALE(output) ‖ salt), then reveals.
  const output = api.createType(api.tx.computeJobs.revealResult.meta.args[1].type.toString(),
    { Embedding: [12, -7, 99, 0, 45] });
  const salt = new Uint8Array(32).fill(9);
  const commitment = blake2AsU8a(u8aConcat(output.toU8a(), salt), 256);
  assert.equal((await submit(api, api.tx.computeJobs.commitResult(jobId, commitment), bob)).error, null);

  const [bobBefore, aliceBefore, charlieBefore] = await Promise.all([free(bob.address), free(alice.address), free(charlie.address)]);
  const reveal = await submit(api, api.tx.computeJobs.revealResult(jobId, output, salt), bob);
  assert.equal(reveal.error, null);
  const [settled] = eventsOf(reveal.events, 'computeJobs', 'JobSettled');
  const treasuryCut = ((PRICE + WORKER_FEE) * TREASURY_SHARE_PERCENT + 99n) / 100n;
  assert.equal(settled.workersPaid.toBigInt(), WORKER_FEE);
  assert.equal(settled.ownerPaid.toBigInt(), PRICE);
  assert.equal(settled.treasuryPaid.toBigInt(), treasuryCut);
  const [closed] = eventsOf(reveal.events, 'computeJobs', 'JobClosed');
  assert.equal(closed.reason.toString(), 'Completed');
  assert.equal(closed.refunded.toBigInt(), maxFee - WORKER_FEE - PRICE - treasuryCut);

  // Bob paid the reveal's fee and earned the worker fee; Alice got the price; Charlie got
  // the rest of the escrow back.
  const [revealFee] = eventsOf(reveal.events, 'transactionPayment', 'TransactionFeePaid');
  assert.equal(await free(bob.address), bobBefore - revealFee.actualFee.toBigInt() + WORKER_FEE);
  assert.equal(await free(alice.address), aliceBefore + PRICE);
  assert.equal(await free(charlie.address), charlieBefore + closed.refunded.toBigInt());
  const escrow = (await api.query.balances.holds(charlie.address))
    .find((h) => h.id.isComputeJobs && h.id.asComputeJobs.isJobEscrow);
  assert.ok(!escrow || escrow.amount.toBigInt() === 0n, 'no escrow left');

  const stored = await api.query.computeJobs.jobs(jobId);
  assert.equal(stored.unwrap().state.asClosed.reason.toString(), 'Completed');
  assert.deepEqual((await api.query.computeJobs.results(jobId)).unwrap().asEmbedding.map((x) => x.toNumber()), [12, -7, 99, 0, 45]);
});
