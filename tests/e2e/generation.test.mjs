// Text generation end to end on a `--dev` node: Alice registers the real
// SmolLM2-135M-Instruct (Q4_1 GGUF, fetched by scripts/setup) and sudo approves it; Bob,
// Dave and Ferdie bond as workers with their keys in the node's keystore; Charlie submits
// chat prompts.
// - Replicated: every replica generates; the job settles with the generated text and its
//   tokens on chain, the fee priced by `maxNewTokens`.
// - Verified: one worker generates, the other two verify it with one teacher-forced pass
//   each and commit their evidence; the job settles, the verifiers paid `WorkerFee` only.
// Then Eve joins, running another quantization of the same model
// (tests/fixtures/smollm-swapped.json: the reply of every Q4_1 tensor requantized to Q4_0,
// written by `cargo run -p infera-inference --example swapped_reply`), and plays by hand:
// outvoted in a replicated job, and in a verified one either rejected as the generator or
// outvoted as a verifier who "accepts" without computing; slashed every time.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startNode, rpcCall, waitFor, REPO_ROOT } from './lib/node.mjs';
import { submit, eventsOf, commitmentOf, devAccounts, MILLI } from './lib/chain.mjs';
import { approvedModelWithWorker } from './lib/jobs.mjs';
import { smollmModel } from './lib/smollm.mjs';

const PRICE = 2n * MILLI;
const swapped = JSON.parse(readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'smollm-swapped.json'), 'utf8'));

let node;
let api;
let accounts;
let modelId;
const blockEvents = [];
let unsubscribeHeads;

/** The `computeJobs.<method>` events of job `jobId` seen so far. */
function jobEvents (jobId, method) {
  return blockEvents.flatMap((events) => events)
    .filter(({ event }) => api.events.computeJobs[method].is(event) && event.data.jobId.toNumber() === jobId)
    .map(({ event }) => event.data);
}

before(async () => {
  node = await startNode({ name: 'generation', args: ['--dev'], modelStore: true });
  api = await node.api();
  accounts = devAccounts();
  // Errors are dropped: a head whose events cannot be read is one the node is going away
  // with, and a rejection there would outlive the test.
  unsubscribeHeads = await api.rpc.chain.subscribeNewHeads(async (header) => {
    try {
      blockEvents.push(await (await api.at(header.hash)).query.system.events());
    } catch {}
  });
  const { alice, bob, dave, ferdie } = accounts;
  ({ modelId } = await approvedModelWithWorker(api, {
    owner: alice,
    sudo: alice,
    price: PRICE,
    model: smollmModel(),
    workers: [
      { key: bob, keystore: { rpcPort: node.rpcPort, suri: '//Bob' } },
      { key: dave, keystore: { rpcPort: node.rpcPort, suri: '//Dave' } },
      { key: ferdie, keystore: { rpcPort: node.rpcPort, suri: '//Ferdie' } }
    ],
    capacity: 2
  }));
});

after(async () => {
  if (unsubscribeHeads) unsubscribeHeads();
  if (node) await node.stop(undefined, { exportStateAs: 'generation' });
});

/** Submits Charlie's greedy generation job, replicated or verified; returns its id and fee estimate. */
async function generate (prompt, maxNewTokens, replicas, verify = false) {
  const estimate = await rpcCall(node.rpcPort, 'infera_estimateFee', [{ modelId }, replicas, null, { maxNewTokens, verify }]);
  const decoding = { maxNewTokens, temperature: 0, check: verify ? 'Verify' : 'Replicate' };
  const job = await submit(api, api.tx.computeJobs.submitGeneration(
    { Model: { modelId, version: null, maxPrice: PRICE } }, prompt, decoding, BigInt(estimate.minMaxFee), replicas, 60),
  accounts.charlie);
  assert.equal(job.error, null);
  const [submitted] = eventsOf(job.events, 'computeJobs', 'JobSubmitted');
  return { jobId: submitted.jobId.toNumber(), estimate };
}

async function closed (jobId) {
  return waitFor(`job ${jobId} to close`, async () => {
    const job = await rpcCall(node.rpcPort, 'infera_job', [jobId]);
    return job.status === 'closed' && job;
  }, 180_000, 500);
}

