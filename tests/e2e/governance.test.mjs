// OpenGov end to end on a `--dev` node (fast track timing: a referendum with enough
// support is enacted about 6 blocks after its decision deposit):
// - the `curator` track approves Alice's model, and the `protocol_parameters` track raises
//   the worker fee; both are noted as preimages, submitted, given decision deposits, voted
//   on with conviction and enacted by the scheduler. The next job pays the new fee to its
//   worker (Bob's node, through its off-chain worker).
// - the `treasurer` track spends from the treasury into a dataset's pot.
// - the `root` track upgrades the runtime (`system.setCode` with spec_version + 1) and the
//   chain goes on producing blocks and accepting transactions.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { u8aToHex } from '@polkadot/util';
import { startNode, rpcCall, waitFor, targetDir } from './lib/node.mjs';
import { submit, submitOk, eventsOf, devAccounts, UNIT, MILLI } from './lib/chain.mjs';
import { propose, placeDecisionDeposit, vote, outcome } from './lib/governance.mjs';
import { fixture } from './lib/minilm.mjs';
import { approvedModelWithWorker } from './lib/jobs.mjs';
import { protocolParameters, mulCeil, track } from './lib/params.mjs';

const PRICE = 3n * MILLI;
// The worker fee the protocol_parameters referendum sets.
const NEW_WORKER_FEE = 2n * MILLI;
const VOTE = 900_000n * UNIT;

let node;
let api;
let who;

before(async () => {
  node = await startNode({ name: 'governance', args: ['--dev'], modelStore: true });
  api = await node.api();
  who = devAccounts();
});

after(async () => {
  if (node) await node.stop(undefined, { exportStateAs: 'governance' });
});

const ok = (tx, signer) => submitOk(api, tx, signer);

/** Each of `voters` votes aye with 0.9 M INFR locked 1×: 7.5 % of the issuance each. */
async function ayes (index, voters) {
  await Promise.all(voters.map((v) => vote(api, v, index, true, 'Locked1x', VOTE)));
}

