// Compute jobs on a `--dev` node through @polkadot/api: a worker bonds, a requester's job
// is escrowed and assigned, the worker commits and reveals an embedding, and the escrow
// is split exactly as the settlement rules say; then the same job, worker and fee read
// back through the infera_* JSON-RPC methods, and bad requests get typed errors.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNode, rpcCall, rpcRequest, waitFor } from './lib/node.mjs';
import { submit, eventsOf, commitmentOf, devAccounts, MILLI } from './lib/chain.mjs';
import { approvedModelWithWorker } from './lib/jobs.mjs';
import { protocolParameters, mulCeil, mulFloor, PPM } from './lib/params.mjs';

const PRICE = 2n * MILLI;

let node;
let api;
let alice;
let bob;
let charlie;
// The protocol parameters in force (lib/params.mjs).
let params;

before(async () => {
  node = await startNode({ name: 'jobs', args: ['--dev'] });
  api = await node.api();
  ({ alice, bob, charlie } = devAccounts());
  params = await protocolParameters(api);
});

after(async () => {
  if (node) await node.stop(undefined, { exportStateAs: 'compute-jobs' });
});

const free = async (who) => (await api.query.system.account(who)).data.free.toBigInt();

test('a job is escrowed, assigned, committed, revealed and settled to the planck', async () => {
  // Alice's approved embedding model; Bob bonds as a worker. His key is in no keystore:
  // he does his duties by hand below.
  const { workerFee, dataShare, treasuryShare } = params;
  const { modelId, bond } = await approvedModelWithWorker(api, {
    owner: alice, sudo: alice, price: PRICE, workers: [{ key: bob }], capacity: 4
  });
  const holds = await api.query.balances.holds(bob.address);
  assert.equal(holds.find((h) => h.id.isComputeJobs && h.id.asComputeJobs.isWorkerBond).amount.toBigInt(), bond);
  const reputationBefore = (await rpcCall(node.rpcPort, 'infera_worker', [bob.address])).reputation;
  assert.equal(reputationBefore, Number(PPM / 2n), 'a new worker starts at one half');

  // The fee estimate says what the escrow must cover at least.
  const treasuryCut = mulCeil(treasuryShare, PRICE + workerFee);
  const estimate = await rpcCall(node.rpcPort, 'infera_estimateFee',
    [{ task: 'textEmbedding', maxPrice: (5n * MILLI).toString() }, 1]);
  assert.deepEqual(estimate, {
    modelId,
    version: 1,
    price: PRICE.toString(),
    dataShare: mulFloor(dataShare, PRICE).toString(),
    workerFees: workerFee.toString(),
    treasury: treasuryCut.toString(),
    minMaxFee: (PRICE + workerFee + treasuryCut).toString()
  });

  // Charlie submits a job routed by task. Nobody knows its draw yet: it waits for the BABE
  // VRF outputs of the next two blocks, then is assigned to Bob.
  const maxFee = 10n * MILLI;
  const job = await submit(api, api.tx.computeJobs.submitJob(
    { Task: { task: 'TextEmbedding', maxPrice: 5n * MILLI } },
    { Inline: 'The quick brown fox' }, maxFee, 1, 30), charlie);
  assert.equal(job.error, null);
  const [submitted] = eventsOf(job.events, 'computeJobs', 'JobSubmitted');
  const jobId = submitted.jobId.toNumber();
  assert.equal(submitted.modelId.toNumber(), modelId);
  assert.deepEqual(eventsOf(job.events, 'computeJobs', 'JobAssigned'), []);
  const submittedAt = (await api.rpc.chain.getHeader(job.blockHash)).number.toNumber();
  const drawn = await waitFor(`job ${jobId} to be drawn`, async () => {
    const details = await rpcCall(node.rpcPort, 'infera_job', [jobId]);
    return details.status === 'assigned' ? details : null;
  }, 60_000, 500);
  assert.deepEqual(drawn.assignments.map((a) => a.worker), [bob.address]);
  assert.equal(drawn.assignedAt, submittedAt + 3, 'drawn DRAW_DELAY blocks after submission');
  const drawBlock = await api.rpc.chain.getHeader(await api.rpc.chain.getBlockHash(drawn.assignedAt));
  assert.equal(drawBlock.digest.logs[0].asPreRuntime[0].toString(), 'BABE');

  // Bob commits to his output, bound to this chain, this job and himself, then reveals.
  // Both duties are free.
  const salt = new Uint8Array(32).fill(9);
  const { commitment, verdict: output } = await commitmentOf(api, jobId, bob.address,
    { Output: { Embedding: [12, -7, 99, 0, 45] } }, salt);
  const bobBeforeCommit = await free(bob.address);
  assert.equal((await submit(api, api.tx.computeJobs.commitResult(jobId, commitment), bob)).error, null);
  assert.equal(await free(bob.address), bobBeforeCommit, 'a valid commit is free');

  const [bobBefore, aliceBefore, charlieBefore] = await Promise.all([free(bob.address), free(alice.address), free(charlie.address)]);
  const reveal = await submit(api, api.tx.computeJobs.revealResult(jobId, output, salt), bob);
  assert.equal(reveal.error, null);
  const [settled] = eventsOf(reveal.events, 'computeJobs', 'JobSettled');
  assert.equal(settled.workersPaid.toBigInt(), workerFee);
  // No data-rewards pallet yet: the model's owner keeps the data share.
  assert.equal(settled.ownerPaid.toBigInt(), PRICE);
  assert.equal(settled.dataPaid.toBigInt(), 0n);
  assert.equal(settled.treasuryPaid.toBigInt(), treasuryCut);
  const [closed] = eventsOf(reveal.events, 'computeJobs', 'JobClosed');
  assert.equal(closed.reason.toString(), 'Completed');
  assert.equal(closed.refunded.toBigInt(), maxFee - workerFee - PRICE - treasuryCut);

  // Bob's reveal was free and he earned the worker fee; Alice got the price; Charlie got
  // the rest of the escrow back.
  assert.equal(await free(bob.address), bobBefore + workerFee);
  assert.equal(await free(alice.address), aliceBefore + PRICE);
  assert.equal(await free(charlie.address), charlieBefore + closed.refunded.toBigInt());
  const escrow = (await api.query.balances.holds(charlie.address))
    .find((h) => h.id.isComputeJobs && h.id.asComputeJobs.isJobEscrow);
  assert.ok(!escrow || escrow.amount.toBigInt() === 0n, 'no escrow left');

  const stored = await api.query.computeJobs.jobs(jobId);
  assert.equal(stored.unwrap().state.asClosed.reason.toString(), 'Completed');
  assert.deepEqual((await api.query.computeJobs.results(jobId)).unwrap().asEmbedding.map((x) => x.toNumber()), [12, -7, 99, 0, 45]);

  // The same job through JSON-RPC: closed as completed, with its result.
  const viaRpc = await rpcCall(node.rpcPort, 'infera_job', [jobId]);
  assert.equal(viaRpc.status, 'closed');
  assert.equal(viaRpc.closeReason, 'completed');
  assert.equal(viaRpc.requester, charlie.address);
  assert.equal(viaRpc.escrow, '0');
  assert.deepEqual(viaRpc.input, { kind: 'inline', hex: '0x' + Buffer.from('The quick brown fox').toString('hex'), text: 'The quick brown fox' });
  assert.deepEqual(viaRpc.result, { kind: 'embedding', values: [12, -7, 99, 0, 45] });
  const page = await rpcCall(node.rpcPort, 'infera_jobsByRequester', [charlie.address]);
  assert.deepEqual(page.map((j) => j.id), [jobId]);
  assert.deepEqual(await rpcCall(node.rpcPort, 'infera_jobsByRequester', [charlie.address, jobId + 1]), []);

  // Bob's reputation rose one step (ReputationStep) of the way from one half to one.
  const bobWorker = await rpcCall(node.rpcPort, 'infera_worker', [bob.address]);
  assert.equal(bobWorker.state, 'active');
  assert.equal(bobWorker.bond, bond.toString());
  assert.deepEqual(bobWorker.models, [modelId]);
  assert.deepEqual(bobWorker.ready, [{ modelId, version: 1 }], 'ready for the version the fixture marked');
  const step = api.consts.computeJobs.reputationStep.toBigInt();
  assert.equal(bobWorker.reputation, reputationBefore + Number(mulFloor(step, PPM - BigInt(reputationBefore))));
  assert.equal(bobWorker.assigned, 0);

  // The runtime API answers the same through @polkadot/api.
  const direct = await api.call.computeJobsApi.job(jobId);
  assert.equal(direct.unwrap().status.asClosed.reason.toString(), 'Completed');
});

