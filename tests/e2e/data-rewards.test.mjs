// Data rewards end to end on a `--dev` node: Dave sponsors a dataset with a budget, Eve and
// Ferdie curate it; Charlie contributes and both curators accept. Alice registers the real
// all-MiniLM-L6-v2 as trained on that dataset; Bob's node runs her embedding job with its
// off-chain worker. The data-lineage share of the price arrives in the dataset's pot; root
// shortens the era (a protocol parameter, `parameters.setParameter`), the era finishes, and Charlie
// claims the whole pot: budget plus lineage share, to the planck. A treasury spend approved
// by root then funds the pot. The JSON-RPC views
// follow every step, and bad input gets typed errors.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startNode, rpcCall, rpcRequest, waitFor } from './lib/node.mjs';
import { submit, submitOk, eventsOf, devAccounts, UNIT, MILLI } from './lib/chain.mjs';
import { fixture, minilmArtifacts } from './lib/minilm.mjs';
import { approvedModelWithWorker } from './lib/jobs.mjs';
import { protocolParameters, mulFloor } from './lib/params.mjs';

const PRICE = 3n * MILLI;
const BUDGET = UNIT;

let node;
let api;
let who;

before(async () => {
  node = await startNode({ name: 'data-rewards', args: ['--dev'], modelStore: true });
  api = await node.api();
  who = devAccounts();
});

after(async () => {
  if (node) await node.stop(undefined, { exportStateAs: 'data-rewards' });
});

const free = async (account) => (await api.query.system.account(account)).data.free.toBigInt();
const ok = (tx, signer) => submitOk(api, tx, signer);