test('curation and protocol-parameter referenda are enacted, and the next job pays the new worker fee', { timeout: 400_000 }, async () => {
  const { alice, bob, charlie, dave, eve, ferdie } = who;

  const direct = await submit(api, api.tx.parameters.setParameter({ Jobs: { WorkerFee: [null, NEW_WORKER_FEE] } }), alice);
  assert.equal(direct.error, 'BadOrigin');
  const workerFeeKey = { Jobs: { WorkerFee: null } };
  assert.ok((await api.query.parameters.parameters(workerFeeKey)).isNone, 'the default (parameters.rs) applies');
  const { workerFee: defaultFee } = await protocolParameters(api);
  assert.notEqual(defaultFee, NEW_WORKER_FEE, 'the referendum changes the fee');

  // Alice registers MiniLM; only the curator track (or root) may approve it. Two referenda
  // on two tracks, side by side: the curator track's approves the model, the
  // protocol_parameters track's raises the worker fee. Bob's node then serves the model.
  let parameter;
  const { modelId } = await approvedModelWithWorker(api, {
    owner: alice,
    price: PRICE,
    workers: [{ key: bob, keystore: { rpcPort: node.rpcPort, suri: '//Bob' } }],
    capacity: 4,
    approve: async (modelId) => {
      const selfApproval = await submit(api, api.tx.modelRegistry.approveVersion(modelId, 1), alice);
      assert.equal(selfApproval.error, 'BadOrigin');
      const curation = await propose(api, alice, { Governance: 'Curator' }, api.tx.modelRegistry.approveVersion(modelId, 1));
      parameter = await propose(api, dave, { Governance: 'ParameterAdmin' },
        api.tx.parameters.setParameter({ Jobs: { WorkerFee: [null, NEW_WORKER_FEE] } }));
      // Voting before the decision deposit is allowed; deciding waits for the deposit, the
      // track's.
      assert.equal(await placeDecisionDeposit(api, bob, curation.index), track(api, 'curator').decisionDeposit.toBigInt());
      assert.equal(await placeDecisionDeposit(api, charlie, parameter.index), track(api, 'protocol_parameters').decisionDeposit.toBigInt());

      // Conviction counts: Ferdie's nay of 0.1 M locked 6× weighs 0.6 M votes against the
      // 3.6 M of ayes, and the approval curve lets 86 % pass a few blocks into deciding.
      await ayes(curation.index, [alice, bob, charlie, dave]);
      await ayes(parameter.index, [alice, bob, charlie, dave]);
      await vote(api, ferdie, parameter.index, false, 'Locked6x', 100_000n * UNIT);
      const tally = (await api.query.referenda.referendumInfoFor(parameter.index)).unwrap().asOngoing.tally;
      assert.equal(tally.ayes.toBigInt(), 4n * VOTE);
      assert.equal(tally.nays.toBigInt(), 6n * 100_000n * UNIT);
      assert.equal(tally.support.toBigInt(), 4n * VOTE);

      assert.equal(await outcome(api, curation.index), 'Approved');
      assert.equal(await outcome(api, parameter.index), 'Approved');
      // The scheduler enacts both: the fixture waits for the model's approval.
    }
  });
  const feeAfter = await waitFor('the new worker fee', async () => {
    const fee = await rpcCall(node.rpcPort, 'infera_estimateFee', [{ modelId }, 1]);
    return fee.workerFees === NEW_WORKER_FEE.toString() ? fee : null;
  }, 30_000, 500);
  // Price and the new worker fee, plus the treasury's share on top.
  const { treasuryShare } = await protocolParameters(api);
  assert.equal(feeAfter.minMaxFee, (PRICE + NEW_WORKER_FEE + mulCeil(treasuryShare, PRICE + NEW_WORKER_FEE)).toString());
  assert.equal((await api.query.parameters.parameters(workerFeeKey)).unwrap().asJobs.asWorkerFee.toBigInt(), NEW_WORKER_FEE);
  assert.equal((await protocolParameters(api)).workerFee, NEW_WORKER_FEE);

  // The next job: Bob's node runs it and Bob is paid the new fee.
  const job = await ok(api.tx.computeJobs.submitJob(
    { Model: { modelId, version: null, maxPrice: PRICE } }, { Inline: fixture.sentences[0] }, 10n * MILLI, 1, 30), eve);
  const jobId = eventsOf(job.events, 'computeJobs', 'JobSubmitted')[0].jobId.toNumber();
  const submitted = await rpcCall(node.rpcPort, 'infera_job', [jobId]);
  assert.equal(submitted.workerFee, NEW_WORKER_FEE.toString());
  const settled = await waitFor(`job ${jobId} to settle`, async () => {
    const details = await rpcCall(node.rpcPort, 'infera_job', [jobId]);
    return details.status === 'closed' ? details : null;
  }, 120_000, 1_000);
  assert.equal(settled.closeReason, 'completed');
  const events = await api.query.system.events.at(await api.rpc.chain.getBlockHash(settled.closedAt));
  const [paid] = eventsOf(events, 'computeJobs', 'JobSettled');
  assert.equal(paid.workersPaid.toBigInt(), NEW_WORKER_FEE);

  // Deposits come back once a referendum is over.
  await ok(api.tx.referenda.refundDecisionDeposit(parameter.index), charlie);
  await ok(api.tx.referenda.refundSubmissionDeposit(parameter.index), dave);
});