test('job RPC methods refuse bad requests with typed errors', async () => {
  const codeOf = async (method, params) => (await rpcRequest(node.rpcPort, method, params)).error;
  const unknownJob = await codeOf('infera_job', [999_999]);
  assert.equal(unknownJob.code, 4101);
  assert.match(unknownJob.message, /job 999999 does not exist/);
  const notWorker = await codeOf('infera_worker', [alice.address]);
  assert.equal(notWorker.code, 4104);
  const badAccount = await codeOf('infera_jobsByRequester', ['alice']);
  assert.equal(badAccount.code, -32602);
  assert.match(badAccount.message, /SS58/);
  const badLimit = await codeOf('infera_jobsByRequester', [alice.address, 0, 0]);
  assert.equal(badLimit.code, -32602);
  const unknownModel = await codeOf('infera_estimateFee', [{ modelId: 4242 }, 1]);
  assert.equal(unknownModel.code, 4103);
  assert.match(unknownModel.message, /UnknownModel/);
  const { replicaLimit } = params;
  for (const replicas of [0, Number(replicaLimit) + 1, 9]) {
    const badReplicas = await codeOf('infera_estimateFee', [{ modelId: 0 }, replicas]);
    assert.equal(badReplicas.code, -32602, `${replicas} replicas`);
    assert.match(badReplicas.message, new RegExp(`replicas must be 1\\.\\.=${replicaLimit}$`));
  }
  const mostReplicas = await rpcCall(node.rpcPort, 'infera_estimateFee', [{ modelId: 0 }, Number(replicaLimit)]);
  assert.equal(mostReplicas.workerFees, (replicaLimit * params.workerFee).toString());
  const noModel = await codeOf('infera_estimateFee', [{ task: 'textGeneration', maxPrice: '1' }, 1]);
  assert.equal(noModel.code, 4102);
  const badTask = await codeOf('infera_estimateFee', [{ task: 'chat', maxPrice: '1' }, 1]);
  assert.equal(badTask.code, -32602);
  assert.match(badTask.message, /textEmbedding/);
});
