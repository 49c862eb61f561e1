// Off-chain inference end to end on a `--dev` node: Alice registers the real
// all-MiniLM-L6-v2 (fetched by scripts/setup) and sudo approves it; Bob bonds as a worker
// and his key goes into the node's keystore; Charlie submits an embedding job. The node's
// off-chain worker runs candle, commits and reveals as Bob, and the job settles on chain
// with nobody in the loop. The embedding must match PyTorch sentence-transformers'
// (tests/fixtures/minilm-reference.json) within ±1 per i8 component and cosine ≥ 0.999,
// and the balances move exactly as the settlement rules say: Bob's commit and reveal are
// free, so his balance grows by exactly the worker fee. Then a job whose input is not UTF-8
// is reported by the off-chain worker as `InvalidInput`: the job closes with that reason,
// Charlie pays Bob for finding it, and nobody is slashed.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { u8aToHex } from '@polkadot/util';
import { startNode, rpcCall } from './lib/node.mjs';
import { submit, eventsOf, devAccounts, MILLI } from './lib/chain.mjs';
import { fixture } from './lib/minilm.mjs';
import { approvedModelWithWorker } from './lib/jobs.mjs';
import { protocolParameters, mulCeil, mulFloor, PPM } from './lib/params.mjs';

const PRICE = 3n * MILLI;

let node;
let api;
let alice;
let bob;
let charlie;
let registeredModel;
// The protocol parameters in force (lib/params.mjs).
let params;
const blockEvents = [];
let unsubscribeHeads;

before(async () => {
  node = await startNode({ name: 'inference', args: ['--dev'], modelStore: true });
  api = await node.api();
  ({ alice, bob, charlie } = devAccounts());
  params = await protocolParameters(api);
  // Every block's events, to find the off-chain worker's transactions.
  // Errors are dropped: a head whose events cannot be read is one the node is going away
  // with, and a rejection there would outlive the test.
  unsubscribeHeads = await api.rpc.chain.subscribeNewHeads(async (header) => {
    try {
      const at = await api.at(header.hash);
      blockEvents.push({ number: header.number.toNumber(), events: await at.query.system.events() });
    } catch {}
  });
});

after(async () => {
  if (unsubscribeHeads) unsubscribeHeads();
  if (node) await node.stop(undefined, { exportStateAs: 'inference' });
});

const free = async (who) => (await api.query.system.account(who)).data.free.toBigInt();
const quantize = (v) => v.map((x) => Math.max(-127, Math.min(127, Math.round(x * 127))));