test('contributors are paid from the budget and from inference fees of models trained on their data', { timeout: 300_000 }, async () => {
  const { alice, bob, charlie, dave, eve, ferdie } = who;

  // Dave sponsors a dataset curated by Eve and Ferdie, both needed to decide.
  const spec = {
    name: 'sentences-en',
    description: 'English sentences for embedding models',
    licence: 'CC-BY-4.0',
    format: 'text/plain, one sentence per line',
    rules: 'Well-formed English; no personal data',
    rulesDigest: '0x' + createHash('sha256').update('rules v1').digest('hex')
  };
  const created = await ok(api.tx.dataRewards.createDataset(
    spec, { curators: [eve.address, ferdie.address], quorum: 2, rewardPerEra: null }, BUDGET), dave);
  const [{ dataset: datasetId, account }] = eventsOf(created.events, 'dataRewards', 'DatasetCreated')
    .map((e) => ({ dataset: e.dataset.toNumber(), account: e.account.toString() }));
  let dataset = await rpcCall(node.rpcPort, 'infera_dataset', [datasetId]);
  assert.equal(dataset.name, spec.name);
  assert.equal(dataset.pot, BUDGET.toString());
  assert.equal(dataset.account, account);
  assert.deepEqual(dataset.curators.map((c) => c.account), [eve.address, ferdie.address]);

  // Charlie contributes; a second submission of the same content is refused.
  const content = Buffer.from(fixture.sentences.join('\n'), 'utf8');
  const digest = '0x' + createHash('sha256').update(content).digest('hex');
  const url = 'https://data.example/sentences-en/part-0.txt';
  const contributed = await ok(api.tx.dataRewards.contribute(datasetId, digest, content.length, url, 'part-0'), charlie);
  const contributionId = eventsOf(contributed.events, 'dataRewards', 'Contributed')[0].contribution.toNumber();
  const duplicate = await submit(api, api.tx.dataRewards.contribute(datasetId, digest, content.length, url, null), dave);
  assert.equal(duplicate.error, 'dataRewards.DuplicateContribution');
  const notCurator = await submit(api, api.tx.dataRewards.review(contributionId, { Accept: { quality: 90 } }), dave);
  assert.equal(notCurator.error, 'dataRewards.NotCurator');

  // Both curators accept it.
  await ok(api.tx.dataRewards.review(contributionId, { Accept: { quality: 80 } }), eve);
  let [contribution] = await rpcCall(node.rpcPort, 'infera_contributions', [{ dataset: datasetId }]);
  assert.equal(contribution.status, 'pending');
  assert.deepEqual(contribution.votes.map((v) => [v.vote, v.quality]), [['accept', 80]]);
  const accepted = await ok(api.tx.dataRewards.review(contributionId, { Accept: { quality: 90 } }), ferdie);
  const [{ points }] = eventsOf(accepted.events, 'dataRewards', 'Accepted');
  // Mean quality 85 × (1 + ⌊log₂(1 + size / 1 KiB)⌋): 1,747 bytes count twice.
  assert.equal(content.length, 1747);
  assert.equal(points.toNumber(), 85 * 2);
  [contribution] = await rpcCall(node.rpcPort, 'infera_contributions', [{ contributor: charlie.address }]);
  assert.equal(contribution.status, 'accepted');
  assert.equal(contribution.claimed, false);
  let pending = await rpcCall(node.rpcPort, 'infera_pendingRewards', [charlie.address]);
  assert.equal(pending.estimated, BUDGET.toString());
  assert.equal(pending.claimable, '0');
  const early = await submit(api, api.tx.dataRewards.claim(contributionId), charlie);
  assert.equal(early.error, 'dataRewards.EraNotFinished');

  // Alice registers MiniLM as trained on the dataset; an unknown dataset is refused. Sudo
  // approves it, and Bob's node works for him.
  const unknown = await submit(api, api.tx.modelRegistry.registerModel(
    'all-MiniLM-L6-v2', 'TextEmbedding', 'Apache-2.0', PRICE, null, [datasetId + 1], minilmArtifacts()), alice);
  assert.equal(unknown.error, 'modelRegistry.UnknownDataset');
  const { modelId } = await approvedModelWithWorker(api, {
    owner: alice,
    sudo: alice,
    price: PRICE,
    datasets: [datasetId],
    workers: [{ key: bob, keystore: { rpcPort: node.rpcPort, suri: '//Bob' } }],
    capacity: 4
  });
  // The lineage is version 1's; the model-level field shows the current version's.
  const registered = await rpcCall(node.rpcPort, 'infera_model', [modelId]);
  assert.deepEqual(registered.versions[0].datasets, [datasetId]);
  assert.deepEqual(registered.datasets, [datasetId]);

  // Alice submits a job and the off-chain worker settles it.
  const job = await ok(api.tx.computeJobs.submitJob(
    { Model: { modelId, version: null, maxPrice: PRICE } }, { Inline: fixture.sentences[1] }, 10n * MILLI, 1, 30), alice);
  const jobId = eventsOf(job.events, 'computeJobs', 'JobSubmitted')[0].jobId.toNumber();
  const closedJob = await waitFor(`job ${jobId} to close`, async () => {
    const details = await rpcCall(node.rpcPort, 'infera_job', [jobId]);
    return details.status === 'closed' ? details : null;
  }, 200_000, 1_000);
  assert.equal(closedJob.closeReason, 'completed');

  // The lineage share (DataShare of the price, the dataset being the only one) is in the pot.
  const share = mulFloor((await protocolParameters(api)).dataShare, PRICE);
  dataset = await rpcCall(node.rpcPort, 'infera_dataset', [datasetId]);
  assert.equal(dataset.lineageIncome, share.toString());
  assert.equal(dataset.pot, (BUDGET + share).toString());

  // Root shortens the era to one block, a protocol parameter: era 0 ends.
  const defaultEra = (await protocolParameters(api)).eraLength;
  const eraLength = await ok(api.tx.sudo.sudo(api.tx.parameters.setParameter({ Data: { EraLength: [null, 1] } })), alice);
  assert.equal(eventsOf(eraLength.events, 'parameters', 'Updated').length, 1);
  assert.ok(defaultEra > 1n, `the era was ${defaultEra} blocks long before`);
  assert.equal((await protocolParameters(api, eraLength.blockHash)).eraLength, 1n);
  pending = await waitFor('the era to finish', async () => {
    const rewards = await rpcCall(node.rpcPort, 'infera_pendingRewards', [charlie.address]);
    return rewards.claimable !== '0' ? rewards : null;
  }, 30_000, 500);
  assert.equal(pending.claimable, (BUDGET + share).toString());

  // Anyone may claim for Charlie; he is paid once, the whole pot.
  const before = await free(charlie.address);
  const claimed = await ok(api.tx.dataRewards.claim(contributionId), dave);
  const [paid] = eventsOf(claimed.events, 'dataRewards', 'RewardPaid');
  assert.equal(paid.amount.toBigInt(), BUDGET + share);
  assert.equal(await free(charlie.address), before + BUDGET + share);
  const twice = await submit(api, api.tx.dataRewards.claim(contributionId), dave);
  assert.equal(twice.error, 'dataRewards.AlreadyClaimed');
  [contribution] = await rpcCall(node.rpcPort, 'infera_contributions', [{ dataset: datasetId }]);
  assert.equal(contribution.claimed, true);
  dataset = await rpcCall(node.rpcPort, 'infera_dataset', [datasetId]);
  assert.equal(dataset.pot, '0');
  assert.equal(dataset.owed, '0');
  // The dataset's account keeps only its deposit.
  assert.equal(await free(account), api.consts.dataRewards.datasetDeposit.toBigInt());
});