test('a chat prompt settles through the off-chain workers with the text on chain', { timeout: 300_000 }, async () => {
  const prompt = JSON.stringify([{ role: 'user', content: swapped.prompt }]);
  const started = Date.now();
  const { jobId, estimate } = await generate(prompt, swapped.maxNewTokens, 2);
  const params = api.consts.computeJobs;
  const job = await closed(jobId);
  console.log(`# generation job ${jobId}: ${((Date.now() - started) / 1000).toFixed(1)} s, ${job.result.tokenCount} tokens: ${JSON.stringify(job.result.text)}`);
  assert.equal(job.closeReason, 'completed');
  assert.equal(job.result.kind, 'text');
  assert.ok(job.result.text.length > 0);
  assert.equal(job.result.tokenCount, job.result.tokens.length);
  assert.ok(job.result.tokenCount <= swapped.maxNewTokens);
  assert.deepEqual(job.generation, {
    maxNewTokens: swapped.maxNewTokens, temperature: 0, seed: job.generation.seed, check: 'replicate', verifierFee: '0'
  });
  // Priced by tokens: each replica's fee is WorkerFee + TokenFee × maxNewTokens.
  assert.ok(params.maxNewTokens.toNumber() >= swapped.maxNewTokens);
  assert.equal(BigInt(job.workerFee) * 2n, BigInt(estimate.workerFees));
  const oneToken = await rpcCall(node.rpcPort, 'infera_estimateFee', [{ modelId }, 1, null, { maxNewTokens: 1 }]);
  assert.ok(BigInt(job.workerFee) > BigInt(oneToken.workerFees));
  // A plain prompt is the same as one user message: greedy decoding gives the same reply.
  const plain = await closed((await generate(swapped.prompt, swapped.maxNewTokens, 1)).jobId);
  assert.deepEqual(plain.result.tokens, job.result.tokens);
  // The honest node's reply is what the engine test records for this prompt.
  assert.deepEqual(job.result.tokens, swapped.honestTokens);
});