test('the off-chain worker runs MiniLM and the job settles on chain', { timeout: 240_000 }, async () => {
  // Alice's model, approved through sudo; Bob's worker key goes into the node's keystore
  // under `infr`, then he bonds.
  const { workerFee, treasuryShare } = params;
  const { modelId } = await approvedModelWithWorker(api, {
    owner: alice,
    sudo: alice,
    price: PRICE,
    workers: [{ key: bob, keystore: { rpcPort: node.rpcPort, suri: '//Bob' } }],
    capacity: 4
  });
  registeredModel = modelId;
  assert.equal(await rpcCall(node.rpcPort, 'author_hasKey', [u8aToHex(bob.publicKey), 'infr']), true);
  const reputationBefore = (await rpcCall(node.rpcPort, 'infera_worker', [bob.address])).reputation;

  const [bobBefore, aliceBefore, charlieBefore] = await Promise.all([free(bob.address), free(alice.address), free(charlie.address)]);
  const sentence = fixture.sentences[0];
  const maxFee = 10n * MILLI;
  const started = Date.now();
  const job = await submit(api, api.tx.computeJobs.submitJob(
    { Model: { modelId, version: null, maxPrice: PRICE } }, { Inline: sentence }, maxFee, 1, 30), charlie);
  assert.equal(job.error, null);
  const [submitted] = eventsOf(job.events, 'computeJobs', 'JobSubmitted');
  const jobId = submitted.jobId.toNumber();
  const submittedAt = (await api.rpc.chain.getHeader(job.blockHash)).number.toNumber();
  const submitFee = eventsOf(job.events, 'transactionPayment', 'TransactionFeePaid')[0].actualFee.toBigInt();

  // Wait for the job to close; nobody acts but the node's off-chain worker.
  let closed;
  while (!closed) {
    if (Date.now() - started > 200_000) throw new Error(`job ${jobId} did not close:\n${node.log().split('\n').slice(-30).join('\n')}`);
    await new Promise((r) => setTimeout(r, 500));
    for (const { number, events } of blockEvents) {
      const hit = events.find(({ event }) => api.events.computeJobs.JobClosed.is(event) && event.data.jobId.toNumber() === jobId);
      if (hit) closed = { number, data: hit.event.data, events };
    }
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(`# job ${jobId}: submitted in block ${submittedAt}, settled in block ${closed.number} ` +
    `(${closed.number - submittedAt} blocks, ${seconds.toFixed(1)} s)`);
  assert.equal(closed.data.reason.toString(), 'Completed');

  // The result matches sentence-transformers.
  const viaRpc = await rpcCall(node.rpcPort, 'infera_job', [jobId]);
  const ours = viaRpc.result.values;
  const reference = quantize(fixture.embeddings[0]);
  assert.equal(ours.length, 384);
  const worst = Math.max(...ours.map((x, i) => Math.abs(x - reference[i])));
  assert.ok(worst <= 1, `component off by ${worst}`);
  const dot = ours.reduce((s, x, i) => s + x * reference[i], 0);
  const norm = (v) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  assert.ok(dot / (norm(ours) * norm(reference)) >= 0.999);

  // Settlement to the planck: Bob earned the worker fee and paid nothing for his commit and
  // reveal; Alice got the price; Charlie paid fee + price + treasury cut + his submission fee.
  const treasuryCut = mulCeil(treasuryShare, PRICE + workerFee);
  const [settled] = eventsOf(closed.events, 'computeJobs', 'JobSettled');
  assert.equal(settled.workersPaid.toBigInt(), workerFee);
  assert.equal(settled.ownerPaid.toBigInt(), PRICE);
  assert.equal(settled.treasuryPaid.toBigInt(), treasuryCut);
  let bobFees = 0n;
  for (const { number, events } of blockEvents) {
    if (number < submittedAt) continue;
    for (const { event } of events) {
      if (api.events.transactionPayment.TransactionFeePaid.is(event) && event.data.who.toString() === bob.address) {
        bobFees += event.data.actualFee.toBigInt();
      }
    }
  }
  assert.equal(bobFees, 0n, 'valid duties are free');
  const duties = blockEvents.flatMap(({ events }) => events)
    .filter(({ event }) => (api.events.computeJobs.ResultCommitted.is(event) || api.events.computeJobs.ResultRevealed.is(event)) &&
      event.data.jobId.toNumber() === jobId && event.data.worker.toString() === bob.address);
  assert.equal(duties.length, 2, 'the off-chain worker committed and revealed as Bob');
  assert.equal(await free(bob.address), bobBefore + workerFee);
  const jobCost = PRICE + workerFee + treasuryCut;
  console.log(`# requester's transaction fee ${submitFee} planck = ${(Number(submitFee) / Number(jobCost)).toFixed(2)} × the job's price ${jobCost}`);
  assert.equal(await free(alice.address), aliceBefore + PRICE);
  assert.equal(await free(charlie.address), charlieBefore - submitFee - workerFee - PRICE - treasuryCut);
  const worker = await rpcCall(node.rpcPort, 'infera_worker', [bob.address]);
  assert.equal(worker.assigned, 0);
  // One step (ReputationStep) of the way from one half to one.
  assert.equal(reputationBefore, Number(PPM / 2n));
  const step = api.consts.computeJobs.reputationStep.toBigInt();
  assert.equal(worker.reputation, reputationBefore + Number(mulFloor(step, PPM - BigInt(reputationBefore))));
});

test('input the model cannot read is reported, the job closes with the reason, and nobody is slashed', { timeout: 240_000 }, async () => {
  const modelId = registeredModel;
  const [bobBefore, charlieBefore] = await Promise.all([free(bob.address), free(charlie.address)]);
  const bondBefore = (await rpcCall(node.rpcPort, 'infera_worker', [bob.address])).bond;
  const started = Date.now();
  // 0xff 0xfe is not UTF-8: the tokenizer cannot read it.
  const job = await submit(api, api.tx.computeJobs.submitJob(
    { Model: { modelId, version: null, maxPrice: PRICE } }, { Inline: '0xfffe' }, 10n * MILLI, 1, 30), charlie);
  assert.equal(job.error, null);
  const jobId = eventsOf(job.events, 'computeJobs', 'JobSubmitted')[0].jobId.toNumber();
  const submitFee = eventsOf(job.events, 'transactionPayment', 'TransactionFeePaid')[0].actualFee.toBigInt();
  let closed;
  while (!closed) {
    if (Date.now() - started > 200_000) throw new Error(`job ${jobId} did not close:\n${node.log().split('\n').slice(-30).join('\n')}`);
    await new Promise((r) => setTimeout(r, 500));
    for (const { events } of blockEvents) {
      const hit = events.find(({ event }) => api.events.computeJobs.JobClosed.is(event) && event.data.jobId.toNumber() === jobId);
      if (hit) closed = { data: hit.event.data, events };
    }
  }
  assert.ok(closed.data.reason.isFailed, closed.data.reason.toString());
  assert.equal(closed.data.reason.asFailed.toString(), 'InvalidInput');
  const viaRpc = await rpcCall(node.rpcPort, 'infera_job', [jobId]);
  assert.equal(viaRpc.closeReason, 'failedInvalidInput');
  assert.equal(viaRpc.result, null);
  assert.deepEqual(eventsOf(closed.events, 'computeJobs', 'WorkerSlashed'), []);
  const worker = await rpcCall(node.rpcPort, 'infera_worker', [bob.address]);
  assert.equal(worker.bond, bondBefore, 'not slashed');
  // Bob is paid for finding out; Charlie pays the worker fee and the treasury's cut, not
  // the price: the model never ran.
  const { workerFee, treasuryShare } = params;
  const treasuryCut = mulCeil(treasuryShare, workerFee);
  const [settled] = eventsOf(closed.events, 'computeJobs', 'JobSettled');
  assert.equal(settled.workersPaid.toBigInt(), workerFee);
  assert.equal(settled.ownerPaid.toBigInt(), 0n);
  assert.equal(await free(bob.address), bobBefore + workerFee);
  assert.equal(await free(charlie.address), charlieBefore - submitFee - workerFee - treasuryCut);
});
