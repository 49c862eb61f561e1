// Compute-job fixtures: an approved model with the workers serving it (the starting point
// of every test that runs jobs), and the call that submits an embedding job.

import { u8aToHex } from '@polkadot/util';
import { submitOk, eventsOf } from './chain.mjs';
import { minilmArtifacts } from './minilm.mjs';
import { rpcCall, waitFor } from './node.mjs';

/**
 * The fixture of an approved all-MiniLM-L6-v2 with bonded workers:
 * - `owner` registers the model (lib/minilm.mjs: real digests, files where scripts/setup
 *   put them, or `location` { url, cid } as a test publishes them; or `model`, { name,
 *   task, artifacts }, e.g. lib/smollm.mjs's) at `price` per job,
 *   version 1 trained on `datasets` (default none);
 * - version 1 is approved either by `sudo` (a key: `sudo.sudo(approveVersion)`, the admin
 *   origin on dev chains) or by `approve(modelId)`, an async function that sets approval
 *   going some other way (e.g. a `curator` referendum) and returns; the fixture then waits
 *   until the version is approved;
 * - each of `workers`, `{ key, keystore }`, bonds `bond` (default twice the chain's
 *   `MinWorkerBond`) to serve it with `capacity` concurrent jobs. With `keystore:
 *   { rpcPort, suri }` the worker's `infr` key (`suri`) first goes into that node's
 *   keystore, so the node's off-chain worker runs its jobs, and the fixture waits until
 *   that node holds version 1 and has marked the worker ready for it (workers are drawn
 *   only for versions their node holds); without it nobody runs its jobs, and the
 *   fixture marks it ready itself (`computeJobs.setReadiness`) so tests can commit and
 *   reveal by hand.
 * Every step is checked by its event. Returns { modelId, bond }.
 */
export async function approvedModelWithWorker (api, { owner, price, datasets = [], sudo, approve, workers, bond, capacity = 8, location, model }) {
  if (!sudo === !approve) throw new Error('approvedModelWithWorker: give either `sudo` or `approve`');
  model ??= { name: 'all-MiniLM-L6-v2', task: 'TextEmbedding', artifacts: minilmArtifacts(location) };
  const registered = await submitOk(api, api.tx.modelRegistry.registerModel(
    model.name, model.task, 'Apache-2.0', price, null, datasets, model.artifacts), owner);
  const modelId = onlyEvent(registered, 'modelRegistry', 'ModelRegistered').modelId.toNumber();

  if (sudo) {
    const approved = await submitOk(api, api.tx.sudo.sudo(api.tx.modelRegistry.approveVersion(modelId, 1)), sudo);
    onlyEvent(approved, 'modelRegistry', 'VersionApproved');
  } else {
    await approve(modelId);
    await waitFor(`version 1 of model ${modelId} to be approved`, async () => {
      const version = await api.query.modelRegistry.versions(modelId, 1);
      return version.isSome && version.unwrap().status.isApproved;
    }, 60_000, 500);
  }

  bond ??= 2n * api.consts.computeJobs.minWorkerBond.toBigInt();
  for (const { key, keystore } of workers) {
    if (keystore) await rpcCall(keystore.rpcPort, 'author_insertKey', ['infr', keystore.suri, u8aToHex(key.publicKey)]);
    const bonded = await submitOk(api, api.tx.computeJobs.registerWorker(bond, [modelId], capacity), key);
    const event = onlyEvent(bonded, 'computeJobs', 'WorkerRegistered');
    if (event.worker.toString() !== key.address || event.bond.toBigInt() !== bond) {
      throw new Error(`unexpected ${event.toString()} for ${key.address} bonding ${bond}`);
    }
    if (!keystore) {
      const marked = await submitOk(api, api.tx.computeJobs.setReadiness(modelId, 1, true), key);
      onlyEvent(marked, 'computeJobs', 'WorkerReadinessChanged');
    }
  }
  for (const { key } of workers) await waitUntilReady(api, key.address, modelId, 1);
  return { modelId, bond };
}

/**
 * Waits until `worker` is ready for `version` of `modelId` on chain: its node holds the
 * artifacts (fetched from the registered location, verified) and its off-chain worker said
 * so with `setReadiness`.
 */
export async function waitUntilReady (api, worker, modelId, version, timeoutMs = 300_000) {
  await waitFor(`${worker} to be ready for model ${modelId} v${version}`, async () => {
    const info = await api.query.computeJobs.workers(worker);
    return info.isSome && info.unwrap().ready.some((entry) =>
      entry.modelId.toNumber() === modelId && entry.version.toNumber() === version);
  }, timeoutMs, 500);
}

/** The one `section.method` event of a submitted transaction's `events`. */
function onlyEvent ({ events }, section, method) {
  const found = eventsOf(events, section, method);
  if (found.length !== 1) throw new Error(`expected one ${section}.${method} event, got ${found.length}`);
  return found[0];
}

/**
 * `computeJobs.submitJob` for one replica of an embedding of `text` on `modelId` quoted at
 * `maxPrice`, escrowing `maxFee`, with its deadline `deadlineIn` blocks away.
 */
export function embeddingJob (api, modelId, { text, maxPrice, maxFee, deadlineIn }) {
  return api.tx.computeJobs.submitJob(
    { Model: { modelId, version: null, maxPrice } }, { Inline: text }, maxFee, 1, deadlineIn);
}