test('a verified generation settles with one generation and two verification passes', { timeout: 300_000 }, async () => {
  const prompt = JSON.stringify([{ role: 'user', content: swapped.prompt }]);
  const started = Date.now();
  const { jobId, estimate } = await generate(prompt, swapped.maxNewTokens, 3, true);
  const job = await closed(jobId);
  console.log(`# verified generation job ${jobId}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.equal(job.closeReason, 'completed');
  assert.equal(job.generation.check, 'verify');
  assert.deepEqual(job.result.tokens, swapped.honestTokens);
  // One generator's fee and two verifiers' WorkerFee: cheaper than three generations.
  const replicated = await rpcCall(node.rpcPort, 'infera_estimateFee', [{ modelId }, 3, null, { maxNewTokens: swapped.maxNewTokens }]);
  assert.ok(BigInt(estimate.workerFees) < BigInt(replicated.workerFees));
  assert.equal(BigInt(estimate.workerFees), BigInt(job.workerFee) + 2n * BigInt(job.generation.verifierFee));
  // The generator published without committing; the two verifiers committed and revealed.
  assert.equal(jobEvents(jobId, 'ResultCommitted').length, 2);
  assert.equal(jobEvents(jobId, 'ResultRevealed').length, 3);
  const [settled] = jobEvents(jobId, 'JobSettled');
  assert.equal(settled.workersPaid.toBigInt(), BigInt(estimate.workerFees));
});

/** Registers Eve as a ready worker (nobody runs her jobs but this test) and returns her bond. */
async function eveJoins () {
  const { eve } = accounts;
  const existing = await api.query.computeJobs.workers(eve.address);
  if (existing.isNone) {
    const bonded = await submit(api, api.tx.computeJobs.registerWorker(2n * api.consts.computeJobs.minWorkerBond.toBigInt(), [modelId], 2), eve);
    assert.equal(bonded.error, null);
    assert.equal((await submit(api, api.tx.computeJobs.setReadiness(modelId, 1, true), eve)).error, null);
  }
  return BigInt((await rpcCall(node.rpcPort, 'infera_worker', [eve.address])).bond);
}

async function assigned (jobId) {
  return waitFor(`job ${jobId} to be assigned`, async () => {
    const job = await rpcCall(node.rpcPort, 'infera_job', [jobId]);
    return job.status === 'assigned' && job;
  }, 60_000, 500);
}

/** Eve commits to `verdict` on `jobId`, waits for reveals to open and reveals it. */
async function commitAndReveal (jobId, verdict) {
  const { eve } = accounts;
  const salt = new Uint8Array(32).fill(3);
  const { commitment, verdict: typed } = await commitmentOf(api, jobId, eve.address, verdict, salt);
  assert.equal((await submit(api, api.tx.computeJobs.commitResult(jobId, commitment), eve)).error, null);
  await waitFor(`reveals of job ${jobId} to open`, async () => {
    const job = await rpcCall(node.rpcPort, 'infera_job', [jobId]);
    return job.assignments.every((a) => a.committed);
  }, 120_000, 500);
  assert.equal((await submit(api, api.tx.computeJobs.revealResult(jobId, typed, salt), eve)).error, null);
}

const swappedOutput = { Output: { Text: { text: swapped.text, tokens: swapped.tokens, margins: swapped.margins } } };

test('a worker running another quantization is outvoted and slashed', { timeout: 300_000 }, async () => {
  const { eve } = accounts;
  const bondBefore = await eveJoins();
  // Four replicas among four ready workers: Eve is always one of them.
  const { jobId } = await generate(JSON.stringify([{ role: 'user', content: swapped.prompt }]), swapped.maxNewTokens, 4);
  await assigned(jobId);
  await commitAndReveal(jobId, swappedOutput);
  const job = await closed(jobId);
  assert.equal(job.closeReason, 'completed');
  assert.deepEqual(job.result.tokens, swapped.honestTokens);
  const slash = bondBefore - BigInt((await rpcCall(node.rpcPort, 'infera_worker', [eve.address])).bond);
  console.log(`# replicated: Eve (Q4_0 requantization) slashed ${slash} planck; her margins differ by up to ${swapped.maxMarginGap} steps of 1/16 logit`);
  assert.ok(slash > 0n, 'the swapped model is slashed');
});

test('in a verified job a swapped generator is rejected and a verifier who does not compute is outvoted', { timeout: 300_000 }, async () => {
  const { eve } = accounts;
  const bondBefore = await eveJoins();
  const { jobId } = await generate(JSON.stringify([{ role: 'user', content: swapped.prompt }]), swapped.maxNewTokens, 4, true);
  const drawn = await assigned(jobId);
  const eveIndex = drawn.assignments.findIndex((a) => a.worker === eve.address);
  assert.ok(eveIndex >= 0);
  const charlieBefore = (await api.query.system.account(accounts.charlie.address)).data.free.toBigInt();
  if (eveIndex === 0) {
    // Eve generates: she publishes the swapped model's reply without committing.
    const typed = api.createType(api.tx.computeJobs.revealResult.meta.args[1].type.toString(), swappedOutput);
    assert.equal((await submit(api, api.tx.computeJobs.revealResult(jobId, typed, new Uint8Array(32)), eve)).error, null);
    const job = await closed(jobId);
    assert.equal(job.closeReason, 'rejected');
    assert.equal(job.result, null);
    const refunded = (await api.query.system.account(accounts.charlie.address)).data.free.toBigInt() - charlieBefore;
    assert.equal(refunded, BigInt(drawn.escrow), 'the requester gets the whole escrow back');
  } else {
    // Eve verifies: she "accepts" by copying the generator's public margins and guessing the rest.
    const published = await waitFor(`job ${jobId}'s generation`, async () => {
      const job = await rpcCall(node.rpcPort, 'infera_job', [jobId]);
      return job.assignments[0].revealed && job;
    }, 120_000, 500);
    const generated = await api.query.computeJobs.jobs(jobId);
    const output = generated.unwrap().state.asAssigned.assignments[0].verdict.unwrap().asOutput.asText;
    const n = output.tokens.length;
    const lazy = { Evidence: { wellFormed: true, deficits: new Array(n).fill(0), margins: Array.from(output.margins.toU8a(true)), surprises: new Array(n).fill(0) } };
    assert.equal(published.status, 'assigned');
    await commitAndReveal(jobId, lazy);
    const job = await closed(jobId);
    assert.equal(job.closeReason, 'completed');
  }
  const slash = bondBefore - BigInt((await rpcCall(node.rpcPort, 'infera_worker', [eve.address])).bond);
  console.log(`# verified: Eve as ${eveIndex === 0 ? 'generator (rejected)' : 'a lazy verifier (outvoted)'} slashed ${slash} planck`);
  assert.ok(slash > 0n);
});
