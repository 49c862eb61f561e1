// A dev chain with something on every page of the web console (console/): a curated
// dataset with an accepted contribution, all-MiniLM-L6-v2 trained on it and served by
// Bob's node, a settled job, and an ongoing curator referendum with a vote. The console's
// browser test starts from it; `node tests/e2e/seed-console.mjs` gives a running
// `scripts/start-dev` chain the same data to look at.

import { createHash } from 'node:crypto';
import { submitOk, eventsOf, devAccounts, UNIT, MILLI } from './chain.mjs';
import { fixture } from './minilm.mjs';
import { approvedModelWithWorker } from './jobs.mjs';
import { propose, placeDecisionDeposit, vote } from './governance.mjs';
import { smollmModel } from './smollm.mjs';
import { rpcCall, waitFor } from './node.mjs';

/** The model's price per job. */
export const SEED_PRICE = 3n * MILLI;

/**
 * Seeds the chain `api` is connected to; `rpcPort` is its node's RPC port (Bob's worker
 * key goes into that node's keystore, so its off-chain worker serves the model).
 * Returns { datasetId, contributionId, modelId, pendingModelId, jobId, referendum }.
 */
export async function seedConsoleChain (api, rpcPort, log = () => {}) {
  const { alice, bob, charlie, dave, eve, ferdie } = devAccounts();
  const ok = (tx, signer) => submitOk(api, tx, signer);

  log('Dave sponsors the dataset sentences-en, curated by Eve and Ferdie');
  const spec = {
    name: 'sentences-en',
    description: 'English sentences for embedding models',
    licence: 'CC-BY-4.0',
    format: 'text/plain, one sentence per line',
    rules: 'Well-formed English; no personal data',
    rulesDigest: '0x' + createHash('sha256').update('rules v1').digest('hex')
  };
  const created = await ok(api.tx.dataRewards.createDataset(
    spec, { curators: [eve.address, ferdie.address], quorum: 2, rewardPerEra: null }, UNIT), dave);
  const datasetId = eventsOf(created.events, 'dataRewards', 'DatasetCreated')[0].dataset.toNumber();

  log('Charlie contributes; both curators accept');
  const content = Buffer.from(fixture.sentences.join('\n'), 'utf8');
  const digest = '0x' + createHash('sha256').update(content).digest('hex');
  const contributed = await ok(api.tx.dataRewards.contribute(
    datasetId, digest, content.length, 'https://data.example/sentences-en/part-0.txt', 'part-0'), charlie);
  const contributionId = eventsOf(contributed.events, 'dataRewards', 'Contributed')[0].contribution.toNumber();
  await ok(api.tx.dataRewards.review(contributionId, { Accept: { quality: 80 } }), eve);
  await ok(api.tx.dataRewards.review(contributionId, { Accept: { quality: 90 } }), ferdie);

  log('Alice registers all-MiniLM-L6-v2 trained on it; sudo approves; Bob\'s node serves it');
  const { modelId } = await approvedModelWithWorker(api, {
    owner: alice,
    sudo: alice,
    price: SEED_PRICE,
    datasets: [datasetId],
    workers: [{ key: bob, keystore: { rpcPort, suri: '//Bob' } }],
    capacity: 4
  });

  log('Alice registers SmolLM2; a curator referendum to approve it is voted on');
  const smollm = smollmModel();
  const registered = await ok(api.tx.modelRegistry.registerModel(
    smollm.name, smollm.task, 'Apache-2.0', SEED_PRICE, null, [], smollm.artifacts), alice);
  const pendingModelId = eventsOf(registered.events, 'modelRegistry', 'ModelRegistered')[0].modelId.toNumber();
  const { index: referendum } = await propose(api, alice, { Governance: 'Curator' },
    api.tx.modelRegistry.approveVersion(pendingModelId, 1));
  await placeDecisionDeposit(api, bob, referendum);
  await vote(api, dave, referendum, true, 'Locked1x', 1000n * UNIT);

  log('Charlie submits an embedding job; Bob\'s node runs it');
  const submitted = await ok(api.tx.computeJobs.submitJob(
    { Model: { modelId, version: null, maxPrice: SEED_PRICE } }, { Inline: fixture.sentences[0] }, 20n * MILLI, 1, 60), charlie);
  const jobId = eventsOf(submitted.events, 'computeJobs', 'JobSubmitted')[0].jobId.toNumber();
  await waitFor(`job ${jobId} to close`, async () =>
    (await rpcCall(rpcPort, 'infera_job', [jobId])).status === 'closed', 180_000, 1000);
  return { datasetId, contributionId, modelId, pendingModelId, jobId, referendum };
}