test('a treasurer referendum spends from the treasury into a dataset pot', { timeout: 200_000 }, async () => {
  const { alice, bob, charlie, dave, eve } = who;
  const spec = {
    name: 'captions', description: 'Image captions', licence: 'CC0-1.0', format: 'text/plain',
    rules: 'One caption per line', rulesDigest: '0x' + createHash('sha256').update('captions').digest('hex')
  };
  const created = await ok(api.tx.dataRewards.createDataset(
    spec, { curators: [eve.address], quorum: 1, rewardPerEra: null }, UNIT), dave);
  const [{ dataset: datasetId, account }] = eventsOf(created.events, 'dataRewards', 'DatasetCreated')
    .map((e) => ({ dataset: e.dataset.toNumber(), account: e.account.toString() }));
  const before = await rpcCall(node.rpcPort, 'infera_dataset', [datasetId]);

  // Ferdie donates 1,000 INFR to the treasury (its income on a dev chain is small).
  await ok(api.tx.balances.transferKeepAlive(api.consts.treasury.potAccount, 1_000n * UNIT), who.ferdie);

  const amount = 250n * UNIT;
  const spend = await propose(api, alice, { Governance: 'Treasurer' }, api.tx.treasury.spend(null, amount, account, null));
  assert.equal(await placeDecisionDeposit(api, bob, spend.index), track(api, 'treasurer').decisionDeposit.toBigInt());
  await ayes(spend.index, [alice, bob, charlie, dave]);
  assert.equal(await outcome(api, spend.index), 'Approved');

  // Once enacted the spend is approved; anyone pays it out into the dataset's account.
  const approved = await waitFor('the spend to be approved', async () => {
    const entries = await api.query.treasury.spends.entries();
    const found = entries.find(([, s]) => s.isSome && s.unwrap().beneficiary.toString() === account);
    return found ? { index: found[0].args[0].toNumber() } : null;
  }, 30_000, 500);
  const paid = await ok(api.tx.treasury.payout(approved.index), eve);
  assert.equal(eventsOf(paid.events, 'treasury', 'Paid').length, 1);
  const topped = await ok(api.tx.dataRewards.topUp(datasetId, MILLI), eve);
  const funded = eventsOf(topped.events, 'dataRewards', 'PotFunded').map((e) => [e.source.toString(), e.amount.toBigInt()]);
  assert.deepEqual(funded, [['Transfer', amount], ['TopUp', MILLI]]);
  const after = await rpcCall(node.rpcPort, 'infera_dataset', [datasetId]);
  assert.equal(BigInt(after.pot), BigInt(before.pot) + amount + MILLI);
});

test('a root referendum upgrades the runtime and the chain goes on', { timeout: 300_000 }, async () => {
  const { alice, bob, charlie, dave, eve, ferdie } = who;
  const wasmPath = process.env.INFERA_UPGRADE_WASM || join(targetDir(), 'release', 'wbuild', 'infera-runtime-upgrade-fixture', 'infera_runtime_upgrade_fixture.compact.compressed.wasm');
  assert.ok(existsSync(wasmPath), `${wasmPath} missing: cargo build --release -p infera-runtime-upgrade-fixture`);
  const wasm = readFileSync(wasmPath);
  const { specVersion } = await api.rpc.state.getRuntimeVersion();

  const upgrade = await propose(api, alice, { system: 'Root' }, api.tx.system.setCode(u8aToHex(wasm)));
  assert.equal(upgrade.len > 500_000, true, `the runtime preimage is ${upgrade.len} bytes`);
  assert.equal(await placeDecisionDeposit(api, bob, upgrade.index), track(api, 'root').decisionDeposit.toBigInt());
  // The root track asks for more support (50 % falling to 0 %): all six vote.
  await ayes(upgrade.index, [alice, bob, charlie, dave, eve, ferdie]);
  assert.equal(await outcome(api, upgrade.index), 'Approved');

  const upgraded = await waitFor('the new runtime', async () => {
    const version = await api.rpc.state.getRuntimeVersion();
    return version.specVersion.toNumber() === specVersion.toNumber() + 1 ? version : null;
  }, 60_000, 1_000);
  assert.equal(upgraded.specName.toString(), 'infera');
  // The first block on the new code records the upgrade.
  await waitFor('the upgrade to be recorded', async () => {
    const last = await api.query.system.lastRuntimeUpgrade();
    return last.unwrap().specVersion.toNumber() === specVersion.toNumber() + 1;
  }, 30_000, 500);

  // Blocks keep coming and transactions signed for the new version go in.
  const head = (await api.rpc.chain.getHeader()).number.toNumber();
  await waitFor('three more blocks', async () => (await api.rpc.chain.getHeader()).number.toNumber() >= head + 3, 30_000, 500);
  const transfer = await ok(api.tx.balances.transferKeepAlive(ferdie.address, UNIT), eve);
  assert.equal(eventsOf(transfer.events, 'balances', 'Transfer').length, 1);
});