test('a treasury spend approved by root funds a dataset pot', async () => {
  const { alice, dave } = who;
  const before = await rpcCall(node.rpcPort, 'infera_dataset', [0]);
  const amount = UNIT / 2n;
  const approved = await ok(api.tx.sudo.sudo(api.tx.treasury.spend(null, amount, before.account, null)), alice);
  const [spend] = eventsOf(approved.events, 'treasury', 'AssetSpendApproved');
  assert.equal(spend.amount.toBigInt(), amount);
  // Anyone pays an approved spend out; it lands in the dataset's account.
  const paid = await ok(api.tx.treasury.payout(spend.index), dave);
  assert.equal(eventsOf(paid.events, 'treasury', 'Paid').length, 1);
  const after = await rpcCall(node.rpcPort, 'infera_dataset', [0]);
  assert.equal(BigInt(after.pot), BigInt(before.pot) + amount);
  // The dataset's next call counts it into the pot.
  const topped = await ok(api.tx.dataRewards.topUp(0, MILLI), dave);
  const funded = eventsOf(topped.events, 'dataRewards', 'PotFunded').map((e) => [e.source.toString(), e.amount.toBigInt()]);
  assert.deepEqual(funded, [['Transfer', amount], ['TopUp', MILLI]]);
  // Only root spends.
  const refused = await submit(api, api.tx.treasury.spend(null, amount, before.account, null), dave);
  assert.equal(refused.error, 'BadOrigin');
});

test('the data-rewards RPC rejects bad input with typed errors', async () => {
  const unknown = await rpcRequest(node.rpcPort, 'infera_dataset', [999]);
  assert.equal(unknown.error.code, 4201);
  assert.match(unknown.error.message, /dataset 999 does not exist/);
  const badAccount = await rpcRequest(node.rpcPort, 'infera_pendingRewards', ['charlie']);
  assert.equal(badAccount.error.code, -32602);
  assert.match(badAccount.error.message, /SS58/);
  const badOf = await rpcRequest(node.rpcPort, 'infera_contributions', [{ model: 1 }]);
  assert.equal(badOf.error.code, -32602);
  const badLimit = await rpcRequest(node.rpcPort, 'infera_contributions', [{ dataset: 0 }, 0, 1000]);
  assert.equal(badLimit.error.code, -32602);
  assert.match(badLimit.error.message, /limit must be 1..=100/);
});
