// Compute-job fixtures for tests that need jobs without testing the job pipeline: an
// approved model with a bonded worker, and the call that submits an embedding job.

import { submitOk, eventsOf } from './chain.mjs';
import { minilmArtifacts } from './minilm.mjs';

/**
 * `owner` registers all-MiniLM-L6-v2 at `price` per job, `sudoKey` approves version 1
 * through sudo (the admin origin on dev) and `worker` bonds `bond` to serve it with
 * `capacity` concurrent jobs. Nobody runs the jobs: no key is in the node's keystore.
 * Returns the model id.
 */
export async function modelWithWorker (api, { owner, sudoKey, worker, price, bond, capacity = 8 }) {
  const reg = await submitOk(api, api.tx.modelRegistry.registerModel(
    'all-MiniLM-L6-v2', 'TextEmbedding', 'Apache-2.0', price, null, [], minilmArtifacts()), owner);
  const modelId = eventsOf(reg.events, 'modelRegistry', 'ModelRegistered')[0].modelId.toNumber();
  await submitOk(api, api.tx.sudo.sudo(api.tx.modelRegistry.approveVersion(modelId, 1)), sudoKey);
  await submitOk(api, api.tx.computeJobs.registerWorker(bond, [modelId], capacity), worker);
  return modelId;
}

/**
 * `computeJobs.submitJob` for one replica of an embedding of `text` on `modelId` quoted at
 * `maxPrice`, escrowing `maxFee`, with its deadline `deadlineIn` blocks away.
 */
export function embeddingJob (api, modelId, { text, maxPrice, maxFee, deadlineIn }) {
  return api.tx.computeJobs.submitJob(
    { Model: { modelId, version: null, maxPrice } }, { Inline: text }, maxFee, 1, deadlineIn);
}
